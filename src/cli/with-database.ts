import type { Config } from '../config/index.ts';
import { createLogger } from '../lib/logger.ts';
import { openDatabase, type Db } from '../storage/db/database.ts';
import { migrateToLatest } from '../storage/db/migrate.ts';
import type { CliIo } from './command.ts';
import { loadConfigOrReport, reportStartupError } from './load.ts';

/** Runs a command's work with the configured, migrated database, closing it afterwards. */
export async function withDatabase(io: CliIo, work: (db: Db, config: Config) => Promise<number>): Promise<number> {
  const config = loadConfigOrReport(io);
  if (typeof config === 'number') return config;
  const db = openDatabase(config.database, createLogger('silent'));
  try {
    try {
      await migrateToLatest(db);
    } catch (error) {
      return reportStartupError(error, config, io);
    }
    return await work(db, config);
  } finally {
    await db.close();
  }
}
