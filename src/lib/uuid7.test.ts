import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUuid7, uuid7, uuid7Time } from './uuid7.ts';

describe('uuid7', () => {
  it('writes RFC 9562 version 7 ids carrying their creation time', () => {
    const at = Date.UTC(2026, 10, 22, 2, 2, 14, 123);
    const id = uuid7(at);
    assert.ok(isUuid7(id), id);
    assert.equal(id[14], '7');
    assert.ok('89ab'.includes(id[19]!));
    assert.equal(uuid7Time(id), at);
  });

  it('sorts by time across milliseconds', () => {
    const ids = Array.from({ length: 50 }, (_, i) => uuid7(1_700_000_000_000 + i * 3));
    assert.deepEqual([...ids].sort(), ids);
  });

  it('cannot be guessed from a neighbour: ids of one millisecond share only the time bits', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => uuid7(1_700_000_000_000)));
    assert.equal(ids.size, 10_000);
    const randomPart = [...ids].map((id) => id.replace(/-/g, '').slice(13));
    assert.equal(new Set(randomPart).size, 10_000);
  });

  it('rejects what is not a v7 id', () => {
    assert.equal(isUuid7('123'), false);
    assert.equal(isUuid7('0190f0b2-1c2d-4e5f-8a6b-7c8d9e0f1a2b'), false, 'version 4');
  });
});
