import type { Selectable } from 'kysely';
import type { DbReader, DbWriter } from '../../storage/db/database.ts';
import type { AccountsTable, UsersTable } from '../../storage/db/schema.ts';
import { escapeHtml } from '../../lib/html.ts';

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
