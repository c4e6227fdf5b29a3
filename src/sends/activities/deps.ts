import type { ChannelTransport } from '../../channels/transport.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/connection.js';
import type { Transport } from '../../domain/channels.js';

/** Everything the send's activities touch, handed in so tests and embedded mode choose the real parts. */
export interface ActivityDeps {
  db: Db;
  config: Config;
  /** One per transport of the channel table; one with nothing configured refuses every part. */
  transports: Readonly<Record<Transport, ChannelTransport>>;
}
