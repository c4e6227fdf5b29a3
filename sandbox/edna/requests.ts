import type http from 'node:http';
import { BodyTooLarge, errorText, isHttpUrl, readRawBody } from '../shared/http.js';
import type { InboundMessage } from './records.js';
import { SANDBOX_CHANNELS, type SandboxChannel } from './templates.js';

// What edna refuses in a request, and with which code (edna-reference.md): every check answers the
// `title` edna would, so Herald's handling of each refusal is exercised. Checks that need the
// sandbox's state (a repeated id, an unknown template) are made where the send is accepted.

export class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string) {
    super(detail);
  }

  /** What edna answers the error with. */
  body() {
    return { title: this.title, status: this.status, detail: this.detail };
  }
}

export const invalid = (detail: string) => new ApiError(400, 'cascade-scheduling-request-is-not-valid', detail);
export const notFound = (method: string, path: string) => new ApiError(404, 'not-found', `No such endpoint: ${method} ${path}`);
const callbackUrlRefused = (detail: string) => new ApiError(400, 'callback-url-is-not-available', detail);

const CONTENT_TYPES = ['TEXT', 'IMAGE', 'DOCUMENT', 'VIDEO', 'AUDIO'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIGITS = /^\d+$/;
const MAX_ATTACHMENT_NAME = 70;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
export const isChannel = (v: unknown): v is SandboxChannel => SANDBOX_CHANNELS.includes(v as SandboxChannel);
const isPhone = (v: unknown): v is string => typeof v === 'string' && DIGITS.test(v);
const isAbsent = (v: unknown) => v === undefined || v === null;

/** The body as text; too large is edna's 413, a broken upload a 400. */
export async function readBody(req: http.IncomingMessage): Promise<string> {
  try {
    return (await readRawBody(req)).toString('utf8');
  } catch (e) {
    throw e instanceof BodyTooLarge ? new ApiError(413, 'request-too-large', e.message) : invalid(errorText(e));
  }
}

export interface CascadeRequest {
  requestId: string;
  cascadeId: number | string;
  phone: string;
  channel: SandboxChannel;
  /** The text of a TEXT send, else null. */
  text: string | null;
}

/** POST /api/cascade/schedule. */
export function checkCascade(body: unknown): CascadeRequest {
  if (!isObject(body)) throw invalid('The request body must be a JSON object');
  const { requestId, cascadeId, subscriberFilter, startTime, content } = body;
  if (typeof requestId !== 'string' || requestId.trim() === '') throw invalid('requestId is required');
  if (cascadeId === '' || !(typeof cascadeId === 'number' || typeof cascadeId === 'string')) throw invalid('cascadeId is required');
  if (!isObject(subscriberFilter)) throw invalid('subscriberFilter is required');
  if (!isPhone(subscriberFilter.address)) throw invalid('subscriberFilter.address must be a phone number of digits only');
  if (subscriberFilter.type !== 'PHONE') throw invalid('subscriberFilter.type must be PHONE');
  if (!isAbsent(startTime) && (typeof startTime !== 'string' || Number.isNaN(Date.parse(startTime)))) {
    throw invalid('startTime must be an ISO date-time');
  }
  if (!isObject(content) || !(isObject(content.whatsappContent) || isObject(content.viberContent))) {
    throw new ApiError(400, 'content-not-specified', 'content.whatsappContent or content.viberContent is required');
  }
  const channel: SandboxChannel = isObject(content.whatsappContent) ? 'WHATSAPP' : 'VIBER';
  const channelContent = (channel === 'WHATSAPP' ? content.whatsappContent : content.viberContent) as Record<string, unknown>;
  const { contentType, text } = channelContent;
  if (!CONTENT_TYPES.includes(contentType as (typeof CONTENT_TYPES)[number])) {
    throw invalid(`contentType must be one of ${CONTENT_TYPES.join(', ')}`);
  }
  if (contentType === 'TEXT' && (typeof text !== 'string' || text.trim() === '')) {
    throw new ApiError(400, 'text-not-specified', 'text is required for contentType TEXT');
  }
  checkCascadeAttachment(channelContent.attachment, contentType);
  return { requestId, cascadeId, phone: subscriberFilter.address, channel, text: contentType === 'TEXT' && typeof text === 'string' ? text : null };
}

function checkCascadeAttachment(attachment: unknown, contentType: unknown) {
  if (isAbsent(attachment)) {
    if (contentType !== 'TEXT') throw invalid(`attachment is required for contentType ${String(contentType)}`);
    return;
  }
  if (!isObject(attachment) || !isHttpUrl(attachment.url)) throw invalid('attachment.url must be an http(s) URL');
  if (attachment.name !== undefined && typeof attachment.name !== 'string') throw invalid('attachment.name must be a string');
  if (typeof attachment.name === 'string' && attachment.name.length > MAX_ATTACHMENT_NAME) {
    throw new ApiError(400, 'attachmentName-is-too-long', `attachment.name is longer than ${MAX_ATTACHMENT_NAME} characters`);
  }
}

export interface TemplateRequest {
  messageId: string;
  sender: string;
  phone: string;
  templateId: number;
  textVariables: string[];
  /** options.comment, echoed in the status callbacks. */
  comment: string | null;
}

/** POST /api/v1/out-messages/{whatsapp,viber}/template. */
export function checkTemplateSend(body: unknown): TemplateRequest {
  if (!isObject(body)) throw invalid('The request body must be a JSON object');
  const { messageId, sender, phone, templateId, textVariables, headerVariables, buttonVariables, attachment, options } = body;
  if (typeof messageId !== 'string' || !UUID.test(messageId)) throw invalid('messageId must be a UUID');
  if (typeof sender !== 'string' || sender.trim() === '') throw invalid('sender is required');
  if (!isPhone(phone)) throw invalid('phone must be digits only');
  if (typeof templateId !== 'number' || !Number.isInteger(templateId)) throw invalid('templateId must be an integer');
  for (const [name, value] of Object.entries({ textVariables, headerVariables, buttonVariables })) {
    if (!isAbsent(value) && !isStringArray(value)) throw invalid(`${name} must be an array of strings`);
  }
  if (!isAbsent(attachment) && (!isObject(attachment) || !isHttpUrl(attachment.url))) throw invalid('attachment.url must be an http(s) URL');
  if (!isAbsent(options) && !isObject(options)) throw invalid('options must be an object');
  return {
    messageId,
    sender,
    phone,
    templateId,
    textVariables: isStringArray(textVariables) ? textVariables : [],
    comment: isObject(options) && typeof options.comment === 'string' ? options.comment : null,
  };
}

export interface CallbackSetRequest {
  statusCallbackUrl: string;
  /** Null: keep the one set before. */
  inMessageCallbackUrl: string | null;
  subjectId: number | string | null;
}

/** POST /api/callback/set, before edna checks the status URL with HEAD. */
export function checkCallbackSet(body: unknown): CallbackSetRequest {
  if (!isObject(body)) throw invalid('The request body must be a JSON object');
  const { statusCallbackUrl, inMessageCallbackUrl, subjectId } = body;
  if (!isHttpUrl(statusCallbackUrl)) throw callbackUrlRefused('statusCallbackUrl must be an http(s) URL');
  if (!isAbsent(inMessageCallbackUrl) && inMessageCallbackUrl !== '' && !isHttpUrl(inMessageCallbackUrl)) {
    throw callbackUrlRefused('inMessageCallbackUrl must be an http(s) URL');
  }
  return {
    statusCallbackUrl,
    inMessageCallbackUrl: typeof inMessageCallbackUrl === 'string' && inMessageCallbackUrl !== '' ? inMessageCallbackUrl : null,
    subjectId: typeof subjectId === 'number' || (typeof subjectId === 'string' && subjectId !== '') ? subjectId : null,
  };
}

/** GET /api/v1/templates?channelType=: null for every channel. */
export function checkChannelType(channelType: string | null): SandboxChannel | null {
  if (channelType !== null && !isChannel(channelType)) throw invalid('channelType must be WHATSAPP or VIBER');
  return channelType;
}

/** An inbound message the sandbox is asked to post (not an edna request: plain errors). */
export function checkInbound(msg: InboundMessage): void {
  if (!isChannel(msg.channel)) throw new Error('channel must be WHATSAPP or VIBER');
  if (!isPhone(msg.phone)) throw new Error('phone must be digits only');
  if (typeof msg.text !== 'string' || msg.text === '') throw new Error('text is required');
}
