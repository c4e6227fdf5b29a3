import type { DeliveryFailureCode } from './enums.js';

// What each delivery failure means, in a sentence a person can act on (R19). Every channel's
// mapping ends in one of these codes; the provider's own code is kept beside it.

export const FAILURE_MESSAGES: Record<DeliveryFailureCode, string> = {
  TEMPLATE_MISMATCH: 'WhatsApp only delivers registered templates outside the 24-hour window, and this text matches none.',
  NOT_CHANNEL_USER: 'The client does not use this messenger.',
  BLOCKED_BY_USER: 'The client has blocked the business account.',
  OUTSIDE_SESSION_WINDOW: 'The session window is closed; only a template can reach the client.',
  PROVIDER_REJECTED: 'The channel refused the message.',
  PROVIDER_ERROR: 'The channel failed to deliver the message.',
  EXPIRED: 'No delivery status arrived in time.',
  SYSTEM_ERROR: 'Herald could not carry out a step of the send.',
  REFUSED_WHEN_DUE: 'When the scheduled send fell due, the rules no longer allowed it; nothing was sent.',
  RATE_LIMITED: 'The channel kept asking Herald to slow down and the automatic retries ran out; retry the send in a few minutes.',
  MEDIA_REJECTED: 'The channel could not use the attachment (its type, size or link); send another file, or the text alone.',
  RECIPIENT_OPTED_OUT: 'The client has opted out of messages from the business on this channel; reach them another way.',
  INVALID_DESTINATION: "The client's address on this channel is not valid; correct it and send again.",
};
