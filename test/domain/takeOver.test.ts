import { describe, expect, it } from 'vitest';
import { THREAD_STATUSES } from '../../src/domain/enums.js';
import { canTakeOver, checkTakeOver, type OpenThreadFacts } from '../../src/domain/takeOver.js';

const THREAD: OpenThreadFacts = { id: 't-1', channel: 'WHATSAPP', status: 'NEW', assigneeId: null };
const AS_AGENT = { channel: 'WHATSAPP' as const, agentId: 'agent-1' };

describe('taking over a thread (R28)', () => {
  it('R28: only an open thread nobody holds can be taken over, whatever its status', () => {
    for (const status of THREAD_STATUSES) {
      expect(canTakeOver({ status, assigneeId: null }), status).toBe(status !== 'CLOSED');
      expect(canTakeOver({ status, assigneeId: 'agent-2' }), `${status} assigned`).toBe(false);
    }
  });

  it('R28: a send takes over the open, unassigned thread of its client on its channel', () => {
    expect(checkTakeOver('t-1', AS_AGENT, THREAD)).toBeNull();
  });

  it('R28: each reason it cannot, with the field and a code a program acts on', () => {
    expect(checkTakeOver('t-1', { ...AS_AGENT, agentId: null }, THREAD)).toMatchObject({ code: 'INVALID_INPUT', field: ['takeOverThreadId'] });
    expect(checkTakeOver('t-2', AS_AGENT, THREAD)).toMatchObject({ code: 'NOT_FOUND', field: ['takeOverThreadId'] });
    expect(checkTakeOver('t-1', AS_AGENT, null)).toMatchObject({ code: 'NOT_FOUND' });
    expect(checkTakeOver('t-1', { ...AS_AGENT, channel: 'VIBER' }, THREAD)).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/WHATSAPP/) });
    expect(checkTakeOver('t-1', AS_AGENT, { ...THREAD, status: 'ASSIGNED', assigneeId: 'agent-2' })).toMatchObject({ code: 'ACTIVE_THREAD_EXISTS' });
  });
});
