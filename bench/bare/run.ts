import { fileURLToPath } from 'node:url';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { BARE_TASK_QUEUE, BARE_WORKFLOW, bareAcceptedUpdate, bareStatusSignal, type BareActivities } from './shared.js';

// The bare shape on the same dev server as Herald, in the same process: a worker of its own on
// its own task queue, and a client that starts sends the way Herald's API does.

export interface BareShape {
  /** Starts send `id`; resolves with the answer time in ms. */
  send(id: string): Promise<number>;
  /** When each send's DELIVERED and READ were written (epoch ms). */
  recorded: Map<string, { DELIVERED?: number; READ?: number }>;
  close(): Promise<void>;
}

export async function startBareShape(address: string, namespace: string, client: Client): Promise<BareShape> {
  const recorded = new Map<string, { DELIVERED?: number; READ?: number }>();
  const activities: BareActivities = {
    async reserve() {},
    async deliver() {
      // The channel took it and reports back, as edna's callbacks reach Herald's webhook.
      const handle = client.workflow.getHandle(Context.current().info.workflowExecution!.workflowId);
      setImmediate(() => {
        void handle.signal(bareStatusSignal, 'DELIVERED').then(() => handle.signal(bareStatusSignal, 'READ')).catch(() => undefined);
      });
    },
    async recordStatus(status: string) {
      const id = Context.current().info.workflowExecution!.workflowId;
      recorded.set(id, { ...recorded.get(id), [status]: Date.now() });
    },
  };
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection, namespace, taskQueue: BARE_TASK_QUEUE, activities,
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  });
  const running = worker.run();
  return {
    recorded,
    async send(id: string) {
      const started = performance.now();
      const startWorkflowOperation = new WithStartWorkflowOperation(BARE_WORKFLOW, {
        workflowId: id, taskQueue: BARE_TASK_QUEUE, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      await client.workflow.executeUpdateWithStart(bareAcceptedUpdate, { startWorkflowOperation });
      return performance.now() - started;
    },
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
