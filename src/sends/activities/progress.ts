import type { DbOrTx } from '../../db/connection.js';
import { recordSendProgress, type SendProgressed } from '../../db/sends.js';
import { sendLogger } from '../../log.js';
import { observeSendState } from '../../metrics.js';

/** The send's record moves on; a final state is counted (herald_sends_total) as it is written. */
export async function recordProgress(tx: DbOrTx, sendId: string, progress: Parameters<typeof recordSendProgress>[2]): Promise<SendProgressed | null> {
  const row = await recordSendProgress(tx, sendId, progress);
  if (row && progress.state) {
    observeSendState(row.channel, progress.state);
    sendLogger(sendId).info({ channel: row.channel, state: progress.state, step: progress.step?.name, stepState: progress.step?.state }, `send ${progress.state}`);
  }
  return row;
}
