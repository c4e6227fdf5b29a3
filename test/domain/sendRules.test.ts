import { describe, expect, it } from 'vitest';
import type { ClientChannelOption } from '../../src/domain/clientChannels.js';
import { CHANNEL_UNAVAILABLE_REASONS } from '../../src/domain/enums.js';
import { USER_ERROR_CODES } from '../../src/domain/errors.js';
import { checkChannel } from '../../src/domain/sendRules.js';

const option = (over: Partial<ClientChannelOption>): ClientChannelOption => ({
  channel: 'TELEGRAM', address: 'gracelee', available: true, unavailableReason: null, blocked: false,
  templateRequirement: 'NONE', attachmentsAllowed: true, bccAllowed: false, opensThread: true, lastInboundAt: null,
  optedOut: false, optedOutAt: null, ...over,
});

describe('send-time channel check', () => {
  it('R3: a channel without a transport is refused at send time with CHANNEL_NOT_CONFIGURED on the channel field', () => {
    const errors = checkChannel(option({ available: false, unavailableReason: 'CHANNEL_NOT_CONFIGURED' }), 'TELEGRAM');
    expect(errors).toEqual([{ code: 'CHANNEL_NOT_CONFIGURED', field: ['channel'], message: expect.stringMatching(/TELEGRAM is not connected/) }]);
  });

  it('R3: every unavailable reason maps to a user error code of the contract, and an available channel to none', () => {
    expect(checkChannel(option({}), 'TELEGRAM')).toEqual([]);
    for (const reason of CHANNEL_UNAVAILABLE_REASONS) {
      const [error] = checkChannel(option({ available: false, unavailableReason: reason }), 'TELEGRAM');
      expect(USER_ERROR_CODES, reason).toContain(error!.code);
    }
  });
});
