import type { AccountRow } from './accounts/accounts.repo.ts';

/** Through which door an action came: the client API (apps and the web client), another server, or the command line. */
export type Origin = 'api' | 'federation' | 'cli';

/**
 * Who does something, and through which door. Every domain command takes one: a like from the API and a
 * like from another server enter the same command, with a local or a remote account.
 */
export interface Actor {
  readonly account: AccountRow;
  readonly origin: Origin;
}

/** A local account acting through the API or the web client. */
export function apiActor(account: AccountRow): Actor {
  return { account, origin: 'api' };
}

/** A remote account acting through an activity its server sent (already verified by federation). */
export function remoteActor(account: AccountRow): Actor {
  return { account, origin: 'federation' };
}

/** A local account acted for by an operator at the command line. */
export function cliActor(account: AccountRow): Actor {
  return { account, origin: 'cli' };
}

/** Whether an account is one of this server's. */
export function isLocal(account: Pick<AccountRow, 'domain'>): boolean {
  return account.domain === null;
}
