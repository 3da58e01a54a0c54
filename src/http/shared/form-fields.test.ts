import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestFormFields } from './form-fields.ts';

const parse = (query: string) => nestFormFields(new URLSearchParams(query).entries());

describe('nestFormFields', () => {
  it('reads Rails-style names as Mastodon clients send them', () => {
    assert.deepEqual(parse('status=hi&media_ids[]=a&media_ids[]=b&poll[options][]=x&poll[options][]=y&poll[expires_in]=300'), {
      status: 'hi',
      media_ids: ['a', 'b'],
      poll: { options: ['x', 'y'], expires_in: '300' },
    });
    assert.deepEqual(parse('fields_attributes[0][name]=Web&fields_attributes[0][value]=x&fields_attributes[1][name]=Pronouns'), {
      fields_attributes: { 0: { name: 'Web', value: 'x' }, 1: { name: 'Pronouns' } },
    });
  });

  it('reads a list of objects as Rails does: a key the last object has starts the next', () => {
    assert.deepEqual(parse('k[][keyword]=one&k[][whole_word]=false&k[][keyword]=two&k[][keyword]=three&k[][_destroy]=1'), {
      k: [{ keyword: 'one', whole_word: 'false' }, { keyword: 'two' }, { keyword: 'three', _destroy: '1' }],
    });
  });

  it('never writes to an object prototype', () => {
    const parsed = parse('__proto__[admin]=1&a[constructor][prototype][admin]=1&ok=1');
    assert.deepEqual(parsed, { ok: '1' });
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });

  it('drops malformed names and refuses too many fields or too deep nesting', () => {
    assert.deepEqual(parse('a]b=1&[x]=2&c[d=3&good=4'), { good: '4' });
    assert.deepEqual(parse('a[b][c][d][e][f][g]=1'), {});
    assert.throws(() => parse(Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&')), RangeError);
  });
});
