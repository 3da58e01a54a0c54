import type { Selectable, Updateable } from 'kysely';
import type { Db, DbReader, DbWriter, Engine } from '../../storage/db/database.ts';
import type { AccountsTable, UsersTable } from '../../storage/db/schema.ts';
import type { RemoteEmoji } from '../emoji/custom-emojis.ts';
import { escapeHtml } from '../../lib/html.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import { forgetMedia, scheduleBlobDeletion } from '../media/media.repo.ts';
import { queueJob } from '../jobs.ts';
import { removeAccountFromSearch } from '../statuses/search-index.ts';
import type { Unit } from '../unit-of-work.ts';
import { bumpStatusCount, recountFollows } from './account-counts.repo.ts';
/** An account row as read from the database. */
export type AccountRow = Selectable<AccountsTable>;

/** A local user row as read from the database. */
export type UserRow = Selectable<UsersTable>;

/** An account by id, local or remote. */
export function findAccountById(db: DbReader, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An account by handle: `domain` null for a local one. Case does not matter. */
export function findAccountByHandle(db: DbReader, username: string, domain: string | null): Promise<AccountRow | undefined> {
  let query = db
    .selectFrom('accounts')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()));
  query = domain === null ? query.where('domain', 'is', null) : query.where('domain', '=', domain.toLowerCase());
  return query.executeTakeFirst();
}

/** Accounts by id, in no particular order. */
export function findAccountsByIds(db: DbReader, ids: readonly string[]): Promise<AccountRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('accounts').selectAll().where('id', 'in', ids).execute();
}

/** The user behind a local account. */
export function findUserByAccountId(db: DbReader, accountId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** A local user by email address or by username, as sign-in forms accept either. */
export async function findUserByLogin(db: DbReader, login: string): Promise<{ user: UserRow; account: AccountRow } | undefined> {
  const trimmed = login.trim();
  const row = trimmed.includes('@')
    ? await db
        .selectFrom('users')
        .selectAll()
        .where((eb) => eb(eb.fn('lower', ['email']), '=', trimmed.toLowerCase()))
        .executeTakeFirst()
    : await db
        .selectFrom('users')
        .innerJoin('accounts', 'accounts.id', 'users.account_id')
        .selectAll('users')
        .where('accounts.domain', 'is', null)
        .where((eb) => eb(eb.fn('lower', ['accounts.username']), '=', trimmed.toLowerCase()))
        .executeTakeFirst();
  if (!row) return undefined;
  const account = await findAccountById(db, row.account_id);
  return account ? { user: row, account } : undefined;
}

/** Whether a local user has this email address (without regard to case). */
export async function emailTaken(db: DbReader | DbWriter, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('account_id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst();
  return row !== undefined;
}

export interface ProfileField {
  name: string;
  value: string;
}

/** The profile fields stored as JSON on the account. */
export function profileFields(account: AccountRow): ProfileField[] {
  try {
    const parsed = JSON.parse(account.fields) as unknown;
    return Array.isArray(parsed)
      ? (parsed as Partial<ProfileField>[]).filter((f): f is ProfileField => typeof f?.name === 'string' && typeof f?.value === 'string')
      : [];
  } catch {
    return [];
  }
}

/** A local account's plain-text bio as HTML (remote bios arrive as sanitized HTML and are kept so). */
export function noteHtml(account: AccountRow): string {
  if (account.domain !== null) return account.note;
  const text = account.note.trim();
  if (!text) return '';
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** Profile fields with values as HTML: a local account's escaped, a remote one's as sanitized on arrival. */
export function profileFieldsHtml(account: AccountRow): ProfileField[] {
  return profileFields(account).map((f) => ({ name: f.name, value: account.domain === null ? escapeHtml(f.value) : f.value }));
}

/** An account by its ActivityPub id, local or remote. */
export function findAccountByUri(db: DbReader, uri: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('uri', '=', uri).executeTakeFirst();
}

/** The local account an actor URI names, if it is one of this server's. */
export function findLocalAccountByUri(db: DbReader, uri: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('uri', '=', uri).where('domain', 'is', null).executeTakeFirst();
}

/** The local accounts among actor URIs. */
export async function findLocalAccountsByUris(db: DbReader, uris: readonly string[]): Promise<AccountRow[]> {
  const unique = [...new Set(uris)].slice(0, 200);
  if (!unique.length) return [];
  return db.selectFrom('accounts').selectAll().where('uri', 'in', unique).where('domain', 'is', null).execute();
}

/** What an account's own server says of it, made safe to keep (sanitized, capped) by federation. */
export interface RemoteProfile {
  readonly uri: string;
  readonly username: string;
  readonly domain: string;
  readonly url: string;
  readonly displayName: string;
  /** Sanitized HTML. */
  readonly note: string;
  readonly locked: boolean;
  readonly bot: boolean;
  readonly discoverable: boolean;
  readonly inboxUrl: string | null;
  readonly sharedInboxUrl: string | null;
  readonly outboxUrl: string | null;
  readonly followersUrl: string | null;
  readonly followingUrl: string | null;
  readonly featuredUrl: string | null;
  /** Profile fields, values as sanitized HTML. */
  readonly fields: readonly { readonly name: string; readonly value: string }[];
  readonly alsoKnownAs: readonly string[];
  readonly avatarUrl: string | null;
  readonly headerUrl: string | null;
  /** The custom emoji of its server its name, bio and fields use (its `Emoji` tags). */
  readonly emojis?: readonly RemoteEmoji[] | undefined;
}

/** Inserts or refreshes a remote account from its profile; returns its row. */
export async function upsertRemoteAccount(unit: Unit, profile: RemoteProfile): Promise<AccountRow> {
  const values = {
    username: profile.username,
    domain: profile.domain,
    url: profile.url,
    display_name: profile.displayName,
    note: profile.note,
    locked: profile.locked,
    bot: profile.bot,
    discoverable: profile.discoverable,
    inbox_url: profile.inboxUrl,
    shared_inbox_url: profile.sharedInboxUrl,
    outbox_url: profile.outboxUrl,
    followers_url: profile.followersUrl,
    following_url: profile.followingUrl,
    featured_url: profile.featuredUrl,
    fields: JSON.stringify(profile.fields),
    also_known_as: JSON.stringify(profile.alsoKnownAs),
    updated_at: unit.now,
    fetched_at: unit.now,
  };
  await unit.tx
    .insertInto('accounts')
    .values({ id: uuid7(unit.clock()), uri: profile.uri, created_at: unit.now, ...values })
    .onConflict((oc) => oc.column('uri').doUpdateSet(values))
    .execute();
  const row = (await findAccountByUri(unit.tx, profile.uri))!;
  unit.changed({ kind: 'accounts', ids: [row.id] });
  return row;
}

/** Changes a local account's profile and its user's preferences. */
export async function updateAccount(
  unit: Unit,
  accountId: string,
  account: Updateable<AccountsTable>,
  user: Updateable<UsersTable> = {},
): Promise<void> {
  await unit.tx
    .updateTable('accounts')
    .set({ ...account, updated_at: unit.now })
    .where('id', '=', accountId)
    .execute();
  if (Object.keys(user).length) {
    await unit.tx
      .updateTable('users')
      .set({ ...user, updated_at: unit.now })
      .where('account_id', '=', accountId)
      .execute();
  }
  unit.changed({ kind: 'accounts', ids: [accountId] });
}

/** The blob keys and sources of an account's avatar and header. */
export function profileImagesOf(db: DbReader, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['avatar_key', 'header_key', 'avatar_remote_url', 'header_remote_url'])
    .where('id', '=', accountId)
    .executeTakeFirst();
}

/** The inboxes of the remote accounts on either side of an account's follows: who hears of its deletion. */
export async function followInboxes(db: DbReader, accountId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('follows')
    .innerJoin('accounts', (j) =>
      j.on((eb) =>
        eb.or([eb('accounts.id', '=', eb.ref('follows.account_id')), eb('accounts.id', '=', eb.ref('follows.target_account_id'))]),
      ),
    )
    .select((eb) => eb.fn.coalesce('accounts.shared_inbox_url', 'accounts.inbox_url').as('inbox'))
    .where((w) => w.or([w('follows.account_id', '=', accountId), w('follows.target_account_id', '=', accountId)]))
    .where('accounts.domain', 'is not', null)
    .distinct()
    .execute();
  return rows.map((r) => r.inbox).filter((i): i is string => i !== null);
}

/**
 * Deletes an account for real: its row and, through the database's cascades, its user, statuses, tokens,
 * codes, sessions, passkeys, recovery codes and email tokens; its files once this commits. The accounts on
 * the other side of its follows, and the authors of posts it reposted, lose a count. A local account's URI
 * becomes a tombstone (handles are never reissued: remote servers remember them).
 */
export async function deleteAccountRows(unit: Unit, engine: Engine, accountId: string): Promise<void> {
  const { tx } = unit;
  const account = await tx
    .selectFrom('accounts')
    .select(['uri', 'domain', 'avatar_key', 'header_key'])
    .where('id', '=', accountId)
    .executeTakeFirst();
  if (!account) return;
  await scheduleBlobDeletion(unit, [account.avatar_key, account.header_key]);
  await forgetMedia(unit, { accountId });
  const related = await tx
    .selectFrom('follows')
    .select(['account_id', 'target_account_id'])
    .where((w) => w.or([w('account_id', '=', accountId), w('target_account_id', '=', accountId)]))
    .execute();
  const reposters = await tx
    .selectFrom('statuses as reblog')
    .innerJoin('statuses as original', 'original.id', 'reblog.reblog_of_id')
    .select((eb) => ['reblog.account_id', eb.fn.countAll<number>().as('n')])
    .where('original.account_id', '=', accountId)
    .where('reblog.account_id', '!=', accountId)
    .groupBy('reblog.account_id')
    .execute();
  await removeAccountFromSearch(tx, engine, accountId);
  await tx.deleteFrom('oauth_tokens').where('account_id', '=', accountId).execute();
  await tx.deleteFrom('accounts').where('id', '=', accountId).execute();
  for (const r of reposters) await bumpStatusCount(unit, r.account_id, -Number(r.n));
  await recountFollows(
    unit,
    related.flatMap((f) => [f.account_id, f.target_account_id]).filter((id) => id !== accountId),
  );
  if (account.domain === null) {
    await tx
      .insertInto('tombstones')
      .values({ uri: account.uri, deleted_at: unit.now })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  await queueJob(unit, { kind: 'purge-deleted' });
  unit.changed({ kind: 'everything' });
}

/** Removes an account that never became anything (a sign-up whose confirmation mail could not be sent). */
export async function removeUnusedAccount(db: Db, accountId: string): Promise<void> {
  await db.transaction((tx) => tx.deleteFrom('accounts').where('id', '=', accountId).execute());
}

/** Every local account with its user's standing, by username (the command line's list). */
export function localUsers(db: DbReader) {
  return db
    .selectFrom('users')
    .innerJoin('accounts', 'accounts.id', 'users.account_id')
    .select([
      'accounts.username',
      'users.email',
      'users.role',
      'users.confirmed_at',
      'users.approved_at',
      'users.totp_enabled_at',
      'accounts.created_at',
      'accounts.locked',
    ])
    .orderBy('accounts.username')
    .execute();
}

/** The local accounts of moderators and admins (who are told of sign-ups and reports). */
export async function staffAccountIds(db: DbReader): Promise<string[]> {
  const rows = await db.selectFrom('users').select('account_id').where('role', 'in', ['moderator', 'admin']).execute();
  return rows.map((r) => r.account_id);
}

/**
 * Whether an account may be shown to others: not suspended, and for a local account, its email confirmed
 * and its sign-up approved (an account still waiting is nobody's business).
 */
export async function isShown(db: DbReader, account: Pick<AccountRow, 'id' | 'domain' | 'suspended_at'>): Promise<boolean> {
  if (account.suspended_at !== null) return false;
  if (account.domain !== null) return true;
  const user = await db.selectFrom('users').select(['approved_at', 'confirmed_at']).where('account_id', '=', account.id).executeTakeFirst();
  return !user || (user.approved_at !== null && user.confirmed_at !== null);
}

/** Whether the account has a second factor: TOTP turned on, or a passkey. */
export async function hasSecondFactor(db: DbReader, user: Pick<UserRow, 'account_id' | 'totp_enabled_at'>): Promise<boolean> {
  if (user.totp_enabled_at !== null) return true;
  return (await db.selectFrom('passkeys').select('id').where('account_id', '=', user.account_id).limit(1).executeTakeFirst()) !== undefined;
}

/** Whether a username is held by a sign-up that made no account (see migration 0012). */
export async function usernameHeld(db: DbReader, username: string): Promise<boolean> {
  const row = await db.selectFrom('held_usernames').select('username').where('username', '=', username.toLowerCase()).executeTakeFirst();
  return row !== undefined;
}

/** Holds a username as a new, unconfirmed account would. */
export async function holdUsername(tx: DbWriter, username: string, now: string): Promise<void> {
  await tx
    .insertInto('held_usernames')
    .values({ username: username.toLowerCase(), created_at: now })
    .onConflict((c) => c.column('username').doNothing())
    .execute();
}
