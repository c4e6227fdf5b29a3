import type http from 'node:http';
import { errorText, replyJson, type ParsedJson } from '../shared/http.js';
import { answerInspection } from '../shared/inspection.js';
import type { InboundMessage } from './records.js';
import { ApiError, isChannel, isObject, notFound } from './requests.js';
import type { EdnaParts } from './routes.js';
import type { SandboxTemplate } from './templates.js';

// The sandbox's own routes, without the API key: what every sandbox shows (shared/inspection.ts),
// and edna's extras, the template catalog (GET, PUT /sandbox/templates/{channel}) and
// POST /sandbox/inbound, which has the sandbox post an inbound message to Herald.

export async function answerSandboxRoute(method: string, path: string, url: URL, parsed: ParsedJson, res: http.ServerResponse, edna: EdnaParts) {
  if (answerInspection(method, path, res, edna)) return;
  const reply = (body: unknown) => replyJson(res, 200, body);
  const replyError = (e: ApiError) => replyJson(res, e.status, e.body());
  const bad = (detail: string) => replyError(new ApiError(400, 'bad-request', detail));

  if (method === 'GET' && path === '/sandbox/templates') {
    try {
      return reply(edna.catalog.list(url.searchParams.get('channelType')));
    } catch (e) {
      return bad(errorText(e));
    }
  }
  const templatesPath = /^\/sandbox\/templates\/([A-Za-z]+)$/.exec(path);
  if (templatesPath && (method === 'PUT' || method === 'GET')) {
    const channel = templatesPath[1]?.toUpperCase();
    if (!isChannel(channel)) return replyError(new ApiError(404, 'not-found', 'The channel must be WHATSAPP or VIBER'));
    if (method === 'GET') return reply(edna.catalog.list(channel));
    if (!parsed.ok) return bad('The body must be a JSON array of templates');
    try {
      edna.catalog.set(channel, parsed.value as SandboxTemplate[]);
    } catch (e) {
      return bad(errorText(e));
    }
    return reply(edna.catalog.list(channel));
  }
  if (method === 'POST' && path === '/sandbox/inbound') {
    if (!parsed.ok || !isObject(parsed.value)) return bad('The body must be {channel, phone, text, userName?}');
    const msg = inboundFrom(parsed.value);
    if (!msg) return bad('The body must be {channel: WHATSAPP|VIBER, phone, text, userName?}');
    if (!edna.registration.inMessageCallbackUrl) return replyError(new ApiError(409, 'no-in-message-callback-url', 'No inMessageCallbackUrl is set'));
    try {
      return reply({ status: await edna.callbacks.sendInbound(msg) });
    } catch (e) {
      return replyError(new ApiError(502, 'inbound-not-delivered', errorText(e)));
    }
  }
  return replyError(notFound(method, path));
}

function inboundFrom(v: Record<string, unknown>): InboundMessage | null {
  const { channel, phone, text, userName } = v;
  if (!isChannel(channel) || typeof phone !== 'string' || typeof text !== 'string' || (userName !== undefined && typeof userName !== 'string')) return null;
  return { channel, phone, text, ...(userName !== undefined ? { userName } : {}) };
}
