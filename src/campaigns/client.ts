import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Config } from '../config.js';
import type { CampaignStateName } from '../domain/campaign.js';
import {
  CAMPAIGN_WORKFLOW, campaignWorkflowId, cancelCampaignUpdate, pauseCampaignUpdate, resumeCampaignUpdate, type CampaignInput,
} from './contract.js';

// The API's side of a campaign (R30): start its workflow and pass on pause, resume and cancel.

export type ControlResult = { ok: true; state: CampaignStateName } | { ok: false; reason: string };

export class CampaignClient {
  constructor(private readonly client: Client, private readonly config: Config) {}

  /** Started once per campaign: its id is the workflow's, so asking twice starts it once. */
  async start(input: CampaignInput): Promise<void> {
    await this.client.workflow.start(CAMPAIGN_WORKFLOW, {
      workflowId: campaignWorkflowId(input.campaignId),
      taskQueue: this.config.temporal.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  pause(campaignId: string): Promise<ControlResult> { return this.control(campaignId, pauseCampaignUpdate); }
  resume(campaignId: string): Promise<ControlResult> { return this.control(campaignId, resumeCampaignUpdate); }
  cancel(campaignId: string): Promise<ControlResult> { return this.control(campaignId, cancelCampaignUpdate); }

  private async control(campaignId: string, update: typeof pauseCampaignUpdate): Promise<ControlResult> {
    try {
      const answer = await this.client.workflow.getHandle(campaignWorkflowId(campaignId)).executeUpdate(update);
      return { ok: true, state: answer.state };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return { ok: false, reason: err.cause instanceof Error ? err.cause.message : err.message };
      if (err instanceof WorkflowNotFoundError || /already completed|not found/i.test(err instanceof Error ? err.message : '')) return { ok: false, reason: 'The campaign has ended.' };
      throw err;
    }
  }
}
