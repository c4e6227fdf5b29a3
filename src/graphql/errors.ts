import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { USER_ERROR_CODES, UserErrorException, type UserError } from '../domain/errors.js';
import { logger } from '../log.js';

const HTTP_STATUS: Partial<Record<string, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403 };

/** A user error raised where no payload can carry it (auth, a missing record on a plain query). */
export function toGraphQLError(error: UserError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, field: error.field, http: HTTP_STATUS[error.code] ? { status: HTTP_STATUS[error.code] } : undefined },
  });
}

/**
 * Every error leaves with a code from the contract. Ours carry theirs; anything unexpected is
 * logged in full and answered as SYSTEM_ERROR without internals.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof UserErrorException) {
    const { code, field } = original.userError;
    return { ...formatted, message: original.userError.message, extensions: { code, ...(field ? { field } : {}) } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && (USER_ERROR_CODES as readonly string[]).includes(code)) {
    const field = formatted.extensions?.field;
    return { message: formatted.message, path: formatted.path, locations: formatted.locations, extensions: { code, ...(field ? { field } : {}) } };
  }
  if (code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED' || code === 'BAD_USER_INPUT' || code === 'BAD_REQUEST') {
    return { ...formatted, extensions: { ...formatted.extensions, code: 'INVALID_INPUT' } };
  }
  if (code === 'PERSISTED_QUERY_NOT_FOUND' || code === 'PERSISTED_QUERY_NOT_SUPPORTED') return formatted;
  logger.error({ err: original ?? error, path: formatted.path }, 'unexpected error in a GraphQL operation');
  return { message: 'Something went wrong on our side; nothing was changed by the failed part. Try again.', path: formatted.path, locations: formatted.locations, extensions: { code: 'SYSTEM_ERROR' } };
}
