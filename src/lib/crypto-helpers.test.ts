import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { secretBox } from './secret-box.ts';
import { signer } from './signed-value.ts';

const SECRET = 's'.repeat(40);

describe('password hashing', () => {
  it('writes argon2id PHC strings that verify only the right password', async () => {
    const phc = await hashPassword('correct horse');
    assert.match(phc, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[\w-]{22}\$[\w-]{43}$/);
    assert.equal(await verifyPassword('correct horse', phc), true);
    assert.equal(await verifyPassword('correct horsE', phc), false);
    assert.notEqual(await hashPassword('correct horse'), phc, 'salted');
    assert.equal(await verifyPassword('x', 'not a hash'), false);
  });
});

describe('secret box', () => {
  it('opens what it sealed, and nothing tampered with or sealed under another key', () => {
    const box = secretBox(SECRET, 'totp');
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    assert.equal(box.open(sealed), 'JBSWY3DPEHPK3PXP');
    assert.notEqual(box.seal('JBSWY3DPEHPK3PXP'), sealed);
    assert.equal(secretBox(SECRET, 'other').open(sealed), null);
    assert.equal(secretBox('t'.repeat(40), 'totp').open(sealed), null);
    const [v, iv, body, tag] = sealed.split('.');
    // The first character of the body changed (all of its bits are used, unlike the last one's).
    const changed = `${body![0] === 'A' ? 'B' : 'A'}${body!.slice(1)}`;
    assert.equal(box.open([v, iv, changed, tag].join('.')), null);
  });
});

describe('signed values', () => {
  it('verify untampered, unexpired values for their own purpose only', () => {
    let now = 1_000_000;
    const clock = () => now;
    const pending = signer(SECRET, 'pending', clock);
    const value = pending.sign({ a: 'account-1' }, 60_000);
    assert.equal(pending.verify<{ a: string }>(value)?.a, 'account-1');
    assert.equal(signer(SECRET, 'webauthn', clock).verify(value), null);
    assert.equal(pending.verify(`${value}x`), null);
    const forged = `${Buffer.from(JSON.stringify({ a: 'admin', exp: now + 1e9 })).toString('base64url')}.${value.split('.')[1]}`;
    assert.equal(pending.verify(forged), null);
    now += 61_000;
    assert.equal(pending.verify(value), null);
  });
});
