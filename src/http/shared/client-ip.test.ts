import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientIpResolver, normalizeIp } from './client-ip.ts';

describe('clientIpResolver', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    const resolve = clientIpResolver([]);
    assert.equal(resolve('203.0.113.9', '198.51.100.1'), '203.0.113.9');
  });

  it('ignores X-Forwarded-For sent by a client that is not a trusted proxy', () => {
    const resolve = clientIpResolver(['127.0.0.1']);
    assert.equal(resolve('203.0.113.9', '198.51.100.1'), '203.0.113.9');
  });

  it('takes the nearest untrusted hop through a chain of trusted proxies', () => {
    const resolve = clientIpResolver(['127.0.0.1', '10.0.0.0/8']);
    // The client forged the first entry; the proxies appended the real client and each other.
    assert.equal(resolve('127.0.0.1', '1.2.3.4, 198.51.100.7, 10.1.2.3'), '198.51.100.7');
  });

  it('stops at a malformed hop instead of believing what lies behind it', () => {
    const resolve = clientIpResolver(['127.0.0.1']);
    assert.equal(resolve('127.0.0.1', '198.51.100.7, garbage'), '127.0.0.1');
  });

  it('handles IPv6 ranges and IPv4-mapped addresses', () => {
    const resolve = clientIpResolver(['::1', 'fd00::/8']);
    assert.equal(resolve('::1', '2001:db8::5, fd12::1'), '2001:db8::5');
    assert.equal(resolve('::ffff:203.0.113.9', undefined), '203.0.113.9');
  });

  it('normalizes addresses', () => {
    assert.equal(normalizeIp('[2001:DB8::1]'), '2001:db8::1');
    assert.equal(normalizeIp('fe80::1%eth0'), 'fe80::1');
  });
});
