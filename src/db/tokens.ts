import { and, eq, isNull } from 'drizzle-orm';
import type { DbOrTx } from './connection.js';
import { agents, apiTokens } from './schema.js';

// The api_tokens table. Only a token's hash is ever stored or looked up (src/auth/tokens.ts
// hashes); the table grants nothing if it leaks.

export type AgentRow = typeof agents.$inferSelect;

export async function insertToken(db: DbOrTx, agentId: string, tokenHash: string, label: string): Promise<void> {
  await db.insert(apiTokens).values({ agentId, tokenHash, label }).onConflictDoNothing();
}

/** The agent a live (not revoked) token belongs to. */
export async function agentForTokenHash(db: DbOrTx, tokenHash: string): Promise<AgentRow | null> {
  const rows = await db
    .select({ agent: agents })
    .from(apiTokens)
    .innerJoin(agents, eq(apiTokens.agentId, agents.id))
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
    .limit(1);
  return rows[0]?.agent ?? null;
}
