import type { EdnaTemplate } from '../channels/edna/client.js';
import { replaceCatalog, type CatalogEntry } from '../db/templates.js';
import { TEMPLATE_VARIABLE_TYPES, type Channel, type TemplateVariableType } from '../domain/enums.js';
import { isTextOnly } from '../domain/templates.js';
import type { Db } from '../db/connection.js';
import type { EdnaClient } from '../channels/edna/client.js';

export const TEMPLATE_CHANNELS: Channel[] = ['WHATSAPP', 'VIBER'];

function toEntry(t: EdnaTemplate): CatalogEntry {
  const header = t.content.header?.text ?? null;
  const footer = t.content.footer?.text ?? null;
  return {
    externalId: String(t.id),
    name: t.name,
    language: t.language ?? null,
    category: t.category ?? null,
    providerStatus: t.status,
    header,
    body: t.content.text,
    footer,
    textOnly: isTextOnly({ text: t.content.text, header, footer, attachment: t.content.attachment, buttons: t.content.buttons ?? null }),
    content: t.content,
    variables: (t.variables ?? []).map((v) => ({
      key: v.key,
      type: (TEMPLATE_VARIABLE_TYPES as readonly string[]).includes(v.type) ? (v.type as TemplateVariableType) : 'TEXT',
      label: v.label ?? null,
      options: v.options ?? null,
    })),
  };
}

/** R16: the catalog comes from edna; run on demand (syncTemplates) and on a Temporal Schedule. */
export function syncTemplatesActivity(deps: TemplateDeps) {
  return async function syncTemplates(channel: Channel): Promise<{ channel: Channel; usable: number; retired: number }> {
    const catalog = await deps.edna.listTemplates(channel);
    const result = await replaceCatalog(deps.db, channel, catalog.filter((t) => t.channelType === channel || !t.channelType).map(toEntry));
    return { channel, ...result };
  };
}

export interface TemplateDeps {
  db: Db;
  /** The catalog comes from edna. */
  edna: Pick<EdnaClient, 'listTemplates'>;
}

export function createTemplateActivities(deps: TemplateDeps) {
  return { syncTemplates: syncTemplatesActivity(deps) };
}

export type TemplateActivities = ReturnType<typeof createTemplateActivities>;
