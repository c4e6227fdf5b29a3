import type { ApolloServerPlugin } from '@apollo/server';
import { trace } from '@opentelemetry/api';
import { graphqlDuration, graphqlOperations } from '../metrics.js';
import type { Context } from './context.js';

/**
 * Counts and times every operation by its type and first root field (both bounded by the schema;
 * the operation's own name is the client's choice, so it is not a label) and its outcome: ok,
 * user_errors (a payload answered with userErrors) or errors.
 */
export function metricsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ operation }) {
          if (!operation) return;
          // The request's span (src/tracing.ts) is named after what it did.
          const first = operation.selectionSet.selections.find((s) => s.kind === 'Field');
          trace.getActiveSpan()?.updateName(`graphql ${operation.operation} ${first && first.kind === 'Field' ? first.name.value : ''}`.trim());
        },
        async willSendResponse({ operation, response }) {
          const type = operation?.operation ?? 'invalid';
          const first = operation?.selectionSet.selections.find((s) => s.kind === 'Field');
          const field = first && first.kind === 'Field' ? first.name.value : 'none';
          const body = response.body.kind === 'single' ? response.body.singleResult : null;
          const data = (body?.data ?? null) as Record<string, unknown> | null;
          const userErrors = data && Object.values(data).some((v) => Array.isArray((v as { userErrors?: unknown } | null)?.userErrors) && ((v as { userErrors: unknown[] }).userErrors.length > 0));
          const outcome = body?.errors?.length ? 'errors' : userErrors ? 'user_errors' : 'ok';
          const labels = { type, field, outcome };
          graphqlOperations.inc(labels);
          graphqlDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
}
