import { isHttpUrl } from '../shared/http.js';

// What the Bot API refuses in a send, with its words: every refusal is a BotApiError, answered
// {ok: false, error_code, description, parameters?} like api.telegram.org.

export class BotApiError extends Error {
  constructor(readonly code: number, readonly description: string, readonly parameters?: { retry_after: number }) {
    super(description);
  }
}

export const METHODS = ['sendMessage', 'sendPhoto', 'sendDocument'] as const;
export type Method = (typeof METHODS)[number];

const MAX_TEXT = 4096;
const MAX_CAPTION = 1024;
const badRequest = (what: string) => new BotApiError(400, `Bad Request: ${what}`);

export interface BotSend {
  /** A numeric id or an @username. */
  chatId: string;
  text: string | null;
  caption: string | null;
  /** The photo or document, by URL. */
  fileUrl: string | null;
}

export function checkSend(method: Method, body: unknown): BotSend {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('message text is empty');
  const b = body as Record<string, unknown>;
  if (b.chat_id === undefined || b.chat_id === null || b.chat_id === '') throw badRequest('chat_id is empty');
  if (typeof b.chat_id !== 'string' && typeof b.chat_id !== 'number') throw badRequest('chat not found');
  const chatId = String(b.chat_id);
  if (!/^-?\d+$/.test(chatId) && !/^@[A-Za-z0-9_]{3,32}$/.test(chatId)) throw badRequest('chat not found');
  if (method === 'sendMessage') {
    if (typeof b.text !== 'string' || b.text.trim() === '') throw badRequest('message text is empty');
    if (b.text.length > MAX_TEXT) throw badRequest('message is too long');
    return { chatId, text: b.text, caption: null, fileUrl: null };
  }
  const file = method === 'sendPhoto' ? b.photo : b.document;
  if (!isHttpUrl(file)) throw badRequest('wrong HTTP URL specified');
  if (b.caption === undefined || b.caption === null) return { chatId, text: null, caption: null, fileUrl: file };
  if (typeof b.caption !== 'string') throw badRequest('can\'t parse caption');
  if (b.caption.length > MAX_CAPTION) throw badRequest('message caption is too long');
  return { chatId, text: null, caption: b.caption, fileUrl: file };
}
