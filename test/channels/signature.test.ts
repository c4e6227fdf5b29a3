import { describe, expect, it } from 'vitest';
import { signBody, signatureMatches } from '../../src/channels/gateway/signature.js';

// Known answers, not Herald's signer checked against itself: HMAC-SHA256 vectors from RFC 4231
// (section 4.3, test case 2, and 4.2, test case 1), so a gateway written in any language can check
// its verifier against the same numbers (README, "The channel gateway").

describe('gateway signature: HMAC-SHA256 known-answer vectors', () => {
  it('RFC 4231 test case 2: key "Jefe", "what do ya want for nothing?"', () => {
    const signature = 'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(signBody('Jefe', 'what do ya want for nothing?')).toBe(signature);
    expect(signatureMatches('Jefe', Buffer.from('what do ya want for nothing?'), signature)).toBe(true);
    expect(signatureMatches('Jefe', Buffer.from('what do ya want for nothing!'), signature)).toBe(false);
  });

  it('RFC 4231 test case 1: a 20-byte key of 0x0b, "Hi There" (the key as its latin1 string)', () => {
    const key = Buffer.alloc(20, 0x0b).toString('latin1');
    expect(signBody(key, 'Hi There')).toBe('sha256=b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  });

  it('a Herald status body signed with the sandbox secret: the exact bytes, upper- or lower-case hex, anything else refused', () => {
    const body = '{"messageId":"m-1","channel":"WEB_CHAT","status":"DELIVERED"}';
    const secret = 'sandbox-web-chat-secret';
    const signature = signBody(secret, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signatureMatches(secret, Buffer.from(body), signature.toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
    expect(signatureMatches(secret, Buffer.from(`${body} `), signature)).toBe(false);
    expect(signatureMatches('another-secret-of-16', Buffer.from(body), signature)).toBe(false);
    for (const bad of [undefined, '', 'sha256=', signature.slice(0, -2), `sha1=${signature.slice(7)}`, [signature, signature]]) {
      expect(signatureMatches(secret, Buffer.from(body), bad as string | string[] | undefined), JSON.stringify(bad)).toBe(false);
    }
  });
});
