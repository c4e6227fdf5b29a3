import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions as WorkerCreateOptions } from '@temporalio/worker';
import { installTemporalRuntime } from './runtime.js';
import { tracing } from '../tracing.js';

// A Temporal worker for Herald's task queue: the workflows bundled from src/workflows.ts and the
// activities it is handed (the wiring builds them from the database and the channels).

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows.ts', import.meta.url));

export interface HeraldWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown()). */
  running: Promise<void>;
  shutdown(): Promise<void>;
}

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** A prebuilt workflow bundle (tests build one per run); otherwise bundled from source. */
  workflowBundlePath?: string;
  /** Run once the worker has stopped (closing what the activities hold). */
  onStopped?: () => Promise<void> | void;
}

export async function startWorker(options: WorkerOptions): Promise<HeraldWorker> {
  installTemporalRuntime();
  const connection = await NativeConnection.connect({ address: options.address });
  const workerOptions: WorkerCreateOptions = {
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    activities: options.activities,
  };
  // With tracing on, workflows and activities carry the trace the API started (src/tracing.ts).
  const worker = await Worker.create(tracing()?.worker(workerOptions) ?? workerOptions);
  const running = worker.run().finally(async () => {
    await options.onStopped?.();
    await connection.close();
  });
  return {
    worker,
    running,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
