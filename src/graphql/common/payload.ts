import { Field, ObjectType, type ClassType } from 'type-graphql';
import type { UserErrorCode } from '../../domain/errors.js';
import { UserErrorCodeEnum } from '../scalars.js';

// Shopify's rule: every mutation answers with a payload of its own, the thing it made or changed
// (null when it could not) and `userErrors` a program can act on.

@ObjectType('UserError')
export class UserErrorType {
  @Field(() => UserErrorCodeEnum) code!: UserErrorCode;
  @Field(() => [String], { nullable: true, description: 'path into the input, e.g. ["bcc", "1"]' }) field?: string[] | null;
  @Field(() => String, { description: 'a sentence a person can act on' }) message!: string;
}

export interface PayloadField {
  type: () => ClassType | [ClassType] | StringConstructor;
  description?: string;
}

/** A payload type: `name { <fields>, userErrors }`, each field nullable (absent when refused). */
export function payloadType(name: string, fields: Record<string, PayloadField>): ClassType {
  @ObjectType(name)
  class Payload {
    @Field(() => [UserErrorType]) userErrors!: UserErrorType[];
  }
  for (const [key, field] of Object.entries(fields)) {
    Field(field.type, { nullable: true, ...(field.description ? { description: field.description } : {}) })(Payload.prototype, key);
  }
  Object.defineProperty(Payload, 'name', { value: name });
  return Payload;
}
