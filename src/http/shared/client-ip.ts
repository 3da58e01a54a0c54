import { BlockList, isIP } from 'node:net';

/**
 * Builds the function that names a request's client. `X-Forwarded-For` is believed only hop by hop from
 * the right, and only while the hop that added it is a configured proxy: anyone can send the header, so
 * believing it from elsewhere would let a client pick the address its rate limits count against.
 */
export function clientIpResolver(
  trustedProxies: readonly string[],
): (socketIp: string | undefined, forwardedFor: string | undefined) => string {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, family);
    else trusted.addSubnet(address, Number(prefix), family);
  }
  const isTrusted = (ip: string) => {
    const family = isIP(ip);
    return family !== 0 && trusted.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  };

  return (socketIp, forwardedFor) => {
    let client = normalizeIp(socketIp ?? '') || 'unknown';
    if (!forwardedFor || trustedProxies.length === 0 || !isTrusted(client)) return client;
    const hops = forwardedFor.split(',').map((hop) => normalizeIp(hop.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!isTrusted(hop)) return client;
    }
    return client;
  };
}

/** `::ffff:192.0.2.1` and `192.0.2.1` are one client; brackets and zone ids are dropped. */
export function normalizeIp(ip: string): string {
  const bare = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return (mapped ? mapped[1]! : bare).toLowerCase();
}
