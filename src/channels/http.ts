import { inSpan, SpanKind, traceHeaders } from '../tracing.js';
import { TransientDeliveryError } from './transport.js';

// The call every HTTP provider client makes (edna, Telegram, the gateway): one request with a
// deadline, where no answer at all (a refused connection, a timeout) is a fault that may pass.
// What an answer means is each client's own business, but for a 429 (rateLimited below), which
// means the same from every provider.

export interface ProviderAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
  /** The body as JSON, or null when it is not JSON (a proxy's HTML error page, say). */
  json<T>(): T | null;
}

export interface ProviderRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as is; a JSON body is stringified by the caller (the gateway signs those exact bytes). */
  body?: string;
  timeoutMs?: number;
}

export const DEFAULT_PROVIDER_TIMEOUT_MS = 15_000;

/**
 * `who` names the provider in messages; `redact` removes a secret that is part of the URL
 * (Telegram's bot token) from anything that could reach a log or a message.
 */
export async function callProvider(who: string, url: string, request: ProviderRequest = {}, redact: (text: string) => string = (t) => t): Promise<ProviderAnswer> {
  const method = request.method ?? (request.body === undefined ? 'GET' : 'POST');
  const shown = redact(url);
  return inSpan(`${who} ${method}`, { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'url.full': shown } }, async (span) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...traceHeaders(), ...request.headers },
        body: request.body,
        signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS),
      });
    } catch (err) {
      throw new TransientDeliveryError(null, `${who} did not answer: ${redact(err instanceof Error ? err.message : String(err))}`);
    }
    span?.setAttribute('http.response.status_code', response.status);
    return answerOf(response);
  });
}

async function answerOf(response: Response): Promise<ProviderAnswer> {
  const text = await response.text();
  return {
    status: response.status,
    ok: response.ok,
    headers: response.headers,
    text,
    json<T>() {
      try {
        return JSON.parse(text) as T;
      } catch {
        return null;
      }
    },
  };
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.round(Number(header.trim()) * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A 429 with a Retry-After header (edna, the gateway; Telegram names its wait in the body): a
 * fault that may pass, tried again after the wait named, and RATE_LIMITED in the client's history
 * if the provider still asks to slow down when the automatic retries are spent (R29).
 */
export function rateLimited(answer: ProviderAnswer, providerCode: string | null, message: string): TransientDeliveryError {
  return new TransientDeliveryError(providerCode, message, { retryAfterMs: retryAfterMs(answer.headers.get('retry-after')), failureCode: 'RATE_LIMITED' });
}
