import { NativeConnection, Worker, type WorkerOptions as WorkerCreateOptions } from '@temporalio/worker';
import { installTemporalRuntime } from './runtime.js';
import { WORKFLOW_TRACING_MODULE, tracing } from '../tracing.js';
import { workflowBundlePath } from './bundle.js';

// A Temporal worker for Herald's task queue: the workflows bundled from src/workflows.ts and the
// activities it is handed (the wiring builds them from the database and the channels).

export { WORKFLOWS_PATH } from './bundle.js';

export interface HeraldWorker {
  worker: Worker;
  /** The worker's connection: a client on it can start workflows eagerly on this worker. */
  connection: NativeConnection;
  /** Resolves when the worker has stopped (after shutdown()). */
  running: Promise<void>;
  shutdown(): Promise<void>;
}

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** The sticky cache's size: each cached send holds its workflow's state in memory. */
  maxCachedWorkflows?: number;
  /** Workflow tasks run at once (a task waiting for its local activity holds one). */
  workflowTaskSlots?: number;
  /** A prebuilt workflow bundle (tests build one per run); otherwise bundled from source. */
  workflowBundlePath?: string;
  /** Run once the worker has stopped (closing what the activities hold). */
  onStopped?: () => Promise<void> | void;
}

export async function startWorker(options: WorkerOptions): Promise<HeraldWorker> {
  installTemporalRuntime();
  const connection = await NativeConnection.connect({ address: options.address });
  // With tracing on, workflows and activities carry the trace the API started (src/tracing.ts);
  // its workflow interceptors go into the bundle, which is built once and kept (bundle.ts).
  const tracer = tracing();
  const codePath = options.workflowBundlePath ?? await workflowBundlePath({ interceptorModules: tracer ? [WORKFLOW_TRACING_MODULE] : [] });
  const workerOptions: WorkerCreateOptions = {
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: { codePath },
    activities: options.activities,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.workflowTaskSlots !== undefined ? { maxConcurrentWorkflowTaskExecutions: options.workflowTaskSlots } : {}),
  };
  const traced = tracer?.worker(workerOptions);
  const worker = await Worker.create(traced ? { ...traced, interceptors: { ...traced.interceptors, workflowModules: [] } } : workerOptions);
  const running = worker.run().finally(async () => {
    await options.onStopped?.();
    await connection.close();
  });
  return {
    worker,
    connection,
    running,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
