import { parseArgs } from 'node:util';
import { DomainMoveError, moveServerDomain } from '../domain/instance/domain-move.ts';
import { localAccountHost, readServerSetting } from '../domain/instance/server-settings.repo.ts';
import { systemClock } from '../lib/clock.ts';
import { EXIT, type Command } from './command.ts';
import { withDatabase } from './with-database.ts';

const HELP = `Usage: stoa domain show
       stoa domain move [--yes]

show    the domain the database belongs to, and the configured one (STOA_DOMAIN)
move    move the server from the domain its database belongs to, to STOA_DOMAIN

Moving rewrites every local actor, post, follow and link to the new domain; every actor names its
former address among its aliases (alsoKnownAs). The workers then send each account's followers on
other servers a Move from the former actor to the new one, signed with the former actor's key, so
that servers which knew the key believe it even when the former domain no longer answers; those
servers' members then follow the new actor. Each account's follows of remote accounts are sent
again from the new actor. Run it with the server stopped (after a restore, or on the live server's
database), then start the server with the new STOA_DOMAIN. Without --yes it only says what it
would do. Passkeys are bound to a domain: members sign in with their password and add them again.`;

/** `stoa domain ...`: the domain the server belongs to, and moving it to another one. */
export const domainCommand: Command = {
  name: 'domain',
  summary: 'show the server domain, or move the server to a new domain',
  help: HELP,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'show' && sub !== 'move') {
      io.err(HELP);
      return EXIT.usage;
    }
    let yes = false;
    try {
      ({
        values: { yes = false },
      } = parseArgs({ args: rest, options: { yes: { type: 'boolean' } } }));
    } catch (error) {
      io.err((error as Error).message);
      return EXIT.usage;
    }
    return withDatabase(
      io,
      async (db, config) => {
        const recorded = (await readServerSetting(db.read, 'domain')) ?? (await localAccountHost(db.read)) ?? '(none yet)';
        if (sub === 'show' || recorded === config.domain.toLowerCase()) {
          io.out(`The database belongs to ${recorded}; STOA_DOMAIN is ${config.domain}.`);
          if (sub === 'move') io.err('Nothing to move: set STOA_DOMAIN to the new domain first.');
          return sub === 'show' ? EXIT.ok : EXIT.usage;
        }
        if (!yes) {
          io.out(`Would move the server from ${recorded} to ${config.domain} (${config.publicUrl}). Run again with --yes to move it.`);
          return EXIT.ok;
        }
        try {
          const moved = await moveServerDomain(db, systemClock, { domain: config.domain, publicUrl: config.publicUrl });
          io.out(
            `Moved from ${moved.from} to ${moved.to}: ${moved.accounts} local accounts; ${moved.announced} of them are known on other servers, ` +
              `whose Moves and follows the workers send once the server runs with STOA_DOMAIN=${config.domain}.`,
          );
          return EXIT.ok;
        } catch (error) {
          if (!(error instanceof DomainMoveError)) throw error;
          io.err(`Stoa cannot move the server: ${error.message}.`);
          return EXIT.failure;
        }
      },
      { claimDomain: false },
    );
  },
};
