import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, sql, type Transaction } from 'kysely';
import type { DatabaseConfig } from '../../config/index.ts';
import type { Logger } from '../../lib/logger.ts';
import { postgresDialect } from './postgres-dialect.ts';
import type { Database } from './schema.ts';
import { NodeSqliteDialect, openSqlite } from './sqlite-dialect.ts';
import { WriteWatch, type WriteListener } from './write-watch.ts';

/** The engine behind a `Db`; the few places where SQL differs ask this. */
export type Engine = DatabaseConfig['engine'];

/** A read-only view of the database: what read paths receive, so that they cannot write by mistake. */
export type DbReader = Pick<Kysely<Database>, 'selectFrom' | 'with' | 'fn'>;

/** A transaction handle: the only place where writes happen. */
export type DbWriter = Transaction<Database>;

/** Stoa's database: one Kysely instance over SQLite or PostgreSQL, with reads and writes kept apart. */
export interface Db {
  readonly engine: Engine;
  /** Read queries, outside any transaction. */
  readonly read: DbReader;
  /** Runs `work` in one transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(work: (tx: DbWriter) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` whenever this process writes one of `tables` (as the write is sent and again when its
   * transaction ends), for caches of rows; returns the function that stops it.
   */
  watchWrites(tables: readonly Extract<keyof Database, string>[], listener: WriteListener): () => void;
  /**
   * Calls `listener` when another process (a `stoa` command, say) has committed to the database since the
   * last look, every `everyMs`: SQLite tells it by its `data_version`. Returns the function that stops it.
   * With PostgreSQL it never calls (caches of rows are off there when several processes write).
   */
  watchOtherWriters(listener: () => void, everyMs?: number): () => void;
  /** The underlying Kysely instance, for migrations and the database contract tests. */
  readonly kysely: Kysely<Database>;
  /** Resolves if the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * Makes deletions final on disk: SQLite copies the write-ahead log into the database and truncates it,
   * so deleted content is left neither in the log nor (with secure_delete) in free pages.
   */
  purge(): Promise<void>;
  close(): Promise<void>;
}

/** Opens the configured database (creating the SQLite file's folder if needed); does not migrate. */
export function openDatabase(config: DatabaseConfig, logger: Logger): Db {
  const writes = new WriteWatch();
  const kysely =
    config.engine === 'sqlite'
      ? new Kysely<Database>({ dialect: new NodeSqliteDialect(() => openSqliteFile(config.path)), plugins: [writes] })
      : new Kysely<Database>({ dialect: postgresDialect(config.url, logger.child({ category: 'db' })).dialect, plugins: [writes] });
  let closed: Promise<void> | undefined;
  return {
    engine: config.engine,
    read: kysely,
    kysely,
    transaction: (work) => writes.around(() => kysely.transaction().execute(work)),
    watchWrites: (tables, listener) => writes.watch(tables, listener),
    watchOtherWriters(listener, everyMs = 250) {
      if (config.engine !== 'sqlite') return () => undefined;
      let seen: number | undefined;
      const look = async () => {
        if (closed) return;
        const { rows } = await sql<{ data_version: number }>`PRAGMA data_version`.execute(kysely);
        const version = Number(rows[0]?.data_version);
        if (seen !== undefined && version !== seen) listener();
        seen = version;
      };
      void look().catch(() => undefined);
      const timer = setInterval(() => void look().catch(() => undefined), everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
    ping: async () => {
      await sql`select 1`.execute(kysely);
    },
    purge: async () => {
      if (config.engine === 'sqlite') await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(kysely);
    },
    close: () => (closed ??= kysely.destroy()),
  };
}

/**
 * Opens the SQLite file, created readable by the server's user alone (SQLite gives its write-ahead log the
 * same mode); an existing file readable by others is made private.
 */
function openSqliteFile(path: string) {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    }
  }
  return openSqlite(path);
}
