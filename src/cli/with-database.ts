import { claimServerDomain } from '../domain/instance/server-domain.ts';
import { configuredFlagger } from '../domain/moderation/flagging/flag-status.ts';
import type { Config } from '../config/index.ts';
import { changeFeed } from '../domain/changes.ts';
import { createCommands } from '../domain/commands.ts';
import { LIMITS } from '../domain/limits.ts';
import { searchIndex } from '../domain/statuses/search-index.ts';
import { systemClock } from '../lib/clock.ts';
import { createMailer } from '../mail/mailer.ts';
import { createLogger } from '../lib/logger.ts';
import { openDatabase, type Db } from '../storage/db/database.ts';
import { migrateToLatest } from '../storage/db/migrate.ts';
import type { CliIo } from './command.ts';
import { loadConfigOrReport, reportStartupError } from './load.ts';

/**
 * Runs a command's work with the configured, migrated database, closing it afterwards. The database must
 * belong to the configured domain, unless the command is the one that moves it (`claimDomain: false`).
 */
export async function withDatabase(
  io: CliIo,
  work: (db: Db, config: Config) => Promise<number>,
  options: { readonly claimDomain?: boolean } = {},
): Promise<number> {
  const config = loadConfigOrReport(io);
  if (typeof config === 'number') return config;
  const db = openDatabase(config.database, createLogger('silent'));
  try {
    try {
      await migrateToLatest(db);
      if (options.claimDomain !== false) await claimServerDomain(db, config.domain, new Date().toISOString());
    } catch (error) {
      return reportStartupError(error, config, io);
    }
    return await work(db, config);
  } finally {
    await db.close();
  }
}

/**
 * The domain's commands for a command-line tool: the same commands the server runs, over the database,
 * with a change feed of their own (the server's workers find what they queue at their next poll).
 */
export function cliCommands(db: Db, config: Config) {
  const logger = createLogger('warn');
  return createCommands({
    db,
    clock: systemClock,
    changes: changeFeed(),
    search: searchIndex(db.engine, config.secret),
    publicUrl: config.publicUrl,
    domain: config.domain,
    maxCharacters: LIMITS.statusCharacters,
    mailer: createMailer(config, logger),
    logger,
    siteName: config.instance.name,
    flagger: configuredFlagger(config.instance.flagRules),
    dataDir: config.dataDir,
    linkPreviews: config.federation.linkPreviews,
  });
}
