import { canSeeClient, canSeeSend, type Caller } from '../domain/access.js';
import { isUuid } from '../domain/ids.js';
import type { ClientRow } from '../db/clients.js';
import type { SendRow } from '../db/sends.js';
import type { Context } from './context.js';

// The visibility rule (src/domain/access.ts) with the rows a resolver has: every query, mutation
// and subscription that hands out a client, a thread or a send asks here. What a caller may not
// see does not exist for it: null, or NOT_FOUND.

export function callerOf(ctx: Context): Caller {
  if (!ctx.viewer) throw new Error('callerOf: no viewer (the resolver must be @Authorized)');
  return ctx.viewer;
}

/** A client of the caller's stand, or null. */
export async function visibleClient(ctx: Context, id: string): Promise<ClientRow | null> {
  if (!ctx.viewer || !isUuid(id)) return null;
  const client = await ctx.loaders.client.load(id);
  return client && canSeeClient(ctx.viewer, client) ? client : null;
}

/** The send when the caller may see it (its stand is its client's), else null. */
export async function visibleSend(ctx: Context, send: SendRow | null): Promise<SendRow | null> {
  if (!ctx.viewer || !send) return null;
  const client = await ctx.loaders.client.load(send.clientId);
  if (!client) return null;
  return canSeeSend(ctx.viewer, { agentId: send.agentId, requestedById: send.requestedById, standId: client.standId }) ? send : null;
}
