import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CampaignStateName } from '../domain/campaign.js';
import type { Channel } from '../domain/enums.js';

// The campaign workflow's contract (R30), in one place: what starts it, the messages it takes and
// what it answers. The API's client, the workflow and the activities read it from here.

export const CAMPAIGN_WORKFLOW = 'campaign';

export const campaignWorkflowId = (campaignId: string) => `campaign:${campaignId}`;

export interface CampaignInput {
  campaignId: string;
  standId: string;
  channel: Channel;
  ratePerSecond: number;
  /** ISO time to begin at; null: at once (and after each continue-as-new). */
  startAt: string | null;
  /** The last place in the list already handled (the run continued as new from there). */
  afterSeq: number;
  paused: boolean;
  /** R31, R33: the longest a held campaign waits before asking the limits again (a changed setting applies within it). */
  recheckMs: number;
  /** What held the campaign when the run before continued as new (the database still shows it). */
  waiting?: string | null;
}

/** A recipient whose turn has come, by then always a client (one named by phone is found or created first). */
/** Only ids go through the workflow's history: a recipient's variables (up to ~55 KB each) are read by the activity that sends. */
export interface DueRecipient { seq: number; clientId: string }

/** What pause, resume and cancel answer: the campaign's state once the workflow has taken the request. */
export interface CampaignControlAnswer { state: CampaignStateName }

export const pauseCampaignUpdate = defineUpdate<CampaignControlAnswer>('pauseCampaign');
export const resumeCampaignUpdate = defineUpdate<CampaignControlAnswer>('resumeCampaign');
export const cancelCampaignUpdate = defineUpdate<CampaignControlAnswer>('cancelCampaign');
export const campaignStateQuery = defineQuery<{ state: CampaignStateName; afterSeq: number; waiting: string | null }>('campaignState');

/** Recipients per batch at most (a faster campaign takes batches more often than once a second). */
export const MAX_BATCH = 50;

/** Batches a run handles before it continues as new, so its history stays short whatever the list's length. */
export const BATCHES_PER_RUN = 200;
