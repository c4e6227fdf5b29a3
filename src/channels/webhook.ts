import type { DeliveryStatusEvent } from '../domain/deliveryStatus.js';
import type { Channel } from '../domain/enums.js';
import type { InboundInput } from '../domain/inbound.js';
import { checkJsonStrings } from '../domain/input.js';

// What a channel's webhook is, without the HTTP server: a path and a reader that turns a request
// (headers and the exact bytes, which signatures cover) into what Herald acts on, or refuses it.
// The HTTP layer mounts every channel's webhooks and does the acting (src/http/webhooks.ts).

export interface WebhookRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

/** 401: not signed or not authorized (nothing changes); 400: malformed. */
export class WebhookRefusal extends Error {
  constructor(readonly status: 400 | 401, message: string) {
    super(message);
    this.name = 'WebhookRefusal';
  }
}

export type StatusReading =
  | { kind: 'status'; providerRequestId: string; event: DeliveryStatusEvent; /** only a message of this channel matches */ channel?: Channel }
  | { kind: 'ignored'; reason: string };

export interface StatusWebhook {
  path: string;
  read(request: WebhookRequest): StatusReading;
}

export interface InboundWebhook {
  path: string;
  read(request: WebhookRequest): InboundInput;
}

/** The body as JSON, through the same door as GraphQL arguments (src/domain/input.ts). */
export function jsonBody(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookRefusal(400, 'The request body is not valid JSON.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new WebhookRefusal(400, 'The body must be a JSON object.');
  const problems = checkJsonStrings(parsed);
  if (problems.length > 0) throw new WebhookRefusal(400, problems.map((p) => p.message).join(' '));
  return parsed as Record<string, unknown>;
}

export const header = (request: WebhookRequest, name: string): string | undefined => {
  const value = request.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
};
