import type { Channel, ChannelUnavailableReason, TemplatePolicy, TemplateRequirement } from './enums.js';
import { capabilitiesOf, type ChannelCapabilities } from './channels.js';
import { templateRequirement } from './templateRequirement.js';
import { displayPhone } from './phone.js';

// What an agent may do with a client on each channel of the stand: R2–R6, R13, R15. The same
// function answers `client.channels`, the conflict's `alternatives` and send-time validation, so
// what the UI offers and what the engine accepts never disagree.

export interface StandChannelSettings {
  channel: Channel;
  enabled: boolean;
  templatePolicy: TemplatePolicy;
  sessionWindowHours: number;
  strictTemplates: boolean;
}

export interface ClientFacts {
  blocked: boolean;
  phone: string | null; // digits
  email: string | null;
  usernames: ReadonlyArray<{ channel: Channel; username: string }>;
  /** Per-channel facts; a channel without a row has no override, is not blocked and never wrote in. */
  /** optedOutAt (R32): when the client opted out on the channel; absent or null: they have not. */
  channelFacts: ReadonlyArray<{ channel: Channel; address: string | null; blocked: boolean; lastInboundAt: Date | null; optedOutAt?: Date | null }>;
  hasActiveThread: boolean;
}

export interface ClientChannelOption {
  channel: Channel;
  address: string | null;
  available: boolean;
  unavailableReason: ChannelUnavailableReason | null;
  blocked: boolean;
  templateRequirement: TemplateRequirement;
  attachmentsAllowed: boolean;
  bccAllowed: boolean;
  opensThread: boolean;
  lastInboundAt: Date | null;
  /**
   * R32: the client opted out of marketing here. The channel stays available: care replies (text,
   * UTILITY templates) still go; only MARKETING templates are refused (domain/consent.ts).
   */
  optedOut: boolean;
  optedOutAt: Date | null;
}

/** R5: phone for WhatsApp/Viber, email for EMAIL, a username or id for messengers. */
export function channelAddress(channel: Channel, client: ClientFacts): string | null {
  const override = client.channelFacts.find((f) => f.channel === channel)?.address;
  if (override) return override;
  switch (capabilitiesOf(channel).addressKind) {
    case 'PHONE':
      return displayPhone(client.phone);
    case 'EMAIL':
      return client.email;
    case 'MESSENGER_ID':
      return client.usernames.find((u) => u.channel === channel)?.username ?? null;
  }
}

function firstUnavailableReason(
  caps: ChannelCapabilities,
  stand: StandChannelSettings,
  configured: boolean,
  client: ClientFacts,
  blockedOnChannel: boolean,
  address: string | null,
  requirement: TemplateRequirement,
  approvedTextTemplates: number,
): ChannelUnavailableReason | null {
  if (!stand.enabled) return 'CHANNEL_DISABLED';
  // Enabled for the stand, but this Herald has no transport for it (no bot token, no gateway URL).
  if (!configured) return 'CHANNEL_NOT_CONFIGURED';
  if (client.blocked) return 'CLIENT_BLOCKED';
  if (blockedOnChannel) return 'CLIENT_BLOCKED_ON_CHANNEL';
  if (!address) return 'NO_ADDRESS';
  if (client.hasActiveThread && !caps.ignoresActiveThread) return 'ACTIVE_THREAD_EXISTS';
  // In lenient mode manual text may still go out (R14), so only a strict stand closes the channel.
  if (requirement === 'MANDATORY' && stand.strictTemplates && approvedTextTemplates === 0) return 'NO_APPROVED_TEMPLATES';
  return null;
}

/**
 * `configuredChannels`: the channels this Herald has a transport for (`configuredChannels(config)`
 * in config.ts); the others show `CHANNEL_NOT_CONFIGURED` and are refused at send time.
 */
export function clientChannelOption(
  stand: StandChannelSettings,
  client: ClientFacts,
  approvedTextTemplates: number,
  now: Date,
  configuredChannels: ReadonlySet<Channel>,
): ClientChannelOption {
  const caps = capabilitiesOf(stand.channel);
  const facts = client.channelFacts.find((f) => f.channel === stand.channel);
  const lastInboundAt = facts?.lastInboundAt ?? null;
  const optedOutAt = facts?.optedOutAt ?? null;
  const blocked = client.blocked || (facts?.blocked ?? false);
  const address = channelAddress(stand.channel, client);
  const requirement = templateRequirement({ ...stand, lastInboundAt, now });
  const reason = firstUnavailableReason(caps, stand, configuredChannels.has(stand.channel), client, facts?.blocked ?? false, address, requirement, approvedTextTemplates);
  return {
    channel: stand.channel,
    address,
    available: reason === null,
    unavailableReason: reason,
    blocked,
    templateRequirement: requirement,
    attachmentsAllowed: caps.attachments.length > 0,
    bccAllowed: caps.bccAllowed,
    opensThread: caps.opensThread,
    lastInboundAt,
    optedOut: optedOutAt !== null,
    optedOutAt,
  };
}

export function clientChannelOptions(
  standChannels: readonly StandChannelSettings[],
  client: ClientFacts,
  approvedTextTemplatesByChannel: ReadonlyMap<Channel, number>,
  now: Date,
  configuredChannels: ReadonlySet<Channel>,
): ClientChannelOption[] {
  return standChannels.map((s) => clientChannelOption(s, client, approvedTextTemplatesByChannel.get(s.channel) ?? 0, now, configuredChannels));
}
