import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchTotp, newTotpSecret, totpCode, totpUri } from './totp.ts';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890", truncated to six digits.
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('totp', () => {
  it('matches the RFC 6238 test vectors', () => {
    assert.equal(totpCode(RFC_SEED, 59_000), '287082');
    assert.equal(totpCode(RFC_SEED, 1_111_111_109_000), '081804');
    assert.equal(totpCode(RFC_SEED, 1_234_567_890_000), '005924');
    assert.equal(totpCode(RFC_SEED, 2_000_000_000_000), '279037');
  });

  it('accepts one step of drift and nothing beyond', () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / 30_000);
    assert.equal(matchTotp(RFC_SEED, totpCode(RFC_SEED, now - 30_000), now), step - 1);
    assert.equal(matchTotp(RFC_SEED, totpCode(RFC_SEED, now + 30_000), now), step + 1);
    assert.equal(matchTotp(RFC_SEED, totpCode(RFC_SEED, now - 90_000), now), null);
    assert.equal(matchTotp(RFC_SEED, 'abcdef', now), null);
  });

  it('makes 160-bit base32 seeds and an otpauth URI', () => {
    const seed = newTotpSecret();
    assert.match(seed, /^[A-Z2-7]{32}$/);
    assert.notEqual(seed, newTotpSecret());
    assert.equal(
      totpUri(seed, 'ann@stoa.test', 'My Stoa'),
      `otpauth://totp/My%20Stoa%3Aann%40stoa.test?secret=${seed}&issuer=My%20Stoa&algorithm=SHA1&digits=6&period=30`,
    );
  });
});
