import type { DeliveryFailureCode } from '../../domain/enums.js';
import { callProvider } from '../http.js';
import { PermanentDeliveryError, TAKEN, TransientDeliveryError, type ChannelTransport, type OutgoingPart, type PartReceipt } from '../transport.js';

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
 * What Bot API descriptions mean for the client's history (R19, R29), as lower-case fragments of
 * Telegram's `description`, first match wins. Anything else Telegram refuses is PROVIDER_REJECTED.
 */
const REFUSALS: ReadonlyArray<{ failure: DeliveryFailureCode; why: string; says: readonly string[] }> = [
  {
    failure: 'NOT_CHANNEL_USER',
    why: 'Telegram knows no chat with this client (they never started the bot, or the id is wrong).',
    says: ['chat not found', 'user is deactivated', "can't initiate conversation"],
  },
  {
    failure: 'INVALID_DESTINATION',
    why: "The client's Telegram id is not one a chat can have.",
    says: ['chat_id is empty', 'peer_id_invalid', 'invalid user_id'],
  },
  {
    // Telegram fetches the file from PUBLIC_BASE_URL itself: these are about that file, not the chat.
    failure: 'MEDIA_REJECTED',
    why: 'Telegram could not use the attachment.',
    says: ['wrong file identifier', 'wrong http url', 'failed to get http url content', 'wrong type of the web page content', 'photo_invalid_dimensions', 'file is too big'],
  },
];

/**
 * A Bot API refusal in the contract's words (R19, R20, R29): the bot blocked, the user gone, an
 * impossible chat id or an unusable file is final; 429 and 5xx may pass (429 after the
 * `retry_after` Telegram names, RATE_LIMITED if it outlasts the retries); a wrong token is ours to fix.
 */
export function telegramFailure(httpStatus: number, answer: BotApiAnswer): PermanentDeliveryError | TransientDeliveryError {
  const code = answer.error_code ?? httpStatus;
  const description = answer.description ?? `HTTP ${httpStatus}`;
  const lower = description.toLowerCase();
  if (code === 429) {
    const seconds = answer.parameters?.retry_after;
    const retryAfterMs = typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
    return new TransientDeliveryError(description, `Telegram asks to slow down${seconds !== undefined ? `: retry after ${seconds} s` : ''} (${description})`, {
      retryAfterMs, failureCode: 'RATE_LIMITED',
    });
  }
  if (code >= 500) return new TransientDeliveryError(description, `Telegram answered ${code} (${description})`);
  if (code === 401 || code === 404) {
    // Unauthorized / Not Found for the whole bot: the token is wrong, not the message.
    return new TransientDeliveryError(description, `Telegram refused the bot token (${code} ${description}); check TELEGRAM_BOT_TOKEN`);
  }
  if (code === 403 && lower.includes('blocked')) {
    return new PermanentDeliveryError('BLOCKED_BY_USER', description, `The client has blocked the bot. Telegram: ${code} ${description}`);
  }
  const refusal = REFUSALS.find((r) => r.says.some((words) => lower.includes(words)));
  const why = refusal?.why ?? 'Telegram refused the message.';
  return new PermanentDeliveryError(refusal?.failure ?? 'PROVIDER_REJECTED', description, `${why} Telegram: ${code} ${description}`);
}

export class TelegramClient implements ChannelTransport {
  constructor(private readonly settings: TelegramSettings) {}

  /** One Bot API message: text alone, or a photo / document by URL with the text as its caption. */
  async deliver(part: OutgoingPart): Promise<PartReceipt> {
    const chat_id = telegramChatId(part.address);
    const caption = part.text ?? undefined;
    if (!part.attachment) await this.call('sendMessage', { chat_id, text: part.text ?? '' });
    else if (part.attachment.kind === 'IMAGE') await this.call('sendPhoto', { chat_id, photo: part.attachment.url, caption });
    else await this.call('sendDocument', { chat_id, document: part.attachment.url, caption });
    return TAKEN;
  }

  private async call(method: string, body: Record<string, unknown>): Promise<void> {
    const answer = await callProvider('Telegram', `${this.settings.apiUrl}/bot${this.settings.botToken}/${method}`, {
      body: JSON.stringify(body), timeoutMs: this.settings.timeoutMs,
    }, (text) => text.split(this.settings.botToken).join('<token>'));
    // A proxy's HTML error page has no JSON: it is judged by the HTTP status alone.
    const parsed = answer.json<BotApiAnswer>() ?? {};
    if (answer.ok && parsed.ok === true) return;
    if (answer.ok) throw new TransientDeliveryError(null, `Telegram answered ${answer.status} without ok: true`);
    throw telegramFailure(answer.status, parsed);
  }
}
