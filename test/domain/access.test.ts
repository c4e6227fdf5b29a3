import { describe, expect, it } from 'vitest';
import { canCloseThread, canReadWorkflowHistory, canSeeClient, canSeeQueue, canSeeSend, sendScope, sendsAs, type Caller } from '../../src/domain/access.js';
import { ROLES, type Role } from '../../src/domain/enums.js';

// The one visibility rule, exhaustively: every role, against sends it made, made as it, made by
// someone else, in its stand and in another.

const HOME = 'stand-home';
const AWAY = 'stand-away';
const caller = (role: Role, id = `${role.toLowerCase()}-1`): Caller => ({ id, role, standId: HOME });

describe('canSeeSend and sendScope (R23, R24)', () => {
  const relations = {
    'requested by the caller': (c: Caller) => ({ agentId: 'someone', requestedById: c.id }),
    'sent as the caller': (c: Caller) => ({ agentId: c.id, requestedById: 'integrator-9' }),
    "another's": () => ({ agentId: 'agent-9', requestedById: 'agent-9' }),
  };
  const expected: Record<Role, Record<keyof typeof relations, boolean>> = {
    AGENT: { 'requested by the caller': true, 'sent as the caller': true, "another's": false },
    INTEGRATOR: { 'requested by the caller': true, 'sent as the caller': false, "another's": false },
    SUPERVISOR: { 'requested by the caller': true, 'sent as the caller': true, "another's": true },
    ADMIN: { 'requested by the caller': true, 'sent as the caller': true, "another's": true },
  };

  for (const role of ROLES) {
    for (const [relation, make] of Object.entries(relations) as Array<[keyof typeof relations, (c: Caller) => { agentId: string; requestedById: string }]>) {
      it(`R24: ${role} and a send ${relation}: ${expected[role][relation] ? 'sees it' : 'does not'} in its stand, never in another`, () => {
        const c = caller(role);
        expect(canSeeSend(c, { ...make(c), standId: HOME })).toBe(expected[role][relation]);
        expect(canSeeSend(c, { ...make(c), standId: AWAY })).toBe(false);
      });
    }
  }

  it('R24: sendScope is the same rule as a list filter, always within the caller\'s stand', () => {
    expect(sendScope(caller('SUPERVISOR'))).toEqual({ kind: 'stand', standId: HOME });
    expect(sendScope(caller('ADMIN'))).toEqual({ kind: 'stand', standId: HOME });
    expect(sendScope(caller('INTEGRATOR'))).toEqual({ kind: 'requester', requesterId: 'integrator-1', standId: HOME });
    expect(sendScope(caller('AGENT'))).toEqual({ kind: 'agent', agentId: 'agent-1', standId: HOME });
  });
});

describe('clients, queues, threads and workflow histories', () => {
  it('R18: a client is seen by every role of its stand and by nobody else', () => {
    for (const role of ROLES) {
      expect(canSeeClient(caller(role), { standId: HOME }), role).toBe(true);
      expect(canSeeClient(caller(role), { standId: AWAY }), role).toBe(false);
    }
  });

  it("R12: an agent's queue: the agent itself and any non-agent of its stand; another agent never", () => {
    const agent = { id: 'agent-1', standId: HOME };
    expect(canSeeQueue(caller('AGENT', 'agent-1'), agent)).toBe(true);
    expect(canSeeQueue(caller('AGENT', 'agent-2'), agent)).toBe(false);
    for (const role of ['SUPERVISOR', 'ADMIN', 'INTEGRATOR'] as const) {
      expect(canSeeQueue(caller(role), agent), role).toBe(true);
      expect(canSeeQueue(caller(role), { ...agent, standId: AWAY }), role).toBe(false);
    }
  });

  it('closeThread: its assignee and every non-agent; another agent, or an agent on an unassigned thread, never', () => {
    expect(canCloseThread(caller('AGENT', 'agent-1'), { assigneeId: 'agent-1' })).toBe(true);
    expect(canCloseThread(caller('AGENT', 'agent-1'), { assigneeId: 'agent-2' })).toBe(false);
    expect(canCloseThread(caller('AGENT', 'agent-1'), { assigneeId: null })).toBe(false);
    for (const role of ['SUPERVISOR', 'ADMIN', 'INTEGRATOR'] as const) expect(canCloseThread(caller(role), { assigneeId: null }), role).toBe(true);
  });

  it('R24: the workflow history is for supervisors and admins', () => {
    expect(ROLES.filter((r) => canReadWorkflowHistory(caller(r)))).toEqual(['SUPERVISOR', 'ADMIN']);
  });
});

describe('sendsAs (R23)', () => {
  const account = (role: Role, standId = HOME, id = `${role.toLowerCase()}-7`) => ({ id, role, standId });

  it('R23: without onBehalfOf an agent sends as itself and an integrator as nobody', () => {
    expect(sendsAs(caller('AGENT'), null)).toEqual({ ok: true, agentId: 'agent-1' });
    expect(sendsAs(caller('SUPERVISOR'), null)).toEqual({ ok: true, agentId: 'supervisor-1' });
    expect(sendsAs(caller('INTEGRATOR'), null)).toEqual({ ok: true, agentId: null });
  });

  it('R23: an integrator sends for an AGENT account of its stand, never for a supervisor, an admin or an integrator', () => {
    expect(sendsAs(caller('INTEGRATOR'), account('AGENT'))).toEqual({ ok: true, agentId: 'agent-7' });
    for (const role of ['SUPERVISOR', 'ADMIN', 'INTEGRATOR'] as const) {
      expect(sendsAs(caller('INTEGRATOR'), account(role)), role).toEqual({ ok: false, reason: 'NOT_AN_AGENT' });
    }
    expect(sendsAs(caller('INTEGRATOR'), account('AGENT', AWAY))).toEqual({ ok: false, reason: 'NOT_FOUND' });
    expect(sendsAs(caller('INTEGRATOR'), 'not found')).toEqual({ ok: false, reason: 'NOT_FOUND' });
  });

  it('R23: anyone else may name only itself', () => {
    for (const role of ['AGENT', 'SUPERVISOR', 'ADMIN'] as const) {
      const c = caller(role);
      expect(sendsAs(c, { id: c.id, role, standId: HOME }), role).toEqual({ ok: true, agentId: c.id });
      expect(sendsAs(c, account('AGENT')), role).toEqual({ ok: false, reason: 'ONLY_INTEGRATORS' });
      expect(sendsAs(c, 'not found'), role).toEqual({ ok: false, reason: 'ONLY_INTEGRATORS' });
    }
  });
});
