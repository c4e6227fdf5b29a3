import type http from 'node:http';
import { replyJson } from './http.js';

// Every sandbox shows a test (or a person at the standalone one) what it received, what it accepted
// and what it called back, and forgets it all on request, under /sandbox.

/** What a sandbox keeps for inspection, one list per kind. */
export interface SandboxRecords {
  received: unknown[];
  accepted: unknown[];
  /** Only for a sandbox that posts callbacks: without it /sandbox/callbacks is not served. */
  callbacks?: unknown[];
}

export interface Inspectable {
  /** GET /sandbox: the settings and the scenario table. */
  overview(): unknown;
  records: SandboxRecords;
  reset(): void;
}

/** Empties every list, for reset(). */
export function forgetRecords(records: SandboxRecords): void {
  records.received.length = 0;
  records.accepted.length = 0;
  if (records.callbacks) records.callbacks.length = 0;
}

/**
 * Answers GET /sandbox, /sandbox/received, /sandbox/accepted, /sandbox/callbacks and
 * POST /sandbox/reset; false when the request is none of them (the sandbox answers it).
 */
export function answerInspection(method: string, path: string, res: http.ServerResponse, sandbox: Inspectable): boolean {
  const answer = (body: unknown) => {
    replyJson(res, 200, body);
    return true;
  };
  const { records } = sandbox;
  if (method === 'POST' && path === '/sandbox/reset') {
    sandbox.reset();
    return answer({});
  }
  if (method !== 'GET') return false;
  if (path === '/sandbox') return answer(sandbox.overview());
  if (path === '/sandbox/received') return answer(records.received);
  if (path === '/sandbox/accepted') return answer(records.accepted);
  if (path === '/sandbox/callbacks' && records.callbacks) return answer(records.callbacks);
  return false;
}
