import fs from 'node:fs';
import net from 'node:net';
import { logger } from '../log.js';

// A dev server outlives a Herald that was killed (SIGKILL, a crash): the next start must not
// silently use it (its data would be another run's) nor fail on its ports. Embedded Herald keeps
// the dev server's pid in a file beside its database; at start, a process still holding that pid
// and running `temporal server start-dev` with that database is stopped. Linux only (/proc); elsewhere
// the port check below still refuses to start on a port someone else holds.

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function commandLine(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

const isOurDevServer = (cmdline: string | null, dbFile: string) => !!cmdline && cmdline.includes('start-dev') && cmdline.includes(dbFile);

/** The pid of the dev server running on `dbFile`, found in /proc (the SDK does not hand it out). */
export function findDevServerPid(dbFile: string): number | null {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    if (isOurDevServer(commandLine(Number(entry)), dbFile)) return Number(entry);
  }
  return null;
}

/** Stops the dev server an earlier run left behind, if the pid file names one that is still ours. */
export async function stopLeftoverDevServer(pidFile: string, dbFile: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1 || !isAlive(pid) || !isOurDevServer(commandLine(pid), dbFile)) {
    fs.rmSync(pidFile, { force: true });
    return null;
  }
  logger.warn({ pid, pidFile }, 'a Temporal dev server from an earlier run is still running; stopping it');
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  for (let waited = 0; waited < 2_000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  fs.rmSync(pidFile, { force: true });
  return pid;
}

/** True when something accepts connections on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1_000, () => { socket.destroy(); resolve(false); });
  });
}
