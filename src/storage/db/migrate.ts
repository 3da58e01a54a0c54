import type { Kysely } from 'kysely';
import { Migrator, type MigrationResult } from 'kysely/migration';
import type { Db } from './database.ts';
import { MIGRATIONS } from './migrations/index.ts';

/** Raised when a migration fails; names it, and the database is left at the last one that succeeded. */
export class MigrationError extends Error {
  constructor(name: string | undefined, cause: unknown) {
    super(`database migration ${name ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

function migrator(db: Db): Migrator {
  const engine = db.engine;
  return new Migrator({
    db: db.kysely,
    migrationTableName: 'stoa_migrations',
    migrationLockTableName: 'stoa_migrations_lock',
    provider: {
      getMigrations: () =>
        Promise.resolve(
          Object.fromEntries(
            MIGRATIONS.map(([name, m]) => [
              name,
              { up: (k: Kysely<unknown>) => m.up(k, engine), down: m.down && ((k: Kysely<unknown>) => m.down!(k, engine)) },
            ]),
          ),
        ),
    },
  });
}

/**
 * Brings the schema to the newest migration. Safe to run from several processes at once: the migrator
 * takes a lock, and a process that finds nothing left to do returns at once. Returns the names applied.
 */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // An unreachable database is reported as such, not as a failed migration.
  await db.ping();
  const { error, results } = await migrator(db).migrateToLatest();
  const applied = appliedNames(results);
  if (error) throw new MigrationError(results?.find((r) => r.status === 'Error')?.migrationName, error);
  return applied;
}

/** Brings the schema up (or down) to the named migration: for testing a migration against older data. */
export async function migrateTo(db: Db, name: string): Promise<string[]> {
  const { error, results } = await migrator(db).migrateTo(name);
  if (error) throw new MigrationError(results?.find((r) => r.status === 'Error')?.migrationName, error);
  return appliedNames(results);
}

/** The migrations not yet applied to this database. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

function appliedNames(results: MigrationResult[] | undefined): string[] {
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
