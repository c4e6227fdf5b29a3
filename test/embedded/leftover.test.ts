import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, ports, startHerald as start, started, until } from '../support/npmStart.js';
import { findDevServerPid } from '../../src/temporal/leftovers.js';

// Embedded Herald as `npm start` runs it (server.ts in a process of its own): killed with
// SIGKILL it leaves its dev server behind, and the next start finds it by its pid file and stops
// it instead of silently using it; a port held by anyone else is refused with a clear message;
// and it listens on 127.0.0.1 only.

afterAll(() => {
  for (const child of started) child.kill('SIGKILL');
});

const me = async (port: string) => (await gql(port, 'demo-agent-1', '{ me { login } }')).me.login as string;

describe('embedded Herald after a crash', () => {
  it('a dev server left by a SIGKILLed Herald is found by its pid file and stopped at the next start; Herald listens on 127.0.0.1 only', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-leftover-'));
    const dbFile = path.join(dataDir, 'temporal', 'temporal.db');
    const env = { ...(await ports()), DATA_DIR: dataDir };
    const first = start(env);
    await until(() => first.output().includes('Herald is up'), 90_000, 'the first start');
    expect(await me(env.PORT)).toBe('agent1');
    const leftover = findDevServerPid(dbFile);
    expect(leftover).not.toBeNull();
    expect(fs.readFileSync(path.join(dataDir, 'temporal', 'dev-server.pid'), 'utf8').trim()).toBe(String(leftover));

    // Listening on loopback only: another address of this machine refuses the connection.
    const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const reached = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: external.address, port: Number(env.PORT) });
        socket.once('connect', () => { socket.destroy(); resolve(true); });
        socket.once('error', () => resolve(false));
      });
      expect(reached, `reached ${external.address}:${env.PORT}`).toBe(false);
    }

    first.child.kill('SIGKILL');
    await first.exited;
    expect(findDevServerPid(dbFile)).toBe(leftover); // the crash left it running

    const second = start(env);
    await until(() => second.output().includes('Herald is up'), 90_000, 'the second start');
    expect(second.output()).toContain('a Temporal dev server from an earlier run is still running; stopping it');
    expect(await me(env.PORT)).toBe('agent1');
    const now = findDevServerPid(dbFile);
    expect(now).not.toBeNull();
    expect(now).not.toBe(leftover);

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    await until(() => findDevServerPid(dbFile) === null, 15_000, 'the dev server to stop with Herald');
    expect(fs.existsSync(path.join(dataDir, 'temporal', 'dev-server.pid'))).toBe(false);
  }, 240_000);

  it("a dev server port held by someone else is refused with a message naming the setting, and nothing is left running", async () => {
    const env = { ...(await ports()), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'herald-busy-')) };
    const squatter = net.createServer().listen(Number(env.TEMPORAL_DEV_PORT), '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      const run = start(env);
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(new RegExp(`port ${env.TEMPORAL_DEV_PORT} \\(TEMPORAL_DEV_PORT\\) is in use by another process`));
      expect(findDevServerPid(path.join(env.DATA_DIR, 'temporal', 'temporal.db'))).toBeNull();
    } finally {
      squatter.close();
    }
  }, 120_000);
});
