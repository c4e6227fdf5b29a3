import type { Role } from './enums.js';

// Who may see and touch what: the one visibility rule, read by every resolver, subscription and
// list query. A caller sees only its own stand. Within it: supervisors and admins see every send;
// an integrator the sends it requested; an agent the sends it made or that were made as it.
// Clients, their threads and histories are the stand's, seen by every role of that stand.

export interface Caller {
  id: string;
  role: Role;
  standId: string;
}

/** What decides who may see a send: who asked for it, as whom, and whose client it went to. */
export interface SendOwnership {
  agentId: string | null;
  requestedById: string | null;
  /** The stand of the send's client. */
  standId: string;
}

/** The same rule as a filter for a list of sends. */
export type SendScope =
  | { kind: 'stand'; standId: string } // supervisors and admins: every send to a client of their stand
  | { kind: 'agent'; agentId: string; standId: string } // agents: made by them or as them
  | { kind: 'requester'; requesterId: string; standId: string }; // integrators: the ones they requested

const SUPERVISING: ReadonlySet<Role> = new Set(['SUPERVISOR', 'ADMIN']);

export function sendScope(caller: Caller): SendScope {
  if (SUPERVISING.has(caller.role)) return { kind: 'stand', standId: caller.standId };
  if (caller.role === 'INTEGRATOR') return { kind: 'requester', requesterId: caller.id, standId: caller.standId };
  return { kind: 'agent', agentId: caller.id, standId: caller.standId };
}

export function canSeeSend(caller: Caller, send: SendOwnership): boolean {
  const scope = sendScope(caller);
  if (send.standId !== scope.standId) return false;
  switch (scope.kind) {
    case 'stand':
      return true;
    case 'requester':
      return send.requestedById === scope.requesterId;
    case 'agent':
      return send.requestedById === scope.agentId || send.agentId === scope.agentId;
  }
}

/** A client, and through it its threads, history and activity: anyone of the client's stand. */
export function canSeeClient(caller: Caller, client: { standId: string }): boolean {
  return client.standId === caller.standId;
}

/** The workflow's own event history (R24): supervisors and admins. */
export function canReadWorkflowHistory(caller: Caller): boolean {
  return SUPERVISING.has(caller.role);
}

/** An agent's queue: the agent itself; supervisors, admins and integrators of its stand. */
export function canSeeQueue(caller: Caller, agent: { id: string; standId: string }): boolean {
  if (agent.standId !== caller.standId) return false;
  return caller.id === agent.id || caller.role !== 'AGENT';
}

/** Closing a thread: its assignee; supervisors, admins and integrators; never another agent. */
export function canCloseThread(caller: Caller, thread: { assigneeId: string | null }): boolean {
  return caller.role !== 'AGENT' || thread.assigneeId === caller.id;
}

/**
 * R34: webhook endpoints, their deliveries and secrets: an admin manages every endpoint of its
 * stand, an integrator the ones it made (another integrator's are not there for it); other roles none.
 * As a filter: null createdById for the whole stand.
 */
export function webhookEndpointScope(caller: Caller): { standId: string; createdById: string | null } | null {
  if (caller.role === 'ADMIN') return { standId: caller.standId, createdById: null };
  if (caller.role === 'INTEGRATOR') return { standId: caller.standId, createdById: caller.id };
  return null;
}

export function canManageWebhookEndpoint(caller: Caller, endpoint: { standId: string; createdById: string }): boolean {
  const scope = webhookEndpointScope(caller);
  return !!scope && endpoint.standId === scope.standId && (scope.createdById === null || endpoint.createdById === scope.createdById);
}

/**
 * R23: who a send goes out as. Agents act only as themselves; an integrator acts for an agent of
 * its stand whose account is an AGENT's (never a supervisor's, an admin's or another
 * integrator's), or for nobody.
 */
export function sendsAs(
  caller: Caller,
  onBehalfOf: { id: string; role: Role; standId: string } | null | 'not found',
): { ok: true; agentId: string | null } | { ok: false; reason: 'ONLY_INTEGRATORS' | 'NOT_FOUND' | 'NOT_AN_AGENT' } {
  if (onBehalfOf === null) return { ok: true, agentId: caller.role === 'INTEGRATOR' ? null : caller.id };
  if (caller.role !== 'INTEGRATOR') {
    return onBehalfOf !== 'not found' && onBehalfOf.id === caller.id ? { ok: true, agentId: caller.id } : { ok: false, reason: 'ONLY_INTEGRATORS' };
  }
  if (onBehalfOf === 'not found' || onBehalfOf.standId !== caller.standId) return { ok: false, reason: 'NOT_FOUND' };
  if (onBehalfOf.role !== 'AGENT') return { ok: false, reason: 'NOT_AN_AGENT' };
  return { ok: true, agentId: onBehalfOf.id };
}

/** R30: campaigns. Supervisors and admins see every campaign of their stand; an integrator the ones it started; agents none. */
export function canSeeCampaign(caller: Caller, campaign: { standId: string; requestedById: string }): boolean {
  if (campaign.standId !== caller.standId) return false;
  if (SUPERVISING.has(caller.role)) return true;
  return caller.role === 'INTEGRATOR' && campaign.requestedById === caller.id;
}

/** The same rule as a filter for the list: null for the whole stand, else the requester whose campaigns are seen. */
export function campaignScope(caller: Caller): { standId: string; requestedById: string | null } | null {
  if (SUPERVISING.has(caller.role)) return { standId: caller.standId, requestedById: null };
  if (caller.role === 'INTEGRATOR') return { standId: caller.standId, requestedById: caller.id };
  return null;
}
