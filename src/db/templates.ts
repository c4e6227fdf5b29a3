import { and, asc, count, eq, inArray, notInArray } from 'drizzle-orm';
import type { Db, DbOrTx } from './connection.js';
import { templates, templateVariables } from './schema.js';
import type { Channel, TemplateVariableType } from '../domain/enums.js';
import type { TemplateSpec } from '../domain/templates.js';

export type TemplateRow = typeof templates.$inferSelect;
export type TemplateVariableRow = typeof templateVariables.$inferSelect;

/** R15: how many approved text-only templates each channel has now. */
export async function approvedTextTemplateCounts(db: DbOrTx): Promise<Map<Channel, number>> {
  const rows = await db
    .select({ channel: templates.channel, n: count() })
    .from(templates)
    .where(and(eq(templates.usable, true), eq(templates.textOnly, true)))
    .groupBy(templates.channel);
  return new Map(rows.map((r) => [r.channel, Number(r.n)]));
}

export async function usableTemplates(db: DbOrTx, channel: Channel, textOnly: boolean): Promise<TemplateRow[]> {
  return db
    .select()
    .from(templates)
    .where(and(eq(templates.channel, channel), eq(templates.usable, true), ...(textOnly ? [eq(templates.textOnly, true)] : [])))
    .orderBy(asc(templates.name));
}

/** The template with its variables in order, as the send rules and the renderer need it. */
/** A template as the send rules and the renderer read it, with its row. */
export type LoadedTemplate = TemplateSpec & { category: string | null; row: TemplateRow };

export async function loadTemplateSpec(db: DbOrTx, id: string): Promise<LoadedTemplate | null> {
  const [row] = await db.select().from(templates).where(eq(templates.id, id));
  if (!row) return null;
  const variables = await db.select().from(templateVariables).where(eq(templateVariables.templateId, id)).orderBy(asc(templateVariables.position));
  return {
    row,
    channel: row.channel,
    name: row.name,
    header: row.header,
    body: row.body,
    footer: row.footer,
    textOnly: row.textOnly,
    category: row.category,
    variables: variables.map((v) => ({ key: v.key, type: v.type, label: v.label, options: v.options })),
  };
}

export interface CatalogEntry {
  externalId: string;
  name: string;
  language: string | null;
  category: string | null;
  providerStatus: string;
  header: string | null;
  body: string;
  footer: string | null;
  textOnly: boolean;
  content: unknown;
  variables: Array<{ key: string; type: TemplateVariableType; label: string | null; options: string[] | null }>;
}

/**
 * Makes the stored catalog of a channel what edna says it is. Only APPROVED templates are usable;
 * one that disappeared or lost its approval stops being usable but stays, because messages
 * already sent keep linking it.
 */
export async function replaceCatalog(db: Db, channel: Channel, entries: CatalogEntry[], now = new Date()): Promise<{ usable: number; retired: number }> {
  return db.transaction(async (tx) => {
    for (const e of entries) {
      const values = {
        channel, externalId: e.externalId, name: e.name, language: e.language, category: e.category, providerStatus: e.providerStatus,
        usable: e.providerStatus === 'APPROVED', header: e.header, body: e.body, footer: e.footer, textOnly: e.textOnly, content: e.content, syncedAt: now,
      };
      const [row] = await tx.insert(templates).values(values)
        .onConflictDoUpdate({ target: [templates.channel, templates.externalId], set: values })
        .returning({ id: templates.id });
      await tx.delete(templateVariables).where(eq(templateVariables.templateId, row!.id));
      if (e.variables.length > 0) {
        await tx.insert(templateVariables).values(e.variables.map((v, position) => ({ templateId: row!.id, position, ...v })));
      }
    }
    const present = entries.map((e) => e.externalId);
    const retired = await tx.update(templates).set({ usable: false, syncedAt: now })
      .where(and(eq(templates.channel, channel), eq(templates.usable, true), ...(present.length ? [notInArray(templates.externalId, present)] : [])))
      .returning({ id: templates.id });
    return { usable: entries.filter((e) => e.providerStatus === 'APPROVED').length, retired: retired.length };
  });
}


export async function getTemplates(db: DbOrTx, ids: readonly string[]): Promise<TemplateRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(templates).where(inArray(templates.id, [...ids]));
}

export async function getTemplateVariables(db: DbOrTx, templateIds: readonly string[]): Promise<TemplateVariableRow[]> {
  if (templateIds.length === 0) return [];
  return db.select().from(templateVariables).where(inArray(templateVariables.templateId, [...templateIds])).orderBy(asc(templateVariables.position));
}
