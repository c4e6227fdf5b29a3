import { proxyActivities } from '@temporalio/workflow';
import type { TemplateActivities } from './activities.js';
import type { Channel } from '../domain/enums.js';

const { syncTemplates } = proxyActivities<TemplateActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Syncs each channel's template catalog from edna; one channel failing does not stop the others. */
export async function syncTemplatesWorkflow(channels: Channel[]): Promise<Array<{ channel: Channel; usable: number; retired: number } | { channel: Channel; error: string }>> {
  return Promise.all(channels.map((channel) => syncTemplates(channel).catch((err: unknown) => ({ channel, error: err instanceof Error ? err.message : String(err) }))));
}

export const SYNC_TEMPLATES_WORKFLOW = 'syncTemplatesWorkflow';
