import { ContinueAsNew, allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CampaignActivities } from './activities.js';
import {
  BATCHES_PER_RUN, MAX_BATCH, cancelCampaignUpdate, campaignStateQuery, pauseCampaignUpdate, resumeCampaignUpdate, type CampaignInput,
} from './contract.js';
import { campaignEnded, type CampaignStateName } from '../domain/campaign.js';
import { waitUntil } from '../domain/schedule.js';
import { DATA_ERROR } from '../sends/contract.js';

// R30: one campaign = one workflow that walks its recipient list in order, a second's worth at a
// time (its rate), each batch only as far as the channel's limits and quiet hours allow (R31,
// R33), starting one ordinary send per recipient. It holds only a cursor, so its memory is flat,
// and continues as new every BATCHES_PER_RUN batches, so its history stays short.

export async function campaign(input: CampaignInput): Promise<CampaignStateName> {
  const acts = proxyActivities<CampaignActivities>({
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 50, nonRetryableErrorTypes: [DATA_ERROR] },
  });
  const { campaignId, standId, channel, ratePerSecond } = input;
  // A batch is a second's worth, at most MAX_BATCH: a fast campaign takes small batches more often,
  // so no batch outlasts its activity's timeout and a pause waits for a short batch at most.
  const batchSize = Math.min(ratePerSecond, MAX_BATCH);
  const tickMs = (1000 * batchSize) / ratePerSecond;
  let state: CampaignStateName = input.startAt ? 'SCHEDULED' : input.paused ? 'PAUSED' : 'RUNNING';
  let paused = input.paused;
  let cancelled = false;
  let afterSeq = input.afterSeq;
  let waiting: string | null = input.waiting ?? null;

  const ended = () => campaignEnded(state);
  setHandler(campaignStateQuery, () => ({ state, afterSeq, waiting }));
  // Each control is refused at once when it cannot apply and answered once the workflow took it.
  // A pause answers once no send starts any more: at once while the campaign waits for its start
  // time, and also when a resume overtook it.
  setHandler(pauseCampaignUpdate, async () => {
    paused = true;
    await condition(() => state === 'PAUSED' || state === 'SCHEDULED' || !paused || ended());
    return { state };
  }, { validator: () => { if (ended() || paused) throw new Error(ended() ? `The campaign has ended (${state}).` : 'The campaign is paused already.'); } });
  setHandler(resumeCampaignUpdate, async () => {
    paused = false;
    await condition(() => state !== 'PAUSED' || paused || ended());
    return { state };
  }, { validator: () => { if (ended() || !paused) throw new Error(ended() ? `The campaign has ended (${state}).` : 'The campaign is not paused.'); } });
  setHandler(cancelCampaignUpdate, async () => {
    cancelled = true;
    await condition(ended);
    return { state };
  }, { validator: () => { if (ended()) throw new Error(`The campaign has ended (${state}).`); } });

  let waitingUntil: string | null = null;
  const move = async (next: CampaignStateName, wait: { reason: string; until: string | null } | null = null) => {
    await acts.moveCampaign({ campaignId, state: next, waitingReason: wait?.reason ?? null, waitingUntil: wait?.until ?? null });
    state = next;
    waiting = wait?.reason ?? null;
    waitingUntil = wait?.until ?? null;
  };

  try {
    await walkTheList();
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    // A step that can never succeed (or has run out of retries) ends the campaign FAILED, the
    // recipients not reached CANCELLED, instead of leaving it RUNNING for ever; then it fails.
    await acts.moveCampaign({ campaignId, state: 'FAILED', waitingReason: null, waitingUntil: null });
    state = 'FAILED';
    throw err;
  }
  await condition(allHandlersFinished);
  return state;

  async function walkTheList(): Promise<void> {
    if (input.startAt) {
      await condition(() => cancelled, waitUntil(input.startAt, Date.now()));
      if (!cancelled) await move(paused ? 'PAUSED' : 'RUNNING');
    }

    for (let batches = 0; ; batches += 1) {
      if (cancelled) return move('CANCELLED');
      if (paused) {
        if (state !== 'PAUSED') await move('PAUSED');
        await condition(() => !paused || cancelled);
        if (cancelled) continue;
        await move('RUNNING');
      }
      if (batches >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) {
        // Controls that arrive meanwhile are taken by this run, not lost at the hand-over.
        await condition(() => allHandlersFinished() || paused || cancelled);
        if (paused || cancelled) continue;
        await continueAsNew<typeof campaign>({ ...input, startAt: null, afterSeq, paused, waiting });
      }

      const tick = Date.now();
      const batch = await acts.nextCampaignRecipients({ campaignId, standId, afterSeq, limit: batchSize });
      if (batch.length === 0) {
        // Recipients added meanwhile keep it going; otherwise every recipient has been handled.
        if (await acts.completeCampaign({ campaignId })) {
          state = 'COMPLETED';
          return;
        }
        continue;
      }
      const pace = await acts.paceSends({ standId, channel, recipients: batch.map((r) => r.clientId) });
      // The campaign says what holds it when that changes (not at every second's window): a limit
      // that refuses the batch or cuts it, until a batch goes whole again.
      // (A per-second window's end changes every second and is not worth a write; another wait's end is.)
      const holding = pace.wait?.reason ?? pace.limitedBy ?? null;
      const until = pace.wait?.until ?? null;
      if (holding !== waiting || (until !== waitingUntil && holding !== 'MESSAGES_PER_SECOND')) await move('RUNNING', holding ? { reason: holding, until } : null);
      if (pace.granted === 0) {
        await condition(() => paused || cancelled, Math.max(100, Math.min(waitUntil(pace.wait!.until, Date.now()), input.recheckMs)));
        continue;
      }
      const going = batch.slice(0, pace.granted);
      await acts.startCampaignSends({ campaignId, recipients: going });
      afterSeq = going.at(-1)!.seq;
      // The rate is per second: the next batch waits for the rest of this one's share of it.
      const rest = tickMs - (Date.now() - tick);
      if (rest > 0) await condition(() => paused || cancelled, rest);
    }
  }
}
