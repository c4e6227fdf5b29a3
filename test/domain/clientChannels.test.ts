import { describe, expect, it } from 'vitest';
import {
  channelAddress,
  clientChannelOption,
  clientChannelOptions,
  type ClientFacts,
  type StandChannelSettings,
} from '../../src/domain/clientChannels.js';
import { CHANNELS, type Channel } from '../../src/domain/enums.js';

const HOUR = 60 * 60 * 1000;
const NOW = new Date('2025-03-10T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const THREAD_OPENING: Channel[] = CHANNELS.filter((c) => c !== 'EMAIL');
const MESSENGERS: Channel[] = ['TELEGRAM', 'WEB_CHAT', 'MOBILE_APP', 'APPLE_BUSINESS_MESSAGES'];

function stand(channel: Channel, over: Partial<StandChannelSettings> = {}): StandChannelSettings {
  return { channel, enabled: true, templatePolicy: 'OUTSIDE_SESSION_WINDOW', sessionWindowHours: 24, strictTemplates: true, ...over };
}

const allStand = (over: Partial<StandChannelSettings> = {}) => CHANNELS.map((c) => stand(c, over));

/** A client reachable everywhere, who wrote in an hour ago on WhatsApp and Viber (so no template is needed). */
function client(over: Partial<ClientFacts> = {}): ClientFacts {
  return {
    blocked: false,
    phone: '79120001122',
    email: 'ivan@example.com',
    usernames: MESSENGERS.map((channel) => ({ channel, username: `ivan_${channel.toLowerCase()}` })),
    channelFacts: [
      { channel: 'WHATSAPP', address: null, blocked: false, lastInboundAt: ago(HOUR) },
      { channel: 'VIBER', address: null, blocked: false, lastInboundAt: ago(HOUR) },
    ],
    hasActiveThread: false,
    ...over,
  };
}

/** Every channel has a transport (edna, SMTP, the Telegram bot, the gateway). */
const ALL: ReadonlySet<Channel> = new Set(CHANNELS);

const templates = (n: number) => new Map<Channel, number>(CHANNELS.map((c) => [c, n]));
const byChannel = (options: ReturnType<typeof clientChannelOptions>) => new Map(options.map((o) => [o.channel, o]));

describe('clientChannelOptions baseline (R2–R6)', () => {
  it('R5: a client reachable everywhere has every enabled channel available', () => {
    const options = clientChannelOptions(allStand(), client(), templates(1), NOW, ALL);
    for (const o of options) {
      expect(o.available, o.channel).toBe(true);
      expect(o.unavailableReason, o.channel).toBeNull();
      expect(o.blocked, o.channel).toBe(false);
    }
  });

  it('R3: the output order equals the stand order', () => {
    const order: Channel[] = ['MOBILE_APP', 'EMAIL', 'VIBER', 'TELEGRAM', 'WHATSAPP', 'WEB_CHAT', 'APPLE_BUSINESS_MESSAGES'];
    const options = clientChannelOptions(order.map((c) => stand(c)), client(), templates(1), NOW, ALL);
    expect(options.map((o) => o.channel)).toEqual(order);
  });

  it('R3: only the stand\'s channels are listed', () => {
    const options = clientChannelOptions([stand('VIBER'), stand('EMAIL')], client(), templates(1), NOW, ALL);
    expect(options.map((o) => o.channel)).toEqual(['VIBER', 'EMAIL']);
  });

  it('R3: an empty stand gives no options', () => {
    expect(clientChannelOptions([], client(), templates(1), NOW, ALL)).toEqual([]);
  });

  it('R6: opensThread is false only for EMAIL', () => {
    const options = clientChannelOptions(allStand(), client(), templates(1), NOW, ALL);
    for (const o of options) expect(o.opensThread, o.channel).toBe(o.channel !== 'EMAIL');
  });

  it('R10: bccAllowed is true only for EMAIL', () => {
    const options = clientChannelOptions(allStand(), client(), templates(1), NOW, ALL);
    for (const o of options) expect(o.bccAllowed, o.channel).toBe(o.channel === 'EMAIL');
  });

  it('R8: every channel of the table allows attachments', () => {
    const options = clientChannelOptions(allStand(), client(), templates(1), NOW, ALL);
    for (const o of options) expect(o.attachmentsAllowed, o.channel).toBe(true);
  });

  it('R13: lastInboundAt comes from the channel facts, null where the channel has none', () => {
    const last = ago(3 * HOUR);
    const c = client({ channelFacts: [{ channel: 'TELEGRAM', address: null, blocked: false, lastInboundAt: last }] });
    const m = byChannel(clientChannelOptions(allStand(), c, templates(1), NOW, ALL));
    expect(m.get('TELEGRAM')!.lastInboundAt).toEqual(last);
    expect(m.get('WHATSAPP')!.lastInboundAt).toBeNull();
    expect(m.get('EMAIL')!.lastInboundAt).toBeNull();
  });

  it('R13: each option carries its template requirement', () => {
    const c = client({
      channelFacts: [
        { channel: 'WHATSAPP', address: null, blocked: false, lastInboundAt: ago(HOUR) },
        { channel: 'VIBER', address: null, blocked: false, lastInboundAt: ago(25 * HOUR) },
      ],
    });
    const m = byChannel(clientChannelOptions(allStand(), c, templates(1), NOW, ALL));
    expect(m.get('WHATSAPP')!.templateRequirement).toBe('OPTIONAL');
    expect(m.get('VIBER')!.templateRequirement).toBe('MANDATORY');
    for (const ch of ['EMAIL', ...MESSENGERS] as Channel[]) expect(m.get(ch)!.templateRequirement, ch).toBe('NONE');
  });
});

describe('R2: blocked client', () => {
  it('R2: a blocked client has every channel unavailable with CLIENT_BLOCKED and blocked=true', () => {
    const options = clientChannelOptions(allStand(), client({ blocked: true }), templates(1), NOW, ALL);
    expect(options).toHaveLength(CHANNELS.length);
    for (const o of options) {
      expect(o.available, o.channel).toBe(false);
      expect(o.unavailableReason, o.channel).toBe('CLIENT_BLOCKED');
      expect(o.blocked, o.channel).toBe(true);
    }
  });

  it('R2: CLIENT_BLOCKED wins over a per-channel block, a missing address and an active thread', () => {
    const c = client({
      blocked: true,
      phone: null,
      email: null,
      usernames: [],
      hasActiveThread: true,
      channelFacts: [{ channel: 'VIBER', address: null, blocked: true, lastInboundAt: null }],
    });
    for (const o of clientChannelOptions(allStand(), c, templates(0), NOW, ALL)) {
      expect(o.unavailableReason, o.channel).toBe('CLIENT_BLOCKED');
    }
  });

  it('R2: a blocked client still has its addresses shown', () => {
    const o = clientChannelOption(stand('WHATSAPP'), client({ blocked: true }), 1, NOW, ALL);
    expect(o.address).toBe('+79120001122');
  });
});

describe('R3: stand channels', () => {
  it('R3: a disabled stand channel is unavailable with CHANNEL_DISABLED', () => {
    const o = clientChannelOption(stand('WHATSAPP', { enabled: false }), client(), 1, NOW, ALL);
    expect(o.available).toBe(false);
    expect(o.unavailableReason).toBe('CHANNEL_DISABLED');
    expect(o.blocked).toBe(false);
  });

  it('R3: a disabled channel does not affect the enabled ones', () => {
    const s = allStand().map((x) => (x.channel === 'VIBER' ? { ...x, enabled: false } : x));
    const m = byChannel(clientChannelOptions(s, client(), templates(1), NOW, ALL));
    expect(m.get('VIBER')!.unavailableReason).toBe('CHANNEL_DISABLED');
    for (const ch of CHANNELS.filter((c) => c !== 'VIBER')) expect(m.get(ch)!.available, ch).toBe(true);
  });

  it('R3: CHANNEL_DISABLED wins over every other reason', () => {
    const c = client({
      blocked: true,
      phone: null,
      email: null,
      usernames: [],
      hasActiveThread: true,
      channelFacts: CHANNELS.map((channel) => ({ channel, address: null, blocked: true, lastInboundAt: null })),
    });
    for (const o of clientChannelOptions(allStand({ enabled: false }), c, templates(0), NOW, ALL)) {
      expect(o.available, o.channel).toBe(false);
      expect(o.unavailableReason, o.channel).toBe('CHANNEL_DISABLED');
      // The block is still reported.
      expect(o.blocked, o.channel).toBe(true);
    }
  });

  it('R3: CHANNEL_DISABLED wins over NO_APPROVED_TEMPLATES', () => {
    const o = clientChannelOption(stand('WHATSAPP', { enabled: false }), client({ channelFacts: [] }), 0, NOW, ALL);
    expect(o.unavailableReason).toBe('CHANNEL_DISABLED');
  });

  it('R3: an enabled channel this Herald has no transport for is CHANNEL_NOT_CONFIGURED, the others stay usable', () => {
    const onlyEdnaAndEmail: ReadonlySet<Channel> = new Set(['WHATSAPP', 'VIBER', 'EMAIL']);
    const m = byChannel(clientChannelOptions(allStand(), client(), templates(1), NOW, onlyEdnaAndEmail));
    for (const ch of MESSENGERS) expect(m.get(ch), ch).toMatchObject({ available: false, unavailableReason: 'CHANNEL_NOT_CONFIGURED', blocked: false, address: `ivan_${ch.toLowerCase()}` });
    for (const ch of onlyEdnaAndEmail) expect(m.get(ch)!.available, ch).toBe(true);
  });

  it('R3: CHANNEL_DISABLED wins over CHANNEL_NOT_CONFIGURED, which wins over the client\'s own reasons', () => {
    const none: ReadonlySet<Channel> = new Set();
    expect(clientChannelOption(stand('TELEGRAM', { enabled: false }), client(), 0, NOW, none).unavailableReason).toBe('CHANNEL_DISABLED');
    const c = client({ blocked: true, usernames: [], hasActiveThread: true });
    expect(clientChannelOption(stand('TELEGRAM'), c, 0, NOW, none)).toMatchObject({ unavailableReason: 'CHANNEL_NOT_CONFIGURED', blocked: true });
  });
});

describe('R4: blocked on one channel', () => {
  const c = client({
    channelFacts: [
      { channel: 'WHATSAPP', address: null, blocked: false, lastInboundAt: ago(HOUR) },
      { channel: 'VIBER', address: null, blocked: true, lastInboundAt: ago(HOUR) },
    ],
  });

  it('R4: a client blocked on VIBER has VIBER unavailable with CLIENT_BLOCKED_ON_CHANNEL and blocked=true', () => {
    const o = byChannel(clientChannelOptions(allStand(), c, templates(1), NOW, ALL)).get('VIBER')!;
    expect(o.available).toBe(false);
    expect(o.unavailableReason).toBe('CLIENT_BLOCKED_ON_CHANNEL');
    expect(o.blocked).toBe(true);
  });

  it('R4: a client blocked on VIBER still has WHATSAPP (same phone) available', () => {
    const o = byChannel(clientChannelOptions(allStand(), c, templates(1), NOW, ALL)).get('WHATSAPP')!;
    expect(o.available).toBe(true);
    expect(o.unavailableReason).toBeNull();
    expect(o.blocked).toBe(false);
    expect(o.address).toBe('+79120001122');
  });

  it('R4: a client blocked on VIBER keeps every other channel available', () => {
    const m = byChannel(clientChannelOptions(allStand(), c, templates(1), NOW, ALL));
    for (const ch of CHANNELS.filter((x) => x !== 'VIBER')) {
      expect(m.get(ch)!.available, ch).toBe(true);
      expect(m.get(ch)!.blocked, ch).toBe(false);
    }
  });

  it('R4: CLIENT_BLOCKED_ON_CHANNEL wins over NO_ADDRESS and ACTIVE_THREAD_EXISTS', () => {
    const o = clientChannelOption(
      stand('TELEGRAM'),
      client({ usernames: [], hasActiveThread: true, channelFacts: [{ channel: 'TELEGRAM', address: null, blocked: true, lastInboundAt: null }] }),
      1,
      NOW,
      ALL,
    );
    expect(o.unavailableReason).toBe('CLIENT_BLOCKED_ON_CHANNEL');
    expect(o.blocked).toBe(true);
  });

  it('R4: blocked on EMAIL makes EMAIL unavailable even with an active thread elsewhere', () => {
    const o = clientChannelOption(
      stand('EMAIL'),
      client({ hasActiveThread: true, channelFacts: [{ channel: 'EMAIL', address: null, blocked: true, lastInboundAt: null }] }),
      0,
      NOW,
      ALL,
    );
    expect(o.unavailableReason).toBe('CLIENT_BLOCKED_ON_CHANNEL');
  });
});

describe('R5: address per channel', () => {
  it('R5: WHATSAPP and VIBER use the phone, shown with a leading +', () => {
    const m = byChannel(clientChannelOptions(allStand(), client(), templates(1), NOW, ALL));
    expect(m.get('WHATSAPP')!.address).toBe('+79120001122');
    expect(m.get('VIBER')!.address).toBe('+79120001122');
  });

  it('R5: EMAIL uses the email address', () => {
    expect(clientChannelOption(stand('EMAIL'), client(), 0, NOW, ALL).address).toBe('ivan@example.com');
  });

  it('R5: messengers use the username registered for that very channel', () => {
    const m = byChannel(clientChannelOptions(allStand(), client(), templates(1), NOW, ALL));
    for (const ch of MESSENGERS) expect(m.get(ch)!.address, ch).toBe(`ivan_${ch.toLowerCase()}`);
  });

  it.each<Channel>(['WHATSAPP', 'VIBER'])('R5: %s without a phone is NO_ADDRESS', (channel) => {
    const o = clientChannelOption(stand(channel), client({ phone: null }), 1, NOW, ALL);
    expect(o.available).toBe(false);
    expect(o.unavailableReason).toBe('NO_ADDRESS');
    expect(o.address).toBeNull();
    expect(o.blocked).toBe(false);
  });

  it('R5: EMAIL without an email address is NO_ADDRESS', () => {
    const o = clientChannelOption(stand('EMAIL'), client({ email: null }), 0, NOW, ALL);
    expect(o.available).toBe(false);
    expect(o.unavailableReason).toBe('NO_ADDRESS');
    expect(o.address).toBeNull();
  });

  it('R5: an empty email address counts as none', () => {
    expect(clientChannelOption(stand('EMAIL'), client({ email: '' }), 0, NOW, ALL).unavailableReason).toBe('NO_ADDRESS');
  });

  it.each<Channel>(MESSENGERS)('R5: %s without a username is NO_ADDRESS', (channel) => {
    const o = clientChannelOption(stand(channel), client({ usernames: [] }), 0, NOW, ALL);
    expect(o.available).toBe(false);
    expect(o.unavailableReason).toBe('NO_ADDRESS');
  });

  it.each<Channel>(MESSENGERS)('R5: %s is NO_ADDRESS when the client only has a username on another messenger', (channel) => {
    const other = MESSENGERS.find((m) => m !== channel)!;
    const o = clientChannelOption(stand(channel), client({ usernames: [{ channel: other, username: 'someone' }] }), 0, NOW, ALL);
    expect(o.unavailableReason).toBe('NO_ADDRESS');
  });

  it('R5: messengers do not fall back to the phone or the email', () => {
    const c = client({ usernames: [] });
    for (const ch of MESSENGERS) expect(channelAddress(ch, c), ch).toBeNull();
  });

  it('R5: a phone is not an email address and an email is not a phone', () => {
    expect(clientChannelOption(stand('EMAIL'), client({ email: null, phone: '79120001122' }), 0, NOW, ALL).unavailableReason).toBe('NO_ADDRESS');
    expect(clientChannelOption(stand('WHATSAPP'), client({ phone: null, email: 'a@b.cd' }), 1, NOW, ALL).unavailableReason).toBe('NO_ADDRESS');
  });

  it('R5: a per-channel address override in channelFacts gives a messenger an address', () => {
    const c = client({ usernames: [], channelFacts: [{ channel: 'TELEGRAM', address: '123456789', blocked: false, lastInboundAt: null }] });
    const o = clientChannelOption(stand('TELEGRAM'), c, 0, NOW, ALL);
    expect(o.available).toBe(true);
    expect(o.address).toBe('123456789');
  });

  it('R5: a per-channel address override gives WHATSAPP an address when the client has no phone', () => {
    const c = client({ phone: null, channelFacts: [{ channel: 'WHATSAPP', address: '+79990001122', blocked: false, lastInboundAt: ago(HOUR) }] });
    const o = clientChannelOption(stand('WHATSAPP'), c, 1, NOW, ALL);
    expect(o.available).toBe(true);
    expect(o.address).toBe('+79990001122');
  });

  it('R5: a per-channel override wins over the client-level address', () => {
    const c = client({ channelFacts: [{ channel: 'EMAIL', address: 'work@example.com', blocked: false, lastInboundAt: null }] });
    expect(clientChannelOption(stand('EMAIL'), c, 0, NOW, ALL).address).toBe('work@example.com');
  });

  it('R5: a channelFacts row with a null address falls back to the client-level address', () => {
    const c = client({ channelFacts: [{ channel: 'VIBER', address: null, blocked: false, lastInboundAt: ago(HOUR) }] });
    expect(clientChannelOption(stand('VIBER'), c, 1, NOW, ALL).address).toBe('+79120001122');
  });

  it('R5: a channelFacts row with a null address and no client-level address is NO_ADDRESS', () => {
    const c = client({ usernames: [], channelFacts: [{ channel: 'WEB_CHAT', address: null, blocked: false, lastInboundAt: ago(HOUR) }] });
    expect(clientChannelOption(stand('WEB_CHAT'), c, 0, NOW, ALL).unavailableReason).toBe('NO_ADDRESS');
  });

  it('R5: an override on one channel does not leak to another', () => {
    const c = client({ usernames: [], channelFacts: [{ channel: 'TELEGRAM', address: 'tg', blocked: false, lastInboundAt: null }] });
    expect(clientChannelOption(stand('WEB_CHAT'), c, 0, NOW, ALL).unavailableReason).toBe('NO_ADDRESS');
  });

  it('R5: NO_ADDRESS wins over ACTIVE_THREAD_EXISTS and NO_APPROVED_TEMPLATES', () => {
    const o = clientChannelOption(stand('WHATSAPP'), client({ phone: null, hasActiveThread: true, channelFacts: [] }), 0, NOW, ALL);
    expect(o.unavailableReason).toBe('NO_ADDRESS');
  });
});

describe('R6: one active thread', () => {
  const c = client({ hasActiveThread: true });

  it('R6: an active thread makes every thread-opening channel ACTIVE_THREAD_EXISTS', () => {
    const m = byChannel(clientChannelOptions(allStand(), c, templates(1), NOW, ALL));
    for (const ch of THREAD_OPENING) {
      expect(m.get(ch)!.available, ch).toBe(false);
      expect(m.get(ch)!.unavailableReason, ch).toBe('ACTIVE_THREAD_EXISTS');
      expect(m.get(ch)!.blocked, ch).toBe(false);
    }
  });

  it('R6: EMAIL stays available while a thread is active', () => {
    const o = byChannel(clientChannelOptions(allStand(), c, templates(1), NOW, ALL)).get('EMAIL')!;
    expect(o.available).toBe(true);
    expect(o.unavailableReason).toBeNull();
  });

  it('R6: EMAIL during an active thread still needs an email address', () => {
    const o = clientChannelOption(stand('EMAIL'), client({ hasActiveThread: true, email: null }), 0, NOW, ALL);
    expect(o.unavailableReason).toBe('NO_ADDRESS');
  });

  it('R6: EMAIL during an active thread still needs EMAIL enabled', () => {
    const o = clientChannelOption(stand('EMAIL', { enabled: false }), client({ hasActiveThread: true }), 0, NOW, ALL);
    expect(o.unavailableReason).toBe('CHANNEL_DISABLED');
  });

  it('R6: ACTIVE_THREAD_EXISTS wins over NO_APPROVED_TEMPLATES', () => {
    const o = clientChannelOption(stand('WHATSAPP'), client({ hasActiveThread: true, channelFacts: [] }), 0, NOW, ALL);
    expect(o.templateRequirement).toBe('MANDATORY');
    expect(o.unavailableReason).toBe('ACTIVE_THREAD_EXISTS');
  });

  it('R6: the alternatives during an active thread are exactly EMAIL', () => {
    const available = clientChannelOptions(allStand(), c, templates(1), NOW, ALL).filter((o) => o.available).map((o) => o.channel);
    expect(available).toEqual(['EMAIL']);
  });
});

describe('R15: no approved templates', () => {
  const outsideWindow = client({ channelFacts: [] }); // never wrote in: WhatsApp/Viber MANDATORY

  it.each<Channel>(['WHATSAPP', 'VIBER'])(
    'R15: %s MANDATORY with 0 approved text templates on a strict stand is unavailable with NO_APPROVED_TEMPLATES',
    (channel) => {
      const o = clientChannelOption(stand(channel), outsideWindow, 0, NOW, ALL);
      expect(o.templateRequirement).toBe('MANDATORY');
      expect(o.available).toBe(false);
      expect(o.unavailableReason).toBe('NO_APPROVED_TEMPLATES');
      expect(o.blocked).toBe(false);
    },
  );

  it('R15: MANDATORY with 1 approved text template is available', () => {
    const o = clientChannelOption(stand('WHATSAPP'), outsideWindow, 1, NOW, ALL);
    expect(o.templateRequirement).toBe('MANDATORY');
    expect(o.available).toBe(true);
  });

  it('R15: MANDATORY with 0 templates on a lenient stand (strictTemplates false) is available', () => {
    const o = clientChannelOption(stand('WHATSAPP', { strictTemplates: false }), outsideWindow, 0, NOW, ALL);
    expect(o.templateRequirement).toBe('MANDATORY');
    expect(o.available).toBe(true);
    expect(o.unavailableReason).toBeNull();
  });

  it('R15: OPTIONAL with 0 templates is available', () => {
    const o = clientChannelOption(stand('WHATSAPP'), client(), 0, NOW, ALL);
    expect(o.templateRequirement).toBe('OPTIONAL');
    expect(o.available).toBe(true);
  });

  it('R15: NONE (email, messengers) with 0 templates is available', () => {
    for (const ch of ['EMAIL', ...MESSENGERS] as Channel[]) {
      const o = clientChannelOption(stand(ch), client(), 0, NOW, ALL);
      expect(o.templateRequirement, ch).toBe('NONE');
      expect(o.available, ch).toBe(true);
    }
  });

  it('R15: Viber policy ALWAYS with 0 templates on a strict stand is NO_APPROVED_TEMPLATES even inside the window', () => {
    const o = clientChannelOption(stand('VIBER', { templatePolicy: 'ALWAYS' }), client(), 0, NOW, ALL);
    expect(o.unavailableReason).toBe('NO_APPROVED_TEMPLATES');
  });

  it('R15: the last inbound message on WhatsApp 24h+1ms ago with 0 templates closes the channel', () => {
    const c = client({ channelFacts: [{ channel: 'WHATSAPP', address: null, blocked: false, lastInboundAt: ago(24 * HOUR + 1) }] });
    expect(clientChannelOption(stand('WHATSAPP'), c, 0, NOW, ALL).unavailableReason).toBe('NO_APPROVED_TEMPLATES');
    const d = client({ channelFacts: [{ channel: 'WHATSAPP', address: null, blocked: false, lastInboundAt: ago(24 * HOUR) }] });
    expect(clientChannelOption(stand('WHATSAPP'), d, 0, NOW, ALL).available).toBe(true);
  });

  it('R15: clientChannelOptions counts templates per channel, a missing channel counting 0', () => {
    const m = byChannel(clientChannelOptions(allStand(), outsideWindow, new Map<Channel, number>([['VIBER', 2]]), NOW, ALL));
    expect(m.get('WHATSAPP')!.unavailableReason).toBe('NO_APPROVED_TEMPLATES');
    expect(m.get('VIBER')!.available).toBe(true);
  });

  it('R13: inbound on WhatsApp does not open the window on Viber', () => {
    const c = client({ channelFacts: [{ channel: 'WHATSAPP', address: null, blocked: false, lastInboundAt: ago(HOUR) }] });
    const m = byChannel(clientChannelOptions(allStand(), c, templates(0), NOW, ALL));
    expect(m.get('WHATSAPP')!.templateRequirement).toBe('OPTIONAL');
    expect(m.get('VIBER')!.templateRequirement).toBe('MANDATORY');
    expect(m.get('VIBER')!.unavailableReason).toBe('NO_APPROVED_TEMPLATES');
  });

  it('R13: the stand policy is passed to the requirement (Viber NEVER is OPTIONAL without inbound)', () => {
    const o = clientChannelOption(stand('VIBER', { templatePolicy: 'NEVER' }), client({ channelFacts: [] }), 0, NOW, ALL);
    expect(o.templateRequirement).toBe('OPTIONAL');
    expect(o.available).toBe(true);
  });
});
