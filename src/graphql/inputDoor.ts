import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  GraphQLError, GraphQLID, TypeInfo, getNamedType, isInputObjectType, isListType, isNonNullType, valueFromAST, visit, visitWithTypeInfo,
  type DocumentNode, type GraphQLInputType, type GraphQLSchema,
} from 'graphql';
import { checkList, checkPageSize, checkString } from '../domain/input.js';
import type { UserError } from '../domain/errors.js';
import { complexityProblem } from './limits.js';

// The GraphQL door: every argument of an operation, literal or variable, walked along its input
// type before anything runs, so a NUL byte, a lone surrogate, an empty id or an over-long string
// is refused with INVALID_INPUT naming the field (src/domain/input.ts has the rules).

const MAX_PROBLEMS = 10;
/** Arguments that size a page of a list. */
const PAGE_ARGUMENTS = new Set(['first', 'last']);

export function inputProblems(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined): UserError[] {
  const typeInfo = new TypeInfo(schema);
  const problems: UserError[] = [];
  visit(document, visitWithTypeInfo(typeInfo, {
    Argument(node) {
      const argument = typeInfo.getArgument();
      if (!argument || problems.length >= MAX_PROBLEMS) return;
      // Variables are checked as given (coercion leaves strings as they are); literals as parsed.
      const value = node.value.kind === 'Variable' ? variables?.[node.value.name.value] : valueFromAST(node.value, argument.type, variables ?? {});
      walk(value, argument.type, [node.name.value], problems);
    },
  }));
  return problems.slice(0, MAX_PROBLEMS);
}

function walk(value: unknown, type: GraphQLInputType, field: string[], problems: UserError[]): void {
  if (value === null || value === undefined || problems.length >= MAX_PROBLEMS) return;
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    const items = Array.isArray(value) ? value : [value];
    const tooMany = checkList(items.length, field);
    if (tooMany) problems.push(tooMany);
    else items.forEach((item, i) => walk(item, inner.ofType, [...field, String(i)], problems));
    return;
  }
  if (isInputObjectType(inner)) {
    if (typeof value !== 'object') return;
    const fields = inner.getFields();
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      const def = fields[name];
      if (def) walk(item, def.type, [...field, name], problems);
    }
    return;
  }
  if (typeof value === 'string') {
    const problem = checkString(value, field, getNamedType(inner) === GraphQLID ? 'ID' : 'STRING');
    if (problem) problems.push(problem);
  } else if (typeof value === 'number' && PAGE_ARGUMENTS.has(field.at(-1)!)) {
    const problem = checkPageSize(value, field);
    if (problem) problems.push(problem);
  }
}

/** Everything a valid operation must pass before it runs: its values and the rows it could pull. */
export function doorProblems(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string | null): UserError[] {
  const problems = inputProblems(schema, document, variables);
  if (problems.length > 0) return problems;
  const tooMuch = complexityProblem(schema, document, variables, operationName);
  return tooMuch ? [tooMuch] : [];
}

/** The door's refusal: one GraphQL error per problem, each with the contract's code and its field. */
export function inputErrors(problems: UserError[]): GraphQLError[] {
  return problems.map((p) => new GraphQLError(p.message, { extensions: { code: p.code, ...(p.field ? { field: p.field } : {}) } }));
}

/** Apollo answers a refused operation itself, 400 like a query that fails validation, and runs nothing. */
export function inputDoorPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async responseForOperation({ schema, document, request }) {
          const problems = doorProblems(schema, document, request.variables, request.operationName);
          if (problems.length === 0) return null;
          return {
            http: { status: 400, headers: new HeaderMap([['content-type', 'application/json; charset=utf-8']]) },
            body: { kind: 'single', singleResult: { errors: inputErrors(problems).map((e) => e.toJSON()) } },
          };
        },
      };
    },
  };
}
