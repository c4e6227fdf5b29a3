import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTx } from '../db/connection.js';
import { agentForTokenHash, insertToken, markTokenUsed, type AgentRow } from '../db/tokens.js';

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
  return token ? ((await agentForTokenHash(db, hashToken(token)))?.agent ?? null) : null;
}

/** Stores a token for the agent (a new one unless given) and hands it back: the only time it is seen. */
export async function issueToken(db: DbOrTx, agentId: string, label: string, options: { token?: string; expiresAt?: Date | null } = {}) {
  const token = options.token ?? newToken();
  const row = await insertToken(db, agentId, hashToken(token), label, options.expiresAt ?? null);
  return { token, row };
}

export type ViewerLookup = (token: string | null) => Promise<Viewer | null>;

/**
 * Token → viewer, remembered for `ttlMs` (a request's hot path reads it; a status change or a
 * revoked token takes effect within that time everywhere, at once on this instance through `forget`).
 */
export function cachedViewerLookup(db: DbOrTx, ttlMs = 5_000, maxEntries = 10_000): ViewerLookup & { forget(): void } {
  const cache = new Map<string, { viewer: Viewer | null; until: number }>();
  const lookup = async (token: string | null) => {
    if (!token) return null;
    const key = hashToken(token);
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.viewer;
    const found = await agentForTokenHash(db, key);
    // lastUsedAt moves at most once per ttl per instance: the hot path writes nothing else.
    if (found) await markTokenUsed(db, found.tokenId);
    const viewer = found?.agent ?? null;
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(key, { viewer, until: now + ttlMs });
    return viewer;
  };
  return Object.assign(lookup, { forget: () => cache.clear() });
}
