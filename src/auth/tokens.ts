import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { agents, apiTokens } from '../db/schema.js';
import type { Role } from '../domain/enums.js';
import { UserErrorException, userError } from '../domain/errors.js';

// Bearer tokens: only their SHA-256 is stored, so the tokens table grants nothing if it leaks.

export type Viewer = typeof agents.$inferSelect;

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

export async function viewerForToken(db: Db, token: string | null): Promise<Viewer | null> {
  if (!token) return null;
  const rows = await db
    .select({ agent: agents })
    .from(apiTokens)
    .innerJoin(agents, eq(apiTokens.agentId, agents.id))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  return rows[0]?.agent ?? null;
}

export async function issueToken(db: Db, agentId: string, label: string, token: string = newToken()): Promise<string> {
  await db.insert(apiTokens).values({ agentId, tokenHash: hashToken(token), label }).onConflictDoNothing();
  return token;
}

/** The one gate for every entry point: no viewer is UNAUTHENTICATED, the wrong role FORBIDDEN. */
export function requireRole(viewer: Viewer | null, roles: readonly Role[]): Viewer {
  if (!viewer) throw new UserErrorException(userError('UNAUTHENTICATED', 'Send a valid token as "Authorization: Bearer <token>".'));
  if (roles.length > 0 && !roles.includes(viewer.role)) {
    throw new UserErrorException(
      userError('FORBIDDEN', `This needs the role ${roles.join(' or ')}; your token is for ${viewer.role}.`),
    );
  }
  return viewer;
}
