import type { Changes } from '../changes.ts';
import { forgetMedia, scheduleBlobDeletion } from '../media/media.repo.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { hashPassword } from '../../lib/password-hash.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbWriter } from '../../storage/db/database.ts';
import { isUniqueViolation } from '../../storage/db/db-errors.ts';
import type { Insertable } from 'kysely';
import type { AccountsTable, Role, Visibility } from '../../storage/db/schema.ts';
import { Conflict, Invalid, type FieldProblem } from '../errors.ts';
import { emailTaken, findAccountByHandle, findAccountById, type AccountRow } from './accounts.repo.ts';
import { bumpStatusCount, recountFollows } from './account-counts.repo.ts';
import { removeAccountFromSearch } from '../statuses/search-index.ts';
import { passwordProblems } from './password-rules.ts';
import { usernameProblems } from './username-rules.ts';
import { recordActivity } from '../activity-queue.ts';

/** Where local accounts live on the web: the public URL of this server. */
export interface LocalUrls {
  readonly publicUrl: string;
}

/** What creating a local account needs. */
export interface NewLocalAccount {
  username: string;
  email: string;
  password: string;
  role?: Role;
  confirmed?: boolean;
  approved?: boolean;
  reason?: string | null;
  inviteId?: string | null;
  locale?: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Every problem with the fields of a new account, checked together so that the form shows them all. */
export async function newAccountProblems(
  db: Db,
  input: Pick<NewLocalAccount, 'username' | 'email' | 'password'>,
  options: { checkEmailTaken: boolean },
): Promise<Record<string, FieldProblem[]>> {
  const problems: Record<string, FieldProblem[]> = {};
  const add = (field: string, list: FieldProblem[]) => {
    if (list.length) problems[field] = list;
  };
  add('username', usernameProblems(input.username));
  if (!problems.username && (await findAccountByHandle(db.read, input.username, null)))
    add('username', [{ error: 'ERR_TAKEN', description: 'is already taken' }]);
  if (!EMAIL.test(input.email) || input.email.length > 254)
    add('email', [{ error: 'ERR_INVALID', description: 'is not a valid email address' }]);
  else if (options.checkEmailTaken && (await emailTaken(db.read, input.email)))
    add('email', [{ error: 'ERR_TAKEN', description: 'is already taken' }]);
  add('password', passwordProblems(input.password, { username: input.username, email: input.email }));
  return problems;
}

/** Inserts a local account and its user in one transaction. Validation is the caller's (`newAccountProblems`). */
export async function insertLocalAccount(
  tx: DbWriter,
  clock: Clock,
  urls: LocalUrls,
  input: NewLocalAccount & { passwordHash: string },
): Promise<AccountRow> {
  const now = isoAt(clock);
  const account = {
    id: uuid7(clock()),
    username: input.username,
    domain: null,
    uri: `${urls.publicUrl}/users/${input.username}`,
    url: `${urls.publicUrl}/@${input.username}`,
    display_name: '',
    note: '',
    locked: false,
    bot: false,
    discoverable: false,
    inbox_url: null,
    shared_inbox_url: null,
    outbox_url: null,
    followers_url: null,
    following_url: null,
    featured_url: null,
    created_at: now,
    updated_at: now,
    suspended_at: null,
    fetched_at: null,
    fields: '[]',
    hide_collections: false,
    avatar_key: null,
    header_key: null,
    also_known_as: '[]',
    moved_to_account_id: null,
    moved_at: null,
    avatar_remote_url: null,
    header_remote_url: null,
  } satisfies Insertable<AccountsTable>;
  try {
    await tx.insertInto('accounts').values(account).execute();
    await tx
      .insertInto('users')
      .values({
        account_id: account.id,
        email: input.email.trim(),
        password_hash: input.passwordHash,
        role: input.role ?? 'user',
        confirmed_at: input.confirmed ? now : null,
        approved_at: input.approved === false ? null : now,
        registration_reason: input.reason ?? null,
        invite_id: input.inviteId ?? null,
        locale: input.locale ?? 'en',
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (error) {
    // Two sign-ups raced for the same name or address: one wins, the other is told it is taken.
    if (isUniqueViolation(error)) throw new Conflict('The username or email address is already taken');
    throw error;
  }
  return account;
}

/** Creates a local account from trusted input (the command line): validates, hashes, inserts. */
export async function createLocalAccount(db: Db, clock: Clock, urls: LocalUrls, input: NewLocalAccount): Promise<AccountRow> {
  const problems = await newAccountProblems(db, input, { checkEmailTaken: true });
  if (Object.keys(problems).length) throw new Invalid('The account cannot be created', problems);
  const passwordHash = await hashPassword(input.password);
  return db.transaction((tx) => insertLocalAccount(tx, clock, urls, { ...input, passwordHash }));
}

/** Profile fields an account owner can change (`PATCH /api/v1/accounts/update_credentials`). */
export interface ProfileChanges {
  displayName?: string;
  note?: string;
  locked?: boolean;
  bot?: boolean;
  discoverable?: boolean;
  hideCollections?: boolean;
  fields?: { name: string; value: string }[];
  language?: string | null;
  defaultVisibility?: Visibility;
  defaultSensitive?: boolean;
  locale?: string;
  /** A processed image's blob key, or null to go back to the default; the old file is queued for removal. */
  avatarKey?: string | null;
  headerKey?: string | null;
}

export const MAX_PROFILE_FIELDS = 4;

/** Applies profile changes to a local account; the caller has validated their sizes. */
export async function updateProfile(db: Db, clock: Clock, accountId: string, changes: ProfileChanges): Promise<AccountRow> {
  const now = isoAt(clock);
  await db.transaction(async (tx) => {
    const account: Record<string, unknown> = { updated_at: now };
    if (changes.displayName !== undefined) account.display_name = changes.displayName;
    if (changes.avatarKey !== undefined || changes.headerKey !== undefined) {
      const old = await tx
        .selectFrom('accounts')
        .select(['avatar_key', 'header_key'])
        .where('id', '=', accountId)
        .executeTakeFirstOrThrow();
      if (changes.avatarKey !== undefined) {
        account.avatar_key = changes.avatarKey;
        if (old.avatar_key !== changes.avatarKey) await scheduleBlobDeletion(tx, [old.avatar_key], now);
      }
      if (changes.headerKey !== undefined) {
        account.header_key = changes.headerKey;
        if (old.header_key !== changes.headerKey) await scheduleBlobDeletion(tx, [old.header_key], now);
      }
    }
    if (changes.note !== undefined) account.note = changes.note;
    if (changes.locked !== undefined) account.locked = changes.locked;
    if (changes.bot !== undefined) account.bot = changes.bot;
    if (changes.discoverable !== undefined) account.discoverable = changes.discoverable;
    if (changes.hideCollections !== undefined) account.hide_collections = changes.hideCollections;
    if (changes.fields !== undefined) account.fields = JSON.stringify(changes.fields.slice(0, MAX_PROFILE_FIELDS));
    await tx.updateTable('accounts').set(account).where('id', '=', accountId).execute();
    const user: Record<string, unknown> = { updated_at: now };
    if (changes.language !== undefined) user.default_language = changes.language;
    if (changes.defaultVisibility !== undefined) user.default_visibility = changes.defaultVisibility;
    if (changes.defaultSensitive !== undefined) user.default_sensitive = changes.defaultSensitive;
    if (changes.locale !== undefined) user.locale = changes.locale;
    await tx.updateTable('users').set(user).where('account_id', '=', accountId).execute();
    // Followers' servers hear of the new profile.
    await recordActivity(tx, { type: 'profile-updated', accountId }, now);
  });
  return (await findAccountById(db.read, accountId))!;
}

/** Changes a local user's role (command line, or an admin with a second factor). */
export async function setRole(db: Db, clock: Clock, accountId: string, role: Role): Promise<void> {
  await db.transaction((tx) =>
    tx
      .updateTable('users')
      .set({ role, updated_at: isoAt(clock) })
      .where('account_id', '=', accountId)
      .execute(),
  );
}

/** Sets a new password and signs the account out everywhere (sessions and tokens). */
export async function changePassword(db: Db, clock: Clock, accountId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, updated_at: isoAt(clock) })
      .where('account_id', '=', accountId)
      .execute();
    await tx.deleteFrom('sessions').where('account_id', '=', accountId).execute();
    await tx.deleteFrom('oauth_tokens').where('account_id', '=', accountId).execute();
  });
}

/**
 * Deletes an account for real: the account row and, through the database's cascades, its user, statuses,
 * tokens, codes, sessions, passkeys, recovery codes and email tokens. Nothing is kept but the fact that
 * the username was used (handles are never reissued: remote servers remember them).
 */
export async function deleteAccount(
  db: Db,
  accountId: string,
  afterCommit: { flushMedia?: () => Promise<unknown>; changes?: Changes } = {},
): Promise<void> {
  await db.transaction(async (tx) => {
    // Who must hear of it: the servers of its remote followers and of the accounts it follows.
    const account = await tx.selectFrom('accounts').select(['username', 'domain', 'uri']).where('id', '=', accountId).executeTakeFirst();
    const inboxes = await tx
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
    // Its uploads, avatar and header: rows now, files as soon as this commits.
    const now = new Date().toISOString();
    const images = await tx.selectFrom('accounts').select(['avatar_key', 'header_key']).where('id', '=', accountId).executeTakeFirst();
    await scheduleBlobDeletion(tx, [images?.avatar_key ?? null, images?.header_key ?? null], now);
    await forgetMedia(tx, { accountId }, now);
    // The accounts on the other side of its follows, and the authors of posts it reposted, lose a count.
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
    await removeAccountFromSearch(tx, db.engine, accountId);
    await tx.deleteFrom('oauth_tokens').where('account_id', '=', accountId).execute();
    await tx.deleteFrom('accounts').where('id', '=', accountId).execute();
    for (const r of reposters) await bumpStatusCount(tx, r.account_id, -Number(r.n));
    await recountFollows(
      tx,
      related.flatMap((f) => [f.account_id, f.target_account_id]).filter((id) => id !== accountId),
    );
    if (account?.domain === null) {
      await tx
        .insertInto('tombstones')
        .values({ uri: account.uri, deleted_at: now })
        .onConflict((oc) => oc.doNothing())
        .execute();
      // The servers that knew it hear of it, even when the deletion was made from the command line.
      const remoteInboxes = inboxes.map((i) => i.inbox).filter((i): i is string => i !== null);
      await recordActivity(tx, { type: 'account-deleted', accountId, username: account.username, inboxes: remoteInboxes }, now);
    }
  });
  afterCommit.changes?.emit({ kind: 'everything' });
  await afterCommit.flushMedia?.();
  await db.purge();
}
