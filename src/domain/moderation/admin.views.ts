import { createHash } from 'node:crypto';
import { sql, type SqlBool } from 'kysely';
import { toBool } from '../../storage/db/db-errors.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { readWindow, type Window } from '../../storage/db/keyset.ts';
import type { AccountRow, UserRow } from '../accounts/accounts.repo.ts';

/** How the admin account list filters, in Mastodon's v1 and v2 terms alike. */
export interface AdminAccountFilter {
  readonly origin?: 'local' | 'remote' | undefined;
  readonly status?: 'active' | 'pending' | 'disabled' | 'silenced' | 'suspended' | 'sensitized' | undefined;
  /** Only accounts with one of these roles (moderators and admins: the staff). */
  readonly roles?: readonly ('moderator' | 'admin')[] | undefined;
  readonly byDomain?: string | undefined;
  readonly username?: string | undefined;
  readonly displayName?: string | undefined;
  readonly email?: string | undefined;
  readonly ip?: string | undefined;
}

/** An account as moderators list it: its row, and its user for a local one. */
export interface AdminAccountRow {
  readonly account: AccountRow;
  readonly user: UserRow | null;
}

function likeContains(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A page of accounts for moderators, newest first, filtered. */
export async function adminAccounts(db: DbReader, filter: AdminAccountFilter, window: Window): Promise<AdminAccountRow[]> {
  let query = db.selectFrom('accounts').leftJoin('users', 'users.account_id', 'accounts.id').selectAll('accounts');
  if (filter.origin === 'local') query = query.where('accounts.domain', 'is', null);
  if (filter.origin === 'remote') query = query.where('accounts.domain', 'is not', null);
  switch (filter.status) {
    case 'active':
      query = query
        .where('accounts.suspended_at', 'is', null)
        .where((w) => w.or([w('users.account_id', 'is', null), w('users.approved_at', 'is not', null)]));
      break;
    case 'pending':
      query = query.where('users.account_id', 'is not', null).where('users.approved_at', 'is', null);
      break;
    case 'disabled':
      query = query.where('users.disabled_at', 'is not', null);
      break;
    case 'silenced':
      query = query.where('accounts.silenced_at', 'is not', null);
      break;
    case 'suspended':
      query = query.where('accounts.suspended_at', 'is not', null);
      break;
    case 'sensitized':
      query = query.where('accounts.sensitized_at', 'is not', null);
      break;
  }
  if (filter.roles?.length) query = query.where('users.role', 'in', [...filter.roles]);
  if (filter.byDomain) query = query.where('accounts.domain', '=', filter.byDomain.toLowerCase());
  if (filter.username) query = query.where(sql<SqlBool>`lower(accounts.username) like ${likeContains(filter.username)} escape '\\'`);
  if (filter.displayName)
    query = query.where(sql<SqlBool>`lower(accounts.display_name) like ${likeContains(filter.displayName)} escape '\\'`);
  if (filter.email) query = query.where(sql<SqlBool>`lower(users.email) like ${likeContains(filter.email)} escape '\\'`);
  if (filter.ip) {
    const ip = filter.ip;
    query = query.where((w) =>
      w.or([w('users.sign_up_ip', '=', ip), w('accounts.id', 'in', db.selectFrom('sessions').select('account_id').where('ip', '=', ip))]),
    );
  }
  const accounts = await readWindow(query, 'accounts.id', window);
  const users = accounts.length
    ? await db
        .selectFrom('users')
        .selectAll()
        .where(
          'account_id',
          'in',
          accounts.map((a) => a.id),
        )
        .execute()
    : [];
  const byId = new Map(users.map((u) => [u.account_id, u]));
  return accounts.map((account) => ({ account, user: byId.get(account.id) ?? null }));
}

/** One account for moderators. */
export async function adminAccount(db: DbReader, id: string): Promise<AdminAccountRow | undefined> {
  const account = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!account) return undefined;
  const user = await db.selectFrom('users').selectAll().where('account_id', '=', id).executeTakeFirst();
  return { account, user: user ?? null };
}

/** The addresses a local account was used from: where it signed up, and its browser sessions, newest first. */
export async function accountIps(db: DbReader, row: AdminAccountRow): Promise<{ ip: string; used_at: string }[]> {
  if (!row.user) return [];
  const sessions = await db
    .selectFrom('sessions')
    .select(['ip', 'last_seen_at'])
    .where('account_id', '=', row.account.id)
    .orderBy('last_seen_at', 'desc')
    .limit(20)
    .execute();
  const seen = new Map<string, string>();
  for (const s of sessions) if (s.ip && !seen.has(s.ip)) seen.set(s.ip, s.last_seen_at);
  if (row.user.sign_up_ip && !seen.has(row.user.sign_up_ip)) seen.set(row.user.sign_up_ip, row.user.created_at);
  return [...seen].map(([ip, used_at]) => ({ ip, used_at }));
}

/** The measures Mastodon's dashboard shows. */
export const MEASURES = ['new_users', 'active_users', 'interactions', 'opened_reports', 'resolved_reports'] as const;
export type MeasureKey = (typeof MEASURES)[number];

/** One measure over a span of days: a total and a value per day. */
export interface Measure {
  readonly key: MeasureKey;
  readonly total: number;
  readonly previousTotal: number;
  readonly days: { readonly date: string; readonly value: number }[];
}

/** The timestamps a measure counts, between two instants. */
async function measureTimes(db: DbReader, key: MeasureKey, from: string, to: string): Promise<string[]> {
  const rows = await (() => {
    switch (key) {
      case 'new_users':
        return db.selectFrom('users').select('created_at as at').where('created_at', '>=', from).where('created_at', '<', to).execute();
      case 'active_users':
        // A member is active on a day they signed in or posted; counted once a day.
        return db
          .selectFrom('statuses')
          .innerJoin('users', 'users.account_id', 'statuses.account_id')
          .select(['statuses.created_at as at', 'statuses.account_id as who'])
          .where('statuses.created_at', '>=', from)
          .where('statuses.created_at', '<', to)
          .execute();
      case 'interactions':
        return db
          .selectFrom('favourites')
          .innerJoin('statuses', 'statuses.id', 'favourites.status_id')
          .select('favourites.created_at as at')
          .where('statuses.domain', 'is', null)
          .where('favourites.created_at', '>=', from)
          .where('favourites.created_at', '<', to)
          .execute();
      case 'opened_reports':
        return db.selectFrom('reports').select('created_at as at').where('created_at', '>=', from).where('created_at', '<', to).execute();
      case 'resolved_reports':
        return db
          .selectFrom('reports')
          .select('action_taken_at as at')
          .where('action_taken_at', '>=', from)
          .where('action_taken_at', '<', to)
          .execute();
    }
  })();
  if (key !== 'active_users') return rows.map((r) => String(r.at));
  const once = new Set<string>();
  const days: string[] = [];
  for (const r of rows as { at: string; who: string }[]) {
    const day = `${r.at.slice(0, 10)}|${r.who}`;
    if (!once.has(day)) {
      once.add(day);
      days.push(r.at);
    }
  }
  return days;
}

/** A measure per day from `start` to `end` (whole UTC days), with the total of the span before it. */
export async function measure(db: DbReader, key: MeasureKey, start: string, end: string): Promise<Measure> {
  const from = `${start.slice(0, 10)}T00:00:00.000Z`;
  const toDate = new Date(`${end.slice(0, 10)}T00:00:00.000Z`);
  toDate.setUTCDate(toDate.getUTCDate() + 1);
  const to = toDate.toISOString();
  const span = Date.parse(to) - Date.parse(from);
  const previousFrom = new Date(Date.parse(from) - span).toISOString();
  const times = await measureTimes(db, key, from, to);
  const previous = await measureTimes(db, key, previousFrom, from);
  const counts = new Map<string, number>();
  for (const t of times) counts.set(t.slice(0, 10), (counts.get(t.slice(0, 10)) ?? 0) + 1);
  const days: { date: string; value: number }[] = [];
  for (let d = new Date(from); d.toISOString() < to; d.setUTCDate(d.getUTCDate() + 1)) {
    const date = d.toISOString().slice(0, 10);
    days.push({ date: `${date}T00:00:00Z`, value: counts.get(date) ?? 0 });
  }
  return { key, total: times.length, previousTotal: previous.length, days };
}

/** Mastodon's digest of a domain (SHA-256, hex), by which an obfuscated block can still be checked. */
export function domainDigest(domain: string): string {
  return createHash('sha256').update(domain).digest('hex');
}

/** A domain with the middle of each label but the last starred out (`b*d.example`). */
function obfuscate(domain: string): string {
  return domain
    .split('.')
    .map((label, i, labels) =>
      i === labels.length - 1 || label.length <= 2 ? label : `${label[0]}${'*'.repeat(label.length - 2)}${label.at(-1)}`,
    )
    .join('.');
}

/** A block as the public list shows it. */
export interface PublicDomainBlockView {
  readonly domain: string;
  readonly digest: string;
  readonly severity: 'silence' | 'suspend';
  readonly comment: string | null;
}

/** The servers this one suspends or limits, as the public may see them (obfuscated where asked). */
export async function publicDomainBlocks(db: DbReader): Promise<PublicDomainBlockView[]> {
  const rows = await db.selectFrom('domain_blocks').selectAll().where('severity', '!=', 'noop').orderBy('domain', 'asc').execute();
  return rows.map((b) => ({
    domain: toBool(b.obfuscate) ? obfuscate(b.domain) : b.domain,
    digest: domainDigest(b.domain),
    severity: b.severity as 'silence' | 'suspend',
    comment: b.public_comment,
  }));
}
