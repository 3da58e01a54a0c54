import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { signer } from '../../lib/signed-value.ts';
import { passwordProblems } from '../accounts/password-rules.ts';
import { usernameProblems } from '../accounts/username-rules.ts';
import { Invalid } from '../errors.ts';
import { createProofOfWork, leadingZeroBits } from './proof-of-work.ts';
import { parseScopes, scopesGrant, scopesWithin } from './scopes.ts';
import { tokenMinter } from './token-format.ts';

describe('scopes', () => {
  it('parses scope lists, defaulting to read, refusing unknown ones', () => {
    assert.deepEqual(parseScopes(undefined), ['read']);
    assert.deepEqual(parseScopes('read write:statuses  read'), ['read', 'write:statuses']);
    assert.throws(() => parseScopes('read everything'), Invalid);
  });

  it('grants granular scopes through their parents and the legacy follow scope', () => {
    assert.equal(scopesGrant(['read'], 'read:statuses'), true);
    assert.equal(scopesGrant(['write'], 'read:statuses'), false);
    assert.equal(scopesGrant(['admin:read'], 'admin:read:accounts'), true);
    assert.equal(scopesGrant(['admin:read'], 'admin:write:accounts'), false);
    assert.equal(scopesGrant(['follow'], 'write:follows'), true);
    assert.equal(scopesGrant(['follow'], 'write:statuses'), false);
    assert.equal(scopesGrant(['read:accounts'], 'profile'), true);
    assert.equal(scopesGrant(['push'], 'profile'), false);
    assert.equal(scopesWithin(['read:statuses', 'write:media'], ['read', 'write']), true);
    assert.equal(scopesWithin(['admin:read'], ['read', 'write']), false);
  });
});

describe('token format', () => {
  it('tells issued tokens, decoys and forgeries apart without a lookup', () => {
    const minter = tokenMinter('k'.repeat(40));
    const issued = minter.mint();
    assert.match(issued, /^[\w-]{54}$/);
    assert.equal(minter.classify(issued), 'issued');
    assert.equal(minter.classify(minter.mintDecoy()), 'decoy');
    assert.equal(tokenMinter('j'.repeat(40)).classify(issued), 'malformed');
    const flipped = `${issued.slice(0, 10)}${issued[10] === 'A' ? 'B' : 'A'}${issued.slice(11)}`;
    assert.equal(minter.classify(flipped), 'malformed');
    const lastIndex = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(issued.at(-1)!);
    const respelled = `${issued.slice(0, -1)}${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[lastIndex ^ 1]}`;
    assert.equal(minter.classify(respelled), 'malformed', 'another spelling of the same bytes');
    assert.equal(minter.classify('short'), 'malformed');
  });
});

describe('proof of work', () => {
  it('accepts a solved challenge once, and nothing else', () => {
    const clock = () => 1_000;
    const pow = createProofOfWork(8, signer('p'.repeat(40), 'pow', clock), clock);
    const challenge = pow.challenge();
    let nonce = 0;
    while (leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) < 8) nonce++;
    const unsolved = [...Array(nonce).keys()].at(-1);
    if (unsolved !== undefined) assert.equal(pow.verify(challenge, String(unsolved)), false, 'a nonce that does not solve it');
    assert.equal(pow.verify(challenge, String(nonce)), true);
    assert.equal(pow.verify(challenge, String(nonce)), false, 'a challenge works once');
    assert.equal(pow.verify('forged.challenge', '0'), false);
  });

  it('counts leading zero bits', () => {
    assert.equal(leadingZeroBits(Buffer.from([0, 0, 0x10, 0xff])), 19);
    assert.equal(leadingZeroBits(Buffer.from([0x80])), 0);
  });
});

describe('account rules', () => {
  it("applies Mastodon's username rules and the reserved list", () => {
    assert.deepEqual(usernameProblems('good_name_42'), []);
    assert.equal(usernameProblems('Admin')[0]!.error, 'ERR_RESERVED');
    assert.equal(usernameProblems('a'.repeat(31))[0]!.error, 'ERR_TOO_LONG');
    assert.equal(usernameProblems('dot.name')[0]!.error, 'ERR_INVALID');
    assert.equal(usernameProblems('')[0]!.error, 'ERR_BLANK');
  });

  it('refuses short, common and self-describing passwords', () => {
    assert.deepEqual(passwordProblems('a fine passphrase here'), []);
    assert.equal(passwordProblems('short')[0]!.error, 'ERR_TOO_SHORT');
    assert.equal(passwordProblems('iloveyou')[0]!.error, 'ERR_INVALID');
    assert.equal(passwordProblems('Password1')[0]!.error, 'ERR_INVALID');
    assert.equal(passwordProblems('myusername', { username: 'MyUsername' })[0]!.error, 'ERR_INVALID');
  });
});
