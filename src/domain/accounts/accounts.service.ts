import { recordRemoteEmojis } from '../emoji/custom-emojis.ts';
import { scheduleBlobDeletion } from '../media/media.repo.ts';
import { REMOTE_MEDIA_CHANNEL, type RemoteMediaJob } from '../media/remote-media-jobs.ts';
import { isLocal, type Actor } from '../actor.ts';
import type { RunCommand } from '../unit-of-work.ts';
import { domainSeverityOf, setAccountStanding } from '../moderation/moderation.repo.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { hashPassword } from '../../lib/password-hash.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbWriter } from '../../storage/db/database.ts';
import { isUniqueViolation } from '../../storage/db/db-errors.ts';
import type { Insertable, Updateable } from 'kysely';
import type { AccountsTable, Role, UsersTable, Visibility } from '../../storage/db/schema.ts';
import { Conflict, Invalid, type FieldProblem } from '../errors.ts';
import {
  deleteAccountRows,
  emailTaken,
  findAccountByHandle,
  usernameHeld,
  findAccountById,
  followInboxes,
  profileImagesOf,
  updateAccount,
  upsertRemoteAccount,
  type AccountRow,
  type RemoteProfile,
} from './accounts.repo.ts';
import { passwordProblems } from './password-rules.ts';
import { usernameProblems } from './username-rules.ts';
import { recordActivity } from '../activity-queue.ts';

const DAY_MS = 24 * 3600_000;
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
  /** The address the account signed up from. */
  signUpIp?: string | null;
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
  if (!problems.username && ((await findAccountByHandle(db.read, input.username, null)) || (await usernameHeld(db.read, input.username))))
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
    // The id carries the day of creation, not the millisecond (which the API and the actor round to the day).
    id: uuid7(Math.floor(clock() / DAY_MS) * DAY_MS),
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
    silenced_at: null,
    sensitized_at: null,
    suspension_origin: null,
    silence_origin: null,
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
        sign_up_ip: input.signUpIp ?? null,
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

/**
 * The account commands: a member's profile, an account's deletion (by its member, an operator, or its own
 * server for a remote one), and remote accounts as their servers describe them.
 */
export function createAccountService(deps: { db: Db; run: RunCommand }) {
  const { db, run } = deps;
  return {
    /** Applies profile changes to the actor's own (local) account; the caller has validated their sizes. */
    async updateProfile(actor: Actor, changes: ProfileChanges): Promise<AccountRow> {
      const accountId = actor.account.id;
      await run(async (unit) => {
        const account: Updateable<AccountsTable> = {};
        const old = await profileImagesOf(unit.tx, accountId);
        if (changes.avatarKey !== undefined) {
          account.avatar_key = changes.avatarKey;
          if (old?.avatar_key !== changes.avatarKey) await scheduleBlobDeletion(unit, [old?.avatar_key ?? null]);
        }
        if (changes.headerKey !== undefined) {
          account.header_key = changes.headerKey;
          if (old?.header_key !== changes.headerKey) await scheduleBlobDeletion(unit, [old?.header_key ?? null]);
        }
        if (changes.displayName !== undefined) account.display_name = changes.displayName;
        if (changes.note !== undefined) account.note = changes.note;
        if (changes.locked !== undefined) account.locked = changes.locked;
        if (changes.bot !== undefined) account.bot = changes.bot;
        if (changes.discoverable !== undefined) account.discoverable = changes.discoverable;
        if (changes.hideCollections !== undefined) account.hide_collections = changes.hideCollections;
        if (changes.fields !== undefined) account.fields = JSON.stringify(changes.fields.slice(0, MAX_PROFILE_FIELDS));
        const user: Updateable<UsersTable> = {};
        if (changes.language !== undefined) user.default_language = changes.language;
        if (changes.defaultVisibility !== undefined) user.default_visibility = changes.defaultVisibility;
        if (changes.defaultSensitive !== undefined) user.default_sensitive = changes.defaultSensitive;
        if (changes.locale !== undefined) user.locale = changes.locale;
        await updateAccount(unit, accountId, account, user);
        // Followers' servers hear of the new profile.
        await recordActivity(unit, actor.account, { type: 'profile-updated', accountId });
      });
      return (await findAccountById(db.read, accountId))!;
    },

    /**
     * Deletes the actor's account for real (see `deleteAccountRows`). A local account's deletion is told
     * to the servers that knew it, whoever asked (the member, or an operator at the command line).
     */
    async delete(actor: Actor): Promise<void> {
      const accountId = actor.account.id;
      const inboxes = isLocal(actor.account) ? await followInboxes(db.read, accountId) : [];
      await run(async (unit) => {
        await deleteAccountRows(unit, db.engine, accountId);
        await recordActivity(unit, actor.account, { type: 'account-deleted', accountId, username: actor.account.username, inboxes });
      });
    },

    /**
     * Keeps a remote account as its server describes it (new, or refreshed); its avatar and header are
     * fetched by the workers when they changed. Returns its row.
     */
    async saveRemote(profile: RemoteProfile): Promise<AccountRow> {
      return run(async (unit) => {
        const row = await upsertRemoteAccount(unit, profile);
        // An account of a server limited or suspended as a whole is limited or suspended with it.
        if (row.domain && row.silenced_at === null && row.suspended_at === null) {
          const severity = await domainSeverityOf(unit.tx, row.domain);
          if (severity === 'silence') await setAccountStanding(unit, [row.id], { silenced_at: unit.now, silence_origin: 'domain' });
          if (severity === 'suspend') await setAccountStanding(unit, [row.id], { suspended_at: unit.now, suspension_origin: 'domain' });
        }
        for (const [kind, url] of [
          ['avatar', profile.avatarUrl],
          ['header', profile.headerUrl],
        ] as const) {
          const source = kind === 'avatar' ? row.avatar_remote_url : row.header_remote_url;
          if (url === source) continue;
          const key = kind === 'avatar' ? row.avatar_key : row.header_key;
          const remote = kind === 'avatar' ? 'avatar_remote_url' : 'header_remote_url';
          await updateAccount(unit, row.id, url ? { [remote]: url } : { [remote]: null, [`${kind}_key`]: null });
          if (!url) await scheduleBlobDeletion(unit, [key]);
          else await unit.enqueue(REMOTE_MEDIA_CHANNEL, { kind, accountId: row.id, url } satisfies RemoteMediaJob);
        }
        if (profile.emojis?.length) await recordRemoteEmojis(unit, row.domain!, profile.emojis, { accountId: row.id });
        return (await findAccountById(unit.tx, row.id))!;
      });
    },

    /**
     * Keeps a remote account's avatar or header fetched from `url` (stored under `key`), unless a newer
     * image replaced it meanwhile or the account is gone (then the file goes).
     */
    async storeRemoteImage(accountId: string, kind: 'avatar' | 'header', url: string, key: string): Promise<void> {
      await run(async (unit) => {
        const current = await profileImagesOf(unit.tx, accountId);
        const source = kind === 'avatar' ? current?.avatar_remote_url : current?.header_remote_url;
        if (!current || source !== url) return scheduleBlobDeletion(unit, [key]);
        await updateAccount(unit, accountId, kind === 'avatar' ? { avatar_key: key } : { header_key: key });
        await scheduleBlobDeletion(unit, [kind === 'avatar' ? current.avatar_key : current.header_key]);
      });
    },
  };
}

/** The account service's interface, as `createAccountService` builds it. */
export type AccountService = ReturnType<typeof createAccountService>;

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

/** Approves a sign-up waiting for the moderators (command line); approving twice changes nothing. */
export async function approveAccount(db: Db, clock: Clock, accountId: string): Promise<void> {
  const now = isoAt(clock);
  await db.transaction((tx) =>
    tx
      .updateTable('users')
      .set({ approved_at: now, updated_at: now })
      .where('account_id', '=', accountId)
      .where('approved_at', 'is', null)
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
