import type { Config } from '../../config.js';
import type { Db } from '../../db/connection.js';
import type { EdnaClient } from '../../channels/edna/client.js';
import type { Mailer } from '../../channels/email/mailer.js';
import type { GatewayClient } from '../../channels/gateway/client.js';
import type { TelegramClient } from '../../channels/telegram/client.js';

/** Everything the activities touch, handed in so tests and embedded mode choose the real parts. */
export interface ActivityDeps {
  db: Db;
  config: Config;
  edna: EdnaClient;
  mailer: Mailer;
  /** Null when no bot token is configured (Telegram is then refused at validation). */
  telegram: TelegramClient | null;
  /** Web chat, mobile app, Apple Business Messages; a channel without an endpoint is refused at validation. */
  gateway: GatewayClient;
}
