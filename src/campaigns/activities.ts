import type { Config } from '../config.js';
import {
  getCampaign, listedElsewhere, markRecipients, moveCampaign, pendingRecipients, recipientVariables, setRecipientClient, completeCampaign, type RecipientMark,
} from '../db/campaigns.js';
import { optedOutClients } from '../db/consent.js';
import { takeChannelCapacity, type Pace } from '../db/channelLimits.js';
import { findClientByPhone, insertClientByPhone } from '../db/clients.js';
import type { Db } from '../db/connection.js';
import { capabilitiesOf } from '../domain/channels.js';
import { campaignRequestId, type CampaignStateName } from '../domain/campaign.js';
import { sendIdFor, type SendContent, type SendRequest } from '../domain/send.js';
import type { FallbackStep } from '../domain/fallback.js';
import { requestFingerprint, type SendClient } from '../sends/client.js';
import type { DueRecipient } from './contract.js';

// The campaign's side effects (R30): read the next recipients, ask the channel's limits (R31, R33),
// start one ordinary send per recipient, move the campaign's state. Each can run again after a
// crash: a recipient's send has a fixed id, so starting it twice starts it once (R21).

export interface CampaignDeps {
  db: Db;
  config: Config;
  /** Starts sends exactly as the API does (Update-with-Start); opened on first use. */
  sends: () => Promise<SendClient>;
}

/** What every recipient of a campaign is sent (stored with the campaign; the recipient's own variables fill its template). */
export interface CampaignContent extends SendContent {
  fallback?: FallbackStep[] | null;
}

/** Sends started at once within a batch: enough to keep the rate, few enough not to swamp the server. */
const START_CONCURRENCY = 16;

export function createCampaignActivities(deps: CampaignDeps) {
  return {
    async nextCampaignRecipients(ask: { campaignId: string; standId: string; afterSeq: number; limit: number }): Promise<DueRecipient[]> {
      const rows = await pendingRecipients(deps.db, ask.campaignId, ask.afterSeq, ask.limit);
      const due: DueRecipient[] = [];
      const duplicates: RecipientMark[] = [];
      for (const row of rows) {
        let clientId = row.clientId;
        if (!clientId) {
          // R17: a number is one client; two campaigns finding a new number at once make one.
          const phone = row.phone!;
          const found = await findClientByPhone(deps.db, ask.standId, phone);
          const id: string = found?.id ?? (await insertClientByPhone(deps.db, ask.standId, phone, null).then((r) => (r.created ? r.client.id : r.existing.id)));
          await setRecipientClient(deps.db, ask.campaignId, row.seq, id);
          clientId = id;
          // A number that has become a listed client's since it was added: that client gets the campaign once.
          if (await listedElsewhere(deps.db, ask.campaignId, row.seq, id)) {
            duplicates.push({ seq: row.seq, skip: { code: 'DUPLICATE_RECIPIENT', message: 'This number belongs to a client who is on the list already.' } });
            continue;
          }
        }
        due.push({ seq: row.seq, clientId });
      }
      await markRecipients(deps.db, ask.campaignId, duplicates);
      return due;
    },

    async paceSends(ask: { standId: string; channel: SendRequest['channel']; recipients: string[] }): Promise<Pace> {
      return takeChannelCapacity(deps.db, { ...ask, at: new Date() });
    },

    async startCampaignSends(batch: { campaignId: string; recipients: DueRecipient[] }): Promise<{ started: number; skipped: number }> {
      const campaign = await getCampaign(deps.db, batch.campaignId);
      if (!campaign) throw new Error(`campaign ${batch.campaignId} not found`);
      const content = campaign.content as CampaignContent;
      const optedOut = await optedOutClients(deps.db, batch.recipients.map((r) => r.clientId), campaign.channel);
      const variablesOf = await recipientVariables(deps.db, campaign.id, batch.recipients.map((r) => r.seq));
      const sends = await deps.sends();
      const marks: RecipientMark[] = [];
      const queue = [...batch.recipients];
      const worker = async () => {
        for (let r = queue.shift(); r; r = queue.shift()) {
          if (optedOut.has(r.clientId)) {
            marks.push({ seq: r.seq, skip: { code: 'CLIENT_OPTED_OUT', message: `The client opted out of messages on ${campaign.channel}.` } });
            continue;
          }
          const requestId = campaignRequestId(campaign.id, r.seq);
          const asked: Omit<SendRequest, 'sendId' | 'fingerprint'> = {
            requestId, requestedById: campaign.requestedById, agentId: campaign.agentId, clientId: r.clientId, channel: campaign.channel,
            text: content.text ?? null, attachmentId: content.attachmentId ?? null, subject: content.subject ?? null, bcc: content.bcc ?? null,
            template: content.template ? { templateId: content.template.templateId, variables: mergeVariables(content.template.variables, variablesOf.get(r.seq)) } : null,
            // R30: a campaign's message closes the thread it opens (the client's reply opens a new one).
            disposition: capabilitiesOf(campaign.channel).opensThread ? { kind: 'CLOSE', target: null, comment: null } : null,
            ...(content.fallback?.length ? { fallback: content.fallback } : {}),
          };
          const request: SendRequest = { ...asked, sendId: sendIdFor(campaign.requestedById, requestId), fingerprint: requestFingerprint(asked) };
          await sends.start(request);
          marks.push({ seq: r.seq, sendId: request.sendId });
        }
      };
      await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, queue.length) }, worker));
      await markRecipients(deps.db, campaign.id, marks);
      const skipped = marks.filter((m) => 'skip' in m).length;
      return { started: marks.length - skipped, skipped };
    },

    async moveCampaign(move: { campaignId: string; state: CampaignStateName; waitingReason: string | null; waitingUntil: string | null }): Promise<void> {
      await moveCampaign(deps.db, move.campaignId, { state: move.state, waitingReason: move.waitingReason, waitingUntil: move.waitingUntil ? new Date(move.waitingUntil) : null });
    },

    /** False while recipients added meanwhile still wait. */
    async completeCampaign(ask: { campaignId: string }): Promise<boolean> {
      return completeCampaign(deps.db, ask.campaignId);
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;

/** The campaign's template variables with the recipient's own in front (a recipient's value wins). */
function mergeVariables(common: ReadonlyArray<{ key: string; value: string }>, own: ReadonlyArray<{ key: string; value: string }> | undefined) {
  const merged = new Map(common.map((v) => [v.key, v.value]));
  for (const v of own ?? []) merged.set(v.key, v.value);
  return [...merged].map(([key, value]) => ({ key, value }));
}
