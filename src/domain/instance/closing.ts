import type { Clock } from '../../lib/clock.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import { Invalid } from '../errors.ts';
import { forgetServerSetting, readServerSetting, recordServerSetting, watchSetting, type WatchedSetting } from './server-settings.repo.ts';

/** How long members keep, at least, to export their data and move once a server announces it is closing. */
export const MIN_CLOSING_DAYS = 90;
const DAY_MS = 24 * 3600_000;

/**
 * Puts the server in closing mode until `until` (an ISO date at least 90 days ahead): read-only for members,
 * who can still sign in, export their data and move their accounts; sign-ups are closed.
 */
export async function startClosing(db: Db, clock: Clock, until: string): Promise<string> {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(until) ? Date.parse(`${until}T00:00:00Z`) : NaN;
  if (Number.isNaN(day)) throw new Invalid('The closing date must be a date such as 2027-03-01');
  const earliest = new Date(clock() + MIN_CLOSING_DAYS * DAY_MS).toISOString().slice(0, 10);
  if (until < earliest)
    throw new Invalid(`Members must keep at least ${MIN_CLOSING_DAYS} days to export their data and move: close on ${earliest} or later`);
  await db.transaction((tx) => recordServerSetting(tx, 'closing_until', until, new Date(clock()).toISOString()));
  return until;
}

/** Leaves closing mode: the server is open again. */
export async function stopClosing(db: Db): Promise<void> {
  await db.transaction((tx) => forgetServerSetting(tx, 'closing_until'));
}

/** The day the server closes, or null when it is not closing. */
export function closingUntil(read: DbReader): Promise<string | null> {
  return readServerSetting(read, 'closing_until').then((value) => value ?? null);
}

/** The closing state over the database: the day it closes, or null; every process sees a change within seconds. */
export function closingState(read: DbReader): WatchedSetting {
  return watchSetting(read, 'closing_until', 5_000);
}

/**
 * The writes a closing server still takes: signing in (and out, and password resets), the OAuth
 * endpoints, exporting, moving an account and its settings, deleting it, and the staff's moderation.
 * Everything else that writes is refused.
 */
const STILL_WRITABLE = [
  /^\/oauth\//,
  /^\/api\/v1\/apps\/?$/,
  /^\/auth\/(sign_in|sign_out|two_factor|passkey|password|confirmation)(\/|$)/,
  /^\/settings\//,
  /^\/api\/v1\/accounts\/(migration|aliases)\/?$/,
  /^\/admin\//,
  /^\/api\/v[12]\/admin\//,
];

/** Whether a request is refused because the server is closing. */
export function refusedWhileClosing(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  return !STILL_WRITABLE.some((pattern) => pattern.test(path));
}

/** What a member is told when a write is refused. */
export function closingMessage(until: string): string {
  return `This server is closing on ${until} and no longer takes posts or changes. Until then you can sign in, export your data (Settings, Export) and move your account to another server.`;
}
