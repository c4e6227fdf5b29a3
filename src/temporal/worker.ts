import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { installTemporalRuntime } from './runtime.js';
import { createActivities, type Activities } from '../sends/activities/index.js';
import { failFastOnStatementErrors } from '../sends/activities/failures.js';
import type { Config } from '../config.js';
import type { Db } from '../db/connection.js';
import { EdnaClient } from '../channels/edna/client.js';
import { createMailer } from '../channels/email/mailer.js';
import { GatewayClient } from '../channels/gateway/client.js';
import { TelegramClient } from '../channels/telegram/client.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows.ts', import.meta.url));

export interface HeraldWorker {
  worker: Worker;
  /** Resolves when the worker has stopped (after shutdown()). */
  running: Promise<void>;
  shutdown(): Promise<void>;
}

export interface WorkerOptions {
  config: Config;
  db: Db;
  temporalAddress: string;
  /** Where edna is: EDNA_BASE_URL, or the sandbox embedded mode started. */
  ednaBaseUrl: string;
  /** A prebuilt workflow bundle (tests build one per run); otherwise bundled from source. */
  workflowBundlePath?: string;
  /** Tests replace an activity to stop a worker at a chosen step. */
  overrideActivities?: (activities: Activities) => Partial<Activities>;
}

export async function startWorker(options: WorkerOptions): Promise<HeraldWorker> {
  const { config } = options;
  installTemporalRuntime();
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, outboxDir: path.join(config.dataDir, 'outbox') });
  const edna = new EdnaClient({ ...config.edna, baseUrl: options.ednaBaseUrl });
  const telegram = config.telegram.botToken ? new TelegramClient({ apiUrl: config.telegram.apiUrl, botToken: config.telegram.botToken }) : null;
  const gateway = new GatewayClient(config.gateway);
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: WORKFLOWS_PATH }),
    // Overrides (tests) are wrapped too: a statement error fails an activity fast however it was built.
    activities: failFastOnStatementErrors(withOverrides(createActivities({ db: options.db, config, edna, mailer, telegram, gateway }), options.overrideActivities)),
  });
  const running = worker.run().finally(async () => {
    mailer.close();
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

function withOverrides(activities: Activities, override?: (a: Activities) => Partial<Activities>): Activities {
  return override ? { ...activities, ...override(activities) } : activities;
}
