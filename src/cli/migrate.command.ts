import { createLogger } from '../lib/logger.ts';
import { openDatabase } from '../storage/db/database.ts';
import { migrateToLatest } from '../storage/db/migrate.ts';
import { MIGRATIONS } from '../storage/db/migrations/index.ts';
import { EXIT, type Command } from './command.ts';
import { loadConfigOrReport, reportStartupError } from './load.ts';

/** `stoa migrate`: brings the database schema to the newest version. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations',
  help: `Usage: stoa migrate

Applies every pending migration to the configured database (DATABASE_URL) and exits.
'stoa serve' does this too at start; run it on its own to migrate before starting
new versions of many processes. Safe to run while other processes do the same.`,
  async run(args, io) {
    if (args.length) {
      io.err(`stoa migrate takes no arguments (got ${args.join(' ')})`);
      return EXIT.usage;
    }
    const config = loadConfigOrReport(io);
    if (typeof config === 'number') return config;
    const db = openDatabase(config.database, createLogger('silent'));
    try {
      const applied = await migrateToLatest(db);
      for (const name of applied) io.out(`applied ${name}`);
      io.out(`The database is up to date (${MIGRATIONS.length} migrations, ${applied.length} applied now).`);
      return EXIT.ok;
    } catch (error) {
      return reportStartupError(error, config, io);
    } finally {
      await db.close();
    }
  },
};
