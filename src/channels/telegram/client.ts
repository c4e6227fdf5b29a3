import type { DeliveryFailureCode } from '../../domain/enums.js';
import { PermanentDeliveryError, TransientDeliveryError } from '../transport.js';

// Telegram through the Bot API (https://core.telegram.org/bots/api): sendMessage for text,
// sendPhoto / sendDocument for an attachment by URL (Telegram fetches it from PUBLIC_BASE_URL),
// the text going as its caption. The Bot API has no idempotency key and no delivery receipts:
// a part Telegram took is recorded and not sent again on a retry, and SENT is the last status.

export interface TelegramSettings {
  /** Base URL without /bot<token> (https://api.telegram.org, or the sandbox). */
  apiUrl: string;
  botToken: string;
  timeoutMs?: number;
}

export interface TelegramMessage {
  /** The client's Telegram id or username, as the channel knows it. */
  address: string;
  text: string | null;
  attachment: { url: string; kind: 'IMAGE' | 'DOCUMENT' | 'VIDEO' | 'AUDIO' } | null;
}

interface BotApiAnswer {
  ok?: boolean;
  result?: { message_id?: number };
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** A numeric id (users, groups: -100…) goes as is; anything else is a @username. */
export function telegramChatId(address: string): string {
  const a = address.trim();
  return /^-?\d+$/.test(a) ? a : `@${a.replace(/^@+/, '')}`;
}

/**
 * A Bot API refusal in the contract's words (R19, R20): the bot blocked or the user gone is final,
 * 429 and 5xx may pass (429 after the `retry_after` Telegram names), a wrong token is ours to fix.
 */
export function telegramFailure(httpStatus: number, answer: BotApiAnswer): PermanentDeliveryError | TransientDeliveryError {
  const code = answer.error_code ?? httpStatus;
  const description = answer.description ?? `HTTP ${httpStatus}`;
  const lower = description.toLowerCase();
  if (code === 429) {
    const seconds = answer.parameters?.retry_after;
    const retryAfterMs = typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
    return new TransientDeliveryError(description, `Telegram asks to slow down${seconds !== undefined ? `: retry after ${seconds} s` : ''} (${description})`, retryAfterMs);
  }
  if (code >= 500) return new TransientDeliveryError(description, `Telegram answered ${code} (${description})`);
  if (code === 401 || code === 404) {
    // Unauthorized / Not Found for the whole bot: the token is wrong, not the message.
    return new TransientDeliveryError(description, `Telegram refused the bot token (${code} ${description}); check TELEGRAM_BOT_TOKEN`);
  }
  let failure: DeliveryFailureCode = 'PROVIDER_REJECTED';
  let why = 'Telegram refused the message.';
  if (code === 403 && lower.includes('blocked')) {
    failure = 'BLOCKED_BY_USER';
    why = 'The client has blocked the bot.';
  } else if (lower.includes('chat not found') || lower.includes('user is deactivated') || lower.includes("can't initiate conversation")) {
    failure = 'NOT_CHANNEL_USER';
    why = 'Telegram knows no chat with this client (they never started the bot, or the id is wrong).';
  }
  return new PermanentDeliveryError(failure, description, `${why} Telegram: ${code} ${description}`);
}

export class TelegramClient {
  constructor(private readonly settings: TelegramSettings) {}

  /** One Bot API message; resolves with Telegram's message_id once Telegram took it. */
  async send(message: TelegramMessage): Promise<{ telegramMessageId: number | null }> {
    const chat_id = telegramChatId(message.address);
    const caption = message.text ?? undefined;
    if (!message.attachment) return this.call('sendMessage', { chat_id, text: message.text ?? '' });
    if (message.attachment.kind === 'IMAGE') return this.call('sendPhoto', { chat_id, photo: message.attachment.url, caption });
    return this.call('sendDocument', { chat_id, document: message.attachment.url, caption });
  }

  private async call(method: string, body: Record<string, unknown>): Promise<{ telegramMessageId: number | null }> {
    let response: Response;
    try {
      response = await fetch(`${this.settings.apiUrl}/bot${this.settings.botToken}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new TransientDeliveryError(null, `Telegram did not answer: ${this.redact(err instanceof Error ? err.message : String(err))}`);
    }
    const text = await response.text();
    let answer: BotApiAnswer = {};
    try {
      answer = JSON.parse(text) as BotApiAnswer;
    } catch {
      // A proxy's HTML error page: judged by the HTTP status alone.
    }
    if (response.ok && answer.ok === true) return { telegramMessageId: answer.result?.message_id ?? null };
    if (response.ok) throw new TransientDeliveryError(null, `Telegram answered ${response.status} without ok: true`);
    throw telegramFailure(response.status, answer);
  }

  /** The token is part of every Bot API URL; it never goes into a message or a log. */
  private redact(text: string): string {
    return text.split(this.settings.botToken).join('<token>');
  }
}
