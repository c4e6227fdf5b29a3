import type http from 'node:http';
import { CHANNEL_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, signBody, signatureMatches } from '../../src/channels/gateway/signature.js';
import { GATEWAY_CHANNELS, type GatewayChannel } from '../../src/domain/channels.js';
import { errorText, listen, readRawBody, replyJson, suffixOf } from '../shared/http.js';

// A channel gateway look-alike for web chat, mobile app and Apple Business Messages: takes
// Herald's signed POSTs on /gateway/<channel> (web-chat, mobile-app, apple-business-messages),
// checks the signature and the Idempotency-Key, and posts signed status callbacks back, in the
// flow the recipient's last four digits ask for (like the edna sandbox's phone suffixes):
//
// | suffix | scenario          | what the gateway does                                             |
// |--------|-------------------|-------------------------------------------------------------------|
// | (any)  | delivered         | 202; DELIVERED, then READ                                         |
// | 0404   | not-channel-user  | 202; UNDELIVERED NOT_CHANNEL_USER                                  |
// | 0403   | blocked           | 202; UNDELIVERED BLOCKED_BY_USER                                   |
// | 0422   | rejected          | 422 {"error":"PROVIDER_REJECTED"} (refused at once)               |
// | 0429   | rate-limited      | 429 with Retry-After on the first try, then like the default      |
// | 0500   | fail-first-tries  | 500 for the first failFirstTries tries of one key, then default   |
// | 0503   | always-fail       | 500 on every try                                                  |
// | 0000   | no-callbacks      | 202; no callback at all                                           |
// | 0666   | transient-failure | 202; UNDELIVERED PROVIDER_ERROR (a fault that may pass)           |
//
// A repeated Idempotency-Key it took already is answered 200 {"status":"duplicate"} and not
// delivered again. GET /sandbox/received, /sandbox/accepted, /sandbox/callbacks; POST /sandbox/reset.

export type GatewayScenarioName =
  | 'delivered' | 'not-channel-user' | 'blocked' | 'rejected' | 'rate-limited' | 'fail-first-tries' | 'always-fail' | 'no-callbacks' | 'transient-failure';

export const GATEWAY_SCENARIOS: ReadonlyArray<{ suffix: string | null; name: GatewayScenarioName; description: string }> = [
  { suffix: null, name: 'delivered', description: '202; DELIVERED, then READ' },
  { suffix: '0404', name: 'not-channel-user', description: '202; UNDELIVERED NOT_CHANNEL_USER' },
  { suffix: '0403', name: 'blocked', description: '202; UNDELIVERED BLOCKED_BY_USER' },
  { suffix: '0422', name: 'rejected', description: '422 PROVIDER_REJECTED at once' },
  { suffix: '0429', name: 'rate-limited', description: '429 with Retry-After on the first try, then delivered' },
  { suffix: '0500', name: 'fail-first-tries', description: '500 for the first failFirstTries tries, then delivered' },
  { suffix: '0503', name: 'always-fail', description: '500 on every try' },
  { suffix: '0000', name: 'no-callbacks', description: '202; no callback' },
  { suffix: '0666', name: 'transient-failure', description: '202; UNDELIVERED PROVIDER_ERROR' },
];

export function gatewayScenarioFor(recipient: string): GatewayScenarioName {
  const suffix = suffixOf(recipient);
  return GATEWAY_SCENARIOS.find((s) => s.suffix !== null && s.suffix === suffix)?.name ?? 'delivered';
}

/** The path a channel is served on: /gateway/web-chat, /gateway/mobile-app, /gateway/apple-business-messages. */
export const gatewayPath = (channel: GatewayChannel) => `/gateway/${channel.toLowerCase().replace(/_/g, '-')}`;

export interface GatewaySandboxOptions {
  port?: number;
  host?: string;
  /** Per channel: the HMAC secret both ways. A channel without one answers 404. */
  secrets: Partial<Record<GatewayChannel, string>>;
  /** Herald's POST /webhooks/channel/status. */
  statusCallbackUrl?: string;
  /** From acceptance; defaults 300 and 700. */
  delaysMs?: { delivered?: number; read?: number };
  failFirstTries?: number;
  /** rate-limited: the Retry-After named, in seconds; default 1. */
  retryAfterSeconds?: number;
  log?: (line: string) => void;
}

export interface GatewayRequest {
  at: string;
  channel: string;
  idempotencyKey: string | null;
  body: unknown;
  status: number;
  error?: string;
}

export interface GatewayAccepted {
  at: string;
  channel: GatewayChannel;
  messageId: string;
  recipient: string;
  text: string | null;
  attachment: unknown;
  scenario: GatewayScenarioName;
}

export interface GatewayCallback {
  at: string;
  channel: GatewayChannel;
  body: Record<string, unknown>;
  attempt: number;
  responseStatus?: number;
  error?: string;
}

export interface GatewaySandbox {
  url: string;
  port: number;
  /** Where Herald posts sends for the channel (CHANNEL_<NAME>_URL). */
  urlFor(channel: GatewayChannel): string;
  received(): GatewayRequest[];
  accepted(): GatewayAccepted[];
  callbacks(): GatewayCallback[];
  setStatusCallbackUrl(url: string | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

class GatewayError extends Error {
  constructor(readonly status: number, readonly error: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const CALLBACK_RETRY_DELAYS_MS = [200, 800, 3200];

export async function startGatewaySandbox(options: GatewaySandboxOptions): Promise<GatewaySandbox> {
  const delays = { delivered: options.delaysMs?.delivered ?? 300, read: options.delaysMs?.read ?? 700 };
  const failFirstTries = options.failFirstTries ?? 2;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const log = options.log ?? (() => {});
  let statusCallbackUrl = options.statusCallbackUrl;
  let received: GatewayRequest[] = [];
  let accepted: GatewayAccepted[] = [];
  let callbacks: GatewayCallback[] = [];
  const tries = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let generation = 0;
  let closed = false;

  function later(ms: number, fn: () => void) {
    const gen = generation;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (gen === generation && !closed) fn();
    }, ms);
    timers.add(timer);
  }

  async function postStatus(channel: GatewayChannel, body: Record<string, unknown>, attempt = 1): Promise<void> {
    const url = statusCallbackUrl;
    const secret = options.secrets[channel];
    if (!url || !secret) return;
    const gen = generation;
    const raw = JSON.stringify(body);
    const record: GatewayCallback = { at: new Date().toISOString(), channel, body, attempt };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, raw), [CHANNEL_HEADER]: channel },
        body: raw,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      record.responseStatus = res.status;
    } catch (e) {
      record.error = errorText(e);
    }
    if (gen !== generation || closed) return;
    callbacks.push(record);
    log(`callback ${String(body.status)} for ${String(body.messageId)} (try ${attempt}): ${record.responseStatus ?? record.error}`);
    const wait = CALLBACK_RETRY_DELAYS_MS[attempt - 1];
    if (record.responseStatus !== 200 && wait !== undefined) later(wait, () => void postStatus(channel, body, attempt + 1));
  }

  function scheduleCallbacks(message: GatewayAccepted) {
    const status = (s: string, error: string | null = null, description: string | null = null) => ({
      messageId: message.messageId, channel: message.channel, status: s, at: new Date().toISOString(), error, description,
    });
    switch (message.scenario) {
      case 'no-callbacks':
        return;
      case 'not-channel-user':
        return later(delays.delivered, () => void postStatus(message.channel, status('UNDELIVERED', 'NOT_CHANNEL_USER', 'no such user on the channel')));
      case 'blocked':
        return later(delays.delivered, () => void postStatus(message.channel, status('UNDELIVERED', 'BLOCKED_BY_USER', 'the user blocked the business')));
      case 'transient-failure':
        return later(delays.delivered, () => void postStatus(message.channel, status('UNDELIVERED', 'PROVIDER_ERROR', 'gateway fault')));
      default:
        // READ is posted once DELIVERED was answered: a real client reads what reached it first.
        later(delays.delivered, () => {
          void postStatus(message.channel, status('DELIVERED')).then(() => later(Math.max(0, delays.read - delays.delivered), () => void postStatus(message.channel, status('READ'))));
        });
    }
  }

  function accept(channel: GatewayChannel, raw: Buffer, headers: http.IncomingHttpHeaders): { status: number; body: unknown } {
    const secret = options.secrets[channel];
    if (!secret) throw new GatewayError(404, 'CHANNEL_NOT_SERVED', `This gateway does not serve ${channel}`);
    if (!signatureMatches(secret, raw, headers[SIGNATURE_HEADER.toLowerCase()])) throw new GatewayError(401, 'BAD_SIGNATURE', `missing or wrong ${SIGNATURE_HEADER}`);
    const key = headers[IDEMPOTENCY_HEADER.toLowerCase()];
    if (typeof key !== 'string' || key === '') throw new GatewayError(400, 'IDEMPOTENCY_KEY_MISSING', `${IDEMPOTENCY_HEADER} is required`);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new GatewayError(400, 'INVALID_JSON', 'The body is not JSON');
    }
    if (body.messageId !== key) throw new GatewayError(400, 'INVALID_REQUEST', `messageId must equal ${IDEMPOTENCY_HEADER}`);
    if (body.channel !== channel) throw new GatewayError(400, 'INVALID_REQUEST', `channel must be ${channel}`);
    if (typeof body.recipient !== 'string' || body.recipient === '') throw new GatewayError(400, 'INVALID_REQUEST', 'recipient is required');
    const text = typeof body.text === 'string' && body.text !== '' ? body.text : null;
    if (!text && !body.attachment) throw new GatewayError(400, 'INVALID_REQUEST', 'text or attachment is required');
    if (accepted.some((a) => a.channel === channel && a.messageId === key)) return { status: 200, body: { status: 'duplicate', messageId: key } };
    const scenario = gatewayScenarioFor(body.recipient);
    const n = (tries.get(key) ?? 0) + 1;
    tries.set(key, n);
    if (scenario === 'rejected') throw new GatewayError(422, 'PROVIDER_REJECTED', 'the channel refused this recipient');
    if (scenario === 'rate-limited' && n === 1) throw new GatewayError(429, 'RATE_LIMITED', 'slow down', { 'retry-after': String(retryAfter) });
    if (scenario === 'always-fail' || (scenario === 'fail-first-tries' && n <= failFirstTries)) throw new GatewayError(500, 'GATEWAY_ERROR', `sandbox scenario, try ${n}`);
    const message: GatewayAccepted = {
      at: new Date().toISOString(), channel, messageId: key, recipient: body.recipient, text, attachment: body.attachment ?? null, scenario,
    };
    accepted.push(message);
    scheduleCallbacks(message);
    return { status: 202, body: { status: 'accepted', messageId: key } };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const raw = await readRawBody(req);
    if (method === 'GET' && path === '/sandbox') return replyJson(res, 200, { statusCallbackUrl: statusCallbackUrl ?? null, scenarios: GATEWAY_SCENARIOS, delaysMs: delays, failFirstTries });
    if (method === 'GET' && path === '/sandbox/received') return replyJson(res, 200, received);
    if (method === 'GET' && path === '/sandbox/accepted') return replyJson(res, 200, accepted);
    if (method === 'GET' && path === '/sandbox/callbacks') return replyJson(res, 200, callbacks);
    if (method === 'POST' && path === '/sandbox/reset') {
      reset();
      return replyJson(res, 200, {});
    }
    const channel = GATEWAY_CHANNELS.find((c) => gatewayPath(c) === path);
    if (method !== 'POST' || !channel) return replyJson(res, 404, { error: 'NOT_FOUND', message: `No such endpoint: ${method} ${path}` });
    const key = req.headers[IDEMPOTENCY_HEADER.toLowerCase()];
    const record = (status: number, body: unknown, error?: string) => {
      let parsed: unknown = raw.toString('utf8');
      try {
        parsed = JSON.parse(parsed as string);
      } catch {
        // kept as text
      }
      received.push({ at: new Date().toISOString(), channel, idempotencyKey: typeof key === 'string' ? key : null, body: parsed, status, ...(error ? { error } : {}) });
      log(`POST ${path} -> ${status}${error ? ` ${error}` : ''}`);
      return body;
    };
    try {
      const answer = accept(channel, raw, req.headers);
      return replyJson(res, answer.status, record(answer.status, answer.body));
    } catch (e) {
      const error = e instanceof GatewayError ? e : new GatewayError(500, 'GATEWAY_ERROR', errorText(e));
      return replyJson(res, error.status, record(error.status, { error: error.error, message: error.message }, error.error), error.headers);
    }
  }

  function reset() {
    generation += 1;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    received = [];
    accepted = [];
    callbacks = [];
    tries.clear();
  }

  const server = await listen(handle, options.port ?? 0, options.host);
  return {
    url: server.url,
    port: server.port,
    urlFor: (channel) => `${server.url}${gatewayPath(channel)}`,
    received: () => structuredClone(received),
    accepted: () => structuredClone(accepted),
    callbacks: () => structuredClone(callbacks),
    setStatusCallbackUrl(url) {
      statusCallbackUrl = url;
    },
    reset,
    async close() {
      if (closed) return;
      reset();
      closed = true;
      await server.close();
    },
  };
}
