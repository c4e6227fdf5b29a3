import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { INSTALL_HINT, findTemporalCli } from './cli.js';
import { SEARCH_ATTRIBUTES } from './searchAttributes.js';
import { installTemporalRuntime } from './runtime.js';

export interface DevServer {
  address: string;
  uiUrl: string | null;
  env: TestWorkflowEnvironment;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cliPath: string | undefined;
  namespace: string;
  /** Keep workflow histories across restarts (embedded mode); tests use memory. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
}

/**
 * Starts the Temporal dev server through the SDK, which owns the child process and stops it on
 * teardown. Where no CLI is found the SDK may download one, which only works online; the error
 * then says how to install it.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  installTemporalRuntime();
  const cli = findTemporalCli(options.cliPath);
  if (options.cliPath && !cli) throw new Error(`TEMPORAL_CLI_PATH=${options.cliPath} is not an executable file. ${INSTALL_HINT}`);
  if (options.dbFile) fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
        namespace: options.namespace,
        ip: '127.0.0.1',
        ...(options.port ? { port: options.port } : {}),
        ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
        ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
        searchAttributes: SEARCH_ATTRIBUTES,
        log: { format: 'pretty', level: 'error' },
      },
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(cli ? `The Temporal dev server (${cli}) did not start: ${reason}` : `No Temporal CLI found and it could not be downloaded (${reason}). ${INSTALL_HINT}`);
  }
  const address = env.connection.options.address;
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : null,
    env,
    stop: () => env.teardown(),
  };
}
