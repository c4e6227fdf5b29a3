import type http from 'node:http';
import { errorText, parseJson, replyJson, requestTarget, type ParsedJson } from '../shared/http.js';
import type { Callbacks } from './callbacks.js';
import type { Catalog } from './catalog.js';
import { answerSandboxRoute } from './inspection.js';
import type { CallbackRegistration, EdnaRecords } from './records.js';
import { ApiError, invalid, notFound, readBody } from './requests.js';
import type { Sends } from './sends.js';

// edna's HTTP API under /api, behind the X-API-KEY check, and the sandbox's own routes under
// /sandbox (inspection.ts). Sends are recorded in `records.received` whatever they were answered.

/** The pieces of the sandbox the routes answer from. */
export interface EdnaParts {
  apiKey: string;
  log: (line: string) => void;
  records: EdnaRecords;
  registration: CallbackRegistration;
  catalog: Catalog;
  sends: Sends;
  callbacks: Callbacks;
  /** What GET /sandbox shows: the settings and the scenario table. */
  overview(): unknown;
  reset(): void;
}

const TEMPLATE_SEND = /^\/api\/v1\/out-messages\/(whatsapp|viber)\/template$/;

export function ednaRoutes(edna: EdnaParts) {
  return async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const { method, path, url } = requestTarget(req);
    const replyError = (e: ApiError) => replyJson(res, e.status, e.body());

    let raw: string;
    try {
      raw = await readBody(req);
    } catch (e) {
      return replyError(e as ApiError);
    }
    const parsed = parseJson(raw);

    if (path === '/sandbox' || path.startsWith('/sandbox/')) return answerSandboxRoute(method, path, url, parsed, res, edna);
    if (!path.startsWith('/api/')) return replyError(notFound(method, path));

    const isSend = method === 'POST' && (path === '/api/cascade/schedule' || TEMPLATE_SEND.test(path));
    const answered = (status: number, code?: string) => {
      if (isSend) edna.records.received.push({ at: new Date().toISOString(), path, body: parsed.ok ? parsed.value : raw, status, ...(code ? { code } : {}) });
      edna.log(`${method} ${path} -> ${status}${code ? ` ${code}` : ''}`);
    };

    if (req.headers['x-api-key'] !== edna.apiKey) {
      if (isSend) answered(401, 'unauthorized'); // other calls without the key are neither recorded nor logged
      return replyError(new ApiError(401, 'unauthorized', 'The X-API-KEY header is missing or wrong'));
    }
    try {
      const result = await answerApi(method, path, url, parsed, edna);
      answered(200);
      return replyJson(res, 200, result);
    } catch (e) {
      const error = e instanceof ApiError ? e : new ApiError(500, 'error-system', errorText(e));
      answered(error.status, error.title);
      return replyError(error);
    }
  };
}

async function answerApi(method: string, path: string, url: URL, parsed: ParsedJson, edna: EdnaParts): Promise<unknown> {
  const body = () => {
    if (!parsed.ok) throw invalid('The request body is not valid JSON');
    return parsed.value;
  };
  const templateSend = TEMPLATE_SEND.exec(path);
  if (method === 'POST' && path === '/api/cascade/schedule') return edna.sends.scheduleCascade(body());
  if (method === 'POST' && templateSend) return edna.sends.sendTemplate(templateSend[1] === 'whatsapp' ? 'WHATSAPP' : 'VIBER', body());
  if (method === 'POST' && path === '/api/callback/set') return edna.callbacks.register(body());
  if (method === 'GET' && path === '/api/v1/templates') return edna.catalog.list(url.searchParams.get('channelType'));
  throw notFound(method, path);
}
