import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from './connection.js';
import { isUniqueViolation } from './connection.js';
import { clientChannels, clients, messageStatusChanges, messages, messengerUsernames, sends, threads } from './schema.js';
import { openThread } from './threads.js';
import { capabilitiesOf } from '../domain/channels.js';
import { isValidEmail } from '../domain/email.js';
import type { Channel } from '../domain/enums.js';
import type { InboundInput } from '../domain/inbound.js';
import { userError, type UserError } from '../domain/errors.js';
import { checkNewClientPhone } from '../domain/phone.js';
import { publish } from './events.js';
import { changeConsent, consentKeywords } from './consent.js';
import { keywordForm, matchConsentKeyword } from '../domain/consent.js';

export type { InboundInput };

export type InboundResult =
  | { ok: true; clientId: string; messageId: string; threadId: string; openedThread: boolean; inFlightSendIds: string[]; consent: 'OPTED_OUT' | 'OPTED_IN' | null }
  | { ok: false; errors: UserError[] };

const IN_FLIGHT = ['VALIDATING', 'RESERVING', 'DELIVERING', 'AWAITING_STATUS'] as const;

/** The client as the channel knows them; null when nobody has that address yet. */
async function findClient(tx: Db | Parameters<Parameters<Db['transaction']>[0]>[0], standId: string, channel: Channel, address: string): Promise<string | null> {
  const kind = capabilitiesOf(channel).addressKind;
  const override = await tx.select({ id: clientChannels.clientId }).from(clientChannels).innerJoin(clients, eq(clients.id, clientChannels.clientId))
    .where(and(eq(clients.standId, standId), eq(clientChannels.channel, channel), eq(clientChannels.address, address))).limit(1);
  if (override[0]) return override[0].id;
  if (kind === 'PHONE') {
    const [row] = await tx.select({ id: clients.id }).from(clients).where(and(eq(clients.standId, standId), eq(clients.phone, address.replace(/\D+/g, '')))).limit(1);
    return row?.id ?? null;
  }
  if (kind === 'EMAIL') {
    const [row] = await tx.select({ id: clients.id }).from(clients).where(and(eq(clients.standId, standId), sql`lower(${clients.email}) = ${address.toLowerCase()}`)).limit(1);
    return row?.id ?? null;
  }
  const [row] = await tx.select({ id: messengerUsernames.clientId }).from(messengerUsernames).innerJoin(clients, eq(clients.id, messengerUsernames.clientId))
    .where(and(eq(clients.standId, standId), eq(messengerUsernames.channel, channel), sql`lower(${messengerUsernames.username}) = ${address.replace(/^@/, '').toLowerCase()}`)).limit(1);
  return row?.id ?? null;
}

function checkAddress(channel: Channel, address: string): { ok: true; value: string } | { ok: false; error: UserError } {
  const kind = capabilitiesOf(channel).addressKind;
  if (kind === 'PHONE') {
    const phone = checkNewClientPhone(address, ['address']);
    return phone.ok ? { ok: true, value: phone.digits } : { ok: false, error: phone.error };
  }
  if (kind === 'EMAIL') {
    return isValidEmail(address) ? { ok: true, value: address } : { ok: false, error: userError('INVALID_EMAIL', `"${address}" is not an email address.`, ['address']) };
  }
  const username = address.trim().replace(/^@/, '');
  return username ? { ok: true, value: username } : { ok: false, error: userError('INVALID_INPUT', 'The address is empty.', ['address']) };
}

/**
 * A client writes in (R7, R13): find or create them by the channel's address, keep the message,
 * move the channel's last inbound time (the 24-hour window), and open a NEW thread in the default
 * queue unless one is active. An outbound send racing for the same client meets the same unique
 * index, so exactly one thread opens; the message then joins whichever thread won.
 *
 * R32: a message that is one of the stand's keywords also opts the client out of the channel (or
 * back in), in the same transaction, with the message as the audit row's evidence. The message is
 * kept and opens its thread as any other: the STOP belongs in the client's history, and an agent
 * may still confirm it with a care reply.
 */
export async function recordInbound(db: Db, standId: string, input: InboundInput): Promise<InboundResult> {
  const address = checkAddress(input.channel, input.address);
  if (!address.ok) return { ok: false, errors: [address.error] };
  const kind = capabilitiesOf(input.channel).addressKind;

  return db.transaction(async (tx) => {
    let clientId = await findClient(tx, standId, input.channel, address.value);
    if (!clientId) {
      const [created] = await tx.insert(clients).values({
        standId, name: input.name, phone: kind === 'PHONE' ? address.value : null, email: kind === 'EMAIL' ? address.value : null,
      }).onConflictDoNothing().returning({ id: clients.id });
      clientId = created?.id ?? (await findClient(tx, standId, input.channel, address.value));
      if (!clientId) throw new Error('the client vanished while being created');
      if (kind === 'MESSENGER_ID') await tx.insert(messengerUsernames).values({ clientId, channel: input.channel, username: address.value }).onConflictDoNothing();
    }
    await tx.insert(clientChannels).values({ clientId, channel: input.channel, lastInboundAt: input.receivedAt })
      .onConflictDoUpdate({ target: [clientChannels.clientId, clientChannels.channel], set: { lastInboundAt: sql`greatest(${clientChannels.lastInboundAt}, ${input.receivedAt.toISOString()}::timestamptz)` } });

    let threadId: string;
    let openedThread = false;
    try {
      threadId = await tx.transaction((sp) => openThread(sp, { clientId: clientId!, channel: input.channel, status: 'NEW' }));
      openedThread = true;
    } catch (err) {
      if (!isUniqueViolation(err, 'threads_one_active_per_client')) throw err;
      const [active] = await tx.select({ id: threads.id }).from(threads).where(and(eq(threads.clientId, clientId), sql`${threads.status} <> 'CLOSED'`));
      threadId = active!.id;
    }
    const [message] = await tx.insert(messages).values({
      clientId, threadId, channel: input.channel, direction: 'INBOUND', text: input.text, status: 'DELIVERED', createdAt: input.receivedAt, updatedAt: input.receivedAt,
    }).returning({ id: messages.id });
    await tx.insert(messageStatusChanges).values({ messageId: message!.id, status: 'DELIVERED', at: input.receivedAt, note: 'received from the client' });
    await publish(tx, { type: 'client', clientId, kind: 'MESSAGE_ADDED', threadId, messageId: message!.id });
    const consent = await applyKeyword(tx, standId, { clientId, channel: input.channel, text: input.text, at: input.receivedAt, messageId: message!.id });
    const inFlight = await tx.select({ id: sends.id }).from(sends).where(and(eq(sends.clientId, clientId), inArray(sends.state, [...IN_FLIGHT])));
    return { ok: true as const, clientId, messageId: message!.id, threadId, openedThread, inFlightSendIds: inFlight.map((s) => s.id), consent };
  });
}

/**
 * R32: the stand's lists are read only for a message short enough to be a keyword, so an ordinary
 * message costs no statement more. A keyword that changes nothing (a second STOP) records nothing.
 */
async function applyKeyword(
  tx: DbOrTx,
  standId: string,
  message: { clientId: string; channel: Channel; text: string | null; at: Date; messageId: string },
): Promise<'OPTED_OUT' | 'OPTED_IN' | null> {
  if (keywordForm(message.text) === null) return null;
  const match = matchConsentKeyword(message.text, await consentKeywords(tx, standId));
  if (!match) return null;
  const optedOut = match.kind === 'OPT_OUT';
  const change = await changeConsent(tx, {
    clientId: message.clientId, channel: message.channel, optedOut, at: message.at, source: 'KEYWORD', keyword: match.keyword, messageId: message.messageId,
  });
  if (!change) return null;
  return optedOut ? 'OPTED_OUT' : 'OPTED_IN';
}
