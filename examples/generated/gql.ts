/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment SendFields on OutboundSend {\n    id\n    requestId\n    state\n    channel\n    agent { login }\n    errors { code field message }\n    message { id status failure { code message } }\n  }\n": typeof types.SendFieldsFragmentDoc,
    "\n  mutation UpsertClient($input: ClientInput!) {\n    upsertClient(input: $input) {\n      client { id name email phone externalId }\n      userErrors { code field message }\n    }\n  }\n": typeof types.UpsertClientDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      send { ...SendFields }\n      userErrors { code field message }\n      conflict { activeThread { id status channel } alternatives { channel available } }\n    }\n  }\n": typeof types.SendMessageDocument,
    "\n  query ReadSend($id: ID!) {\n    send(id: $id) { ...SendFields }\n  }\n": typeof types.ReadSendDocument,
    "\n  subscription SendUpdated($id: ID!) {\n    sendUpdated(id: $id) { ...SendFields }\n  }\n": typeof types.SendUpdatedDocument,
};
const documents: Documents = {
    "\n  fragment SendFields on OutboundSend {\n    id\n    requestId\n    state\n    channel\n    agent { login }\n    errors { code field message }\n    message { id status failure { code message } }\n  }\n": types.SendFieldsFragmentDoc,
    "\n  mutation UpsertClient($input: ClientInput!) {\n    upsertClient(input: $input) {\n      client { id name email phone externalId }\n      userErrors { code field message }\n    }\n  }\n": types.UpsertClientDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      send { ...SendFields }\n      userErrors { code field message }\n      conflict { activeThread { id status channel } alternatives { channel available } }\n    }\n  }\n": types.SendMessageDocument,
    "\n  query ReadSend($id: ID!) {\n    send(id: $id) { ...SendFields }\n  }\n": types.ReadSendDocument,
    "\n  subscription SendUpdated($id: ID!) {\n    sendUpdated(id: $id) { ...SendFields }\n  }\n": types.SendUpdatedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SendFields on OutboundSend {\n    id\n    requestId\n    state\n    channel\n    agent { login }\n    errors { code field message }\n    message { id status failure { code message } }\n  }\n"): (typeof documents)["\n  fragment SendFields on OutboundSend {\n    id\n    requestId\n    state\n    channel\n    agent { login }\n    errors { code field message }\n    message { id status failure { code message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpsertClient($input: ClientInput!) {\n    upsertClient(input: $input) {\n      client { id name email phone externalId }\n      userErrors { code field message }\n    }\n  }\n"): (typeof documents)["\n  mutation UpsertClient($input: ClientInput!) {\n    upsertClient(input: $input) {\n      client { id name email phone externalId }\n      userErrors { code field message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      send { ...SendFields }\n      userErrors { code field message }\n      conflict { activeThread { id status channel } alternatives { channel available } }\n    }\n  }\n"): (typeof documents)["\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      send { ...SendFields }\n      userErrors { code field message }\n      conflict { activeThread { id status channel } alternatives { channel available } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReadSend($id: ID!) {\n    send(id: $id) { ...SendFields }\n  }\n"): (typeof documents)["\n  query ReadSend($id: ID!) {\n    send(id: $id) { ...SendFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SendUpdated($id: ID!) {\n    sendUpdated(id: $id) { ...SendFields }\n  }\n"): (typeof documents)["\n  subscription SendUpdated($id: ID!) {\n    sendUpdated(id: $id) { ...SendFields }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;