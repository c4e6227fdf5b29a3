import { randomUUID } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Config } from '../config.js';
import type { Channel } from '../domain/enums.js';
import { TEMPLATE_CHANNELS } from './activities.js';
import { SYNC_TEMPLATES_WORKFLOW } from './workflow.js';


// The template catalog follows edna on a Temporal Schedule, and on demand (syncTemplates).
export class TemplateSync {
  constructor(private readonly client: Client, private readonly config: Config) {}

  /** One schedule per task queue: deployments sharing a Temporal namespace keep their own. */
  get scheduleId(): string {
    return `herald-template-sync:${this.config.temporal.taskQueue}`;
  }

  /** Creates the schedule once; a running one is left as it is. It fires at once on creation. */
  async ensureSchedule(): Promise<void> {
    try {
      await this.client.schedule.create({
        scheduleId: this.scheduleId,
        spec: { intervals: [{ every: `${this.config.templateSyncMinutes} minutes` }] },
        action: { type: 'startWorkflow', workflowType: SYNC_TEMPLATES_WORKFLOW, args: [TEMPLATE_CHANNELS], taskQueue: this.config.temporal.taskQueue },
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        state: { triggerImmediately: true, note: 'Herald: keep the edna template catalog in sync' },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
  }

  async syncNow(channels: Channel[]): Promise<void> {
    const results = await this.client.workflow.execute(SYNC_TEMPLATES_WORKFLOW, {
      workflowId: `template-sync:${channels.join('+')}:${randomUUID()}`,
      taskQueue: this.config.temporal.taskQueue,
      args: [channels],
    });
    const failed = (results as Array<{ channel: Channel; error?: string }>).filter((r) => r.error);
    if (failed.length > 0) throw new Error(failed.map((f) => `${f.channel}: ${f.error}`).join('; '));
  }
}
