import { createHash } from 'node:crypto';
import type http from 'node:http';
import { errorText, listen, parseJson, readRawBody, replyJson, requestTarget } from '../shared/http.js';
import { answerInspection, forgetRecords } from '../shared/inspection.js';
import { failsThisTry, TryCounter } from '../shared/scenarios.js';
import { BotApiError, checkSend, METHODS, type Method } from './requests.js';
import { TELEGRAM_SCENARIOS, telegramScenarioFor, type TelegramScenarioName } from './scenarios.js';

// A Telegram Bot API look-alike: POST /bot<token>/sendMessage, /sendPhoto, /sendDocument answered
// like api.telegram.org ({ok, result} or {ok: false, error_code, description, parameters}), so
// Herald's real Bot API client is exercised in tests and embedded mode. The chat id's (or
// username's) last four digits choose a failure (scenarios.ts).
// GET /sandbox/received, /sandbox/accepted; POST /sandbox/reset.

export { TELEGRAM_SCENARIOS, telegramScenarioFor, type TelegramScenarioName } from './scenarios.js';

export interface TelegramSandboxOptions {
  port?: number;
  host?: string;
  /** The bot token Herald must call with; anything else is 401 Unauthorized. */
  botToken: string;
  /** fail-first-tries: how many tries get 500; default 2. */
  failFirstTries?: number;
  /** rate-limited, always-rate-limited: the retry_after named, in seconds; default 1. */
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

export async function startTelegramSandbox(options: TelegramSandboxOptions): Promise<TelegramSandbox> {
  const failFirstTries = options.failFirstTries ?? 2;
  const retryAfter = options.retryAfterSeconds ?? 1;
  const log = options.log ?? (() => {});
  const records: { received: TelegramRequest[]; accepted: TelegramAccepted[] } = { received: [], accepted: [] };
  const tries = new TryCounter();
  let nextMessageId = 101;

  function send(method: Method, body: unknown): TelegramAccepted {
    const { chatId, text, caption, fileUrl } = checkSend(method, body);
    const scenario = telegramScenarioFor(chatId);
    // The Bot API has no idempotency key: a try is the same method, chat and content again.
    const n = tries.next(createHash('sha256').update(JSON.stringify([method, chatId, text, caption, fileUrl])).digest('hex'));
    if (scenario === 'blocked') throw new BotApiError(403, 'Forbidden: bot was blocked by the user');
    if (scenario === 'chat-not-found') throw new BotApiError(400, 'Bad Request: chat not found');
    if (scenario === 'invalid-destination') throw new BotApiError(400, 'Bad Request: PEER_ID_INVALID');
    // Telegram fetches the file by its URL and cannot use it; a text goes through.
    if (scenario === 'media-rejected' && method !== 'sendMessage') throw new BotApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
    if ((scenario === 'rate-limited' && n === 1) || scenario === 'always-rate-limited') {
      throw new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    if (failsThisTry(scenario, n, failFirstTries)) throw new BotApiError(500, 'Internal Server Error');
    const message: TelegramAccepted = { at: new Date().toISOString(), method, chatId, messageId: nextMessageId++, text, caption, fileUrl, scenario };
    records.accepted.push(message);
    return message;
  }

  const inspection = {
    overview: () => ({ scenarios: TELEGRAM_SCENARIOS, failFirstTries, retryAfterSeconds: retryAfter }),
    records,
    reset,
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const { method, path, url } = requestTarget(req);
    const raw = await readRawBody(req);
    if (answerInspection(method, path, res, inspection)) return;

    const call = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(path);
    if (!call) return replyJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    // Like the Bot API, a call may come as JSON or as query parameters.
    const parsed = parseJson(raw);
    const body = raw.length > 0 ? (parsed.ok ? parsed.value : null) : Object.fromEntries(url.searchParams);
    const apiMethod = call[2]!;
    const answer = (status: number, payload: Record<string, unknown>) => {
      const description = typeof payload.description === 'string' ? payload.description : undefined;
      records.received.push({ at: new Date().toISOString(), method: apiMethod, body, status, ...(description !== undefined ? { description } : {}) });
      log(`${apiMethod} -> ${status}${description !== undefined ? ` ${description}` : ''}`);
      replyJson(res, status, payload);
    };
    if (call[1] !== options.botToken) return answer(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    if (!METHODS.includes(apiMethod as Method)) return answer(404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    try {
      return answer(200, { ok: true, result: botMessage(send(apiMethod as Method, body)) });
    } catch (e) {
      if (!(e instanceof BotApiError)) return answer(500, { ok: false, error_code: 500, description: `Internal Server Error: ${errorText(e)}` });
      return answer(e.code, { ok: false, error_code: e.code, description: e.description, ...(e.parameters ? { parameters: e.parameters } : {}) });
    }
  }

  function reset() {
    forgetRecords(records);
    tries.clear();
  }

  const server = await listen(handle, { port: options.port, host: options.host });
  return {
    url: server.url,
    port: server.port,
    botToken: options.botToken,
    received: () => structuredClone(records.received),
    accepted: () => structuredClone(records.accepted),
    reset,
    close: server.close,
  };
}

/** The Message the Bot API answers a send with. */
function botMessage(m: TelegramAccepted) {
  const chat = /^-?\d+$/.test(m.chatId) ? { id: Number(m.chatId), type: 'private' } : { id: 7_000_000_000 + m.messageId, username: m.chatId.slice(1), type: 'private' };
  return {
    message_id: m.messageId, date: Math.floor(Date.now() / 1000), chat,
    ...(m.text !== null ? { text: m.text } : {}), ...(m.caption !== null ? { caption: m.caption } : {}),
  };
}
