import { scenarioIn, type ScenarioRow } from '../shared/scenarios.js';

// How the Telegram sandbox answers a send, chosen by the last four digits of the chat id (or of the
// username), like the edna sandbox's phone suffixes:
//
// | suffix | scenario            | answer                                                            |
// |--------|---------------------|-------------------------------------------------------------------|
// | (any)  | delivered           | 200 ok                                                            |
// | 0403   | blocked             | 403 "Forbidden: bot was blocked by the user"                      |
// | 0404   | chat-not-found      | 400 "Bad Request: chat not found"                                 |
// | 0400   | invalid-destination | 400 "Bad Request: PEER_ID_INVALID"                                |
// | 0415   | media-rejected      | sendPhoto / sendDocument: 400 "Bad Request: wrong file            |
// |        |                     | identifier/HTTP URL specified"; sendMessage: 200 ok               |
// | 0429   | rate-limited        | 429 "Too Many Requests: retry after N" (parameters.retry_after) on |
// |        |                     | the first try of a message, then 200                              |
// | 1429   | always-rate-limited | 429 "Too Many Requests: retry after N" on every try               |
// | 0500   | fail-first-tries    | 500 "Internal Server Error" for the first failFirstTries tries    |
// | 0503   | always-fail         | 500 on every try                                                  |
//
// A "try" is the same method, chat and content again: the Bot API has no idempotency key.

export type TelegramScenarioName =
  | 'delivered' | 'blocked' | 'chat-not-found' | 'invalid-destination' | 'media-rejected' | 'rate-limited' | 'always-rate-limited'
  | 'fail-first-tries' | 'always-fail';

export const TELEGRAM_SCENARIOS: ReadonlyArray<ScenarioRow<TelegramScenarioName>> = [
  { suffix: null, name: 'delivered', description: '200 ok' },
  { suffix: '0403', name: 'blocked', description: '403 Forbidden: bot was blocked by the user' },
  { suffix: '0404', name: 'chat-not-found', description: '400 Bad Request: chat not found' },
  { suffix: '0400', name: 'invalid-destination', description: '400 Bad Request: PEER_ID_INVALID' },
  { suffix: '0415', name: 'media-rejected', description: 'sendPhoto / sendDocument: 400 Bad Request: wrong file identifier/HTTP URL specified; text is sent' },
  { suffix: '0429', name: 'rate-limited', description: '429 with parameters.retry_after on the first try, then 200' },
  { suffix: '1429', name: 'always-rate-limited', description: '429 with parameters.retry_after on every try' },
  { suffix: '0500', name: 'fail-first-tries', description: '500 for the first failFirstTries tries, then 200' },
  { suffix: '0503', name: 'always-fail', description: '500 on every try' },
];

export function telegramScenarioFor(chatId: string): TelegramScenarioName {
  return scenarioIn(TELEGRAM_SCENARIOS, chatId).name;
}
