import { describe, expect, it } from 'vitest';
import {
  effectiveTemplatePolicy,
  isWithinSessionWindow,
  templateRequirement,
  WHATSAPP_SESSION_WINDOW_HOURS,
  type TemplateRequirementInput,
} from '../../src/domain/templateRequirement.js';
import { CHANNELS, TEMPLATE_POLICIES, type Channel, type TemplatePolicy } from '../../src/domain/enums.js';

const HOUR = 60 * 60 * 1000;
const NOW = new Date('2025-03-10T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

function req(
  channel: Channel,
  lastInboundAt: Date | null,
  templatePolicy: TemplatePolicy = 'OUTSIDE_SESSION_WINDOW',
  sessionWindowHours = 24,
): ReturnType<typeof templateRequirement> {
  const input: TemplateRequirementInput = { channel, lastInboundAt, now: NOW, templatePolicy, sessionWindowHours };
  return templateRequirement(input);
}

describe('templateRequirement on WhatsApp (R13)', () => {
  it('R13: WhatsApp is MANDATORY when the client never wrote in', () => {
    expect(req('WHATSAPP', null)).toBe('MANDATORY');
  });

  it('R13: WhatsApp is OPTIONAL when the last inbound message was just now', () => {
    expect(req('WHATSAPP', NOW)).toBe('OPTIONAL');
  });

  it('R13: WhatsApp is OPTIONAL 24 hours minus 1 ms after the last inbound message', () => {
    expect(req('WHATSAPP', ago(24 * HOUR - 1))).toBe('OPTIONAL');
  });

  it('R13: WhatsApp is OPTIONAL exactly 24 hours after the last inbound message', () => {
    expect(req('WHATSAPP', ago(24 * HOUR))).toBe('OPTIONAL');
  });

  it('R13: WhatsApp is MANDATORY 24 hours plus 1 ms after the last inbound message', () => {
    expect(req('WHATSAPP', ago(24 * HOUR + 1))).toBe('MANDATORY');
  });

  it('R13: WhatsApp is MANDATORY days after the last inbound message', () => {
    expect(req('WHATSAPP', ago(30 * 24 * HOUR))).toBe('MANDATORY');
  });

  it('R13: WhatsApp is OPTIONAL for an inbound message dated in the future (clock skew)', () => {
    expect(req('WHATSAPP', new Date(NOW.getTime() + 5 * 60 * 1000))).toBe('OPTIONAL');
  });

  it('R13: WhatsApp with stand policy NEVER still applies the 24-hour rule', () => {
    expect(req('WHATSAPP', null, 'NEVER')).toBe('MANDATORY');
    expect(req('WHATSAPP', ago(24 * HOUR + 1), 'NEVER')).toBe('MANDATORY');
    expect(req('WHATSAPP', ago(24 * HOUR), 'NEVER')).toBe('OPTIONAL');
  });

  it('R13: a WhatsApp window of 48 hours is clamped to 24 hours', () => {
    expect(req('WHATSAPP', ago(25 * HOUR), 'OUTSIDE_SESSION_WINDOW', 48)).toBe('MANDATORY');
    expect(req('WHATSAPP', ago(24 * HOUR + 1), 'OUTSIDE_SESSION_WINDOW', 48)).toBe('MANDATORY');
    expect(req('WHATSAPP', ago(24 * HOUR), 'OUTSIDE_SESSION_WINDOW', 48)).toBe('OPTIONAL');
  });

  it('R13: WhatsApp NEVER with a 48-hour window is clamped to 24 hours as well', () => {
    expect(req('WHATSAPP', ago(30 * HOUR), 'NEVER', 48)).toBe('MANDATORY');
  });

  it('R13: a WhatsApp stand may make the window shorter than 24 hours (stricter)', () => {
    expect(req('WHATSAPP', ago(13 * HOUR), 'OUTSIDE_SESSION_WINDOW', 12)).toBe('MANDATORY');
    expect(req('WHATSAPP', ago(12 * HOUR), 'OUTSIDE_SESSION_WINDOW', 12)).toBe('OPTIONAL');
  });

  it('R13: WhatsApp with stand policy ALWAYS is MANDATORY even right after an inbound message', () => {
    expect(req('WHATSAPP', NOW, 'ALWAYS')).toBe('MANDATORY');
    expect(req('WHATSAPP', ago(HOUR), 'ALWAYS')).toBe('MANDATORY');
    expect(req('WHATSAPP', null, 'ALWAYS')).toBe('MANDATORY');
  });
});

describe('templateRequirement on Viber (R13)', () => {
  it('R13: Viber with the default policy follows the 24-hour rule', () => {
    expect(req('VIBER', null)).toBe('MANDATORY');
    expect(req('VIBER', ago(24 * HOUR - 1))).toBe('OPTIONAL');
    expect(req('VIBER', ago(24 * HOUR))).toBe('OPTIONAL');
    expect(req('VIBER', ago(24 * HOUR + 1))).toBe('MANDATORY');
  });

  it('R13: Viber with policy ALWAYS is MANDATORY even inside the window', () => {
    expect(req('VIBER', NOW, 'ALWAYS')).toBe('MANDATORY');
    expect(req('VIBER', null, 'ALWAYS')).toBe('MANDATORY');
  });

  it('R13: Viber with policy NEVER is OPTIONAL even with no inbound message', () => {
    expect(req('VIBER', null, 'NEVER')).toBe('OPTIONAL');
    expect(req('VIBER', ago(365 * 24 * HOUR), 'NEVER')).toBe('OPTIONAL');
  });

  it('R13: Viber with OUTSIDE_SESSION_WINDOW and a custom 48-hour window is not clamped', () => {
    expect(req('VIBER', ago(30 * HOUR), 'OUTSIDE_SESSION_WINDOW', 48)).toBe('OPTIONAL');
    expect(req('VIBER', ago(48 * HOUR), 'OUTSIDE_SESSION_WINDOW', 48)).toBe('OPTIONAL');
    expect(req('VIBER', ago(48 * HOUR + 1), 'OUTSIDE_SESSION_WINDOW', 48)).toBe('MANDATORY');
    expect(req('VIBER', null, 'OUTSIDE_SESSION_WINDOW', 48)).toBe('MANDATORY');
  });

  it('R13: Viber with a custom 1-hour window', () => {
    expect(req('VIBER', ago(HOUR), 'OUTSIDE_SESSION_WINDOW', 1)).toBe('OPTIONAL');
    expect(req('VIBER', ago(HOUR + 1), 'OUTSIDE_SESSION_WINDOW', 1)).toBe('MANDATORY');
  });
});

describe('templateRequirement on other channels (R13)', () => {
  const others = CHANNELS.filter((c) => c !== 'WHATSAPP' && c !== 'VIBER');

  it('R13: the other channels are EMAIL, TELEGRAM, APPLE_BUSINESS_MESSAGES, WEB_CHAT, MOBILE_APP', () => {
    expect(others).toEqual(['EMAIL', 'TELEGRAM', 'APPLE_BUSINESS_MESSAGES', 'WEB_CHAT', 'MOBILE_APP']);
  });

  for (const channel of others) {
    it(`R13: ${channel} is NONE regardless of policy and inbound history`, () => {
      for (const policy of TEMPLATE_POLICIES) {
        for (const last of [null, NOW, ago(24 * HOUR + 1), ago(1000 * HOUR)]) {
          expect(req(channel, last, policy)).toBe('NONE');
          expect(req(channel, last, policy, 48)).toBe('NONE');
        }
      }
    });
  }
});

describe('effectiveTemplatePolicy (R13)', () => {
  it('R13: the WhatsApp window constant is 24 hours', () => {
    expect(WHATSAPP_SESSION_WINDOW_HOURS).toBe(24);
  });

  it('R13: WhatsApp NEVER becomes OUTSIDE_SESSION_WINDOW', () => {
    expect(effectiveTemplatePolicy('WHATSAPP', { templatePolicy: 'NEVER', sessionWindowHours: 24 })).toEqual({
      templatePolicy: 'OUTSIDE_SESSION_WINDOW',
      sessionWindowHours: 24,
    });
  });

  it('R13: WhatsApp ALWAYS stays ALWAYS', () => {
    expect(effectiveTemplatePolicy('WHATSAPP', { templatePolicy: 'ALWAYS', sessionWindowHours: 24 }).templatePolicy).toBe('ALWAYS');
  });

  it('R13: a WhatsApp window is clamped to at most 24 hours, a shorter one is kept', () => {
    expect(effectiveTemplatePolicy('WHATSAPP', { templatePolicy: 'OUTSIDE_SESSION_WINDOW', sessionWindowHours: 48 }).sessionWindowHours).toBe(24);
    expect(effectiveTemplatePolicy('WHATSAPP', { templatePolicy: 'OUTSIDE_SESSION_WINDOW', sessionWindowHours: 6 }).sessionWindowHours).toBe(6);
  });

  it('R13: Viber settings pass through unchanged', () => {
    for (const templatePolicy of TEMPLATE_POLICIES) {
      const settings = { templatePolicy, sessionWindowHours: 72 };
      expect(effectiveTemplatePolicy('VIBER', settings)).toEqual(settings);
    }
  });
});

describe('isWithinSessionWindow (R13)', () => {
  it('R13: no inbound message is never within the window', () => {
    expect(isWithinSessionWindow(null, 24, NOW)).toBe(false);
    expect(isWithinSessionWindow(null, 1_000_000, NOW)).toBe(false);
  });

  it('R13: the window includes its last instant', () => {
    expect(isWithinSessionWindow(ago(24 * HOUR), 24, NOW)).toBe(true);
  });

  it('R13: one millisecond inside the window is within it', () => {
    expect(isWithinSessionWindow(ago(24 * HOUR - 1), 24, NOW)).toBe(true);
  });

  it('R13: one millisecond past the window is outside it', () => {
    expect(isWithinSessionWindow(ago(24 * HOUR + 1), 24, NOW)).toBe(false);
  });

  it('R13: the same instant is within the window', () => {
    expect(isWithinSessionWindow(NOW, 24, NOW)).toBe(true);
  });

  it('R13: a future inbound (clock skew) is within the window', () => {
    expect(isWithinSessionWindow(new Date(NOW.getTime() + HOUR), 24, NOW)).toBe(true);
  });

  it('R13: the boundary follows the window length', () => {
    expect(isWithinSessionWindow(ago(48 * HOUR), 48, NOW)).toBe(true);
    expect(isWithinSessionWindow(ago(48 * HOUR + 1), 48, NOW)).toBe(false);
    expect(isWithinSessionWindow(ago(HOUR / 2), 1, NOW)).toBe(true);
    expect(isWithinSessionWindow(ago(HOUR + 1), 1, NOW)).toBe(false);
  });

  it('R13: a zero-hour window contains only the same instant', () => {
    expect(isWithinSessionWindow(NOW, 0, NOW)).toBe(true);
    expect(isWithinSessionWindow(ago(1), 0, NOW)).toBe(false);
  });
});
