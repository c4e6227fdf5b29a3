import type { DbOrTx } from '../../db/connection.js';
import { recordSendProgress, type SendProgressed } from '../../db/sends.js';
import { sendLogger } from '../../log.js';
import { observeSendState } from '../../metrics.js';
import type { SendState } from '../../domain/enums.js';

/** The send's record moves on; a final state is counted (herald_sends_total) as it is written. */
export async function recordProgress(tx: DbOrTx, sendId: string, progress: Parameters<typeof recordSendProgress>[2]): Promise<SendProgressed | null> {
  const row = await recordSendProgress(tx, sendId, progress);
  if (row) noteProgress(sendId, row, progress.state, progress.step);
  return row;
}

/** What a progress record written (here, or with a message's move) tells the metrics and the log. */
export function noteProgress(sendId: string, row: SendProgressed, state: SendState | undefined, step?: { name: string; state: string }): void {
  if (!state) return;
  observeSendState(row.channel, state);
  sendLogger(sendId).info({ channel: row.channel, state, step: step?.name, stepState: step?.state }, `send ${state}`);
}
