import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Conflict, Invalid, NotFound, RateLimited, Unavailable } from '../../domain/errors.ts';
import { OAuthError } from '../../domain/auth/oauth-error.ts';
import { HttpError } from './http-error.ts';
import { toPublicError } from './error-response.ts';

describe('toPublicError', () => {
  it('maps the domain errors to their statuses with their public messages', () => {
    assert.equal(toPublicError(new NotFound()).status, 404);
    assert.equal(toPublicError(new Invalid('bad', { a: [{ error: 'ERR_INVALID', description: 'x' }] })).status, 422);
    assert.equal(toPublicError(new Conflict('taken')).status, 409);
    assert.deepEqual(toPublicError(new RateLimited(7)).headers, { 'Retry-After': '7' });
    assert.equal(toPublicError(new Unavailable('mail down')).status, 503);
    assert.equal(toPublicError(new HttpError(413, 'too big')).message, 'too big');
    assert.equal(toPublicError(new OAuthError('invalid_grant', 'no')).oauthCode, 'invalid_grant');
  });

  it('turns a database outage into a 503 and anything unexpected into a bare 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    assert.equal(toPublicError(refused).status, 503);
    assert.equal(toPublicError(Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 5 })).status, 503);
    const bug = toPublicError(new TypeError('cannot read properties of undefined (reading secret_column)'));
    assert.equal(bug.status, 500);
    assert.equal(bug.message, 'Internal server error');
    assert.equal(bug.internal, true);
  });
});
