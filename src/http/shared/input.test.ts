import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { Invalid } from '../../domain/errors.ts';
import { validate } from './input.ts';

const Schema = z.object({
  status: z.string(),
  limit: z.coerce.number().int().optional(),
  poll: z.object({ expires_in: z.number() }).optional(),
});

function problems(data: unknown) {
  try {
    validate(Schema, data);
  } catch (error) {
    assert.ok(error instanceof Invalid);
    return error.details;
  }
  assert.fail('expected the input to be refused');
}

describe('validate', () => {
  it('calls a missing field blank', () => {
    assert.deepEqual(problems({}).status, [{ error: 'ERR_BLANK', description: "can't be blank" }]);
    assert.equal(problems({ status: 'x', poll: {} })['poll.expires_in']?.[0]?.error, 'ERR_BLANK');
  });

  it('calls a present field of the wrong kind invalid, not blank', () => {
    const details = problems({ status: 5, limit: 'abc', poll: { expires_in: 'soon' } });
    for (const field of ['status', 'limit', 'poll.expires_in']) {
      assert.equal(details[field]?.[0]?.error, 'ERR_INVALID', field);
      assert.doesNotMatch(details[field]?.[0]?.description ?? '', /blank/, field);
    }
  });

  it('returns the parsed value when the input is good', () => {
    assert.deepEqual(validate(Schema, { status: 'hi', limit: '20' }), { status: 'hi', limit: 20 });
  });
});
