import { parseArgs } from 'node:util';
import { isoAt, systemClock } from '../lib/clock.ts';
import { createInvite, usableInvites } from '../domain/accounts/invites.repo.ts';
import { EXIT, type Command } from './command.ts';
import { withDatabase } from './with-database.ts';

const HELP = `Usage: stoa invites <command> [options]

Commands:
  create [--max-uses N] [--expires-in-days D]   make an invitation link (default: one use, 7 days)
  list                                          list invitations that can still be used

In STOA_REGISTRATION=invite mode, sign-up needs an invitation; in the other modes an invitation
skips the approval queue.`;

/** `stoa invites ...`: invitation links for invite-only (or approval) registration. */
export const invitesCommand: Command = {
  name: 'invites',
  summary: 'create and list invitation links',
  help: HELP,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'create') {
      let values;
      try {
        ({ values } = parseArgs({
          args: rest,
          options: { 'max-uses': { type: 'string', default: '1' }, 'expires-in-days': { type: 'string', default: '7' } },
        }));
      } catch (error) {
        io.err((error as Error).message);
        return EXIT.usage;
      }
      const maxUses = Number(values['max-uses']);
      const days = Number(values['expires-in-days']);
      if (!Number.isInteger(maxUses) || maxUses < 0 || !Number.isInteger(days) || days < 0) {
        io.err('--max-uses and --expires-in-days take whole numbers (0 means no limit)');
        return EXIT.usage;
      }
      return withDatabase(io, async (db, config) => {
        const code = await createInvite(db, systemClock, { maxUses: maxUses || null, expiresInMs: days ? days * 86_400_000 : null });
        io.out(`${config.publicUrl}/auth/sign_up?invite=${code}`);
        return EXIT.ok;
      });
    }
    if (sub === 'list') {
      return withDatabase(io, async (db, config) => {
        io.out(['link', 'uses', 'expires'].join('\t'));
        for (const r of await usableInvites(db.read, isoAt(systemClock))) {
          io.out(
            [
              `${config.publicUrl}/auth/sign_up?invite=${r.code}`,
              `${r.uses}/${r.max_uses ?? '∞'}`,
              r.expires_at?.slice(0, 10) ?? 'never',
            ].join('\t'),
          );
        }
        return EXIT.ok;
      });
    }
    io.err(HELP);
    return EXIT.usage;
  },
};
