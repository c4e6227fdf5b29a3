import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { EdnaClient } from '../channels/edna.js';
import type { Mailer } from '../channels/email.js';

/** Everything the activities touch, handed in so tests and embedded mode choose the real parts. */
export interface ActivityDeps {
  db: Db;
  config: Config;
  edna: EdnaClient;
  mailer: Mailer;
}
