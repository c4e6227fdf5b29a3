import { and, count, eq } from 'drizzle-orm';
import type { DbOrTx } from './client.js';
import { templates } from './schema.js';
import type { Channel } from '../domain/enums.js';

/** R15: how many approved text-only templates each channel has now. */
export async function approvedTextTemplateCounts(db: DbOrTx): Promise<Map<Channel, number>> {
  const rows = await db
    .select({ channel: templates.channel, n: count() })
    .from(templates)
    .where(and(eq(templates.usable, true), eq(templates.textOnly, true)))
    .groupBy(templates.channel);
  return new Map(rows.map((r) => [r.channel, Number(r.n)]));
}
