import type { Channel, TemplatePolicy, TemplateRequirement } from './enums.js';
import { capabilitiesOf } from './channels.js';

// R13. WhatsApp's 24-hour customer-service window is Meta's rule, not ours: a stand may make
// templates stricter (ALWAYS) but never looser, so for WhatsApp NEVER counts as the window rule
// and the window never exceeds 24 hours. Viber follows the stand's policy.
export const WHATSAPP_SESSION_WINDOW_HOURS = 24;
const HOUR_MS = 60 * 60 * 1000;

export interface TemplatePolicySettings {
  templatePolicy: TemplatePolicy;
  sessionWindowHours: number;
}

export interface TemplateRequirementInput extends TemplatePolicySettings {
  channel: Channel;
  lastInboundAt: Date | null;
  now: Date;
}

export function effectiveTemplatePolicy(channel: Channel, settings: TemplatePolicySettings): TemplatePolicySettings {
  if (channel !== 'WHATSAPP') return settings;
  return {
    templatePolicy: settings.templatePolicy === 'ALWAYS' ? 'ALWAYS' : 'OUTSIDE_SESSION_WINDOW',
    sessionWindowHours: Math.min(settings.sessionWindowHours, WHATSAPP_SESSION_WINDOW_HOURS),
  };
}

/** The client wrote in within the window: the window includes its last instant. */
export function isWithinSessionWindow(lastInboundAt: Date | null, windowHours: number, now: Date): boolean {
  if (!lastInboundAt) return false;
  return now.getTime() - lastInboundAt.getTime() <= windowHours * HOUR_MS;
}

export function templateRequirement(input: TemplateRequirementInput): TemplateRequirement {
  if (!capabilitiesOf(input.channel).templatesSupported) return 'NONE';
  const { templatePolicy, sessionWindowHours } = effectiveTemplatePolicy(input.channel, input);
  switch (templatePolicy) {
    case 'ALWAYS':
      return 'MANDATORY';
    case 'NEVER':
      return 'OPTIONAL';
    case 'OUTSIDE_SESSION_WINDOW':
      return isWithinSessionWindow(input.lastInboundAt, sessionWindowHours, input.now) ? 'OPTIONAL' : 'MANDATORY';
  }
}
