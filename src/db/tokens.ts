import { and, desc, eq, gt, isNull, or } from 'drizzle-orm';
import type { DbOrTx } from './connection.js';
import { agents, apiTokens } from './schema.js';

// The api_tokens table. Only a token's hash is ever stored or looked up (src/auth/tokens.ts
// hashes); the table grants nothing if it leaks. A token is live until it expires or is revoked.

export type AgentRow = typeof agents.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;

export async function insertToken(db: DbOrTx, agentId: string, tokenHash: string, label: string, expiresAt: Date | null = null): Promise<ApiTokenRow> {
  const [row] = await db.insert(apiTokens).values({ agentId, tokenHash, label, expiresAt }).onConflictDoNothing().returning();
  return row!;
}

/** The agent a live token belongs to, and the token's id. */
export async function agentForTokenHash(db: DbOrTx, tokenHash: string, now = new Date()): Promise<{ agent: AgentRow; tokenId: string } | null> {
  const rows = await db
    .select({ agent: agents, tokenId: apiTokens.id })
    .from(apiTokens)
    .innerJoin(agents, eq(apiTokens.agentId, agents.id))
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now))))
    .limit(1);
  return rows[0] ?? null;
}

export async function markTokenUsed(db: DbOrTx, tokenId: string, at = new Date()): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, tokenId));
}

export async function tokensOf(db: DbOrTx, agentIds: readonly string[]): Promise<ApiTokenRow[]> {
  if (agentIds.length === 0) return [];
  const rows = await Promise.all(agentIds.map((id) => db.select().from(apiTokens).where(eq(apiTokens.agentId, id)).orderBy(desc(apiTokens.createdAt))));
  return rows.flat();
}

export async function getToken(db: DbOrTx, id: string): Promise<ApiTokenRow | null> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id));
  return row ?? null;
}

/** Revokes a live token; one revoked already stays as it was. */
export async function revokeToken(db: DbOrTx, id: string, at = new Date()): Promise<ApiTokenRow | null> {
  await db.update(apiTokens).set({ revokedAt: at }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)));
  return getToken(db, id);
}
