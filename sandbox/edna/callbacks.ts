import { errorText } from '../shared/http.js';
import { createScheduler } from '../shared/scheduler.js';
import type { StatusFlow, Step } from './flows.js';
import type { AcceptedMessage, CallbackRegistration, EdnaRecords, InboundMessage, SentCallback } from './records.js';
import { ApiError, checkCallbackSet, checkInbound, isObject } from './requests.js';

// The callbacks edna posts back, each with the webhook secret in its header: status callbacks of an
// accepted send (one message's in order, each retried until answered 200) and inbound messages.
// Every post is recorded in `records.callbacks`.

export interface CallbackSettings {
  webhookHeader: string;
  webhookSecret: string;
  /** Waits before re-posting a status callback not answered 200. */
  retryDelaysMs: readonly number[];
  registration: CallbackRegistration;
  records: EdnaRecords;
  log: (line: string) => void;
}

/** What a status callback says besides the status: edna echoes them from the send and the registration. */
export interface StatusFields {
  cascadeId: unknown;
  subject: string;
  comment: string | null;
}

export type Callbacks = ReturnType<typeof createCallbacks>;

export function createCallbacks(settings: CallbackSettings) {
  const { registration, records, log } = settings;
  const scheduler = createScheduler(settings.retryDelaysMs);
  let nextInboundId = 5_000_001;

  /** One POST; the record is kept unless reset()/close() came in between. */
  async function post(kind: SentCallback['kind'], url: string, body: unknown, attempt: number): Promise<SentCallback | null> {
    const at = new Date().toISOString();
    const headers = { 'content-type': 'application/json', [settings.webhookHeader]: settings.webhookSecret };
    const outcome = await scheduler.post(url, headers, JSON.stringify(body));
    if (!outcome) return null;
    const record: SentCallback = { at, kind, url, body, attempt, ...outcome };
    records.callbacks.push(record);
    log(`callback ${kind} ${describe(body)} -> ${url} (try ${attempt}): ${record.responseStatus ?? record.error}`);
    return record;
  }

  const deliverStatus = (url: string, body: unknown) =>
    scheduler.deliver((attempt) => post('status', url, body, attempt), (tries) => log(`callback ${describe(body)} dropped after ${tries} tries`));

  function scheduleStatuses(message: AcceptedMessage, { steps, reversed, twice }: StatusFlow, fields: StatusFields) {
    if (steps.length === 0) return;
    const acceptedAt = Date.parse(message.at);
    const bodyFor = (step: Step, statusAt: Date) => ({
      requestId: message.kind === 'cascade' ? message.id : null,
      messageId: message.providerMessageId,
      cascadeId: message.kind === 'cascade' ? fields.cascadeId : null,
      subject: fields.subject,
      subjectId: registration.subjectId,
      status: step.status,
      statusAt: statusAt.toISOString(),
      error: step.error,
      comment: fields.comment,
    });
    const send = async (body: unknown) => {
      const url = registration.statusCallbackUrl;
      if (!url) return; // nobody registered: edna has nowhere to post
      await deliverStatus(url, body);
      if (twice) await deliverStatus(url, body);
    };
    const inOrder = scheduler.inOrder();
    if (reversed) {
      // The events happened in order (statusAt ascending) but arrive last first, after the last one.
      const last = Math.max(...steps.map((s) => s.atMs));
      scheduler.later(last, () => {
        for (const step of [...steps].reverse()) inOrder(() => send(bodyFor(step, new Date(acceptedAt + step.atMs))));
      });
      return;
    }
    for (const step of steps) scheduler.later(step.atMs, () => inOrder(() => send(bodyFor(step, new Date()))));
  }

  /** POST /api/callback/set: edna takes a status URL only once it answered HEAD with 200. */
  async function register(body: unknown): Promise<unknown> {
    const request = checkCallbackSet(body);
    const answer = await probe(request.statusCallbackUrl);
    if (answer !== '200') {
      throw new ApiError(400, 'callback-url-is-not-available', `HEAD ${request.statusCallbackUrl} answered ${answer}, expected 200`);
    }
    registration.statusCallbackUrl = request.statusCallbackUrl;
    if (request.inMessageCallbackUrl !== null) registration.inMessageCallbackUrl = request.inMessageCallbackUrl;
    if (request.subjectId !== null) registration.subjectId = request.subjectId;
    return {};
  }

  /** The status a HEAD of `url` was answered with, or why there was none. */
  async function probe(url: string): Promise<string> {
    try {
      const res = await fetch(url, { method: 'HEAD', headers: { [settings.webhookHeader]: settings.webhookSecret }, signal: scheduler.signal() });
      return String(res.status);
    } catch (e) {
      return errorText(e);
    }
  }

  /** Posts an inbound message once (edna's inbound callbacks are not retried); the status answered. */
  async function sendInbound(msg: InboundMessage): Promise<number> {
    checkInbound(msg);
    const url = registration.inMessageCallbackUrl;
    if (!url) throw new Error('no inMessageCallbackUrl is set');
    const record = await post('inbound', url, inboundBody(nextInboundId++, msg), 1);
    if (!record) throw new Error('the sandbox was reset or closed while posting');
    if (record.responseStatus === undefined) throw new Error(`POST ${url} failed: ${record.error}`);
    return record.responseStatus;
  }

  return { scheduleStatuses, register, sendInbound, forgetPending: scheduler.reset, close: scheduler.close };
}

function inboundBody(id: number, msg: InboundMessage) {
  const userName = msg.userName ?? null;
  const [firstName, ...rest] = (userName ?? '').trim().split(/\s+/);
  return {
    id,
    channelType: msg.channel,
    subscriber: { identifier: msg.phone },
    userInfo: { userName, firstName: firstName || null, lastName: rest.length ? rest.join(' ') : null },
    messageContent: { type: 'TEXT', text: msg.text, attachment: null },
    receivedAt: new Date().toISOString(),
  };
}

/** A callback in a log line: its status and message, or the inbound message's id. */
function describe(body: unknown): string {
  if (!isObject(body)) return '';
  if ('status' in body) return `${String(body.status)}${body.error ? ` (${String(body.error)})` : ''} for ${String(body.requestId ?? body.messageId)}`;
  return `inbound ${String(body.id)}`;
}
