import type { MessageStatus, SendState } from './enums.js';
import { userError, type UserError } from './errors.js';
import { checkNewClientPhone } from './phone.js';
import { isUuid } from './ids.js';

// R30: a campaign's own rules, pure: what a list of recipients may be, how fast it may go, and
// what became of each recipient, read from the ordinary send it got.

export const MAX_RECIPIENTS_PER_CALL = 100_000;
export const MAX_RATE_PER_SECOND = 1000;
export const MAX_CAMPAIGN_NAME = 200;

/** FAILED: a step of the campaign's own could not be carried out; the recipients not reached are CANCELLED. */
export const CAMPAIGN_STATES = ['SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELLED', 'FAILED'] as const;
export type CampaignStateName = (typeof CAMPAIGN_STATES)[number];

/** The states a campaign ends in: it moves no more, takes no recipients and no controls. */
export const ENDED_CAMPAIGN_STATES: readonly CampaignStateName[] = ['COMPLETED', 'CANCELLED', 'FAILED'];
export const campaignEnded = (state: CampaignStateName) => ENDED_CAMPAIGN_STATES.includes(state);

/** What became of a recipient, as a supervisor filters on it. */
export const RECIPIENT_OUTCOMES = ['PENDING', 'SKIPPED', 'SENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED', 'CANCELLED'] as const;
export type RecipientOutcome = (typeof RECIPIENT_OUTCOMES)[number];

export interface RecipientInput {
  clientId?: string | null;
  phone?: string | null;
  variables?: Array<{ key: string; value: string }> | null;
}

export type CheckedRecipient = { clientId: string; phone: null; variables: Array<{ key: string; value: string }> | null }
  | { clientId: null; phone: string; variables: Array<{ key: string; value: string }> | null };

/**
 * A list's recipients, each named by exactly one of a client id or a phone; the same client or
 * phone twice in one call is one recipient (the first), so nobody gets the campaign twice.
 */
export function checkRecipients(recipients: readonly RecipientInput[], field = 'recipients'): { recipients: CheckedRecipient[]; errors: UserError[] } {
  const errors: UserError[] = [];
  if (recipients.length === 0) errors.push(userError('INVALID_INPUT', 'A campaign needs at least one recipient.', [field]));
  if (recipients.length > MAX_RECIPIENTS_PER_CALL) {
    errors.push(userError('INVALID_INPUT', `At most ${MAX_RECIPIENTS_PER_CALL} recipients in one call; add more with addCampaignRecipients.`, [field]));
    return { recipients: [], errors };
  }
  const seen = new Set<string>();
  const checked: CheckedRecipient[] = [];
  recipients.forEach((r, i) => {
    const at = [field, String(i)];
    if (!!r.clientId === !!r.phone) {
      errors.push(userError('INVALID_INPUT', 'A recipient is named by a clientId or by a phone, not both and not neither.', at));
      return;
    }
    const variables = r.variables ?? null;
    if (r.clientId) {
      if (!isUuid(r.clientId)) return void errors.push(userError('NOT_FOUND', 'No such client.', [...at, 'clientId']));
      // A UUID is the same in either case (PostgreSQL answers it in lower case).
      const clientId = r.clientId.toLowerCase();
      if (seen.has(clientId)) return;
      seen.add(clientId);
      checked.push({ clientId, phone: null, variables });
      return;
    }
    const phone = checkNewClientPhone(r.phone!, [...at, 'phone']);
    if (!phone.ok) return void errors.push(phone.error);
    if (seen.has(phone.digits)) return;
    seen.add(phone.digits);
    checked.push({ clientId: null, phone: phone.digits, variables });
  });
  // A hundred thousand bad rows are one message a person can act on, not a hundred thousand.
  return { recipients: checked, errors: errors.length > 20 ? [...errors.slice(0, 20), userError('INVALID_INPUT', `${errors.length - 20} more recipients are invalid.`, [field])] : errors };
}

export function checkRate(ratePerSecond: number): UserError | null {
  if (!Number.isInteger(ratePerSecond) || ratePerSecond < 1 || ratePerSecond > MAX_RATE_PER_SECOND) {
    return userError('INVALID_INPUT', `The rate is 1 to ${MAX_RATE_PER_SECOND} messages per second.`, ['ratePerSecond']);
  }
  return null;
}

/** The send a campaign makes for its recipient: one per campaign and place in the list, so a repeat starts nothing new (R21). */
export const campaignRequestId = (campaignId: string, seq: number) => `campaign:${campaignId}:${seq}`;

/**
 * What became of a recipient whose send started, as three tables read in order (outcomeOf here,
 * and the SQL that counts and filters recipients in src/db/campaigns.ts): a send the rules refused
 * (blocked, an active thread, no address) is a skip with the send's reason; otherwise its
 * message's status says it; a message still on its way, the send's end.
 */
export const SKIPPING_SEND_STATES: readonly SendState[] = ['REJECTED', 'CONFLICT'];
export const OUTCOME_BY_MESSAGE_STATUS: Readonly<Partial<Record<MessageStatus, RecipientOutcome>>> = {
  SENT: 'SENT', DELIVERED: 'DELIVERED', READ: 'READ', UNDELIVERED: 'FAILED', FAILED: 'FAILED', EXPIRED: 'FAILED', CANCELLED: 'CANCELLED',
};
export const OUTCOME_BY_ENDED_SEND: Readonly<Partial<Record<SendState, RecipientOutcome>>> = { CANCELLED: 'CANCELLED', FAILED: 'FAILED' };

export function outcomeOf(sendState: SendState | null, messageStatus: MessageStatus | null): RecipientOutcome {
  if (sendState && SKIPPING_SEND_STATES.includes(sendState)) return 'SKIPPED';
  return (messageStatus && OUTCOME_BY_MESSAGE_STATUS[messageStatus]) || (sendState && OUTCOME_BY_ENDED_SEND[sendState]) || 'SENDING';
}
