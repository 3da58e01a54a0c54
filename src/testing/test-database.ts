import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { readEnv, type DatabaseConfig } from '../config/index.ts';

/**
 * The engine the tests run on: PostgreSQL when `STOA_TEST_DATABASE_URL` names a server (each test file then
 * gets a database of its own on it), SQLite otherwise.
 */
export function testDatabaseUrl(): string | undefined {
  return readEnv().STOA_TEST_DATABASE_URL || undefined;
}

/** A fresh, empty database for one test file, and the way to remove it afterwards. */
export interface TestDatabase {
  readonly config: DatabaseConfig;
  /** The value of DATABASE_URL that selects this database. */
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a fresh database on the engine under test: a new SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = testDatabaseUrl();
  if (adminUrl === undefined) return createSqliteTestDatabase();
  const name = `stoa_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    config: { engine: 'postgres', url: url.toString() },
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** A fresh SQLite file, whatever the engine under test (for moves from one engine to the other). */
export function createSqliteTestDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'stoa-db-'));
  const path = join(dir, 'stoa.sqlite');
  return {
    config: { engine: 'sqlite', path },
    url: `sqlite:${path}`,
    drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
