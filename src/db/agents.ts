import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { Db, DbOrTx } from './connection.js';
import { isUniqueViolation } from './connection.js';
import { agents, threads, transferTargets } from './schema.js';
import type { AgentStatus, Role, TransferTargetKind } from '../domain/enums.js';
import { insertToken } from './tokens.js';

export type AgentRow = typeof agents.$inferSelect;
export type TransferTargetRow = typeof transferTargets.$inferSelect;

export async function getAgents(db: DbOrTx, ids: readonly string[]): Promise<AgentRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(agents).where(inArray(agents.id, [...ids]));
}

export async function setAgentStatus(db: Db, agentId: string, status: AgentStatus, reason: string | null): Promise<AgentRow> {
  const [row] = await db.update(agents).set({ status, statusReason: reason, updatedAt: new Date() }).where(eq(agents.id, agentId)).returning();
  return row!;
}

export type CreateAgentResult = { ok: true; agent: AgentRow } | { ok: false; reason: 'LOGIN_TAKEN' };

/**
 * A new agent with its first token (the caller made it and hashed it: it is shown once) and, when
 * it takes threads (role AGENT), a transfer target of kind AGENT, so transfers can reach it at
 * once. One transaction: never an agent without its token.
 */
export async function createAgent(
  db: Db,
  input: { standId: string; login: string; name: string; role: Role; status?: AgentStatus },
  tokenHash: string,
  tokenExpiresAt: Date | null = null,
): Promise<CreateAgentResult> {
  try {
    const agent = await db.transaction(async (tx) => {
      const [row] = await tx.insert(agents).values({ ...input, status: input.status ?? 'OFFLINE' }).returning();
      if (input.role === 'AGENT') {
        await tx.insert(transferTargets).values({ standId: input.standId, kind: 'AGENT', name: input.name, agentId: row!.id });
      }
      await insertToken(tx, row!.id, tokenHash, 'created with the agent', tokenExpiresAt);
      return row!;
    });
    return { ok: true, agent };
  } catch (err) {
    if (isUniqueViolation(err, 'agents_login_unique')) return { ok: false, reason: 'LOGIN_TAKEN' };
    throw err;
  }
}

/** The threads assigned to each of these agents that are not CLOSED, oldest first: ASSIGN_TO_ME lands here (R12). */
export async function agentQueues(db: DbOrTx, agentIds: readonly string[]) {
  if (agentIds.length === 0) return [];
  return db.select().from(threads)
    .where(and(inArray(threads.assigneeId, [...agentIds]), ne(threads.status, 'CLOSED')))
    .orderBy(asc(threads.openedAt), asc(threads.id));
}

export async function listTransferTargets(db: DbOrTx, standId: string, kind: TransferTargetKind | null): Promise<TransferTargetRow[]> {
  return db
    .select()
    .from(transferTargets)
    .where(kind ? and(eq(transferTargets.standId, standId), eq(transferTargets.kind, kind)) : eq(transferTargets.standId, standId))
    .orderBy(asc(transferTargets.kind), asc(transferTargets.name));
}

export async function getTransferTargets(db: DbOrTx, ids: readonly string[]): Promise<TransferTargetRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(transferTargets).where(inArray(transferTargets.id, [...ids]));
}

export type CreateTargetResult = { ok: true; target: TransferTargetRow } | { ok: false; reason: 'NAME_TAKEN' | 'AGENT_NOT_FOUND' };

/**
 * Groups, skills, bots and departments are created by name. An AGENT target stands for an agent,
 * so its name is that agent's login; an agent created with role AGENT already has one.
 */
export async function createTransferTarget(db: Db, standId: string, kind: TransferTargetKind, name: string): Promise<CreateTargetResult> {
  if (kind === 'AGENT') {
    const [agent] = await db.select().from(agents).where(and(eq(agents.standId, standId), eq(agents.login, name))).limit(1);
    if (!agent) return { ok: false, reason: 'AGENT_NOT_FOUND' };
    const [existing] = await db.select().from(transferTargets).where(eq(transferTargets.agentId, agent.id)).limit(1);
    if (existing) return { ok: true, target: existing };
    const [target] = await db.insert(transferTargets).values({ standId, kind, name: agent.name, agentId: agent.id }).returning();
    return { ok: true, target: target! };
  }
  try {
    const [target] = await db.insert(transferTargets).values({ standId, kind, name }).returning();
    return { ok: true, target: target! };
  } catch (err) {
    if (isUniqueViolation(err, 'transfer_targets_stand_kind_name')) return { ok: false, reason: 'NAME_TAKEN' };
    throw err;
  }
}
