import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { wroteInRecently } from '../support/sends.js';

// examples/send-and-follow.ts run as an integrator runs it: a child process
// (`node --import tsx examples/send-and-follow.ts`) configured by its environment, against a real
// embedded Herald over HTTP and graphql-ws.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let herald: TestHerald;
// Slower edna callbacks than the default, so a WhatsApp send is still moving when the script's
// subscription starts and some of its states arrive through sendUpdated.
beforeAll(async () => { herald = await startTestHerald({ sandbox: { delaysMs: { sent: 300, delivered: 600, read: 900 } } }); });
afterAll(async () => { await herald?.close(); });

interface Run { code: number | null; stdout: string; stderr: string }

function runExample(env: Record<string, string>, timeoutMs = 45_000): Promise<Run> {
  // Only the settings given here: none leaks in from the shell that runs the tests.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('HERALD_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/send-and-follow.ts'], {
      cwd: ROOT,
      env: { ...inherited, HERALD_URL: herald.baseUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the example did not exit in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** The state lines the script printed ("  STATE  message STATUS  (source)"), as [state, status, source]. */
function stateLines(stdout: string): Array<[string, string, string]> {
  return [...stdout.matchAll(/^ {2}([A-Z_]+) +message ([A-Z_-]+) .*\((sendMessage|sendUpdated|send\(id\))\)$/gm)].map((m) => [m[1]!, m[2]!, m[3]!]);
}

async function readSend(id: string) {
  const res = await herald.gql('demo-supervisor', 'query($id: ID!) { send(id: $id) { id state agent { login } client { id externalId email } message { status } } }', { id });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.send as { id: string; state: string; agent: { login: string } | null; client: { id: string; externalId: string | null; email: string | null }; message: { status: string } };
}

const sendIdIn = (stdout: string) => /^send (\S+) on /m.exec(stdout)?.[1];
const clientIdIn = (stdout: string) => /^client (\S+):/m.exec(stdout)?.[1];

describe('examples/send-and-follow.ts', () => {
  it('R23: as nobody, creates the client by its external id, sends an EMAIL and follows it to COMPLETED; run again with the same requestId it finds both again (R21)', async () => {
    const externalId = `EX-MAIL-${randomBytes(3).toString('hex')}`;
    const env = {
      HERALD_TOKEN: 'demo-integrator',
      HERALD_CLIENT_EXTERNAL_ID: externalId,
      HERALD_CLIENT_NAME: 'Mail Example',
      HERALD_CLIENT_EMAIL: 'mail.example@example.com',
      HERALD_CHANNEL: 'EMAIL',
      HERALD_REQUEST_ID: `${externalId}-order-1`,
    };
    const first = await runExample(env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/as nobody/);
    expect(first.stdout).toMatch(/^final: COMPLETED, message SENT$/m);
    expect(stateLines(first.stdout).at(-1)?.slice(0, 2)).toEqual(['COMPLETED', 'SENT']);

    const sendId = sendIdIn(first.stdout)!;
    const send = await readSend(sendId);
    expect(send).toMatchObject({ state: 'COMPLETED', agent: null, client: { id: clientIdIn(first.stdout), externalId, email: 'mail.example@example.com' }, message: { status: 'SENT' } });

    const again = await runExample(env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(clientIdIn(again.stdout)).toBe(clientIdIn(first.stdout));
    expect(sendIdIn(again.stdout)).toBe(sendId);
    expect(again.stdout).toMatch(/^final: COMPLETED, message SENT$/m);
  });

  it('R23: on behalf of an agent, follows a WhatsApp text through its states over sendUpdated to COMPLETED with the message READ', async () => {
    const externalId = `EX-WA-${randomBytes(3).toString('hex')}`;
    const phone = `7916555${String(Math.floor(1000 + Math.random() * 8000))}`;
    const created = await herald.gql('demo-integrator', 'mutation($input: ClientInput!) { upsertClient(input: $input) { client { id } userErrors { code } } }', { input: { externalId, phone, name: 'WhatsApp Example' } });
    expect(created.data.upsertClient.userErrors).toEqual([]);
    await wroteInRecently(herald, created.data.upsertClient.client.id);
    const me = await herald.gql('demo-agent-1', '{ me { id } }');

    const run = await runExample({ HERALD_TOKEN: 'demo-integrator', HERALD_CLIENT_EXTERNAL_ID: externalId, HERALD_CHANNEL: 'WHATSAPP', HERALD_AGENT_ID: me.data.me.id });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(clientIdIn(run.stdout)).toBe(created.data.upsertClient.client.id);
    expect(run.stdout).toMatch(/^send \S+ on WHATSAPP .*, as agent1$/m);
    expect(run.stdout).toMatch(/^final: COMPLETED, message READ$/m);

    const lines = stateLines(run.stdout);
    expect(lines[0]?.[2]).toBe('sendMessage');
    expect(lines.at(-1)?.slice(0, 2)).toEqual(['COMPLETED', 'READ']);
    expect(lines.map(([, status]) => status)).toEqual(expect.arrayContaining(['SENT', 'DELIVERED', 'READ']));
    expect(lines.some(([, , via]) => via === 'sendUpdated'), run.stdout).toBe(true);

    const send = await readSend(sendIdIn(run.stdout)!);
    expect(send).toMatchObject({ state: 'COMPLETED', agent: { login: 'agent1' }, message: { status: 'READ' } });
  });

  it('R23: a send Herald refuses (on behalf of a supervisor) prints why and exits 2', async () => {
    const supervisor = await herald.gql('demo-supervisor', '{ me { id } }');
    const run = await runExample({ HERALD_TOKEN: 'demo-integrator', HERALD_AGENT_ID: supervisor.data.me.id });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stdout).toMatch(/FORBIDDEN at onBehalfOfAgentId/);
    expect(run.stdout).toMatch(/^final: refused, nothing was sent$/m);
  });
});
