import type { AcceptedMessage } from './records.js';
import { isObject } from './requests.js';
import type { Scenario } from './scenarios.js';
import { textMatchesTemplate, type SandboxChannel, type SandboxTemplate } from './templates.js';

// Which status callbacks an accepted send gets, and when: the flow its phone's scenario asks for
// (the table in scenarios.ts).

export type Status = 'SENT' | 'DELIVERED' | 'READ' | 'UNDELIVERED';

export interface Step {
  status: Status;
  error: string | null;
  /** From acceptance. */
  atMs: number;
}

export interface StatusFlow {
  steps: Step[];
  /** The callbacks arrive last first (statusAt still in event order). */
  reversed: boolean;
  /** Every callback is posted twice. */
  twice: boolean;
}

export interface Delays {
  sent: number;
  delivered: number;
  read: number;
}

export function statusFlow(
  scenario: Scenario,
  message: AcceptedMessage,
  delays: Delays,
  approvedTemplates: (channel: SandboxChannel) => readonly SandboxTemplate[],
): StatusFlow {
  const flow = (steps: Step[]) => ({ steps, reversed: false, twice: false });
  const step = (status: Status, atMs: number, error: string | null = null): Step => ({ status, error, atMs });
  const delivered = [step('SENT', delays.sent), step('DELIVERED', delays.delivered), step('READ', delays.read)];
  const sentThenUndelivered = (error: string) => [step('SENT', delays.sent), step('UNDELIVERED', delays.delivered, error)];
  switch (scenario.name) {
    case 'not-channel-user':
      return flow(sentThenUndelivered(message.channel === 'WHATSAPP' ? 'not-whatsapp-user' : 'not-viber-user'));
    case 'user-blocked':
      return flow(sentThenUndelivered('user-blocked'));
    case 'no-callbacks':
      return flow([]);
    case 'duplicate-callbacks':
      return { steps: delivered, reversed: false, twice: true };
    case 'out-of-order':
      return { steps: delivered, reversed: true, twice: false };
    case 'transient-failure':
      return flow([step('UNDELIVERED', delays.sent, 'error-system')]);
    case 'invalid-address':
      // A phone edna cannot address is never sent: no SENT before it.
      return flow([step('UNDELIVERED', delays.sent, 'error-address-format')]);
    case 'template-mismatch': {
      if (message.kind === 'template') return flow(delivered);
      const matches = message.text !== null && isTextSend(message) && approvedTemplates(message.channel).some((t) => textMatchesTemplate(message.text ?? '', t.content.text));
      return flow(matches ? delivered : [step('UNDELIVERED', delays.sent, 'not-template-match')]);
    }
    default:
      return flow(delivered);
  }
}

/** A free-form TEXT send: only those can match a template's body. */
function isTextSend(message: AcceptedMessage): boolean {
  const content = isObject(message.body) && isObject(message.body.content) ? message.body.content : {};
  const channelContent = content.whatsappContent ?? content.viberContent;
  return isObject(channelContent) && channelContent.contentType === 'TEXT';
}
