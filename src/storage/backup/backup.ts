import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { BlobStore } from '../blobs/blob-store.ts';
import { blobContentType } from '../blobs/blob-store.ts';
import type { Db, Engine } from '../db/database.ts';
import { migrateTo, migrateToLatest } from '../db/migrate.ts';
import { MIGRATIONS } from '../db/migrations/index.ts';
import type { Database } from '../db/schema.ts';
import { BACKUP_FORMAT_VERSION, BackupError, type BackupRecord, type BackupTrailer } from './archive.ts';

/** Tables a backup leaves out: the migrations' own records, and SQLite's full-text index (rebuilt on restore). */
const LEFT_OUT = /^(stoa_migrations|stoa_migrations_lock|status_search_rows|statuses_search.*|sqlite_.*)$/;
const ROWS_PER_RECORD = 500;
const CHUNK_BYTES = 512 * 1024;

interface Column {
  readonly name: string;
  /** The declared type, lower case (`boolean`, `text`, `bigint`, `bytea`, `timestamp with time zone`...). */
  readonly type: string;
  readonly primaryKey: boolean;
}

interface ForeignKey {
  readonly table: string;
  readonly column: string;
  readonly references: string;
}

type Conn = Kysely<Database> | Transaction<Database>;

/** What the database and blob store hold, walked in one snapshot and handed to `emit` record by record. */
export async function takeBackup(
  db: Db,
  blobs: BlobStore,
  about: { stoa: string; domain: string; secret: string; now: string },
  emit: (record: BackupRecord) => Promise<void>,
): Promise<Omit<BackupTrailer, 'kind' | 'sha256'>> {
  const counts: Record<string, number> = {};
  let blobCount = 0;
  let blobBytes = 0;
  await inSnapshot(db, async (conn) => {
    await emit({
      kind: 'manifest',
      format: 'stoa-backup',
      version: BACKUP_FORMAT_VERSION,
      stoa: about.stoa,
      engine: db.engine,
      domain: about.domain,
      migrations: await appliedMigrationNames(conn),
      createdAt: about.now,
    });
    await emit({ kind: 'secret', value: about.secret });
    const keys = await foreignKeys(conn, db.engine);
    for (const table of ordered(await tablesOf(conn, db.engine), keys)) {
      const columns = await columnsOf(conn, db.engine, table);
      const key = columns.filter((c) => c.primaryKey).map((c) => c.name);
      // A column naming a row of its own table is written after all rows (a row may name a later one).
      const deferred = keys.filter((k) => k.table === table && k.references === table).map((k) => k.column);
      await emit({ kind: 'table', name: table, columns: columns.map((c) => c.name), deferred });
      let count = 0;
      for await (const rows of pages(conn, table, key)) {
        count += rows.length;
        await emit({ kind: 'rows', rows: rows.map((row) => columns.map((c) => dumpValue(row[c.name], c))) });
      }
      for (const column of deferred) {
        for await (const rows of pages(conn, table, key, column)) {
          await emit({ kind: 'links', column, key, pairs: rows.map((row) => [...key.map((k) => row[k]), row[column]]) });
        }
      }
      await emit({ kind: 'table-end', name: table, count });
      counts[table] = count;
    }
  });
  // Media files after the snapshot: every file the database names is there unless it was deleted since.
  for (const key of (await blobs.list()).sort()) {
    const read = await blobs.get(key);
    if (!read || read.kind !== 'found') continue;
    const hash = createHash('sha256');
    const parts: Buffer[] = [];
    for await (const part of read.body) parts.push(Buffer.from(part));
    const bytes = Buffer.concat(parts);
    hash.update(bytes);
    await emit({ kind: 'blob', key, size: bytes.length, sha256: hash.digest('hex') });
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES)
      await emit({ kind: 'chunk', data: bytes.subarray(at, at + CHUNK_BYTES).toString('base64') });
    blobCount++;
    blobBytes += bytes.length;
  }
  return { tables: counts, blobs: blobCount, blobBytes };
}

/** What a restore or a verification found in the archive. */
export interface BackupSummary {
  readonly manifest: Extract<BackupRecord, { kind: 'manifest' }>;
  readonly secret: string;
  readonly trailer: BackupTrailer;
}

/** Reads an archive through without writing anything, checking every count, file and checksum. */
export async function verifyBackup(records: AsyncIterable<BackupRecord>): Promise<BackupSummary> {
  return consume(records, {});
}

/**
 * Restores an archive into `db` and `blobs`. The database must hold no accounts, posts or apps (unless
 * `force`): its tables are dropped, the schema is built to the backup's migration, the rows are loaded in
 * one transaction, and the newer migrations run after. Nothing is committed unless the whole archive
 * reads and checks out.
 */
export async function restoreBackup(
  db: Db,
  blobs: BlobStore,
  records: AsyncIterable<BackupRecord>,
  options: {
    force: boolean;
    /** Throws if the backup's secret cannot be used here (checked before anything changes). */
    checkSecret: (secret: string) => void;
    /** Builds what the backup leaves out (SQLite's full-text index) from the loaded rows. */
    reindex: (tx: Transaction<Database>, secret: string) => Promise<void>;
  },
): Promise<BackupSummary> {
  if (!options.force && !(await isEmpty(db)))
    throw new BackupError('the database is not empty: restore into an empty one, or add --force to replace what it holds');
  const iterator = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.kind !== 'manifest' || first.value.format !== 'stoa-backup')
    throw new BackupError('this is not a Stoa backup');
  const manifest = first.value;
  if (manifest.version > BACKUP_FORMAT_VERSION)
    throw new BackupError(`the backup's format (${manifest.version}) is newer than this Stoa reads`);
  const second = await iterator.next();
  if (second.done || second.value.kind !== 'secret') throw new BackupError('the backup is damaged (no secret after the manifest)');
  const secretRecord = second.value;
  options.checkSecret(secretRecord.value);
  const known = MIGRATIONS.map(([name]) => name);
  if (manifest.migrations.some((name, i) => known[i] !== name))
    throw new BackupError('the backup comes from a newer or different Stoa: upgrade Stoa before restoring it');
  await dropAll(db);
  const last = manifest.migrations.at(-1);
  if (last) await migrateTo(db, last);
  let summary: BackupSummary | undefined;
  await db.transaction(async (tx) => {
    if (db.engine === 'sqlite') await sql`PRAGMA defer_foreign_keys = ON`.execute(tx);
    const rest = (async function* () {
      yield manifest;
      yield secretRecord;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })();
    summary = await consume(rest, { tx, engine: db.engine, blobs });
    await options.reindex(tx, summary.secret);
  });
  await migrateToLatest(db);
  return summary!;
}

/** Walks the records, checking them; with a transaction, loads the rows and files as it goes. */
async function consume(
  records: AsyncIterable<BackupRecord>,
  target: { tx?: Transaction<Database>; engine?: Engine; blobs?: BlobStore },
): Promise<BackupSummary> {
  let manifest: Extract<BackupRecord, { kind: 'manifest' }> | undefined;
  let secret: string | undefined;
  let trailer: BackupTrailer | undefined;
  let table: { name: string; columns: Column[]; deferred: Set<string>; count: number } | undefined;
  let blob: { key: string; size: number; sha256: string; parts: Buffer[]; got: number } | undefined;
  const counts: Record<string, number> = {};
  let blobCount = 0;
  let blobBytes = 0;
  const finishBlob = async () => {
    if (!blob) return;
    const bytes = Buffer.concat(blob.parts);
    if (bytes.length !== blob.size || createHash('sha256').update(bytes).digest('hex') !== blob.sha256)
      throw new BackupError(`the media file ${blob.key} in the backup is damaged`);
    if (target.blobs) await target.blobs.put(blob.key, bytes, blobContentType(blob.key));
    blobCount++;
    blobBytes += bytes.length;
    blob = undefined;
  };
  for await (const record of records) {
    if (record.kind !== 'chunk') await finishBlob();
    switch (record.kind) {
      case 'manifest':
        manifest = record;
        break;
      case 'secret':
        secret = record.value;
        break;
      case 'table': {
        const described = target.tx
          ? await columnsOf(target.tx, target.engine!, record.name)
          : record.columns.map((name) => ({ name, type: '', primaryKey: false }));
        const byName = new Map(described.map((c) => [c.name, c]));
        const columns = record.columns.map((name) => byName.get(name) ?? fail(`the table ${record.name} has no column ${name} here`));
        table = { name: record.name, columns, deferred: new Set(record.deferred), count: 0 };
        // What the migrations put in (a seed row) is replaced by what the backup holds.
        if (target.tx) await sql`delete from ${sql.table(record.name)}`.execute(target.tx);
        break;
      }
      case 'rows': {
        if (!table) throw new BackupError('the backup is damaged (rows outside a table)');
        table.count += record.rows.length;
        if (target.tx) {
          const { columns, name, deferred } = table;
          const values = record.rows.map(
            (row) => sql`(${sql.join(columns.map((c, i) => sql`${deferred.has(c.name) ? null : loadValue(row[i], c, target.engine!)}`))})`,
          );
          await sql`insert into ${sql.table(name)} (${sql.join(columns.map((c) => sql.ref(c.name)))}) values ${sql.join(values)}`.execute(
            target.tx,
          );
        }
        break;
      }
      case 'links': {
        if (!table) throw new BackupError('the backup is damaged (links outside a table)');
        if (target.tx) {
          for (const pair of record.pairs) {
            const where = sql.join(
              record.key.map((k, i) => sql`${sql.ref(k)} = ${pair[i]}`),
              sql` and `,
            );
            await sql`update ${sql.table(table.name)} set ${sql.ref(record.column)} = ${pair.at(-1)} where ${where}`.execute(target.tx);
          }
        }
        break;
      }
      case 'table-end':
        if (!table || table.name !== record.name || table.count !== record.count)
          throw new BackupError(
            `the backup is damaged: table ${record.name} has ${table?.count ?? 0} rows where ${record.count} were written`,
          );
        counts[table.name] = table.count;
        table = undefined;
        break;
      case 'blob':
        blob = { key: record.key, size: record.size, sha256: record.sha256, parts: [], got: 0 };
        break;
      case 'chunk':
        if (!blob) throw new BackupError('the backup is damaged (file data outside a file)');
        blob.parts.push(Buffer.from(record.data, 'base64'));
        break;
      case 'end':
        trailer = record;
        break;
    }
  }
  await finishBlob();
  if (!manifest || secret === undefined || !trailer) throw new BackupError('the backup is incomplete');
  for (const [name, count] of Object.entries(trailer.tables))
    if (counts[name] !== count) throw new BackupError(`the backup is damaged: table ${name} is missing rows`);
  if (trailer.blobs !== blobCount || trailer.blobBytes !== blobBytes)
    throw new BackupError('the backup is damaged: media files are missing');
  return { manifest, secret, trailer };
}

function fail(message: string): never {
  throw new BackupError(message);
}

/** A read snapshot of the database: writes go on meanwhile (SQLite's WAL, PostgreSQL's repeatable read). */
async function inSnapshot(db: Db, work: (conn: Conn) => Promise<void>): Promise<void> {
  await db.kysely.connection().execute(async (conn) => {
    await sql.raw(db.engine === 'postgres' ? 'begin isolation level repeatable read read only' : 'begin').execute(conn);
    try {
      await work(conn);
    } finally {
      await sql.raw('rollback').execute(conn);
    }
  });
}

async function appliedMigrationNames(conn: Conn): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from stoa_migrations order by name`.execute(conn);
  return rows.map((r) => r.name);
}

async function tablesOf(conn: Conn, engine: Engine): Promise<string[]> {
  const { rows } =
    engine === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(conn)
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(conn);
  return rows.map((r) => r.name).filter((name) => !LEFT_OUT.test(name));
}

async function columnsOf(conn: Conn, engine: Engine, table: string): Promise<Column[]> {
  if (engine === 'sqlite') {
    const { rows } = await sql<{
      name: string;
      type: string;
      pk: number;
    }>`select name, type, pk from pragma_table_info(${table}) order by cid`.execute(conn);
    return rows.map((r) => ({ name: r.name, type: r.type.toLowerCase(), primaryKey: r.pk > 0 }));
  }
  const { rows } = await sql<{ name: string; type: string; pk: boolean }>`
    select c.column_name as name, c.data_type as type,
      exists (select 1 from information_schema.key_column_usage k join information_schema.table_constraints t
        on t.constraint_name = k.constraint_name and t.table_schema = k.table_schema
        where t.constraint_type = 'PRIMARY KEY' and k.table_schema = c.table_schema and k.table_name = c.table_name
          and k.column_name = c.column_name) as pk
    from information_schema.columns c
    where c.table_schema = current_schema() and c.table_name = ${table} order by c.ordinal_position`.execute(conn);
  return rows.map((r) => ({ name: r.name, type: r.type.toLowerCase(), primaryKey: r.pk }));
}

async function foreignKeys(conn: Conn, engine: Engine): Promise<ForeignKey[]> {
  if (engine === 'sqlite') {
    const keys: ForeignKey[] = [];
    for (const table of await tablesOf(conn, engine)) {
      const { rows } = await sql<{ from: string; table: string }>`select "from", "table" from pragma_foreign_key_list(${table})`.execute(
        conn,
      );
      keys.push(...rows.map((r) => ({ table, column: r.from, references: r.table })));
    }
    return keys;
  }
  const { rows } = await sql<ForeignKey>`
    select cl.relname as table, att.attname as column, rcl.relname as references
    from pg_constraint con
      join pg_class cl on cl.oid = con.conrelid
      join pg_class rcl on rcl.oid = con.confrelid
      join pg_namespace ns on ns.oid = cl.relnamespace
      cross join unnest(con.conkey) as k(attnum)
      join pg_attribute att on att.attrelid = con.conrelid and att.attnum = k.attnum
    where con.contype = 'f' and ns.nspname = current_schema()`.execute(conn);
  return rows;
}

/** The tables in an order where every table comes after those it refers to. */
function ordered(tables: readonly string[], keys: readonly ForeignKey[]): string[] {
  const done = new Set<string>();
  const result: string[] = [];
  const visit = (table: string, path: Set<string>) => {
    if (done.has(table) || path.has(table)) return;
    path.add(table);
    for (const key of keys)
      if (key.table === table && key.references !== table && tables.includes(key.references)) visit(key.references, path);
    done.add(table);
    result.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return result;
}

/** A table's rows in batches, by primary key (or the key and one column, for deferred links). */
async function* pages(conn: Conn, table: string, key: readonly string[], only?: string): AsyncGenerator<Record<string, unknown>[]> {
  const ref = (name: string) => sql.ref(name);
  const keyList = sql.join(key.map(ref));
  let after: unknown[] | null = null;
  for (;;) {
    const select = only ? sql.join([...key.map(ref), ref(only)]) : sql`*`;
    const where: ReturnType<typeof sql>[] = [];
    if (only) where.push(sql`${ref(only)} is not null`);
    if (after) where.push(sql`(${keyList}) > (${sql.join(after.map((v) => sql`${v}`))})`);
    const clause = where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``;
    const { rows } = await sql<
      Record<string, unknown>
    >`select ${select} from ${sql.table(table)} ${clause} order by ${keyList} limit ${ROWS_PER_RECORD}`.execute(conn);
    if (!rows.length) return;
    yield rows;
    if (rows.length < ROWS_PER_RECORD) return;
    const lastRow: Record<string, unknown> = rows.at(-1)!;
    after = key.map((k) => lastRow[k]);
  }
}

/** A value as written to the archive: the same on both engines. */
function dumpValue(value: unknown, column: Column): unknown {
  if (value === null || value === undefined) return null;
  if (column.type === 'boolean') return value === true || value === 1 || value === 1n;
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') };
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** A value from the archive, as the target engine stores it. */
function loadValue(value: unknown, column: Column, engine: Engine): unknown {
  if (value === null) return null;
  if (typeof value === 'object' && value !== null && '$bytes' in value)
    return Buffer.from(String((value as { $bytes: string }).$bytes), 'base64');
  if (column.type === 'boolean') return engine === 'sqlite' ? (value ? 1 : 0) : Boolean(value);
  return value;
}

/** Whether the database holds no accounts, posts or apps. */
async function isEmpty(db: Db): Promise<boolean> {
  const tables = await tablesOf(db.kysely, db.engine);
  for (const table of ['accounts', 'statuses', 'oauth_apps']) {
    if (!tables.includes(table)) continue;
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db.kysely);
    if (Number(rows[0]?.n) > 0) return false;
  }
  return true;
}

/** Drops every table (the restore builds the schema afresh, at the backup's migration). */
async function dropAll(db: Db): Promise<void> {
  if (db.engine === 'sqlite') {
    const { rows } = await sql<{
      name: string;
      type: string;
    }>`select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%'
      and (sql is null or sql not like 'CREATE VIRTUAL%') order by name`.execute(db.kysely);
    const { rows: virtual } = await sql<{
      name: string;
    }>`select name from sqlite_master where type = 'table' and sql like 'CREATE VIRTUAL%'`.execute(db.kysely);
    await sql`PRAGMA foreign_keys = OFF`.execute(db.kysely);
    try {
      for (const { name } of virtual) await sql`drop table if exists ${sql.table(name)}`.execute(db.kysely);
      for (const { name } of rows) await sql`drop table if exists ${sql.table(name)}`.execute(db.kysely);
    } finally {
      await sql`PRAGMA foreign_keys = ON`.execute(db.kysely);
    }
    return;
  }
  const { rows } = await sql<{ name: string }>`select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db.kysely);
  for (const { name } of rows) await sql`drop table if exists ${sql.table(name)} cascade`.execute(db.kysely);
}
