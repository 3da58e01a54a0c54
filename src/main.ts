import { readEnv } from './config/index.ts';
import { STOA_VERSION } from './config/version.ts';
import { EXIT, type CliIo, type Command } from './cli/command.ts';
import { accountsCommand } from './cli/accounts.command.ts';
import { backupCommand, restoreCommand } from './cli/backup.command.ts';
import { closingCommand } from './cli/closing.command.ts';
import { configCommand } from './cli/config.command.ts';
import { domainCommand } from './cli/domain.command.ts';
import { announcementsCommand } from './cli/announcements.command.ts';
import { emojiCommand } from './cli/emoji.command.ts';
import { invitesCommand } from './cli/invites.command.ts';
import { domainBlocksCommand, moderationCommand } from './cli/moderation.command.ts';
import { migrateCommand } from './cli/migrate.command.ts';
import { serveCommand } from './cli/serve.command.ts';

const COMMANDS: readonly Command[] = [
  serveCommand,
  migrateCommand,
  configCommand,
  accountsCommand(),
  invitesCommand,
  emojiCommand,
  announcementsCommand,
  moderationCommand,
  domainBlocksCommand,
  closingCommand,
  backupCommand,
  restoreCommand,
  domainCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Stoa ${STOA_VERSION}: a microblogging server that a community runs itself.

Usage: stoa <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run 'stoa <command> --help' for a command's options. Configuration comes from the
environment and ./.env; see the README for every variable.`;
}

/** Runs one `stoa` invocation and resolves with its exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out(STOA_VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`stoa: unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.help);
    return EXIT.ok;
  }
  return command.run(args, io);
}

/** The process's own input and output. */
export function processIo(): CliIo {
  return {
    env: readEnv(),
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}
