import { ApplicationFailure } from '@temporalio/activity';
import { DATA_ERROR } from '../contract.js';

// A database error is either about the statement (bad data, a broken constraint, a limit): the
// same statement fails the same way on every retry; or about the moment (a lost connection, a
// deadlock, a server shutting down): it may pass. Activities turn the first kind into a
// non-retryable failure, so a send whose own step cannot be recorded ends FAILED with a reason
// instead of retrying forever.


// SQLSTATE classes (https://www.postgresql.org/docs/current/errcodes-appendix.html) whose errors
// are about the statement: data exceptions, integrity violations, syntax or access rules, program
// limits (an index row too large), invalid text representation.
const STATEMENT_CLASSES = new Set(['22', '23', '2F', '42', '44', '54']);

/** The SQLSTATE of a driver error, however drizzle wrapped it; null when there is none. */
export function sqlState(err: unknown): string | null {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return null;
}

export function isStatementError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== null && STATEMENT_CLASSES.has(state.slice(0, 2));
}

/** What a supervisor reads: the database's own sentence, without the statement or its parameters. */
function describe(err: unknown): string {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code && e instanceof Error) return `${e.message} (SQLSTATE ${sqlState(e)})`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Wraps each activity so a statement error leaves it as a non-retryable DATA_ERROR. */
export function failFastOnStatementErrors<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        if (isStatementError(err)) throw ApplicationFailure.nonRetryable(`${name} could not be recorded: ${describe(err)}`, DATA_ERROR);
        throw err;
      }
    };
  }
  return wrapped as T;
}
