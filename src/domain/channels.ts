import type { Channel } from './enums.js';

// What each channel can carry. Validation, `client.channels` and the channel adapters all read
// this one table (R8, R9, R10, R11; limits from edna-reference.md).

const MB = 1024 * 1024;

export interface AttachmentKind {
  kind: 'IMAGE' | 'DOCUMENT' | 'VIDEO' | 'AUDIO';
  mimeTypes: readonly string[] | 'ANY_BUT_EXECUTABLE';
  maxBytes: number;
}

export type AddressKind = 'PHONE' | 'EMAIL' | 'MESSENGER_ID';

/**
 * How a channel reaches the client: edna Pulse (WhatsApp, Viber), SMTP, the Telegram Bot API, or
 * Herald's signed channel gateway (a JSON POST per channel, statuses back on a signed webhook).
 */
export type Transport = 'EDNA' | 'SMTP' | 'TELEGRAM_BOT_API' | 'GATEWAY';

export interface ChannelCapabilities {
  channel: Channel;
  /** How people call it, for notes and messages. */
  label: string;
  transport: Transport;
  addressKind: AddressKind;
  textMax: number;
  /** A caption longer than this goes as its own message after the attachment (Telegram: 1024). */
  captionMax: number;
  attachments: readonly AttachmentKind[];
  bccAllowed: boolean;
  /** Email is sent "closed" (R11); every other channel opens a thread (R6). */
  opensThread: boolean;
  templatesSupported: boolean;
  /** The send may go out while the client has an active thread (R6: email only). */
  ignoresActiveThread: boolean;
  /** Text travels with an attachment (a caption, an email body); otherwise it goes as a second message. */
  captionWithAttachment: boolean;
  /**
   * The channel reports DELIVERED / READ / UNDELIVERED after it took the message. Without receipts
   * (email, Telegram) SENT is as far as a message goes, and the send completes there.
   */
  deliveryReceipts: boolean;
}

const PDF = 'application/pdf';
const TXT = 'text/plain';
const DOC = 'application/msword';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLS = 'application/vnd.ms-excel';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PPT = 'application/vnd.ms-powerpoint';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const RTF = 'application/rtf';
const ODT = 'application/vnd.oasis.opendocument.text';
const JPEG = 'image/jpeg';
const PNG = 'image/png';

const messenger = (
  channel: Channel,
  label: string,
  transport: Transport,
  attachments: readonly AttachmentKind[],
  extra: Partial<Pick<ChannelCapabilities, 'captionMax' | 'deliveryReceipts'>> = {},
): ChannelCapabilities => ({
  channel,
  label,
  transport,
  addressKind: 'MESSENGER_ID',
  textMax: 4096,
  captionMax: extra.captionMax ?? 4096,
  attachments,
  bccAllowed: false,
  opensThread: true,
  templatesSupported: false,
  ignoresActiveThread: false,
  captionWithAttachment: true,
  deliveryReceipts: extra.deliveryReceipts ?? true,
});

const imagesAndPdf = (maxBytes: number): AttachmentKind[] => [
  { kind: 'IMAGE', mimeTypes: [JPEG, PNG], maxBytes },
  { kind: 'DOCUMENT', mimeTypes: [PDF], maxBytes },
];

export const CHANNEL_CAPABILITIES: Readonly<Record<Channel, ChannelCapabilities>> = {
  WHATSAPP: {
    channel: 'WHATSAPP',
    label: 'WhatsApp',
    transport: 'EDNA',
    addressKind: 'PHONE',
    textMax: 4096,
    captionMax: 0,
    attachments: [
      { kind: 'IMAGE', mimeTypes: [JPEG, PNG], maxBytes: 5 * MB },
      { kind: 'DOCUMENT', mimeTypes: [PDF, TXT, DOC, DOCX, XLS, XLSX, PPT, PPTX], maxBytes: 100 * MB },
      { kind: 'VIDEO', mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
      { kind: 'AUDIO', mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
    ],
    bccAllowed: false,
    opensThread: true,
    templatesSupported: true,
    ignoresActiveThread: false,
    // edna: "With an attachment, WhatsApp ignores text".
    captionWithAttachment: false,
    deliveryReceipts: true,
  },
  VIBER: {
    channel: 'VIBER',
    label: 'Viber',
    transport: 'EDNA',
    addressKind: 'PHONE',
    textMax: 1000,
    captionMax: 1000,
    attachments: [
      { kind: 'IMAGE', mimeTypes: [PNG, JPEG], maxBytes: 25 * MB },
      { kind: 'DOCUMENT', mimeTypes: [DOC, DOCX, PDF, XLS, XLSX, TXT, RTF, ODT], maxBytes: 25 * MB },
    ],
    bccAllowed: false,
    opensThread: true,
    templatesSupported: true,
    ignoresActiveThread: false,
    captionWithAttachment: true,
    deliveryReceipts: true,
  },
  EMAIL: {
    channel: 'EMAIL',
    label: 'Email',
    transport: 'SMTP',
    addressKind: 'EMAIL',
    textMax: 100_000,
    captionMax: 100_000,
    attachments: [{ kind: 'DOCUMENT', mimeTypes: 'ANY_BUT_EXECUTABLE', maxBytes: 25 * MB }],
    bccAllowed: true,
    opensThread: false,
    templatesSupported: false,
    ignoresActiveThread: true,
    captionWithAttachment: true,
    deliveryReceipts: false,
  },
  // Bot API: sendPhoto takes photos by URL up to 5 MB, sendDocument files up to 20 MB; a caption
  // is at most 1024 characters. Telegram tells a bot nothing after it took a message.
  TELEGRAM: messenger('TELEGRAM', 'Telegram', 'TELEGRAM_BOT_API', [
    { kind: 'IMAGE', mimeTypes: [JPEG, PNG], maxBytes: 5 * MB },
    { kind: 'DOCUMENT', mimeTypes: 'ANY_BUT_EXECUTABLE', maxBytes: 20 * MB },
  ], { captionMax: 1024, deliveryReceipts: false }),
  APPLE_BUSINESS_MESSAGES: messenger('APPLE_BUSINESS_MESSAGES', 'Apple Business Messages', 'GATEWAY', imagesAndPdf(10 * MB)),
  WEB_CHAT: messenger('WEB_CHAT', 'Web chat', 'GATEWAY', imagesAndPdf(10 * MB)),
  MOBILE_APP: messenger('MOBILE_APP', 'Mobile app', 'GATEWAY', imagesAndPdf(10 * MB)),
};

/** The channels Herald's signed gateway carries (one URL and secret each). */
export const GATEWAY_CHANNELS = ['WEB_CHAT', 'MOBILE_APP', 'APPLE_BUSINESS_MESSAGES'] as const satisfies readonly Channel[];
export type GatewayChannel = (typeof GATEWAY_CHANNELS)[number];

export function isGatewayChannel(channel: Channel): channel is GatewayChannel {
  return capabilitiesOf(channel).transport === 'GATEWAY';
}

export function capabilitiesOf(channel: Channel): ChannelCapabilities {
  return CHANNEL_CAPABILITIES[channel];
}

/** The largest file any channel takes: uploads stop reading past it (R9, "again on upload"). */
export const LARGEST_ATTACHMENT_BYTES = Math.max(
  ...Object.values(CHANNEL_CAPABILITIES).flatMap((c) => c.attachments.map((a) => a.maxBytes)),
);

const EXECUTABLE_TYPES: ReadonlySet<string> = new Set([
  'application/x-msdownload', 'application/x-dosexec', 'application/x-executable', 'application/x-elf',
  'application/x-mach-binary', 'application/x-sharedlib', 'application/vnd.microsoft.portable-executable',
  'application/x-msi', 'application/x-sh', 'application/x-bat', 'application/java-archive',
]);

/** The kind of attachment a file is on a channel, or null when the channel does not take its type. */
export function attachmentKindFor(channel: Channel, mimeType: string): AttachmentKind | null {
  return capabilitiesOf(channel).attachments.find((k) =>
    k.mimeTypes === 'ANY_BUT_EXECUTABLE' ? !EXECUTABLE_TYPES.has(mimeType) : k.mimeTypes.includes(mimeType)) ?? null;
}
