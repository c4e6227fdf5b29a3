import { CHANNEL_HEADER, SIGNATURE_HEADER, signBody } from '../../src/channels/gateway/signature.js';
import type { GatewayChannel } from '../../src/domain/channels.js';
import { createScheduler } from '../shared/scheduler.js';
import type { GatewayAccepted, GatewayCallback, GatewayRecords } from './records.js';

// The status callbacks the gateway posts to Herald for an accepted send, signed with the channel's
// secret, in the flow its recipient's scenario asks for; each is retried until answered 200.

const CALLBACK_RETRY_DELAYS_MS = [200, 800, 3200];

export interface StatusCallbackSettings {
  secrets: Partial<Record<GatewayChannel, string>>;
  /** Read at every post: Herald's URL may be set after the sandbox started. */
  statusCallbackUrl: () => string | undefined;
  /** From acceptance. */
  delays: { delivered: number; read: number };
  records: GatewayRecords;
  log: (line: string) => void;
}

export function createStatusCallbacks({ secrets, statusCallbackUrl, delays, records, log }: StatusCallbackSettings) {
  const scheduler = createScheduler(CALLBACK_RETRY_DELAYS_MS);

  /** One signed POST; the record is kept unless reset()/close() came in between. */
  async function post(channel: GatewayChannel, body: Record<string, unknown>, attempt: number): Promise<GatewayCallback | null> {
    const url = statusCallbackUrl();
    const secret = secrets[channel];
    if (!url || !secret) return null;
    const at = new Date().toISOString();
    const raw = JSON.stringify(body);
    const outcome = await scheduler.post(url, { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, raw), [CHANNEL_HEADER]: channel }, raw);
    if (!outcome) return null;
    const record: GatewayCallback = { at, channel, body, attempt, ...outcome };
    records.callbacks.push(record);
    log(`callback ${String(body.status)} for ${String(body.messageId)} (try ${attempt}): ${record.responseStatus ?? record.error}`);
    return record;
  }

  function schedule(message: GatewayAccepted) {
    const status = (s: string, error: string | null = null, description: string | null = null) => ({
      messageId: message.messageId, channel: message.channel, status: s, at: new Date().toISOString(), error, description,
    });
    const deliver = (body: Record<string, unknown>) => scheduler.deliver((attempt) => post(message.channel, body, attempt));
    const undelivered = (error: string, description: string) => scheduler.later(delays.delivered, () => void deliver(status('UNDELIVERED', error, description)));
    // READ is posted once DELIVERED was answered: a real client reads what reached it first.
    const deliveredThenRead = () => scheduler.later(delays.delivered, () => {
      void deliver(status('DELIVERED')).then(() => scheduler.later(Math.max(0, delays.read - delays.delivered), () => void deliver(status('READ'))));
    });
    switch (message.scenario) {
      case 'no-callbacks':
        return;
      case 'not-channel-user':
        return undelivered('NOT_CHANNEL_USER', 'no such user on the channel');
      case 'blocked':
        return undelivered('BLOCKED_BY_USER', 'the user blocked the business');
      case 'invalid-destination':
        return undelivered('INVALID_DESTINATION', 'no such recipient id on the channel');
      case 'opted-out':
        return undelivered('RECIPIENT_OPTED_OUT', 'the user opted out of messages from the business');
      case 'media-rejected':
        // Only the file is refused: a text alone reaches the client.
        return message.attachment ? undelivered('MEDIA_REJECTED', 'the channel could not use the attachment') : deliveredThenRead();
      case 'transient-failure':
        return undelivered('PROVIDER_ERROR', 'gateway fault');
      default:
        return deliveredThenRead();
    }
  }

  return { schedule, forgetPending: scheduler.reset, close: scheduler.close };
}
