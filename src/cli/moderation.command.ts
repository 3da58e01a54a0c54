import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { findAccountByHandle } from '../domain/accounts/accounts.repo.ts';
import { auditEntries, verifyAuditChain } from '../domain/moderation/audit-log.ts';
import { DomainBlockExists } from '../domain/moderation/blocks.service.ts';
import { DOMAIN_BLOCK_SEVERITIES, exportDomainBlocks } from '../domain/moderation/blocklist-csv.ts';
import { allDomainBlocks, findDomainBlock } from '../domain/moderation/moderation.repo.ts';
import { OPERATOR } from '../domain/moderation/staff.ts';
import type { Db } from '../storage/db/database.ts';
import type { DomainBlockSeverity } from '../storage/db/schema.ts';
import { EXIT, refusalsAsMessages, type CliIo, type Command } from './command.ts';
import { cliCommands, withDatabase } from './with-database.ts';

const MODERATION_HELP = `Usage: stoa moderation <command> [options]

Commands:
  suspend <@user[@domain]> [--reason TEXT]     suspend an account: signed out, hidden with its posts; deleted
                                               for good after 30 days unless lifted
  unsuspend <@user[@domain]>                   lift a suspension
  limit <@user[@domain]> [--reason TEXT]       limit an account: out of public timelines, hashtags and search
                                               for everyone but its followers; its follows need approval
  unlimit <@user[@domain]>                     lift a limit
  log [--limit N] [--verify]                   print the audit log, newest first; --verify checks its whole
                                               hash chain and fails if an entry was changed or removed

Every action here is on the audit log, by "cli".`;

/** An account by handle: `@name` (local) or `@name@domain`. */
async function accountByHandle(db: Db, io: CliIo, handle: string | undefined) {
  const [username, domain] = (handle ?? '').replace(/^@/, '').split('@');
  const account = username ? await findAccountByHandle(db.read, username, domain ? domain.toLowerCase() : null) : undefined;
  if (!account) io.err(`No account "${handle ?? ''}" on this server.`);
  return account;
}

/** Parses a command's options, or says what is wrong (then the command exits with a usage error). */
function options<T extends ParseArgsConfig['options']>(io: CliIo, args: string[], config: T) {
  try {
    return parseArgs({ args, allowPositionals: true, options: config });
  } catch (error) {
    io.err((error as Error).message);
    return null;
  }
}

/** `stoa moderation ...`: act on accounts and read (and verify) the audit log from the server's shell. */
export const moderationCommand: Command = {
  name: 'moderation',
  summary: 'suspend or limit accounts, and print or verify the audit log',
  help: MODERATION_HELP,
  async run(args, io) {
    const [sub, ...rest] = args;
    const parsed = options(io, rest, { reason: { type: 'string' }, limit: { type: 'string', default: '50' }, verify: { type: 'boolean' } });
    if (!parsed) return EXIT.usage;
    const { values, positionals } = parsed;
    const actions = { suspend: 'suspend', limit: 'silence' } as const;
    const undos = { unsuspend: 'unsuspend', unlimit: 'unsilence' } as const;
    if (sub === 'suspend' || sub === 'limit') {
      return withDatabase(io, (db, config) =>
        refusalsAsMessages(io, async () => {
          const account = await accountByHandle(db, io, positionals[0]);
          if (!account) return EXIT.failure;
          await cliCommands(db, config).moderation.act(OPERATOR, account.id, { type: actions[sub], text: values.reason ?? '' });
          io.out(`${positionals[0]} is ${sub === 'suspend' ? 'suspended' : 'limited'}.`);
          return EXIT.ok;
        }),
      );
    }
    if (sub === 'unsuspend' || sub === 'unlimit') {
      return withDatabase(io, (db, config) =>
        refusalsAsMessages(io, async () => {
          const account = await accountByHandle(db, io, positionals[0]);
          if (!account) return EXIT.failure;
          await cliCommands(db, config).moderation.undo(OPERATOR, account.id, undos[sub]);
          io.out(`${positionals[0]} is no longer ${sub === 'unsuspend' ? 'suspended' : 'limited'}.`);
          return EXIT.ok;
        }),
      );
    }
    if (sub === 'log') {
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        io.err('--limit takes a whole number above 0');
        return EXIT.usage;
      }
      return withDatabase(io, async (db) => {
        if (values.verify) {
          const check = await verifyAuditChain(db.read);
          if (!check.ok) {
            io.err(`The audit log does not verify: ${check.problem} (${check.entries} entries verified before it).`);
            return EXIT.failure;
          }
          io.out(`The audit log verifies: ${check.entries} entries, none changed or removed.`);
          return EXIT.ok;
        }
        io.out(['#', 'when', 'who', 'action', 'target', 'detail'].join('\t'));
        for (const e of await auditEntries(db.read, { limit })) {
          io.out([e.seq, e.created_at, e.actor, e.action, `${e.target_type}:${e.target_id}`, e.detail].join('\t'));
        }
        return EXIT.ok;
      });
    }
    io.err(MODERATION_HELP);
    return EXIT.usage;
  },
};

const BLOCKS_HELP = `Usage: stoa domain-blocks <command> [options]

Commands:
  list                                         every domain block, as CSV (Mastodon's format)
  add <domain> [--severity suspend|silence|noop] [--reject-media] [--reject-reports]
               [--public-comment TEXT] [--private-comment TEXT] [--obfuscate]
                                               block a server (default: suspend)
  remove <domain>                              lift a domain block
  import <file.csv> [--source NAME]            import blocks in Mastodon's CSV format
                                               (#domain,#severity,#reject_media,#reject_reports,
                                               #public_comment,#obfuscate); domains already blocked are kept

A suspended server is cut off: follows both ways end (its servers are told), its accounts' posts are removed
here, its activities are refused and nothing is fetched from it. Every change is on the audit log.`;

/** `stoa domain-blocks ...`: block, unblock, list and import servers from the server's shell. */
export const domainBlocksCommand: Command = {
  name: 'domain-blocks',
  summary: 'block, unblock, list and import blocked servers',
  help: BLOCKS_HELP,
  async run(args, io) {
    const [sub, ...rest] = args;
    const parsed = options(io, rest, {
      severity: { type: 'string', default: 'suspend' },
      'reject-media': { type: 'boolean' },
      'reject-reports': { type: 'boolean' },
      'public-comment': { type: 'string' },
      'private-comment': { type: 'string' },
      obfuscate: { type: 'boolean' },
      source: { type: 'string' },
    });
    if (!parsed) return EXIT.usage;
    const { values, positionals } = parsed;
    if (sub === 'list') {
      return withDatabase(io, async (db) => {
        io.out((await exportDomainBlocks(db.read)).trimEnd());
        return EXIT.ok;
      });
    }
    if (sub === 'add') {
      const severity = values.severity as DomainBlockSeverity;
      if (!positionals[0] || !DOMAIN_BLOCK_SEVERITIES.includes(severity)) {
        io.err(BLOCKS_HELP);
        return EXIT.usage;
      }
      return withDatabase(io, (db, config) =>
        refusalsAsMessages(io, async () => {
          try {
            const block = await cliCommands(db, config).blocks.createDomainBlock(OPERATOR, positionals[0]!, {
              severity,
              rejectMedia: values['reject-media'] ?? false,
              rejectReports: values['reject-reports'] ?? false,
              publicComment: values['public-comment'],
              privateComment: values['private-comment'],
              obfuscate: values.obfuscate ?? false,
            });
            io.out(`${block.domain} is blocked (${block.severity}).`);
            return EXIT.ok;
          } catch (error) {
            if (!(error instanceof DomainBlockExists)) throw error;
            io.err(`${error.existing.domain} is already blocked (${error.existing.severity}); remove it first to change it here.`);
            return EXIT.failure;
          }
        }),
      );
    }
    if (sub === 'remove') {
      return withDatabase(io, (db, config) =>
        refusalsAsMessages(io, async () => {
          const block = positionals[0] ? await findDomainBlock(db.read, { domain: positionals[0].trim().toLowerCase() }) : undefined;
          if (!block) {
            io.err(
              `"${positionals[0] ?? ''}" is not blocked. Blocked: ${(await allDomainBlocks(db.read)).map((b) => b.domain).join(', ') || 'none'}.`,
            );
            return EXIT.failure;
          }
          await cliCommands(db, config).blocks.deleteDomainBlock(OPERATOR, block.id);
          io.out(`${block.domain} is no longer blocked.`);
          return EXIT.ok;
        }),
      );
    }
    if (sub === 'import') {
      const file = positionals[0];
      if (!file) {
        io.err(BLOCKS_HELP);
        return EXIT.usage;
      }
      let csv: string;
      try {
        csv = await readFile(file, 'utf8');
      } catch (error) {
        io.err(`Cannot read ${file}: ${(error as Error).message}`);
        return EXIT.failure;
      }
      return withDatabase(io, (db, config) =>
        refusalsAsMessages(io, async () => {
          const result = await cliCommands(db, config).blocks.importDomainBlocks(
            OPERATOR,
            csv,
            values.source ?? `import:${file.split('/').at(-1)}`,
          );
          io.out(`Blocked ${result.created.length}: ${result.created.join(', ') || 'none'}.`);
          if (result.skipped.length) io.out(`Already blocked, kept as they were: ${result.skipped.join(', ')}.`);
          for (const bad of result.invalid) io.err(`Line ${bad.line}: ${bad.reason}`);
          return result.invalid.length ? EXIT.failure : EXIT.ok;
        }),
      );
    }
    io.err(BLOCKS_HELP);
    return EXIT.usage;
  },
};
