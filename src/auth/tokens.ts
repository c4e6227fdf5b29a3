import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTx } from '../db/connection.js';
import { agentForTokenHash, insertToken, type AgentRow } from '../db/tokens.js';

// Bearer tokens: made here, only their SHA-256 stored (src/db/tokens.ts), so the tokens table
// grants nothing if it leaks.

/** Whoever a request's token belongs to: an agent row (role, stand, status). */
export type Viewer = AgentRow;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `hrl_${randomBytes(24).toString('base64url')}`;
}

export function bearerToken(authorization: string | undefined | null): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1] ?? null;
}

export async function viewerForToken(db: DbOrTx, token: string | null): Promise<Viewer | null> {
  return token ? agentForTokenHash(db, hashToken(token)) : null;
}

/** Stores a token for the agent (a new one unless given) and hands it back: the only time it is seen. */
export async function issueToken(db: DbOrTx, agentId: string, label: string, token: string = newToken()): Promise<string> {
  await insertToken(db, agentId, hashToken(token), label);
  return token;
}
