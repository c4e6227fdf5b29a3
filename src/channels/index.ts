import path from 'node:path';
import type { Config } from '../config.js';
import type { Transport } from '../domain/channels.js';
import { EdnaClient } from './edna/client.js';
import { createMailer } from './email/mailer.js';
import { GatewayClient } from './gateway/client.js';
import { TelegramClient } from './telegram/client.js';
import { notConfigured, type ChannelTransport } from './transport.js';

// Every transport Herald has, built once from the configuration. The channel table says which
// transport a channel uses; a transport with nothing configured refuses every part.

export interface Channels {
  transports: Readonly<Record<Transport, ChannelTransport>>;
  /** edna also serves the template catalog (R16). */
  edna: EdnaClient;
  close(): void;
}

export function createChannels(config: Config): Channels {
  if (!config.edna.baseUrl) throw new Error('edna has no base URL (EDNA_BASE_URL, or the embedded sandbox)');
  const edna = new EdnaClient({ ...config.edna, baseUrl: config.edna.baseUrl });
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, outboxDir: path.join(config.dataDir, 'outbox') });
  const telegram = config.telegram.botToken ? new TelegramClient({ apiUrl: config.telegram.apiUrl, botToken: config.telegram.botToken }) : notConfigured('TELEGRAM_BOT_TOKEN');
  return {
    transports: { EDNA: edna, SMTP: mailer, TELEGRAM_BOT_API: telegram, GATEWAY: new GatewayClient(config.gateway) },
    edna,
    close: () => mailer.close(),
  };
}
