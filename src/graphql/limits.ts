import { ApolloArmor } from '@escape.tech/graphql-armor';
import { getNullableType, isListType, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { userError, type UserError } from '../domain/errors.js';

// The shape of what one request may ask for: depth, aliases, tokens and directives from
// graphql-armor, and a cost (complexity) that counts the rows a query can pull (a page of 50 inside a page of 50
// is 2,500 rows), from graphql-query-complexity. With page sizes capped at 100 (the door) and every
// per-parent list read through a DataLoader (one statement per level), one request's memory and
// database work are bounded. README, "Limits and security", lists each number.

export const QUERY_LIMITS = {
  /** Fields nested in fields: the deepest query a UI needs is about 8. */
  maxDepth: 10,
  maxAliases: 15,
  maxTokens: 2_000,
  maxDirectives: 20,
  /** Rows a query may pull: each list multiplies what it holds by its page size. */
  maxComplexity: 20_000,
  /** A list without a page size (a thread's messages, a status history) counts as this many. */
  unpagedListEstimate: 20,
};

let armor: ReturnType<ApolloArmor['protect']> | undefined;

/** graphql-armor's validation rules, for Apollo and for graphql-ws alike. */
export function armorRules(): ValidationRule[] {
  armor ??= new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    maxTokens: { n: QUERY_LIMITS.maxTokens },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    // armor's cost grows with depth, not with rows (an ordinary 7-level query scores ~9,000):
    // the rows estimate below is the cost that bounds memory.
    costLimit: { enabled: false },
    // Herald's schema is public (docs/contract.graphql): suggestions give nothing away.
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return armor.validationRules;
}

/**
 * A list field costs its page size (`first`, or the argument's default) times what each item
 * holds; the edges of a connection are that page, so they do not multiply again.
 */
const rowsEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (typeof args.first === 'number') return 1 + args.first * Math.max(1, childComplexity);
  if (isListType(getNullableType(field.type))) {
    if (type.name.endsWith('Connection')) return Math.max(1, childComplexity);
    return 1 + QUERY_LIMITS.unpagedListEstimate * Math.max(1, childComplexity);
  }
  return undefined;
};

/**
 * Introspection (what GraphiQL and code generators read) asks only for the schema: it pulls no
 * rows, its size is the schema's, and it is switched off in production unless allowed.
 */
function onlyIntrospection(document: DocumentNode, operationName?: string | null): boolean {
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  const operation = operations.find((d) => (operationName ? d.name?.value === operationName : true));
  if (!operation || operation.kind !== 'OperationDefinition' || operation.operation !== 'query') return false;
  return operation.selectionSet.selections.every((s) => s.kind === 'Field' && s.name.value.startsWith('__'));
}

export function complexityProblem(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string | null): UserError | null {
  if (onlyIntrospection(document, operationName)) return null;
  let complexity: number;
  try {
    complexity = getComplexity({
      schema, query: document, variables: variables ?? {}, ...(operationName ? { operationName } : {}),
      estimators: [rowsEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    return null; // a document the validator will refuse anyway (unknown operation, bad variables)
  }
  if (complexity <= QUERY_LIMITS.maxComplexity) return null;
  return userError('INVALID_INPUT', `This query could pull about ${complexity} rows; at most ${QUERY_LIMITS.maxComplexity} are allowed. Ask for smaller pages (first) or fewer nested lists.`);
}
