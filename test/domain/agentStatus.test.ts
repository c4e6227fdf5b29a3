import { describe, expect, it } from 'vitest';
import { maySend, statusReasonFor } from '../../src/domain/agentStatus.js';
import { AGENT_STATUSES, type AgentStatus } from '../../src/domain/enums.js';

describe('maySend (R1)', () => {
  it('R1: an ACTIVE agent may send', () => {
    expect(maySend('ACTIVE')).toBe(true);
  });

  it('R1: an OUT agent ("Active, doesn\'t receive threads") may send', () => {
    expect(maySend('OUT')).toBe(true);
  });

  it('R1: an ACTIVE_FINISHING agent may send', () => {
    expect(maySend('ACTIVE_FINISHING')).toBe(true);
  });

  it('R1: an agent on BREAK may not send', () => {
    expect(maySend('BREAK')).toBe(false);
  });

  it('R1: an OFFLINE agent may not send', () => {
    expect(maySend('OFFLINE')).toBe(false);
  });

  it('R1: exactly ACTIVE, OUT and ACTIVE_FINISHING of all five statuses may send', () => {
    expect(AGENT_STATUSES).toHaveLength(5);
    const allowed = AGENT_STATUSES.filter((s) => maySend(s));
    expect(allowed).toEqual(['ACTIVE', 'OUT', 'ACTIVE_FINISHING']);
  });
});

describe('statusReasonFor (R1)', () => {
  it('R1: a BREAK keeps its reason', () => {
    expect(statusReasonFor('BREAK', 'lunch')).toBe('lunch');
  });

  it('R1: a BREAK reason is trimmed', () => {
    expect(statusReasonFor('BREAK', '  technical \n')).toBe('technical');
  });

  it('R1: a BREAK with an empty or blank reason has no reason', () => {
    expect(statusReasonFor('BREAK', '')).toBeNull();
    expect(statusReasonFor('BREAK', '   ')).toBeNull();
  });

  it('R1: a BREAK with a null or undefined reason has no reason', () => {
    expect(statusReasonFor('BREAK', null)).toBeNull();
    expect(statusReasonFor('BREAK', undefined)).toBeNull();
  });

  it.each<AgentStatus>(['ACTIVE', 'OUT', 'ACTIVE_FINISHING', 'OFFLINE'])(
    'R1: %s carries no reason even when one is given',
    (status) => {
      expect(statusReasonFor(status, 'lunch')).toBeNull();
      expect(statusReasonFor(status, null)).toBeNull();
      expect(statusReasonFor(status, undefined)).toBeNull();
    },
  );
});
