import { randomBytes } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { findAccountByHandle, localUsers } from '../domain/accounts/accounts.repo.ts';
import { approveAccount, changePassword, createLocalAccount, setRole } from '../domain/accounts/accounts.service.ts';
import { cliActor } from '../domain/actor.ts';
import { Invalid } from '../domain/errors.ts';
import { deleteQueuedBlobs } from '../domain/media/media.repo.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/logger.ts';
import { createBlobStore } from '../storage/blobs/create-blob-store.ts';
import type { Db } from '../storage/db/database.ts';
import type { Role } from '../storage/db/schema.ts';
import { EXIT, type CliIo, type Command } from './command.ts';
import { cliCommands, withDatabase } from './with-database.ts';

const ROLES: readonly Role[] = ['user', 'moderator', 'admin'];

const HELP = `Usage: stoa accounts <command> [options]

Commands:
  create <username> --email <address> [--password <p> | --password-stdin]
         [--role user|moderator|admin] [--confirmed]
                             create a local account; without a password, one is
                             generated and printed
  list                       list local accounts (username, email, role, state)
  role <username> <role>     set the role: user, moderator or admin
  approve <username>         approve an account waiting for approval
  reset-password <username>  set a new random password (printed) and sign the
                             account out everywhere
  delete <username>          delete the account and everything it holds, for good

Admins can only be made here or by another admin who uses two-factor authentication.`;

function generatedPassword(): string {
  return randomBytes(18).toString('base64url');
}

async function localAccount(db: Db, io: CliIo, username: string | undefined) {
  const account = username ? await findAccountByHandle(db.read, username.replace(/^@/, ''), null) : undefined;
  if (!account) io.err(`No local account named "${username ?? ''}".`);
  return account;
}

async function create(args: string[], io: CliIo, readStdin: () => Promise<string>): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      role: { type: 'string', default: 'user' },
      confirmed: { type: 'boolean' },
    },
  });
  const [username, ...extra] = positionals;
  if (!username || extra.length || !values.email) {
    io.err(
      'Usage: stoa accounts create <username> --email <address> [--password <p> | --password-stdin] [--role user|moderator|admin] [--confirmed]',
    );
    return EXIT.usage;
  }
  if (!ROLES.includes(values.role as Role)) {
    io.err(`--role must be one of ${ROLES.join(', ')}`);
    return EXIT.usage;
  }
  const fromStdin = values['password-stdin'] ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
  const password = values.password ?? fromStdin ?? generatedPassword();
  return withDatabase(io, async (db, config) => {
    try {
      const account = await createLocalAccount(db, systemClock, config, {
        username,
        email: values.email!,
        password,
        role: values.role as Role,
        confirmed: values.confirmed ?? false,
        approved: true,
      });
      io.out(`Created @${account.username} (${values.role}${values.confirmed ? ', email confirmed' : ', email not confirmed'}).`);
      if (!values.password && !values['password-stdin']) io.out(`Password: ${password}`);
      return EXIT.ok;
    } catch (error) {
      if (error instanceof Invalid) {
        for (const [fieldName, problems] of Object.entries(error.details))
          io.err(`${fieldName} ${problems.map((p) => p.description).join(', ')}`);
        return EXIT.failure;
      }
      throw error;
    }
  });
}

/** `stoa accounts ...`: manage local accounts from the server's shell. */
export function accountsCommand(readStdin: () => Promise<string> = () => text(process.stdin)): Command {
  return {
    name: 'accounts',
    summary: 'create, list, promote, approve, reset and delete local accounts',
    help: HELP,
    async run(args, io) {
      const [sub, ...rest] = args;
      try {
        switch (sub) {
          case 'create':
            return await create(rest, io, readStdin);
          case 'list':
            return await withDatabase(io, async (db) => {
              const rows = await localUsers(db.read);
              io.out(['username', 'email', 'role', 'confirmed', 'approved', 'two-factor', 'created'].join('\t'));
              for (const r of rows) {
                io.out(
                  [
                    r.username,
                    r.email,
                    r.role,
                    r.confirmed_at ? 'yes' : 'no',
                    r.approved_at ? 'yes' : 'no',
                    r.totp_enabled_at ? 'yes' : 'no',
                    r.created_at.slice(0, 10),
                  ].join('\t'),
                );
              }
              return EXIT.ok;
            });
          case 'role': {
            const [username, role] = rest;
            if (!username || !ROLES.includes(role as Role)) {
              io.err(`Usage: stoa accounts role <username> <${ROLES.join('|')}>`);
              return EXIT.usage;
            }
            return await withDatabase(io, async (db) => {
              const account = await localAccount(db, io, username);
              if (!account) return EXIT.failure;
              await setRole(db, systemClock, account.id, role as Role);
              io.out(`@${account.username} is now ${role}.`);
              return EXIT.ok;
            });
          }
          case 'approve':
            return await withDatabase(io, async (db) => {
              const account = await localAccount(db, io, rest[0]);
              if (!account) return EXIT.failure;
              await approveAccount(db, systemClock, account.id);
              io.out(`@${account.username} is approved.`);
              return EXIT.ok;
            });
          case 'reset-password':
            return await withDatabase(io, async (db) => {
              const account = await localAccount(db, io, rest[0]);
              if (!account) return EXIT.failure;
              const password = generatedPassword();
              await changePassword(db, systemClock, account.id, password);
              io.out(`New password for @${account.username}: ${password}\nThe account was signed out everywhere.`);
              return EXIT.ok;
            });
          case 'delete':
            return await withDatabase(io, async (db, config) => {
              const account = await localAccount(db, io, rest[0]);
              if (!account) return EXIT.failure;
              const { accounts } = cliCommands(db, config);
              await accounts.delete(cliActor(account));
              // The server's workers would remove its files and purge the deleted rows from disk soon;
              // the command does it now, in case no server runs.
              await deleteQueuedBlobs(db, createBlobStore(config.blobs), createLogger('warn'));
              await db.purge();
              io.out(`@${account.username} and everything it held are deleted.`);
              return EXIT.ok;
            });
          default:
            io.err(HELP);
            return EXIT.usage;
        }
      } catch (error) {
        if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
          io.err(error.message);
          return EXIT.usage;
        }
        throw error;
      }
    },
  };
}
