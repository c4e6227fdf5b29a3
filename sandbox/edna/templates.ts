// The sandbox's template catalog: the shape Herald reads from `GET /api/v1/templates`
// (edna-reference.md, "Herald's side"). Placeholders in the text are {{1}}, {{2}}, ... in the
// order of `variables`.

export type SandboxChannel = 'WHATSAPP' | 'VIBER';
export const SANDBOX_CHANNELS: readonly SandboxChannel[] = ['WHATSAPP', 'VIBER'];

export interface SandboxTemplateVariable {
  key: string;
  type: 'TEXT' | 'SELECT' | 'DATE';
  label: string;
  options?: string[];
}

export interface SandboxTemplateButton {
  type: 'URL' | 'PHONE' | 'QUICK_REPLY';
  text: string;
  url?: string;
  phone?: string;
  payload?: string;
}

export interface SandboxTemplateAttachment {
  type: 'IMAGE' | 'DOCUMENT' | 'VIDEO' | 'AUDIO';
  url: string;
  name: string;
}

export interface SandboxTemplate {
  id: number;
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  status: 'APPROVED' | 'PENDING' | 'REJECTED';
  channelType: SandboxChannel;
  content: {
    header: { text: string } | null;
    text: string;
    footer: { text: string } | null;
    attachment: SandboxTemplateAttachment | null;
    buttons: SandboxTemplateButton[] | null;
  };
  variables: SandboxTemplateVariable[];
}

const text = (key: string, label: string): SandboxTemplateVariable => ({ key, type: 'TEXT', label });

/**
 * 101 WhatsApp text-only, one TEXT variable; 102 WhatsApp text-only with header, footer, a DATE and
 * a SELECT variable; 103 WhatsApp with buttons; 104 WhatsApp with an image; 105 WhatsApp PENDING;
 * 106 WhatsApp text-only without variables; 201 Viber text-only, one TEXT variable; 202 Viber with
 * a button. Text-only = no attachment and no buttons.
 */
export const DEFAULT_TEMPLATES: readonly SandboxTemplate[] = [
  {
    id: 101, name: 'order_ready', language: 'en', category: 'UTILITY', status: 'APPROVED', channelType: 'WHATSAPP',
    content: { header: null, text: 'Hello {{1}}, your order is ready.', footer: null, attachment: null, buttons: null },
    variables: [text('name', 'Client name')],
  },
  {
    id: 102, name: 'appointment', language: 'en', category: 'UTILITY', status: 'APPROVED', channelType: 'WHATSAPP',
    content: {
      header: { text: 'Appointment' },
      text: 'Your visit is on {{1}} at the {{2}} office.',
      footer: { text: 'Reply to reschedule' },
      attachment: null,
      buttons: null,
    },
    variables: [
      { key: 'date', type: 'DATE', label: 'Visit date' },
      { key: 'office', type: 'SELECT', label: 'Office', options: ['Central', 'North', 'South'] },
    ],
  },
  {
    id: 103, name: 'order_shipped', language: 'en', category: 'UTILITY', status: 'APPROVED', channelType: 'WHATSAPP',
    content: {
      header: null,
      text: 'Your order {{1}} has shipped.',
      footer: null,
      attachment: null,
      buttons: [{ type: 'URL', text: 'Track order', url: 'https://example.com/track/{{1}}' }],
    },
    variables: [text('order', 'Order number')],
  },
  {
    id: 104, name: 'spring_sale', language: 'en', category: 'MARKETING', status: 'APPROVED', channelType: 'WHATSAPP',
    content: {
      header: null,
      text: 'Spring sale: {{1}} off everything this week.',
      footer: null,
      attachment: { type: 'IMAGE', url: 'https://example.com/spring-sale.jpg', name: 'spring-sale.jpg' },
      buttons: null,
    },
    variables: [text('discount', 'Discount')],
  },
  {
    id: 105, name: 'loyalty_invite', language: 'en', category: 'MARKETING', status: 'PENDING', channelType: 'WHATSAPP',
    content: { header: null, text: 'Join our loyalty programme, {{1}}!', footer: null, attachment: null, buttons: null },
    variables: [text('name', 'Client name')],
  },
  {
    id: 106, name: 'greeting', language: 'en', category: 'UTILITY', status: 'APPROVED', channelType: 'WHATSAPP',
    content: { header: null, text: 'Hello! How can we help you today?', footer: null, attachment: null, buttons: null },
    variables: [],
  },
  {
    id: 201, name: 'order_ready_viber', language: 'en', category: 'UTILITY', status: 'APPROVED', channelType: 'VIBER',
    content: { header: null, text: 'Hello {{1}}, your order is ready.', footer: null, attachment: null, buttons: null },
    variables: [text('name', 'Client name')],
  },
  {
    id: 202, name: 'account_link_viber', language: 'en', category: 'UTILITY', status: 'APPROVED', channelType: 'VIBER',
    content: {
      header: null,
      text: 'Your account is ready.',
      footer: null,
      attachment: null,
      buttons: [{ type: 'URL', text: 'Open account', url: 'https://example.com/account' }],
    },
    variables: [],
  },
];

export function cloneTemplates(templates: readonly SandboxTemplate[]): SandboxTemplate[] {
  return structuredClone(templates) as SandboxTemplate[];
}

/** The body with {{n}} replaced by values[n-1] (a missing value leaves the placeholder). */
export function renderTemplateText(template: string, values: readonly string[] = []): string {
  return template.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => values[Number(n) - 1] ?? whole);
}

/** Does `text` equal the body, with each {{n}} standing for any text? Surrounding blanks are ignored. */
export function textMatchesTemplate(text: string, body: string): boolean {
  const pattern = body
    .trim()
    .split(/\{\{\d+\}\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${pattern}$`).test(text.trim());
}

/** Why a catalog is malformed, or null. Used by PUT /sandbox/templates/{channel}. */
export function catalogProblem(value: unknown, channel: SandboxChannel): string | null {
  if (!Array.isArray(value)) return 'the catalog must be a JSON array of templates';
  const ids = new Set<number>();
  for (const [i, t] of value.entries()) {
    if (typeof t !== 'object' || t === null) return `template ${i} is not an object`;
    const tpl = t as Partial<SandboxTemplate>;
    if (!Number.isInteger(tpl.id)) return `template ${i}: id must be an integer`;
    if (ids.has(tpl.id as number)) return `template ${i}: id ${tpl.id} repeats`;
    ids.add(tpl.id as number);
    if (typeof tpl.name !== 'string' || !tpl.name) return `template ${i}: name is required`;
    if (!['APPROVED', 'PENDING', 'REJECTED'].includes(tpl.status as string)) return `template ${i}: status must be APPROVED, PENDING or REJECTED`;
    if (tpl.channelType !== undefined && tpl.channelType !== channel) return `template ${i}: channelType must be ${channel}`;
    if (typeof tpl.content !== 'object' || tpl.content === null || typeof tpl.content.text !== 'string') {
      return `template ${i}: content.text is required`;
    }
    if (tpl.variables !== undefined && !Array.isArray(tpl.variables)) return `template ${i}: variables must be an array`;
  }
  return null;
}

/** Fills optional fields so a catalog set at run time has the full shape. */
export function normalizeTemplate(t: SandboxTemplate, channel: SandboxChannel): SandboxTemplate {
  return {
    id: t.id,
    name: t.name,
    language: t.language ?? 'en',
    category: t.category ?? 'UTILITY',
    status: t.status,
    channelType: channel,
    content: {
      header: t.content.header ?? null,
      text: t.content.text,
      footer: t.content.footer ?? null,
      attachment: t.content.attachment ?? null,
      buttons: t.content.buttons ?? null,
    },
    variables: structuredClone(t.variables ?? []),
  };
}
