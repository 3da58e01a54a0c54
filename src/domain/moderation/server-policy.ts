import { BlockList, isIP } from 'node:net';
import type { Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { DomainBlockSeverity, IpBlockSeverity } from '../../storage/db/schema.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { Changes } from '../changes.ts';

/** How this server treats another, as its domain blocks say. */
export interface DomainStanding {
  readonly domain: string;
  readonly severity: DomainBlockSeverity;
  readonly rejectMedia: boolean;
  readonly rejectReports: boolean;
}

/** Federation as configured: with every server, only with allowed ones, or none. */
export interface FederationScope {
  readonly mode: 'open' | 'allowlist' | 'off';
  readonly allowedDomains: readonly string[];
}

/**
 * The server's moderation policy, kept in memory so that every inbox request, fetch and sign-up can ask
 * without a query: domain blocks (a block of `example.com` covers its subdomains), the allowlist (the
 * configured domains and the domain allows), and address blocks. Reloaded when this process changes it,
 * and every `refreshMs` for changes made by other processes.
 */
export interface ServerPolicy {
  /** The block that applies to a host (`host` or `host:port`), or null. */
  standing(host: string): DomainStanding | null;
  /** Whether this server exchanges anything with a host: not suspended, and allowed in allowlist mode. */
  federates(host: string): boolean;
  /** The strongest address block covering `ip`, or null. */
  ipSeverity(ip: string): IpBlockSeverity | null;
  /** Reads the policy again now. */
  reload(): Promise<void>;
  /** Resolves once the reload started by the latest change has finished (a request that just changed the policy awaits it). */
  settled(): Promise<void>;
  close(): void;
}

const IP_ORDER: readonly IpBlockSeverity[] = ['no_access', 'sign_up_block', 'sign_up_requires_approval'];

/** The policy over the database, kept fresh; empty until its first `reload()` (which the server awaits at start). */
export function serverPolicy(deps: {
  read: DbReader;
  clock: Clock;
  changes: Changes;
  federation: FederationScope;
  refreshMs?: number;
}): ServerPolicy {
  const { read, clock, federation } = deps;
  let blocks = new Map<string, DomainStanding>();
  let allowed = new Set(federation.allowedDomains.map((d) => d.toLowerCase()));
  let ipLists = new Map<IpBlockSeverity, BlockList>();

  async function reload(): Promise<void> {
    const now = new Date(clock()).toISOString();
    const [domainRows, allowRows, ipRows] = await Promise.all([
      read.selectFrom('domain_blocks').select(['domain', 'severity', 'reject_media', 'reject_reports']).execute(),
      read.selectFrom('domain_allows').select('domain').execute(),
      read
        .selectFrom('ip_blocks')
        .select(['ip', 'severity'])
        .where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', now)]))
        .execute(),
    ]);
    blocks = new Map(
      domainRows.map((r) => [
        r.domain,
        { domain: r.domain, severity: r.severity, rejectMedia: toBool(r.reject_media), rejectReports: toBool(r.reject_reports) },
      ]),
    );
    allowed = new Set([...federation.allowedDomains.map((d) => d.toLowerCase()), ...allowRows.map((r) => r.domain)]);
    const lists = new Map<IpBlockSeverity, BlockList>();
    for (const row of ipRows) {
      const list = lists.get(row.severity) ?? new BlockList();
      addRange(list, row.ip);
      lists.set(row.severity, list);
    }
    ipLists = lists;
  }

  /** The entry of `map` for a host, its name without the port, or any parent domain of it. */
  function lookup<T>(map: { get(key: string): T | undefined }, host: string): T | undefined {
    const lower = host.toLowerCase();
    const exact = map.get(lower);
    if (exact !== undefined) return exact;
    let name = lower.replace(/:\d+$/, '');
    for (;;) {
      const found = map.get(name);
      if (found !== undefined) return found;
      const dot = name.indexOf('.');
      if (dot < 0) return undefined;
      name = name.slice(dot + 1);
    }
  }

  let latest: Promise<void> = Promise.resolve();
  const stop = deps.changes.subscribe((batch) => {
    if (batch.some((c) => c.kind === 'moderation')) latest = reload().catch(() => undefined);
  });
  const timer = setInterval(() => void reload().catch(() => undefined), deps.refreshMs ?? 15_000);
  timer.unref();

  return {
    standing: (host) => lookup(blocks, host) ?? null,
    federates(host) {
      if (federation.mode === 'off') return false;
      if (lookup(blocks, host)?.severity === 'suspend') return false;
      return federation.mode === 'open' || lookup({ get: (k: string) => (allowed.has(k) ? true : undefined) }, host) === true;
    },
    ipSeverity(ip) {
      const family = isIP(ip);
      if (!family) return null;
      return IP_ORDER.find((severity) => ipLists.get(severity)?.check(ip, family === 6 ? 'ipv6' : 'ipv4')) ?? null;
    },
    reload,
    settled: () => latest,
    close() {
      stop();
      clearInterval(timer);
    },
  };
}

/** Adds an address or CIDR range (`192.0.2.0/24`, `2001:db8::/32`) to a block list. */
function addRange(list: BlockList, range: string): void {
  const [address, prefix] = range.split('/');
  const family = isIP(address ?? '');
  if (!family) return;
  const type = family === 6 ? 'ipv6' : 'ipv4';
  if (prefix === undefined) list.addAddress(address!, type);
  else list.addSubnet(address!, Number(prefix), type);
}

/** An address or CIDR range in its one written form, or null when it is neither. */
export function normalizeIpRange(text: string): string | null {
  const [address, prefix, extra] = text.trim().split('/');
  if (extra !== undefined || !address) return null;
  const family = isIP(address);
  if (!family) return null;
  const max = family === 6 ? 128 : 32;
  if (prefix === undefined) return `${address.toLowerCase()}/${max}`;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return null;
  return `${address.toLowerCase()}/${Number(prefix)}`;
}
