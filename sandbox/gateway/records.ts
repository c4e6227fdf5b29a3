import type { GatewayChannel } from '../../src/domain/channels.js';
import type { GatewayScenarioName } from './scenarios.js';

// What the gateway sandbox keeps for inspection (`received()`, `accepted()`, `callbacks()` and
// GET /sandbox/...). reset() empties the records.

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

export interface GatewayRecords {
  received: GatewayRequest[];
  accepted: GatewayAccepted[];
  callbacks: GatewayCallback[];
}
