import { defaultScenarioIn, scenarioIn, type ScenarioRow } from '../shared/scenarios.js';

// How the edna sandbox treats a send, chosen deterministically by the last four digits of the
// phone number. Tests, the demo seed and people at the standalone sandbox all refer to this table.
//
// | suffix | scenario                 | what the sandbox does                                                         |
// |--------|--------------------------|-------------------------------------------------------------------------------|
// | (any)  | delivered                | accepted; SENT, DELIVERED, READ after delaysMs.sent / .delivered / .read        |
// | 0404   | not-channel-user         | accepted; SENT, then UNDELIVERED `not-whatsapp-user` / `not-viber-user`        |
// | 0403   | user-blocked             | accepted; SENT, then UNDELIVERED `user-blocked`                                |
// | 0500   | fail-first-tries         | HTTP 500 `error-system` for the first `failFirstTries` tries of one id, then   |
// |        |                          | accepted and delivered like the default                                        |
// | 0503   | always-fail              | HTTP 500 `error-system` on every try                                           |
// | 0000   | no-callbacks             | accepted; no status callback at all                                            |
// | 0002   | duplicate-callbacks      | accepted; default flow, every callback posted twice                            |
// | 0003   | out-of-order             | accepted; READ first, then DELIVERED, then SENT                                |
// | 0666   | transient-failure        | accepted; UNDELIVERED `error-system` (no SENT)                                 |
// | 0400   | invalid-address          | accepted; UNDELIVERED `error-address-format` (no SENT)                         |
// | 0777   | template-mismatch        | free-form (cascade) sends: UNDELIVERED `not-template-match` unless the send is |
// |        |                          | TEXT equal to the body of an APPROVED template of that channel (`{{n}}` is a   |
// |        |                          | wildcard); template sends are delivered like the default                       |
//
// Callbacks that stop at UNDELIVERED come at delaysMs.sent (SENT) and delaysMs.delivered
// (UNDELIVERED); `transient-failure`, `invalid-address` and `template-mismatch` post their
// UNDELIVERED at delaysMs.sent.

export type ScenarioName =
  | 'delivered'
  | 'not-channel-user'
  | 'user-blocked'
  | 'fail-first-tries'
  | 'always-fail'
  | 'no-callbacks'
  | 'duplicate-callbacks'
  | 'out-of-order'
  | 'transient-failure'
  | 'invalid-address'
  | 'template-mismatch';

/** `suffix`: the last four digits of the phone; null for the default. */
export type Scenario = ScenarioRow<ScenarioName>;

export const SCENARIOS: readonly Scenario[] = [
  { suffix: null, name: 'delivered', description: 'SENT, DELIVERED, READ' },
  { suffix: '0404', name: 'not-channel-user', description: 'SENT, then UNDELIVERED not-whatsapp-user / not-viber-user' },
  { suffix: '0403', name: 'user-blocked', description: 'SENT, then UNDELIVERED user-blocked' },
  { suffix: '0500', name: 'fail-first-tries', description: 'HTTP 500 error-system for the first failFirstTries tries of one id, then delivered' },
  { suffix: '0503', name: 'always-fail', description: 'HTTP 500 error-system on every try' },
  { suffix: '0000', name: 'no-callbacks', description: 'accepted, no callback at all' },
  { suffix: '0002', name: 'duplicate-callbacks', description: 'default flow, every callback posted twice' },
  { suffix: '0003', name: 'out-of-order', description: 'READ, then DELIVERED, then SENT' },
  { suffix: '0666', name: 'transient-failure', description: 'UNDELIVERED error-system' },
  { suffix: '0400', name: 'invalid-address', description: 'UNDELIVERED error-address-format' },
  { suffix: '0777', name: 'template-mismatch', description: 'free-form sends UNDELIVERED not-template-match unless the text matches an approved template' },
];

/** Phone suffix of each scenario, for tests and the seed: `'7916000' + SCENARIO_SUFFIX.userBlocked`. */
export const SCENARIO_SUFFIX = {
  notChannelUser: '0404',
  userBlocked: '0403',
  failFirstTries: '0500',
  alwaysFail: '0503',
  noCallbacks: '0000',
  duplicateCallbacks: '0002',
  outOfOrder: '0003',
  transientFailure: '0666',
  invalidAddress: '0400',
  templateMismatch: '0777',
} as const;

/** The scenario for a phone (digits; anything else is ignored), by its last four digits. */
export function scenarioForPhone(phone: string): Scenario {
  return scenarioIn(SCENARIOS, phone.replace(/\D/g, ''));
}

/** A phone number that triggers the scenario: `prefix` followed by its suffix (default: delivered). */
export function phoneForScenario(name: ScenarioName, prefix = '7916000'): string {
  const scenario = SCENARIOS.find((s) => s.name === name) ?? defaultScenarioIn(SCENARIOS);
  return prefix + (scenario.suffix ?? '1234');
}
