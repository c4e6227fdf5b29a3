import type { Channel } from './enums.js';

/** A message the client wrote, as a channel reports it (R7, R13). */
export interface InboundInput {
  channel: Channel;
  /** Phone, email or messenger username/id, as the channel knows the client. */
  address: string;
  text: string | null;
  name: string | null;
  receivedAt: Date;
}
