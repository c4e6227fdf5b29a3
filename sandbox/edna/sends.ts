import { failsThisTry, TryCounter } from '../shared/scenarios.js';
import type { Callbacks } from './callbacks.js';
import type { Catalog } from './catalog.js';
import { statusFlow, type Delays } from './flows.js';
import type { AcceptedMessage, EdnaRecords } from './records.js';
import { ApiError, checkCascade, checkTemplateSend } from './requests.js';
import { scenarioForPhone, type Scenario } from './scenarios.js';
import { renderTemplateText, type SandboxChannel } from './templates.js';

// Accepting a send: a well-formed request (requests.ts) with an id not taken yet, that its phone's
// scenario does not refuse, is recorded and gets its status callbacks scheduled. What edna answers.

export interface SendSettings {
  catalog: Catalog;
  callbacks: Callbacks;
  records: EdnaRecords;
  delays: Delays;
  /** Scenario 0500: how many tries of one id get HTTP 500. */
  failFirstTries: number;
  /** The share of all sends answered 500, half before and half after taking the message. */
  failRate: number;
}

export type Sends = ReturnType<typeof createSends>;

export function createSends({ catalog, callbacks, records, delays, failFirstTries, failRate }: SendSettings) {
  const acceptedIds = new Set<string>();
  const tries = new TryCounter();
  let nextMessageId = 1_000_001;

  function refuseRepeat(id: string, what: 'requestId' | 'messageId') {
    if (acceptedIds.has(id)) throw new ApiError(400, 'requestId-is-not-unique', `${what} ${id} was already accepted`);
  }

  function failIfScenarioSaysSo(scenario: Scenario, id: string) {
    const n = tries.next(id);
    if (failsThisTry(scenario.name, n, failFirstTries)) {
      throw new ApiError(500, 'error-system', `System error (sandbox scenario ${scenario.suffix}, try ${n})`);
    }
  }

  /** A flaky edna: 'before' refuses the message, 'after' takes it and loses the answer. */
  function flake(): 'before' | 'after' | null {
    if (failRate <= 0 || Math.random() >= failRate) return null;
    return Math.random() < 0.5 ? 'before' : 'after';
  }

  function accept(message: AcceptedMessage) {
    acceptedIds.add(message.id);
    records.accepted.push(message);
  }

  const lostAnswer = (id: string) => new ApiError(500, 'error-system', `System error after taking ${id} (sandbox failRate)`);

  /** POST /api/cascade/schedule. */
  function scheduleCascade(body: unknown): unknown {
    const { requestId, cascadeId, phone, channel, text } = checkCascade(body);
    refuseRepeat(requestId, 'requestId');
    const scenario = scenarioForPhone(phone);
    failIfScenarioSaysSo(scenario, requestId);
    const flaky = flake();
    if (flaky === 'before') throw new ApiError(500, 'error-system', 'System error (sandbox failRate)');

    const providerMessageId = nextMessageId++;
    const at = new Date().toISOString();
    const message: AcceptedMessage = { id: requestId, kind: 'cascade', channel, phone, body, at, providerMessageId, text, templateId: null, scenario: scenario.name };
    accept(message);
    const fields = { cascadeId, subject: `sandbox_${channel.toLowerCase()}`, comment: null };
    callbacks.scheduleStatuses(message, statusFlow(scenario, message, delays, catalog.approved), fields);
    if (flaky === 'after') throw lostAnswer(requestId);
    return { requestId, messageId: providerMessageId };
  }

  /** POST /api/v1/out-messages/{whatsapp,viber}/template. */
  function sendTemplate(channel: SandboxChannel, body: unknown): unknown {
    const { messageId, sender, phone, templateId, textVariables, comment } = checkTemplateSend(body);
    refuseRepeat(messageId, 'messageId');
    const template = catalog.approved(channel).find((t) => t.id === templateId);
    if (!template) throw new ApiError(400, 'matched-template-not-found', `No approved ${channel} template ${templateId}`);
    const scenario = scenarioForPhone(phone);
    failIfScenarioSaysSo(scenario, messageId);

    const at = new Date().toISOString();
    const text = renderTemplateText(template.content.text, textVariables);
    const message: AcceptedMessage = { id: messageId, kind: 'template', channel, phone, body, at, providerMessageId: messageId, text, templateId, scenario: scenario.name };
    accept(message);
    callbacks.scheduleStatuses(message, statusFlow(scenario, message, delays, catalog.approved), { cascadeId: null, subject: sender, comment });
    return { messageId };
  }

  function reset() {
    acceptedIds.clear();
    tries.clear();
  }

  return { scheduleCascade, sendTemplate, reset };
}
