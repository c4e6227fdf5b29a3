import { startEdnaSandbox } from './server.js';
import { SCENARIOS } from './scenarios.js';

// The edna sandbox on its own: `npm run sandbox`. Point Herald at it with EDNA_BASE_URL=<printed URL>
// and the same EDNA_API_KEY / EDNA_WEBHOOK_SECRET / EDNA_WEBHOOK_HEADER.

function env(name: string, fallback?: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function fail(message: string): never {
  console.error(`edna sandbox cannot start: ${message}`);
  process.exit(1);
}

function optionalUrl(name: string): string | undefined {
  const value = env(name);
  if (value === undefined) return undefined;
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    fail(`${name} must be an http(s) URL, got "${value}"`);
  }
  return value;
}

const portText = env('SANDBOX_PORT', '4010') as string;
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535) fail(`SANDBOX_PORT must be a port number, got "${portText}"`);
const webhookHeader = env('EDNA_WEBHOOK_HEADER', 'X-API-KEY') as string;
if (!/^[A-Za-z0-9-]+$/.test(webhookHeader)) fail(`EDNA_WEBHOOK_HEADER must be an HTTP header name, got "${webhookHeader}"`);
const statusCallbackUrl = optionalUrl('STATUS_CALLBACK_URL');
const inMessageCallbackUrl = optionalUrl('IN_MESSAGE_CALLBACK_URL');

const sandbox = await startEdnaSandbox({
  port,
  host: env('SANDBOX_HOST', '127.0.0.1') as string,
  apiKey: env('EDNA_API_KEY', 'sandbox-api-key') as string,
  webhookSecret: env('EDNA_WEBHOOK_SECRET', 'sandbox-webhook-secret') as string,
  webhookHeader,
  ...(statusCallbackUrl ? { statusCallbackUrl } : {}),
  ...(inMessageCallbackUrl ? { inMessageCallbackUrl } : {}),
  failRate: Number(env('SANDBOX_FAIL_RATE', '0')),
  log: (line) => console.log(`[edna-sandbox] ${line}`),
}).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));

console.log(`edna sandbox listening at ${sandbox.url} (API under ${sandbox.url}/api, inspection under ${sandbox.url}/sandbox)`);
console.log(`  status callbacks: ${statusCallbackUrl ?? '(none yet: POST /api/callback/set)'}`);
console.log(`  inbound callbacks: ${inMessageCallbackUrl ?? '(none yet: POST /api/callback/set)'}`);
console.log('  scenarios by the last four digits of the phone:');
for (const s of SCENARIOS) console.log(`    ${s.suffix ?? 'other'}  ${s.name}: ${s.description}`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[edna-sandbox] ${signal}: stopping`);
  await sandbox.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
