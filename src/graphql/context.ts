import type { CampaignClient } from '../campaigns/client.js';
import DataLoader from 'dataloader';
import { configuredChannels, type Config } from '../config.js';
import type { Db } from '../db/connection.js';
import { agentQueues, getAgents, getTransferTargets } from '../db/agents.js';
import { getActiveThreads, getClientChannels, getClients, getUsernames, type ClientRow, clientFacts } from '../db/clients.js';
import type { Cursor } from '../db/cursor.js';
import { getAttachments } from '../db/attachments.js';
import { clientHistories, getMessages, sendMessages, statusChanges, threadMessages, type HistoryPage } from '../db/messages.js';
import { getThreads } from '../db/threads.js';
import { listStandChannels, toSettings } from '../db/stand.js';
import { approvedTextTemplateCounts, getTemplateVariables, getTemplates } from '../db/templates.js';
import { clientChannelOptions, type ClientChannelOption } from '../domain/clientChannels.js';
import type { Channel } from '../domain/enums.js';
import type { Viewer } from '../auth/tokens.js';
import type { SendClient } from '../sends/client.js';
import type { TemplateSync } from '../templates/sync.js';
import type { EventBus } from '../db/events.js';
import { logger, type Logger } from '../log.js';

// One context per request: who asks, and loaders that batch the reads of that request (N+1).

export interface Services {
  db: Db;
  config: Config;
  sends: SendClient;
  campaigns: CampaignClient;
  templateSync: TemplateSync;
  /** Null where nothing listens (a process without subscriptions). */
  events: EventBus | null;
  /** Drops this instance's cached token lookups (a revoked token stops working at once here). */
  forgetTokens?: () => void;
}

export interface Context extends Services {
  viewer: Viewer | null;
  /** The request's logger (its lines carry the request id). */
  log: Logger;
  loaders: Loaders;
  now: Date;
}

function byId<T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>) {
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = new Map((await load(ids)).map((r) => [r.id, r]));
    return ids.map((id) => rows.get(id) ?? null);
  });
}

function grouped<T>(load: (ids: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string | null) {
  return new DataLoader<string, T[]>(async (ids) => {
    const groups = new Map<string, T[]>();
    for (const row of await load(ids)) {
      const key = keyOf(row);
      if (key !== null) groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    return ids.map((id) => groups.get(id) ?? []);
  });
}

/** One loader per distinct set of arguments (a page size and cursor), made on first use. */
function keyed<A extends unknown[], L>(make: (...args: A) => L, keyOf: (...args: A) => string): (...args: A) => L {
  const made = new Map<string, L>();
  return (...args) => {
    const key = keyOf(...args);
    let loader = made.get(key);
    if (!loader) made.set(key, (loader = make(...args)));
    return loader;
  };
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

/** `configured`: the channels with a transport (`configuredChannels(config)`), for `client.channels`. */
export function createLoaders(db: Db, viewer: Viewer | null, now: Date, configured: ReadonlySet<Channel>) {
  const loaders = {
    client: byId((ids) => getClients(db, ids)),
    agent: byId((ids) => getAgents(db, ids)),
    transferTarget: byId((ids) => getTransferTargets(db, ids)),
    thread: byId((ids) => getThreads(db, ids)),
    message: byId((ids) => getMessages(db, ids)),
    template: byId((ids) => getTemplates(db, ids)),
    attachment: byId((ids) => getAttachments(db, ids)),
    templateVariables: grouped((ids) => getTemplateVariables(db, ids), (r) => r.templateId),
    clientChannels: grouped((ids) => getClientChannels(db, ids), (r) => r.clientId),
    usernames: grouped((ids) => getUsernames(db, ids), (r) => r.clientId),
    activeThread: grouped((ids) => getActiveThreads(db, ids), (r) => r.clientId),
    threadMessages: grouped((ids) => threadMessages(db, ids), (r) => r.threadId),
    sendMessages: grouped((ids) => sendMessages(db, ids), (r) => r.sendId),
    queue: grouped((ids) => agentQueues(db, ids), (r) => r.assigneeId),
    statusChanges: grouped((ids) => statusChanges(db, ids), (r) => r.messageId),
    history: keyed((first: number, after: Cursor | null) => new DataLoader<string, HistoryPage>(async (ids) => {
      const pages = await clientHistories(db, ids, first, after);
      return ids.map((id) => pages.get(id)!);
    }), (first, after) => `${first}|${after?.at ?? ''}|${after?.id ?? ''}`),
    standChannels: once(() => (viewer ? listStandChannels(db, viewer.standId) : Promise.resolve([]))),
    approvedTextTemplates: once(() => approvedTextTemplateCounts(db)),
    async clientChannelOptions(client: ClientRow): Promise<ClientChannelOption[]> {
      const [stand, channelRows, usernameRows, active, counts] = await Promise.all([
        loaders.standChannels(),
        loaders.clientChannels.load(client.id),
        loaders.usernames.load(client.id),
        loaders.activeThread.load(client.id),
        loaders.approvedTextTemplates(),
      ]);
      const facts = clientFacts(client, channelRows, usernameRows, active[0] ?? null);
      return clientChannelOptions(stand.map(toSettings), facts, counts, now, configured);
    },
  };
  return loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;

export function createContext(services: Services, viewer: Viewer | null, log: Logger = logger): Context {
  const now = new Date();
  return { ...services, viewer, log, now, loaders: createLoaders(services.db, viewer, now, configuredChannels(services.config)) };
}
