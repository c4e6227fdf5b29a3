import { createHash } from 'node:crypto';
import type http from 'node:http';
import { errorText, listen, readRawBody, replyJson, suffixOf } from '../shared/http.js';

// A Telegram Bot API look-alike: POST /bot<token>/sendMessage, /sendPhoto, /sendDocument answered
// like api.telegram.org ({ok, result} or {ok: false, error_code, description, parameters}), so
// Herald's real Bot API client is exercised in tests and embedded mode. The chat id's (or
// username's) last four digits choose a failure, like the edna sandbox's phone suffixes:
//
// | suffix | scenario          | answer                                                            |
// |--------|-------------------|-------------------------------------------------------------------|
// | (any)  | delivered         | 200 ok                                                            |
// | 0403   | blocked           | 403 "Forbidden: bot was blocked by the user"                      |
// | 0404   | chat-not-found    | 400 "Bad Request: chat not found"                                 |
// | 0429   | rate-limited      | 429 "Too Many Requests: retry after N" (parameters.retry_after) on |
// |        |                   | the first try of a message, then 200                              |
// | 0500   | fail-first-tries  | 500 "Internal Server Error" for the first failFirstTries tries    |
// | 0503   | always-fail       | 500 on every try                                                  |
//
// A "try" is the same method, chat and content again: the Bot API has no idempotency key.
// GET /sandbox/received, /sandbox/accepted; POST /sandbox/reset.

export type TelegramScenarioName = 'delivered' | 'blocked' | 'chat-not-found' | 'rate-limited' | 'fail-first-tries' | 'always-fail';

export const TELEGRAM_SCENARIOS: ReadonlyArray<{ suffix: string | null; name: TelegramScenarioName; description: string }> = [
  { suffix: null, name: 'delivered', description: '200 ok' },
  { suffix: '0403', name: 'blocked', description: '403 Forbidden: bot was blocked by the user' },
  { suffix: '0404', name: 'chat-not-found', description: '400 Bad Request: chat not found' },
  { suffix: '0429', name: 'rate-limited', description: '429 with parameters.retry_after on the first try, then 200' },
  { suffix: '0500', name: 'fail-first-tries', description: '500 for the first failFirstTries tries, then 200' },
  { suffix: '0503', name: 'always-fail', description: '500 on every try' },
];

export function telegramScenarioFor(chatId: string): TelegramScenarioName {
  const suffix = suffixOf(chatId);
  return TELEGRAM_SCENARIOS.find((s) => s.suffix !== null && s.suffix === suffix)?.name ?? 'delivered';
}

export interface TelegramSandboxOptions {
  port?: number;
  host?: string;
  /** The bot token Herald must call with; anything else is 401 Unauthorized. */
  botToken: string;
  /** fail-first-tries: how many tries get 500; default 2. */
  failFirstTries?: number;
  /** rate-limited: the retry_after named, in seconds; default 1. */
  retryAfterSeconds?: number;
  log?: (line: string) => void;
}

export interface TelegramRequest {
  at: string;
  method: string;
  body: unknown;
  /** The HTTP status answered. */
  status: number;
  description?: string;
}

export interface TelegramAccepted {
  at: string;
  method: 'sendMessage' | 'sendPhoto' | 'sendDocument';
  chatId: string;
  messageId: number;
  text: string | null;
  caption: string | null;
  fileUrl: string | null;
  scenario: TelegramScenarioName;
}

export interface TelegramSandbox {
  url: string;
  port: number;
  botToken: string;
  received(): TelegramRequest[];
  accepted(): TelegramAccepted[];
  reset(): void;
  close(): Promise<void>;
}

class BotApiError extends Error {
  constructor(readonly code: number, readonly description: string, readonly parameters?: { retry_after: number }) {
    super(description);
  }
}

const METHODS = ['sendMessage', 'sendPhoto', 'sendDocument'] as const;
type Method = (typeof METHODS)[number];

const isHttpUrl = (v: unknown): v is string => {
  if (typeof v !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

export async function startTelegramSandbox(options: TelegramSandboxOptions): Promise<TelegramSandbox> {
  const failFirstTries = options.failFirstTries ?? 2;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const log = options.log ?? (() => {});
  let received: TelegramRequest[] = [];
  let accepted: TelegramAccepted[] = [];
  const tries = new Map<string, number>();
  let nextMessageId = 101;

  function send(method: Method, body: unknown): TelegramAccepted {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BotApiError(400, 'Bad Request: message text is empty');
    const b = body as Record<string, unknown>;
    if (b.chat_id === undefined || b.chat_id === null || b.chat_id === '') throw new BotApiError(400, 'Bad Request: chat_id is empty');
    if (typeof b.chat_id !== 'string' && typeof b.chat_id !== 'number') throw new BotApiError(400, 'Bad Request: chat not found');
    const chatId = String(b.chat_id);
    if (!/^-?\d+$/.test(chatId) && !/^@[A-Za-z0-9_]{3,32}$/.test(chatId)) throw new BotApiError(400, 'Bad Request: chat not found');
    let text: string | null = null;
    let caption: string | null = null;
    let fileUrl: string | null = null;
    if (method === 'sendMessage') {
      if (typeof b.text !== 'string' || b.text.trim() === '') throw new BotApiError(400, 'Bad Request: message text is empty');
      if (b.text.length > 4096) throw new BotApiError(400, 'Bad Request: message is too long');
      text = b.text;
    } else {
      const file = method === 'sendPhoto' ? b.photo : b.document;
      if (!isHttpUrl(file)) throw new BotApiError(400, 'Bad Request: wrong HTTP URL specified');
      fileUrl = file;
      if (b.caption !== undefined && b.caption !== null) {
        if (typeof b.caption !== 'string') throw new BotApiError(400, 'Bad Request: can\'t parse caption');
        if (b.caption.length > 1024) throw new BotApiError(400, 'Bad Request: message caption is too long');
        caption = b.caption;
      }
    }
    const scenario = telegramScenarioFor(chatId);
    const key = createHash('sha256').update(JSON.stringify([method, chatId, text, caption, fileUrl])).digest('hex');
    const n = (tries.get(key) ?? 0) + 1;
    tries.set(key, n);
    if (scenario === 'blocked') throw new BotApiError(403, 'Forbidden: bot was blocked by the user');
    if (scenario === 'chat-not-found') throw new BotApiError(400, 'Bad Request: chat not found');
    if (scenario === 'rate-limited' && n === 1) throw new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    if (scenario === 'always-fail' || (scenario === 'fail-first-tries' && n <= failFirstTries)) throw new BotApiError(500, 'Internal Server Error');
    const message: TelegramAccepted = { at: new Date().toISOString(), method, chatId, messageId: nextMessageId++, text, caption, fileUrl, scenario };
    accepted.push(message);
    return message;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const raw = await readRawBody(req);

    if (path === '/sandbox/received' && method === 'GET') return replyJson(res, 200, received);
    if (path === '/sandbox/accepted' && method === 'GET') return replyJson(res, 200, accepted);
    if (path === '/sandbox' && method === 'GET') return replyJson(res, 200, { scenarios: TELEGRAM_SCENARIOS, failFirstTries, retryAfterSeconds: retryAfter });
    if (path === '/sandbox/reset' && method === 'POST') {
      reset();
      return replyJson(res, 200, {});
    }

    const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(path);
    if (!call) return replyJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    let body: unknown = null;
    try {
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : Object.fromEntries(url.searchParams);
    } catch {
      body = null;
    }
    const apiMethod = call[2]!;
    const answer = (status: number, payload: Record<string, unknown>) => {
      received.push({ at: new Date().toISOString(), method: apiMethod, body, status, ...(typeof payload.description === 'string' ? { description: payload.description } : {}) });
      log(`${apiMethod} -> ${status}${typeof payload.description === 'string' ? ` ${payload.description}` : ''}`);
      replyJson(res, status, payload);
    };
    if (call[1] !== options.botToken) return answer(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    if (!METHODS.includes(apiMethod as Method)) return answer(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    try {
      const m = send(apiMethod as Method, body);
      const chat = /^-?\d+$/.test(m.chatId) ? { id: Number(m.chatId), type: 'private' } : { id: 7_000_000_000 + m.messageId, username: m.chatId.slice(1), type: 'private' };
      return answer(200, {
        ok: true,
        result: {
          message_id: m.messageId, date: Math.floor(Date.now() / 1000), chat,
          ...(m.text !== null ? { text: m.text } : {}), ...(m.caption !== null ? { caption: m.caption } : {}),
        },
      });
    } catch (e) {
      if (!(e instanceof BotApiError)) return answer(500, { ok: false, error_code: 500, description: `Internal Server Error: ${errorText(e)}` });
      return answer(e.code, { ok: false, error_code: e.code, description: e.description, ...(e.parameters ? { parameters: e.parameters } : {}) });
    }
  }

  function reset() {
    received = [];
    accepted = [];
    tries.clear();
  }

  const server = await listen(handle, options.port ?? 0, options.host);
  return {
    url: server.url,
    port: server.port,
    botToken: options.botToken,
    received: () => structuredClone(received),
    accepted: () => structuredClone(accepted),
    reset,
    close: server.close,
  };
}
