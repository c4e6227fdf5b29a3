import { scenarioIn, type ScenarioRow } from '../shared/scenarios.js';

// How the gateway sandbox treats a send, chosen by the last four digits of the recipient, like the
// edna sandbox's phone suffixes:
//
// | suffix | scenario            | what the gateway does                                             |
// |--------|---------------------|-------------------------------------------------------------------|
// | (any)  | delivered           | 202; DELIVERED, then READ                                         |
// | 0404   | not-channel-user    | 202; UNDELIVERED NOT_CHANNEL_USER                                  |
// | 0403   | blocked             | 202; UNDELIVERED BLOCKED_BY_USER                                   |
// | 0400   | invalid-destination | 202; UNDELIVERED INVALID_DESTINATION                               |
// | 0410   | opted-out           | 202; UNDELIVERED RECIPIENT_OPTED_OUT                               |
// | 0415   | media-rejected      | 202; UNDELIVERED MEDIA_REJECTED for a send with an attachment,     |
// |        |                     | a text alone like the default                                     |
// | 0422   | rejected            | 422 {"error":"PROVIDER_REJECTED"} (refused at once)               |
// | 0429   | rate-limited        | 429 with Retry-After on the first try, then like the default      |
// | 1429   | always-rate-limited | 429 with Retry-After on every try                                 |
// | 0500   | fail-first-tries    | 500 for the first failFirstTries tries of one key, then default   |
// | 0503   | always-fail         | 500 on every try                                                  |
// | 0000   | no-callbacks        | 202; no callback at all                                           |
// | 0666   | transient-failure   | 202; UNDELIVERED PROVIDER_ERROR (a fault that may pass)           |

export type GatewayScenarioName =
  | 'delivered' | 'not-channel-user' | 'blocked' | 'invalid-destination' | 'opted-out' | 'media-rejected' | 'rejected' | 'rate-limited'
  | 'always-rate-limited' | 'fail-first-tries' | 'always-fail' | 'no-callbacks' | 'transient-failure';

export const GATEWAY_SCENARIOS: ReadonlyArray<ScenarioRow<GatewayScenarioName>> = [
  { suffix: null, name: 'delivered', description: '202; DELIVERED, then READ' },
  { suffix: '0404', name: 'not-channel-user', description: '202; UNDELIVERED NOT_CHANNEL_USER' },
  { suffix: '0403', name: 'blocked', description: '202; UNDELIVERED BLOCKED_BY_USER' },
  { suffix: '0400', name: 'invalid-destination', description: '202; UNDELIVERED INVALID_DESTINATION' },
  { suffix: '0410', name: 'opted-out', description: '202; UNDELIVERED RECIPIENT_OPTED_OUT' },
  { suffix: '0415', name: 'media-rejected', description: '202; UNDELIVERED MEDIA_REJECTED with an attachment, a text alone delivered' },
  { suffix: '0422', name: 'rejected', description: '422 PROVIDER_REJECTED at once' },
  { suffix: '0429', name: 'rate-limited', description: '429 with Retry-After on the first try, then delivered' },
  { suffix: '1429', name: 'always-rate-limited', description: '429 with Retry-After on every try' },
  { suffix: '0500', name: 'fail-first-tries', description: '500 for the first failFirstTries tries, then delivered' },
  { suffix: '0503', name: 'always-fail', description: '500 on every try' },
  { suffix: '0000', name: 'no-callbacks', description: '202; no callback' },
  { suffix: '0666', name: 'transient-failure', description: '202; UNDELIVERED PROVIDER_ERROR' },
];

export function gatewayScenarioFor(recipient: string): GatewayScenarioName {
  return scenarioIn(GATEWAY_SCENARIOS, recipient).name;
}
