import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from './connection.js';
import type { MessageRow } from './messages.js';
import { agents, clients, messages, standChannels, templates } from './schema.js';
import { asJson, clientFactsColumns, decodeClientFacts, type LoadedClientFacts } from './clients.js';
import type { StandChannelSettings } from '../domain/clientChannels.js';
import type { AgentStatus, Channel } from '../domain/enums.js';

// What one send is judged by (R1–R16), and what its delivery needs, each read in one statement. A
// send's answer waits for the first read, and on PGlite each statement costs its own round into
// the database on the process's one thread: four reads cost about 1.5 ms more than one.

export interface SendFacts extends LoadedClientFacts {
  /** The stand's settings for the channel, or null when the stand has not set it up. */
  standChannel: StandChannelSettings | null;
  /** The agent the send goes out as, if any and if they exist. */
  agent: { status: AgentStatus; login: string } | null;
  /** Approved text-only templates of the channel; counted only where the stand is strict (R15), else 0. */
  approvedTextTemplates: number;
}

/** The stand's row is the client's stand's: a client belongs to one stand. */
const outerStandId = sql.raw('"clients"."stand_id"');

/**
 * To judge a send: the client's facts, the stand's settings for the send's channel, the sending
 * agent's status and, where the stand is strict about templates (R15), how many approved text
 * templates the channel has.
 */
export async function loadSendFacts(db: DbOrTx, send: { clientId: string; channel: Channel; agentId: string | null }): Promise<SendFacts | null> {
  const [row] = await db
    .select({
      ...clientFactsColumns,
      standChannel: sql<(StandChannelSettings & { approvedTextTemplates: number }) | null>`(select json_build_object(
        'channel', sc.channel, 'enabled', sc.enabled, 'templatePolicy', sc.template_policy,
        'sessionWindowHours', sc.session_window_hours, 'strictTemplates', sc.strict_templates,
        'approvedTextTemplates', case when sc.strict_templates then (select count(*) from ${templates} t
          where t.channel = sc.channel and t.usable and t.text_only) else 0 end)
        from ${standChannels} sc where sc.stand_id = ${outerStandId} and sc.channel = ${send.channel})`,
      agent: sql<{ status: AgentStatus; login: string } | null>`(select json_build_object('status', a.status, 'login', a.login)
        from ${agents} a where a.id = ${send.agentId})`,
    })
    .from(clients)
    .where(eq(clients.id, send.clientId));
  if (!row) return null;
  const stand = asJson<(StandChannelSettings & { approvedTextTemplates: number }) | null>(row.standChannel);
  const agent = asJson<{ status: AgentStatus; login: string } | null>(row.agent);
  if (!stand) return { ...decodeClientFacts(row), standChannel: null, agent, approvedTextTemplates: 0 };
  const { approvedTextTemplates, ...standChannel } = stand;
  return { ...decodeClientFacts(row), standChannel, agent, approvedTextTemplates: Number(approvedTextTemplates) };
}

/** To deliver a message: the message and its client's facts (the address it goes to). */
export async function loadMessageToDeliver(db: DbOrTx, messageId: string): Promise<{ message: MessageRow } & LoadedClientFacts | null> {
  const [row] = await db
    .select({ message: messages, ...clientFactsColumns })
    .from(messages)
    .innerJoin(clients, eq(clients.id, messages.clientId))
    .where(eq(messages.id, messageId));
  return row ? { message: row.message, ...decodeClientFacts(row) } : null;
}
