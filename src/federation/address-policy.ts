import { BlockList, isIP } from 'node:net';

/**
 * Address blocks that an outgoing request from Stoa must never reach: this host, private networks,
 * link-local, CGNAT, documentation, benchmarking, multicast, reserved, and the IPv6 forms that carry an
 * IPv4 address inside (mapped, NAT64, 6to4, Teredo). From the IANA special-purpose registries.
 */
const SPECIAL_PURPOSE: readonly (readonly [address: string, prefix: number, family: 'ipv4' | 'ipv6'])[] = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.0.2.0', 24, 'ipv4'], // documentation
  ['192.88.99.0', 24, 'ipv4'], // 6to4 relay anycast
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking
  ['198.51.100.0', 24, 'ipv4'], // documentation
  ['203.0.113.0', 24, 'ipv4'], // documentation
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, and the broadcast address
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['::', 96, 'ipv6'], // IPv4-compatible (deprecated); IPv4-mapped ones are judged by the IPv4 address
  ['64:ff9b::', 96, 'ipv6'], // NAT64
  ['64:ff9b:1::', 48, 'ipv6'], // local-use NAT64
  ['100::', 64, 'ipv6'], // discard-only
  ['2001::', 23, 'ipv6'], // IETF protocol assignments, Teredo among them
  ['2001:db8::', 32, 'ipv6'], // documentation
  ['2002::', 16, 'ipv6'], // 6to4
  ['fc00::', 7, 'ipv6'], // unique-local
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // site-local (deprecated)
  ['ff00::', 8, 'ipv6'], // multicast
];

// One list per family: a BlockList holding IPv6 ranges also matches IPv4 addresses as if mapped.
const forbidden = { ipv4: new BlockList(), ipv6: new BlockList() };
for (const [address, prefix, family] of SPECIAL_PURPOSE) forbidden[family].addSubnet(address, prefix, family);

/** Decides which IP addresses outgoing requests may connect to. */
export interface AddressPolicy {
  /** Whether a connection to `address` (an IP literal) is allowed. */
  allows(address: string): boolean;
}

/**
 * Public addresses only, unless an address is in `allowedPrivate` (addresses or CIDR ranges the operator
 * listed for a test network). An address that is not an IP literal is never allowed.
 */
export function addressPolicy(allowedPrivate: readonly string[] = []): AddressPolicy {
  const exceptions = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const entry of allowedPrivate) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) exceptions[family].addAddress(address, family);
    else exceptions[family].addSubnet(address, Number(prefix), family);
  }
  const judge = (address: string, family: 'ipv4' | 'ipv6') =>
    exceptions[family].check(address, family) || !forbidden[family].check(address, family);
  return {
    allows(raw) {
      const address = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
      const family = isIP(address);
      if (family === 0) return false;
      if (family === 4) return judge(address, 'ipv4');
      // An IPv4-mapped address is the IPv4 address it carries.
      const mapped = mappedIpv4(address);
      return mapped === null ? judge(address, 'ipv6') : judge(mapped, 'ipv4');
    },
  };
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, in any spelling), else null. */
function mappedIpv4(address: string): string | null {
  let normal: string;
  try {
    normal = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(normal);
  if (hex?.[1] === undefined || hex[2] === undefined) return null;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
