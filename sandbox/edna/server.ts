import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { scenarioForPhone, SCENARIOS, type Scenario, type ScenarioName } from './scenarios.js';
import {
  catalogProblem,
  cloneTemplates,
  DEFAULT_TEMPLATES,
  normalizeTemplate,
  renderTemplateText,
  SANDBOX_CHANNELS,
  textMatchesTemplate,
  type SandboxChannel,
  type SandboxTemplate,
} from './templates.js';

// The edna Pulse sandbox: a plain HTTP server that answers like edna (edna-reference.md) so that
// Herald's real HTTP client is exercised in tests, in embedded mode and standalone. Sends are
// validated and answered like edna, then status callbacks are posted to the registered URL in the
// flow the phone's scenario asks for (scenarios.ts). Everything it receives and posts is kept for
// inspection (`received()`, `accepted()`, `callbacks()`, and GET /sandbox/...).

export { DEFAULT_TEMPLATES, type SandboxChannel, type SandboxTemplate } from './templates.js';
export { SCENARIOS, SCENARIO_SUFFIX, scenarioForPhone, phoneForScenario, type Scenario, type ScenarioName } from './scenarios.js';

export interface EdnaSandboxOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Every /api call must carry it in X-API-KEY, else 401. */
  apiKey: string;
  /** Sent on every callback in the header `webhookHeader`. */
  webhookSecret: string;
  webhookHeader: string;
  statusCallbackUrl?: string;
  inMessageCallbackUrl?: string;
  /** From acceptance; defaults 150, 400, 800. */
  delaysMs?: { sent?: number; delivered?: number; read?: number };
  /** Scenario 0500: how many tries of one requestId/messageId get HTTP 500; default 2. */
  failFirstTries?: number;
  /** Waits before re-posting a callback not answered 200 (edna: 4 s, 128 s, 2048 s); default [200, 800, 3200]. */
  callbackRetryDelaysMs?: number[];
  /** The starting catalog; default DEFAULT_TEMPLATES. */
  templates?: readonly SandboxTemplate[];
  /** Called with one line per request answered and callback posted (the standalone sandbox prints them). */
  log?: (line: string) => void;
}

export interface ReceivedRequest {
  at: string;
  path: string;
  body: unknown;
  /** The HTTP status answered. */
  status: number;
  /** The error code (`title`) answered, if any. */
  code?: string;
}

export interface AcceptedMessage {
  /** Our requestId (cascade) or messageId (template). */
  id: string;
  kind: 'cascade' | 'template';
  channel: SandboxChannel;
  phone: string;
  body: unknown;
  at: string;
  /** The messageId the sandbox answered with (cascade: a number; template: our messageId). */
  providerMessageId: number | string;
  /** Cascade TEXT: the text; template: the body rendered with textVariables; otherwise null. */
  text: string | null;
  templateId: number | null;
  scenario: ScenarioName;
}

export interface SentCallback {
  at: string;
  kind: 'status' | 'inbound';
  url: string;
  body: unknown;
  /** 1 for the first post of a callback, 2.. for retries. */
  attempt: number;
  responseStatus?: number;
  error?: string;
}

export interface EdnaSandbox {
  /** Base URL without /api, e.g. http://127.0.0.1:PORT. */
  url: string;
  port: number;
  received(): ReceivedRequest[];
  accepted(): AcceptedMessage[];
  callbacks(): SentCallback[];
  templates(channel?: SandboxChannel): SandboxTemplate[];
  setTemplates(channel: SandboxChannel, templates: SandboxTemplate[]): void;
  setCallbackUrls(urls: { statusCallbackUrl?: string; inMessageCallbackUrl?: string }): void;
  sendInbound(msg: InboundMessage): Promise<number>;
  reset(): void;
  close(): Promise<void>;
}

export interface InboundMessage {
  channel: SandboxChannel;
  phone: string;
  text: string;
  userName?: string;
}

type Status = 'SENT' | 'DELIVERED' | 'READ' | 'UNDELIVERED';
interface Step {
  status: Status;
  error: string | null;
  /** From acceptance. */
  atMs: number;
}

class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string) {
    super(detail);
  }
}

const invalid = (detail: string) => new ApiError(400, 'cascade-scheduling-request-is-not-valid', detail);
const CONTENT_TYPES = ['TEXT', 'IMAGE', 'DOCUMENT', 'VIDEO', 'AUDIO'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^\d+$/;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const CALLBACK_TIMEOUT_MS = 10_000;
const DEFAULT_SUBJECT_ID = 1001;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isHttpUrl = (v: unknown): v is string => {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isChannel = (v: unknown): v is SandboxChannel => SANDBOX_CHANNELS.includes(v as SandboxChannel);
const errorText = (e: unknown) => (e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e));

export async function startEdnaSandbox(options: EdnaSandboxOptions): Promise<EdnaSandbox> {
  const delays = {
    sent: options.delaysMs?.sent ?? 150,
    delivered: options.delaysMs?.delivered ?? 400,
    read: options.delaysMs?.read ?? 800,
  };
  const failFirstTries = options.failFirstTries ?? 2;
  const retryDelays = [...(options.callbackRetryDelaysMs ?? [200, 800, 3200])];
  const log = options.log ?? (() => {});

  const catalog = new Map<SandboxChannel, SandboxTemplate[]>(SANDBOX_CHANNELS.map((c) => [c, []]));
  for (const t of cloneTemplates(options.templates ?? DEFAULT_TEMPLATES)) catalog.get(t.channelType)?.push(t);

  let statusCallbackUrl = options.statusCallbackUrl;
  let inMessageCallbackUrl = options.inMessageCallbackUrl;
  let subjectId: number | string = DEFAULT_SUBJECT_ID;

  let received: ReceivedRequest[] = [];
  let accepted: AcceptedMessage[] = [];
  let sent: SentCallback[] = [];
  const acceptedIds = new Set<string>();
  const tries = new Map<string, number>();
  let nextMessageId = 1_000_001;
  let nextInboundId = 5_000_001;

  // reset() and close() bump the generation: a timer or a post begun before then records nothing.
  const timers = new Set<NodeJS.Timeout>();
  let generation = 0;
  let aborter = new AbortController();
  let closed = false;

  function later(ms: number, fn: () => void) {
    const gen = generation;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (gen === generation && !closed) fn();
    }, Math.max(0, ms));
    timers.add(timer);
  }

  function forgetPending() {
    generation += 1;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    aborter.abort();
    aborter = new AbortController();
  }

  // --- callbacks -------------------------------------------------------------------------------

  /** One POST; the record is kept unless reset()/close() came in between. */
  async function post(kind: SentCallback['kind'], url: string, body: unknown, attempt: number): Promise<SentCallback | null> {
    const gen = generation;
    const at = new Date().toISOString();
    let record: SentCallback;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [options.webhookHeader]: options.webhookSecret },
        body: JSON.stringify(body),
        signal: AbortSignal.any([aborter.signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      record = { at, kind, url, body, attempt, responseStatus: res.status };
    } catch (e) {
      record = { at, kind, url, body, attempt, error: errorText(e) };
    }
    if (gen !== generation || closed) return null;
    sent.push(record);
    log(`callback ${kind} ${describe(body)} -> ${url} (try ${attempt}): ${record.responseStatus ?? record.error}`);
    return record;
  }

  /** Posts a status callback, retrying per retryDelays until answered 200. Resolves after the first try. */
  async function deliverStatus(url: string, body: unknown, attempt = 1): Promise<void> {
    const record = await post('status', url, body, attempt);
    if (!record || record.responseStatus === 200) return;
    const wait = retryDelays[attempt - 1];
    if (wait === undefined) {
      log(`callback ${describe(body)} dropped after ${attempt} tries`);
      return;
    }
    later(wait, () => void deliverStatus(url, body, attempt + 1));
  }

  function describe(body: unknown): string {
    if (!isObject(body)) return '';
    if ('status' in body) return `${String(body.status)}${body.error ? ` (${String(body.error)})` : ''} for ${String(body.requestId ?? body.messageId)}`;
    return `inbound ${String(body.id)}`;
  }

  function statusPlan(scenario: Scenario, message: AcceptedMessage): { steps: Step[]; reversed: boolean; twice: boolean } {
    const flow = (steps: Step[]) => ({ steps, reversed: false, twice: false });
    const delivered: Step[] = [
      { status: 'SENT', error: null, atMs: delays.sent },
      { status: 'DELIVERED', error: null, atMs: delays.delivered },
      { status: 'READ', error: null, atMs: delays.read },
    ];
    const sentThenUndelivered = (error: string): Step[] => [
      { status: 'SENT', error: null, atMs: delays.sent },
      { status: 'UNDELIVERED', error, atMs: delays.delivered },
    ];
    switch (scenario.name) {
      case 'not-channel-user':
        return flow(sentThenUndelivered(message.channel === 'WHATSAPP' ? 'not-whatsapp-user' : 'not-viber-user'));
      case 'user-blocked':
        return flow(sentThenUndelivered('user-blocked'));
      case 'no-callbacks':
        return flow([]);
      case 'duplicate-callbacks':
        return { steps: delivered, reversed: false, twice: true };
      case 'out-of-order':
        return { steps: delivered, reversed: true, twice: false };
      case 'transient-failure':
        return flow([{ status: 'UNDELIVERED', error: 'error-system', atMs: delays.sent }]);
      case 'template-mismatch': {
        if (message.kind === 'template') return flow(delivered);
        const approved = (catalog.get(message.channel) ?? []).filter((t) => t.status === 'APPROVED');
        const matches = message.text !== null && isTextSend(message) && approved.some((t) => textMatchesTemplate(message.text ?? '', t.content.text));
        return flow(matches ? delivered : [{ status: 'UNDELIVERED', error: 'not-template-match', atMs: delays.sent }]);
      }
      default:
        return flow(delivered);
    }
  }

  function isTextSend(message: AcceptedMessage): boolean {
    const content = isObject(message.body) && isObject(message.body.content) ? message.body.content : {};
    const channelContent = content.whatsappContent ?? content.viberContent;
    return isObject(channelContent) && channelContent.contentType === 'TEXT';
  }

  function scheduleCallbacks(message: AcceptedMessage, scenario: Scenario, cascadeId: unknown, subject: string, comment: string | null) {
    const { steps, reversed, twice } = statusPlan(scenario, message);
    if (steps.length === 0) return;
    const acceptedAt = Date.parse(message.at);
    const bodyFor = (step: Step, statusAt: Date) => ({
      requestId: message.kind === 'cascade' ? message.id : null,
      messageId: message.providerMessageId,
      cascadeId: message.kind === 'cascade' ? cascadeId : null,
      subject,
      subjectId,
      status: step.status,
      statusAt: statusAt.toISOString(),
      error: step.error,
      comment,
    });
    const send = async (body: unknown) => {
      const url = statusCallbackUrl;
      if (!url) return; // nobody registered: edna has nowhere to post
      await deliverStatus(url, body);
      if (twice) await deliverStatus(url, body);
    };
    if (reversed) {
      // The events happened in order (statusAt ascending) but arrive last first, after the last one.
      const last = Math.max(...steps.map((s) => s.atMs));
      later(last, () => {
        void (async () => {
          for (const step of [...steps].reverse()) await send(bodyFor(step, new Date(acceptedAt + step.atMs)));
        })();
      });
      return;
    }
    // One message's callbacks go out one after another, as edna's do: timers that fire close
    // together under load must not race each other to the receiver.
    let chain: Promise<void> = Promise.resolve();
    const gen = generation;
    const current = () => gen === generation && !closed; // reset()/close() drop what is still queued
    for (const step of steps) later(step.atMs, () => { chain = chain.then(() => (current() ? send(bodyFor(step, new Date())) : undefined)); });
  }

  // --- sends -----------------------------------------------------------------------------------

  function failIfScenarioSaysSo(scenario: Scenario, id: string) {
    const n = (tries.get(id) ?? 0) + 1;
    tries.set(id, n);
    if (scenario.name === 'always-fail' || (scenario.name === 'fail-first-tries' && n <= failFirstTries)) {
      throw new ApiError(500, 'error-system', `System error (sandbox scenario ${scenario.suffix}, try ${n})`);
    }
  }

  function scheduleCascade(body: unknown): unknown {
    if (!isObject(body)) throw invalid('The request body must be a JSON object');
    const { requestId, cascadeId, subscriberFilter, startTime, content } = body;
    if (typeof requestId !== 'string' || requestId.trim() === '') throw invalid('requestId is required');
    if (cascadeId === undefined || cascadeId === null || cascadeId === '' || !(typeof cascadeId === 'number' || typeof cascadeId === 'string')) {
      throw invalid('cascadeId is required');
    }
    if (!isObject(subscriberFilter)) throw invalid('subscriberFilter is required');
    if (typeof subscriberFilter.address !== 'string' || !DIGITS.test(subscriberFilter.address)) {
      throw invalid('subscriberFilter.address must be a phone number of digits only');
    }
    if (subscriberFilter.type !== 'PHONE') throw invalid('subscriberFilter.type must be PHONE');
    if (startTime !== undefined && startTime !== null && (typeof startTime !== 'string' || Number.isNaN(Date.parse(startTime)))) {
      throw invalid('startTime must be an ISO date-time');
    }
    if (!isObject(content) || !(isObject(content.whatsappContent) || isObject(content.viberContent))) {
      throw new ApiError(400, 'content-not-specified', 'content.whatsappContent or content.viberContent is required');
    }
    const channel: SandboxChannel = isObject(content.whatsappContent) ? 'WHATSAPP' : 'VIBER';
    const channelContent = (channel === 'WHATSAPP' ? content.whatsappContent : content.viberContent) as Record<string, unknown>;
    const contentType = channelContent.contentType;
    if (!CONTENT_TYPES.includes(contentType as (typeof CONTENT_TYPES)[number])) {
      throw invalid(`contentType must be one of ${CONTENT_TYPES.join(', ')}`);
    }
    const text = channelContent.text;
    if (contentType === 'TEXT' && (typeof text !== 'string' || text.trim() === '')) {
      throw new ApiError(400, 'text-not-specified', 'text is required for contentType TEXT');
    }
    const attachment = channelContent.attachment;
    if (attachment !== undefined && attachment !== null) {
      if (!isObject(attachment) || !isHttpUrl(attachment.url)) throw invalid('attachment.url must be an http(s) URL');
      if (attachment.name !== undefined && typeof attachment.name !== 'string') throw invalid('attachment.name must be a string');
      if (typeof attachment.name === 'string' && attachment.name.length > 70) {
        throw new ApiError(400, 'attachmentName-is-too-long', 'attachment.name is longer than 70 characters');
      }
    } else if (contentType !== 'TEXT') {
      throw invalid(`attachment is required for contentType ${String(contentType)}`);
    }
    if (acceptedIds.has(requestId)) throw new ApiError(400, 'requestId-is-not-unique', `requestId ${requestId} was already accepted`);
    const scenario = scenarioForPhone(subscriberFilter.address);
    failIfScenarioSaysSo(scenario, requestId);

    const providerMessageId = nextMessageId++;
    const message: AcceptedMessage = {
      id: requestId,
      kind: 'cascade',
      channel,
      phone: subscriberFilter.address,
      body,
      at: new Date().toISOString(),
      providerMessageId,
      text: contentType === 'TEXT' && typeof text === 'string' ? text : null,
      templateId: null,
      scenario: scenario.name,
    };
    acceptedIds.add(requestId);
    accepted.push(message);
    scheduleCallbacks(message, scenario, cascadeId, `sandbox_${channel.toLowerCase()}`, null);
    return { requestId, messageId: providerMessageId };
  }

  function sendTemplate(channel: SandboxChannel, body: unknown): unknown {
    if (!isObject(body)) throw invalid('The request body must be a JSON object');
    const { messageId, sender, phone, templateId, textVariables, headerVariables, buttonVariables, attachment, options: sendOptions } = body;
    if (typeof messageId !== 'string' || !UUID.test(messageId)) throw invalid('messageId must be a UUID');
    if (typeof sender !== 'string' || sender.trim() === '') throw invalid('sender is required');
    if (typeof phone !== 'string' || !DIGITS.test(phone)) throw invalid('phone must be digits only');
    if (typeof templateId !== 'number' || !Number.isInteger(templateId)) throw invalid('templateId must be an integer');
    for (const [name, value] of Object.entries({ textVariables, headerVariables, buttonVariables })) {
      if (value !== undefined && value !== null && !isStringArray(value)) throw invalid(`${name} must be an array of strings`);
    }
    if (attachment !== undefined && attachment !== null && (!isObject(attachment) || !isHttpUrl(attachment.url))) {
      throw invalid('attachment.url must be an http(s) URL');
    }
    if (sendOptions !== undefined && sendOptions !== null && !isObject(sendOptions)) throw invalid('options must be an object');
    if (acceptedIds.has(messageId)) throw new ApiError(400, 'requestId-is-not-unique', `messageId ${messageId} was already accepted`);
    const template = (catalog.get(channel) ?? []).find((t) => t.id === templateId && t.status === 'APPROVED');
    if (!template) throw new ApiError(400, 'matched-template-not-found', `No approved ${channel} template ${templateId}`);
    const scenario = scenarioForPhone(phone);
    failIfScenarioSaysSo(scenario, messageId);

    const message: AcceptedMessage = {
      id: messageId,
      kind: 'template',
      channel,
      phone,
      body,
      at: new Date().toISOString(),
      providerMessageId: messageId,
      text: renderTemplateText(template.content.text, isStringArray(textVariables) ? textVariables : []),
      templateId,
      scenario: scenario.name,
    };
    acceptedIds.add(messageId);
    accepted.push(message);
    const comment = isObject(sendOptions) && typeof sendOptions.comment === 'string' ? sendOptions.comment : null;
    scheduleCallbacks(message, scenario, null, sender, comment);
    return { messageId };
  }

  async function setCallback(body: unknown): Promise<unknown> {
    if (!isObject(body)) throw invalid('The request body must be a JSON object');
    const status = body.statusCallbackUrl;
    const inbound = body.inMessageCallbackUrl;
    if (!isHttpUrl(status)) throw new ApiError(400, 'callback-url-is-not-available', 'statusCallbackUrl must be an http(s) URL');
    if (inbound !== undefined && inbound !== null && inbound !== '' && !isHttpUrl(inbound)) {
      throw new ApiError(400, 'callback-url-is-not-available', 'inMessageCallbackUrl must be an http(s) URL');
    }
    let answer: string;
    try {
      const res = await fetch(status, {
        method: 'HEAD',
        headers: { [options.webhookHeader]: options.webhookSecret },
        signal: AbortSignal.any([aborter.signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
      });
      answer = String(res.status);
    } catch (e) {
      answer = errorText(e);
    }
    if (answer !== '200') {
      throw new ApiError(400, 'callback-url-is-not-available', `HEAD ${status} answered ${answer}, expected 200`);
    }
    statusCallbackUrl = status;
    if (typeof inbound === 'string' && inbound !== '') inMessageCallbackUrl = inbound;
    if (typeof body.subjectId === 'number' || (typeof body.subjectId === 'string' && body.subjectId !== '')) subjectId = body.subjectId;
    return {};
  }

  function listTemplates(channelType: string | null): SandboxTemplate[] {
    if (channelType === null) return SANDBOX_CHANNELS.flatMap((c) => cloneTemplates(catalog.get(c) ?? []));
    if (!isChannel(channelType)) throw invalid('channelType must be WHATSAPP or VIBER');
    return cloneTemplates(catalog.get(channelType) ?? []);
  }

  function setTemplates(channel: SandboxChannel, templates: SandboxTemplate[]) {
    if (!isChannel(channel)) throw new Error(`unknown channel ${String(channel)}`);
    const problem = catalogProblem(templates, channel);
    if (problem) throw new Error(problem);
    catalog.set(channel, templates.map((t) => normalizeTemplate(t, channel)));
  }

  async function sendInbound(msg: InboundMessage): Promise<number> {
    if (!isChannel(msg.channel)) throw new Error('channel must be WHATSAPP or VIBER');
    if (typeof msg.phone !== 'string' || !DIGITS.test(msg.phone)) throw new Error('phone must be digits only');
    if (typeof msg.text !== 'string' || msg.text === '') throw new Error('text is required');
    const url = inMessageCallbackUrl;
    if (!url) throw new Error('no inMessageCallbackUrl is set');
    const userName = msg.userName ?? null;
    const [firstName, ...rest] = (userName ?? '').trim().split(/\s+/);
    const body = {
      id: nextInboundId++,
      channelType: msg.channel,
      subscriber: { identifier: msg.phone },
      userInfo: { userName, firstName: firstName || null, lastName: rest.length ? rest.join(' ') : null },
      messageContent: { type: 'TEXT', text: msg.text, attachment: null },
      receivedAt: new Date().toISOString(),
    };
    const record = await post('inbound', url, body, 1);
    if (!record) throw new Error('the sandbox was reset or closed while posting');
    if (record.responseStatus === undefined) throw new Error(`POST ${url} failed: ${record.error}`);
    return record.responseStatus;
  }

  function reset() {
    forgetPending();
    received = [];
    accepted = [];
    sent = [];
    acceptedIds.clear();
    tries.clear();
  }

  // --- HTTP ------------------------------------------------------------------------------------

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(method === 'HEAD' ? undefined : text);
    };
    const replyError = (e: ApiError) => reply(e.status, { title: e.title, status: e.status, detail: e.detail });

    let raw: string;
    try {
      raw = await readBody(req);
    } catch (e) {
      return replyError(e instanceof ApiError ? e : invalid(errorText(e)));
    }
    const parsed = parseJson(raw);

    if (path === '/sandbox' || path.startsWith('/sandbox/')) return handleInspection(method, path, url, parsed, reply, replyError);
    if (!path.startsWith('/api/')) return replyError(new ApiError(404, 'not-found', `No such endpoint: ${method} ${path}`));

    const isSend = method === 'POST' && (path === '/api/cascade/schedule' || /^\/api\/v1\/out-messages\/(whatsapp|viber)\/template$/.test(path));
    const recordSend = (status: number, code?: string) => {
      if (!isSend) return;
      received.push({ at: new Date().toISOString(), path, body: parsed.ok ? parsed.value : raw, status, ...(code ? { code } : {}) });
      log(`${method} ${path} -> ${status}${code ? ` ${code}` : ''}`);
    };

    if (req.headers['x-api-key'] !== options.apiKey) {
      recordSend(401, 'unauthorized');
      return replyError(new ApiError(401, 'unauthorized', 'The X-API-KEY header is missing or wrong'));
    }

    try {
      let result: unknown;
      if (method === 'POST' && path === '/api/cascade/schedule') {
        if (!parsed.ok) throw invalid('The request body is not valid JSON');
        result = scheduleCascade(parsed.value);
      } else if (method === 'POST' && (path === '/api/v1/out-messages/whatsapp/template' || path === '/api/v1/out-messages/viber/template')) {
        if (!parsed.ok) throw invalid('The request body is not valid JSON');
        result = sendTemplate(path.includes('/whatsapp/') ? 'WHATSAPP' : 'VIBER', parsed.value);
      } else if (method === 'POST' && path === '/api/callback/set') {
        if (!parsed.ok) throw invalid('The request body is not valid JSON');
        result = await setCallback(parsed.value);
      } else if (method === 'GET' && path === '/api/v1/templates') {
        result = listTemplates(url.searchParams.get('channelType'));
      } else {
        throw new ApiError(404, 'not-found', `No such endpoint: ${method} ${path}`);
      }
      recordSend(200);
      if (!isSend) log(`${method} ${path} -> 200`);
      return reply(200, result);
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError(500, 'error-system', errorText(e));
      recordSend(error.status, error.title);
      if (!isSend) log(`${method} ${path} -> ${error.status} ${error.title}`);
      return replyError(error);
    }
  }

  async function handleInspection(
    method: string,
    path: string,
    url: URL,
    parsed: { ok: true; value: unknown } | { ok: false },
    reply: (status: number, body: unknown) => void,
    replyError: (e: ApiError) => void,
  ) {
    const bad = (detail: string) => replyError(new ApiError(400, 'bad-request', detail));
    if (method === 'GET' && path === '/sandbox') {
      return reply(200, { statusCallbackUrl: statusCallbackUrl ?? null, inMessageCallbackUrl: inMessageCallbackUrl ?? null, delaysMs: delays, failFirstTries, callbackRetryDelaysMs: retryDelays, scenarios: SCENARIOS });
    }
    if (method === 'GET' && path === '/sandbox/received') return reply(200, received);
    if (method === 'GET' && path === '/sandbox/accepted') return reply(200, accepted);
    if (method === 'GET' && path === '/sandbox/callbacks') return reply(200, sent);
    if (method === 'POST' && path === '/sandbox/reset') {
      reset();
      return reply(200, {});
    }
    if (method === 'GET' && path === '/sandbox/templates') {
      try {
        return reply(200, listTemplates(url.searchParams.get('channelType')));
      } catch (e) {
        return bad(errorText(e));
      }
    }
    const templatesPath = /^\/sandbox\/templates\/([A-Za-z]+)$/.exec(path);
    if (templatesPath && (method === 'PUT' || method === 'GET')) {
      const channel = templatesPath[1]?.toUpperCase();
      if (!isChannel(channel)) return replyError(new ApiError(404, 'not-found', 'The channel must be WHATSAPP or VIBER'));
      if (method === 'GET') return reply(200, listTemplates(channel));
      if (!parsed.ok) return bad('The body must be a JSON array of templates');
      try {
        setTemplates(channel, parsed.value as SandboxTemplate[]);
      } catch (e) {
        return bad(errorText(e));
      }
      return reply(200, listTemplates(channel));
    }
    if (method === 'POST' && path === '/sandbox/inbound') {
      if (!parsed.ok || !isObject(parsed.value)) return bad('The body must be {channel, phone, text, userName?}');
      const v = parsed.value;
      if (!isChannel(v.channel) || typeof v.phone !== 'string' || typeof v.text !== 'string' || (v.userName !== undefined && typeof v.userName !== 'string')) {
        return bad('The body must be {channel: WHATSAPP|VIBER, phone, text, userName?}');
      }
      if (!inMessageCallbackUrl) return replyError(new ApiError(409, 'no-in-message-callback-url', 'No inMessageCallbackUrl is set'));
      try {
        const status = await sendInbound({ channel: v.channel, phone: v.phone, text: v.text, ...(v.userName !== undefined ? { userName: v.userName } : {}) });
        return reply(200, { status });
      } catch (e) {
        return replyError(new ApiError(502, 'inbound-not-delivered', errorText(e)));
      }
    }
    return replyError(new ApiError(404, 'not-found', `No such endpoint: ${method} ${path}`));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ title: 'error-system', status: 500, detail: errorText(e) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    received: () => structuredClone(received),
    accepted: () => structuredClone(accepted),
    callbacks: () => structuredClone(sent),
    templates: (channel?: SandboxChannel) => listTemplates(channel ?? null),
    setTemplates,
    setCallbackUrls(urls) {
      if (urls.statusCallbackUrl !== undefined) statusCallbackUrl = urls.statusCallbackUrl || undefined;
      if (urls.inMessageCallbackUrl !== undefined) inMessageCallbackUrl = urls.inMessageCallbackUrl || undefined;
    },
    sendInbound,
    reset,
    async close() {
      if (closed) return;
      forgetPending();
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'request-too-large', `The body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  if (raw.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}
