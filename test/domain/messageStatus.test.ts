import { describe, expect, it } from 'vitest';
import { canMoveTo, FINAL_STATUSES, isFinal, statusesMovableTo } from '../../src/domain/messageStatus.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../../src/domain/enums.js';
import { changesMessage, mayChangeAMessage } from '../../src/domain/deliveryStatus.js';

const PROGRESS: MessageStatus[] = ['PENDING', 'SENT', 'DELIVERED', 'READ'];
const FAILURES: MessageStatus[] = ['UNDELIVERED', 'FAILED', 'EXPIRED', 'CANCELLED'];

describe('isFinal (R19)', () => {
  it('R19: PENDING, SENT and DELIVERED are not final', () => {
    for (const s of ['PENDING', 'SENT', 'DELIVERED'] as MessageStatus[]) expect(isFinal(s), s).toBe(false);
  });

  it('R19: READ and every failure are final', () => {
    for (const s of ['READ', ...FAILURES] as MessageStatus[]) expect(isFinal(s), s).toBe(true);
  });

  it('R19: FINAL_STATUSES holds exactly READ and the four failures', () => {
    expect([...FINAL_STATUSES].sort()).toEqual(['CANCELLED', 'EXPIRED', 'FAILED', 'READ', 'UNDELIVERED']);
  });
});

describe('canMoveTo (R19)', () => {
  it('R19: every forward move along PENDING, SENT, DELIVERED, READ is allowed', () => {
    for (let i = 0; i < PROGRESS.length; i++) {
      for (let j = i + 1; j < PROGRESS.length; j++) {
        expect(canMoveTo(PROGRESS[i]!, PROGRESS[j]!), `${PROGRESS[i]} -> ${PROGRESS[j]}`).toBe(true);
      }
    }
  });

  it('R19: a step may be skipped (PENDING -> DELIVERED, SENT -> READ)', () => {
    expect(canMoveTo('PENDING', 'DELIVERED')).toBe(true);
    expect(canMoveTo('PENDING', 'READ')).toBe(true);
    expect(canMoveTo('SENT', 'READ')).toBe(true);
  });

  it('R19: every backward move is refused (a late callback changes nothing)', () => {
    for (let i = 0; i < PROGRESS.length; i++) {
      for (let j = 0; j < i; j++) {
        expect(canMoveTo(PROGRESS[i]!, PROGRESS[j]!), `${PROGRESS[i]} -> ${PROGRESS[j]}`).toBe(false);
      }
    }
  });

  it('R19: moving to the same status is refused (a duplicate callback changes nothing)', () => {
    for (const s of MESSAGE_STATUSES) expect(canMoveTo(s, s), s).toBe(false);
  });

  it('R19: failures are allowed from PENDING, SENT and DELIVERED', () => {
    for (const from of ['PENDING', 'SENT', 'DELIVERED'] as MessageStatus[]) {
      for (const to of FAILURES) expect(canMoveTo(from, to), `${from} -> ${to}`).toBe(true);
    }
  });

  it('R19: nothing leaves a final status', () => {
    for (const from of MESSAGE_STATUSES.filter(isFinal)) {
      for (const to of MESSAGE_STATUSES) expect(canMoveTo(from, to), `${from} -> ${to}`).toBe(false);
    }
  });

  it('R19: a failure cannot turn into another failure', () => {
    expect(canMoveTo('FAILED', 'CANCELLED')).toBe(false);
    expect(canMoveTo('UNDELIVERED', 'EXPIRED')).toBe(false);
    expect(canMoveTo('EXPIRED', 'FAILED')).toBe(false);
  });

  it('R19: READ cannot become a failure, and a failure cannot become READ or DELIVERED', () => {
    expect(canMoveTo('READ', 'FAILED')).toBe(false);
    expect(canMoveTo('READ', 'UNDELIVERED')).toBe(false);
    expect(canMoveTo('UNDELIVERED', 'READ')).toBe(false);
    expect(canMoveTo('FAILED', 'DELIVERED')).toBe(false);
  });

  it('R19, R25: the full transition table has exactly the expected allowed moves (a SCHEDULED message goes out PENDING or ends)', () => {
    const allowed = MESSAGE_STATUSES.flatMap((from) => MESSAGE_STATUSES.filter((to) => canMoveTo(from, to)).map((to) => `${from}->${to}`));
    const expected = [
      ...['PENDING', ...FAILURES].map((t) => `SCHEDULED->${t}`),
      ...['SENT', 'DELIVERED', 'READ', ...FAILURES].map((t) => `PENDING->${t}`),
      ...['DELIVERED', 'READ', ...FAILURES].map((t) => `SENT->${t}`),
      ...['READ', ...FAILURES].map((t) => `DELIVERED->${t}`),
    ];
    expect(allowed.sort()).toEqual(expected.sort());
  });

  it('R19: applying a callback sequence keeps only forward moves', () => {
    const callbacks: MessageStatus[] = ['SENT', 'DELIVERED', 'SENT', 'DELIVERED', 'READ', 'DELIVERED', 'FAILED'];
    let status: MessageStatus = 'PENDING';
    const history: MessageStatus[] = [status];
    for (const next of callbacks) {
      if (canMoveTo(status, next)) {
        status = next;
        history.push(next);
      }
    }
    expect(history).toEqual(['PENDING', 'SENT', 'DELIVERED', 'READ']);
  });
});

describe('changesMessage: which reported statuses wake the send (R19)', () => {
  it('R19: every pair of current and reported status, with and without "may pass"', () => {
    for (const current of MESSAGE_STATUSES) {
      for (const reported of MESSAGE_STATUSES) {
        const plain = changesMessage({ status: reported, transient: false }, current);
        // Only a move forward from a status that is not final changes anything, and SENT never
        // does (the delivery writes it).
        expect(plain, `${current} ← ${reported}`).toBe(!isFinal(current) && reported !== 'SENT' && canMoveTo(current, reported));
        // A fault that may pass matters until the message is final, whatever it says.
        expect(changesMessage({ status: reported, transient: true }, current), `${current} ← ${reported} (may pass)`).toBe(!isFinal(current));
      }
    }
  });

  it('R19: SENT (before or after the delivery wrote it), a duplicate and a late status change nothing', () => {
    expect(changesMessage({ status: 'SENT', transient: false }, 'SENT')).toBe(false);
    expect(changesMessage({ status: 'DELIVERED', transient: false }, 'DELIVERED')).toBe(false);
    expect(changesMessage({ status: 'DELIVERED', transient: false }, 'READ')).toBe(false);
    // The channel's SENT can arrive before the delivery's own write of SENT: still nothing to tell the send.
    expect(changesMessage({ status: 'SENT', transient: false }, 'PENDING')).toBe(false);
    expect(changesMessage({ status: 'DELIVERED', transient: false }, 'PENDING')).toBe(true);
    // So the webhook answers a SENT without looking for its message; a fault that may pass is looked up.
    expect(mayChangeAMessage({ status: 'SENT', transient: false })).toBe(false);
    expect(mayChangeAMessage({ status: 'SENT', transient: true })).toBe(true);
    for (const reported of MESSAGE_STATUSES.filter((s) => s !== 'SENT')) expect(mayChangeAMessage({ status: reported, transient: false }), reported).toBe(true);
    expect(changesMessage({ status: 'UNDELIVERED', transient: false }, 'DELIVERED')).toBe(true);
  });
});

describe('statusesMovableTo (R19, the rule as a statement checks it)', () => {
  it('R19: names the statuses a message may leave for each status, and only those', () => {
    expect(statusesMovableTo('SCHEDULED')).toEqual([]);
    expect(statusesMovableTo('PENDING')).toEqual(['SCHEDULED']);
    expect(statusesMovableTo('SENT')).toEqual(['PENDING']);
    expect(statusesMovableTo('DELIVERED')).toEqual(['PENDING', 'SENT']);
    expect(statusesMovableTo('READ')).toEqual(['PENDING', 'SENT', 'DELIVERED']);
    for (const failure of FAILURES) expect(statusesMovableTo(failure), failure).toEqual(['SCHEDULED', 'PENDING', 'SENT', 'DELIVERED']);
    for (const to of MESSAGE_STATUSES) for (const from of MESSAGE_STATUSES) expect(statusesMovableTo(to).includes(from), `${from} -> ${to}`).toBe(canMoveTo(from, to));
  });
});
