import type { Db } from '../../storage/db/database.ts';
import { localAccountHost, readServerSetting, recordServerSetting } from './server-settings.repo.ts';

/** Raised when the configured domain is not the one this database belongs to. */
export class DomainMismatchError extends Error {
  readonly configured: string;
  readonly recorded: string;
  constructor(configured: string, recorded: string) {
    super(
      `STOA_DOMAIN is ${configured}, but this database belongs to ${recorded}. ` +
        `Run with STOA_DOMAIN=${recorded} (the server's own environment: its .env file or service unit). ` +
        `A server's accounts and posts are known to other servers under its domain; changing the setting alone would cut them off. ` +
        `To move the server to ${configured}, stop it and run 'stoa domain move' with STOA_DOMAIN=${configured}.`,
    );
    this.name = 'DomainMismatchError';
    this.configured = configured;
    this.recorded = recorded;
  }
}

/**
 * Makes sure the database belongs to the configured domain. The domain is fixed once a local account exists
 * (accounts and posts are known to other servers under it): it is recorded then, or read from the local
 * accounts of a database from before domains were recorded, and `DomainMismatchError` is thrown when the
 * configured one differs, so that neither the server nor a command writes under a wrong domain. Before
 * any local account exists, the configured domain is simply recorded.
 */
export async function claimServerDomain(db: Db, domain: string, now: string): Promise<void> {
  const configured = domain.toLowerCase();
  const recorded = await readServerSetting(db.read, 'domain');
  const local = (await localAccountHost(db.read))?.toLowerCase();
  const owner = local === undefined ? configured : (recorded ?? local);
  if (owner !== configured) throw new DomainMismatchError(configured, owner);
  if (recorded !== owner) await db.transaction((tx) => recordServerSetting(tx, 'domain', owner, now));
}
