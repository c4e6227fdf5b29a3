import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_STATES, MAX_RATE_PER_SECOND, MAX_RECIPIENTS_PER_CALL, RECIPIENT_OUTCOMES, campaignRequestId, checkRate, checkRecipients, outcomeOf,
  type RecipientInput, type RecipientOutcome,
} from '../../src/domain/campaign.js';
import { MESSAGE_STATUSES, SEND_STATES, type MessageStatus, type SendState } from '../../src/domain/enums.js';

const ID1 = '0b0c6f3e-1d2a-4c5b-8e9f-0a1b2c3d4e5f';
const ID2 = '1c1d7a4f-2e3b-4d6c-9fa0-1b2c3d4e5f60';

describe('a campaign\'s recipients (R30)', () => {
  it('R30: an empty list is INVALID_INPUT on recipients', () => {
    expect(checkRecipients([])).toEqual({
      recipients: [],
      errors: [{ code: 'INVALID_INPUT', message: 'A campaign needs at least one recipient.', field: ['recipients'] }],
    });
  });

  it('R30: the field name is the caller\'s (addCampaignRecipients names its own)', () => {
    expect(checkRecipients([], 'input.recipients').errors[0]!.field).toEqual(['input.recipients']);
    expect(checkRecipients([{ phone: '12' }], 'more').errors[0]!.field).toEqual(['more', '0', 'phone']);
  });

  it('R30: 100,000 recipients in one call are taken; 100,001 are refused whole, with no row checked', () => {
    expect(MAX_RECIPIENTS_PER_CALL).toBe(100_000);
    const many = Array.from({ length: MAX_RECIPIENTS_PER_CALL }, (_, i): RecipientInput => ({ phone: `7900${String(i).padStart(7, '0')}` }));
    const taken = checkRecipients(many);
    expect(taken.errors).toEqual([]);
    expect(taken.recipients).toHaveLength(MAX_RECIPIENTS_PER_CALL);
    const tooMany = checkRecipients([...many, { phone: 'not a phone' }]);
    expect(tooMany.recipients).toEqual([]);
    expect(tooMany.errors).toEqual([
      { code: 'INVALID_INPUT', message: expect.stringMatching(/^At most 100000 recipients in one call; add more with addCampaignRecipients/), field: ['recipients'] },
    ]);
  });

  it('R30: a client id or a phone, in that shape, with the variables kept (null when absent)', () => {
    const vars = [{ key: 'name', value: 'Anna' }];
    expect(checkRecipients([{ clientId: ID1, variables: vars }, { phone: '+7 (912) 000-11-22' }, { clientId: ID2, phone: null, variables: null }])).toEqual({
      recipients: [
        { clientId: ID1, phone: null, variables: vars },
        { clientId: null, phone: '79120001122', variables: null },
        { clientId: ID2, phone: null, variables: null },
      ],
      errors: [],
    });
  });

  it('R30: both a client id and a phone, or neither, is INVALID_INPUT on the recipient', () => {
    const { recipients, errors } = checkRecipients([
      { clientId: ID1, phone: '79120001122' }, {}, { clientId: null, phone: null }, { clientId: '', phone: '' }, { clientId: ID2 },
    ]);
    expect(errors).toEqual([0, 1, 2, 3].map((i) => ({
      code: 'INVALID_INPUT', message: 'A recipient is named by a clientId or by a phone, not both and not neither.', field: ['recipients', String(i)],
    })));
    expect(recipients).toEqual([{ clientId: ID2, phone: null, variables: null }]);
  });

  it('R30: a client id that is not a UUID names no client: NOT_FOUND on its clientId', () => {
    for (const bad of ['42', 'not-a-uuid', `${ID1}x`, ID1.replace(/-/g, ''), ' ' + ID1, 'g' + ID1.slice(1)]) {
      expect(checkRecipients([{ clientId: bad }]), bad).toEqual({
        recipients: [],
        errors: [{ code: 'NOT_FOUND', message: 'No such client.', field: ['recipients', '0', 'clientId'] }],
      });
    }
  });

  it('R30: a bad phone is the phone rule\'s own error on ["recipients", i, "phone"]', () => {
    const { recipients, errors } = checkRecipients([{ phone: '79120001122' }, { phone: '12-34' }, { phone: '+7 912 доб. 5' }, { phone: '1234567890123456' }]);
    expect(recipients).toEqual([{ clientId: null, phone: '79120001122', variables: null }]);
    expect(errors).toEqual([
      { code: 'PHONE_TOO_SHORT', message: expect.any(String), field: ['recipients', '1', 'phone'] },
      { code: 'INVALID_INPUT', message: expect.stringContaining('letters'), field: ['recipients', '2', 'phone'] },
      { code: 'INVALID_INPUT', message: expect.stringContaining('at most 15 digits'), field: ['recipients', '3', 'phone'] },
    ]);
  });

  it('R30: the same client twice is one recipient, the first, with its variables', () => {
    const { recipients, errors } = checkRecipients([
      { clientId: ID1, variables: [{ key: 'n', value: 'first' }] }, { clientId: ID2 }, { clientId: ID1, variables: [{ key: 'n', value: 'second' }] },
    ]);
    expect(errors).toEqual([]);
    expect(recipients).toEqual([
      { clientId: ID1, phone: null, variables: [{ key: 'n', value: 'first' }] },
      { clientId: ID2, phone: null, variables: null },
    ]);
  });

  it('R30: the same client id in upper and lower case is one client, the first, in lower case as PostgreSQL writes it', () => {
    const { recipients } = checkRecipients([{ clientId: ID1.toUpperCase(), variables: [{ key: 'n', value: 'first' }] }, { clientId: ID1 }]);
    expect(recipients).toEqual([{ clientId: ID1, phone: null, variables: [{ key: 'n', value: 'first' }] }]);
  });

  it('R30: the same phone twice, however formatted, is one recipient, the first', () => {
    const { recipients, errors } = checkRecipients([
      { phone: '+7 (912) 000-11-22', variables: [{ key: 'n', value: 'first' }] },
      { phone: '79120001122' }, { phone: '7-912-000-11-22' }, { phone: '+79120001123' },
    ]);
    expect(errors).toEqual([]);
    expect(recipients).toEqual([
      { clientId: null, phone: '79120001122', variables: [{ key: 'n', value: 'first' }] },
      { clientId: null, phone: '79120001123', variables: null },
    ]);
  });

  it('R30: a bad row does not take the place of a good one later', () => {
    const { recipients, errors } = checkRecipients([{ phone: '12' }, { phone: '79120001122' }, { clientId: 'bad' }, { clientId: ID1 }]);
    expect(errors.map((e) => e.field)).toEqual([['recipients', '0', 'phone'], ['recipients', '2', 'clientId']]);
    expect(recipients.map((r) => r.clientId ?? r.phone)).toEqual(['79120001122', ID1]);
  });

  it('R30: 20 errors are all listed; from 21 on, the first 20 and one summary on recipients', () => {
    const bad = (n: number) => Array.from({ length: n }, (): RecipientInput => ({ phone: '1' }));
    expect(checkRecipients(bad(20)).errors).toHaveLength(20);
    const over = checkRecipients([...bad(21), { clientId: ID1 }]);
    expect(over.errors).toHaveLength(21);
    expect(over.errors.slice(0, 20).map((e) => e.field)).toEqual(Array.from({ length: 20 }, (_, i) => ['recipients', String(i), 'phone']));
    expect(over.errors[20]).toEqual({ code: 'INVALID_INPUT', message: '1 more recipients are invalid.', field: ['recipients'] });
    expect(over.recipients).toEqual([{ clientId: ID1, phone: null, variables: null }]);
    const many = checkRecipients(bad(5000));
    expect(many.errors).toHaveLength(21);
    expect(many.errors[20]!.message).toBe('4980 more recipients are invalid.');
  });
});

describe('a campaign\'s rate (R30)', () => {
  it('R30: 1 to 1000 whole messages per second', () => {
    expect(MAX_RATE_PER_SECOND).toBe(1000);
    for (const rate of [1, 2, 500, 999, 1000]) expect(checkRate(rate), String(rate)).toBeNull();
  });

  it('R30: 0, negative, over 1000, fractional or not a number is INVALID_INPUT on ratePerSecond', () => {
    for (const rate of [0, -1, 1001, 1_000_000, 1.5, 0.5, 999.999, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(checkRate(rate), String(rate)).toEqual({ code: 'INVALID_INPUT', message: 'The rate is 1 to 1000 messages per second.', field: ['ratePerSecond'] });
    }
  });
});

describe('a campaign\'s sends (R30)', () => {
  it('R30: one request id per campaign and place in the list, the same on a repeat', () => {
    expect(campaignRequestId(ID1, 0)).toBe(`campaign:${ID1}:0`);
    expect(campaignRequestId(ID1, 99_999)).toBe(`campaign:${ID1}:99999`);
    expect(campaignRequestId(ID1, 7)).toBe(campaignRequestId(ID1, 7));
    expect(new Set([campaignRequestId(ID1, 1), campaignRequestId(ID1, 2), campaignRequestId(ID2, 1)]).size).toBe(3);
  });

  it('R30: the states and outcomes a supervisor sees', () => {
    expect(CAMPAIGN_STATES).toEqual(['SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELLED', 'FAILED']);
    expect(RECIPIENT_OUTCOMES).toEqual(['PENDING', 'SKIPPED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'CANCELLED']);
  });
});

describe('what became of a recipient (R30)', () => {
  // What the message says, when it says something final or in flight.
  const BY_MESSAGE: Record<MessageStatus, RecipientOutcome | null> = {
    SCHEDULED: null, PENDING: null, // the send's state decides
    SENT: 'SENT', DELIVERED: 'DELIVERED', READ: 'READ',
    UNDELIVERED: 'FAILED', FAILED: 'FAILED', EXPIRED: 'FAILED',
    CANCELLED: 'CANCELLED',
  };
  // What the send says when its message does not (none yet, or scheduled or pending).
  const BY_SEND: Record<SendState, RecipientOutcome> = {
    SCHEDULED: 'SENDING', VALIDATING: 'SENDING', RESERVING: 'SENDING', DELIVERING: 'SENDING', AWAITING_STATUS: 'SENDING', COMPLETED: 'SENDING',
    FAILED: 'FAILED', CANCELLED: 'CANCELLED', REJECTED: 'SKIPPED', CONFLICT: 'SKIPPED',
  };

  it('R30: a send the rules refused (REJECTED) or that met an active thread (CONFLICT) is SKIPPED, whatever its message says', () => {
    for (const state of ['REJECTED', 'CONFLICT'] as const) {
      for (const status of [null, ...MESSAGE_STATUSES]) expect(outcomeOf(state, status), `${state}/${status}`).toBe('SKIPPED');
    }
  });

  it('R30: a message\'s delivery status is the outcome: SENT, DELIVERED, READ; UNDELIVERED, FAILED and EXPIRED are FAILED; CANCELLED', () => {
    for (const state of SEND_STATES.filter((s) => s !== 'REJECTED' && s !== 'CONFLICT')) {
      for (const status of MESSAGE_STATUSES) {
        const expected = BY_MESSAGE[status] ?? BY_SEND[state];
        expect(outcomeOf(state, status), `${state}/${status}`).toBe(expected);
      }
    }
  });

  it('R30: with no message yet (or one scheduled or pending) the send\'s state says it: FAILED, CANCELLED, or still SENDING', () => {
    for (const state of SEND_STATES) {
      for (const status of [null, 'SCHEDULED', 'PENDING'] as const) expect(outcomeOf(state, status), `${state}/${status}`).toBe(BY_SEND[state]);
    }
  });

  it('R30: the cases a supervisor meets most', () => {
    expect(outcomeOf('AWAITING_STATUS', 'PENDING')).toBe('SENDING');
    expect(outcomeOf('COMPLETED', 'DELIVERED')).toBe('DELIVERED');
    expect(outcomeOf('COMPLETED', 'READ')).toBe('READ');
    expect(outcomeOf('FAILED', 'UNDELIVERED')).toBe('FAILED');
    expect(outcomeOf('FAILED', null)).toBe('FAILED');
    expect(outcomeOf('CANCELLED', 'CANCELLED')).toBe('CANCELLED');
    expect(outcomeOf('SCHEDULED', 'SCHEDULED')).toBe('SENDING');
    expect(outcomeOf('REJECTED', null)).toBe('SKIPPED');
    expect(outcomeOf('CONFLICT', null)).toBe('SKIPPED');
  });

  it('R30: with neither a send state nor a message the recipient\'s send is under way: SENDING, never PENDING (that is a recipient not yet reached)', () => {
    expect(outcomeOf(null, null)).toBe('SENDING');
    expect(outcomeOf(null, 'DELIVERED')).toBe('DELIVERED');
    expect(outcomeOf(null, 'EXPIRED')).toBe('FAILED');
  });

  it('R30: every combination gives one of the outcomes', () => {
    for (const state of [null, ...SEND_STATES]) {
      for (const status of [null, ...MESSAGE_STATUSES]) expect(RECIPIENT_OUTCOMES).toContain(outcomeOf(state, status));
    }
  });
});
