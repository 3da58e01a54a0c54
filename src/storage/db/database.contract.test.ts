import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../lib/logger.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../testing/test-database.ts';
import { openDatabase, type Db } from './database.ts';
import { isForeignKeyViolation, isUniqueViolation, toBool } from './db-errors.ts';
import { migrateToLatest, pendingMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';

// The contract every engine must keep; the same file runs on SQLite and, with STOA_TEST_DATABASE_URL, on PostgreSQL.

let testDb: TestDatabase;
let db: Db;

function localAccount(username: string, overrides: Record<string, unknown> = {}) {
  const id = uuid7();
  const now = new Date().toISOString();
  return {
    id,
    username,
    domain: null,
    uri: `https://stoa.test/users/${id}`,
    created_at: now,
    updated_at: now,
    ...overrides,
  };
}

function statusBy(accountId: string, overrides: Record<string, unknown> = {}) {
  const id = uuid7();
  const now = new Date().toISOString();
  return {
    id,
    account_id: accountId,
    uri: `https://stoa.test/statuses/${id}`,
    visibility: 'public' as const,
    created_at: now,
    updated_at: now,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the query to fail');
}

describe(`database contract (${testDatabaseUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  before(async () => {
    testDb = await createTestDatabase();
    db = openDatabase(testDb.config, createLogger('silent'));
  });

  after(async () => {
    await db.close();
    await testDb.drop();
  });

  it('migrates a fresh database to the newest schema, and a second run does nothing', async () => {
    assert.deepEqual(
      await pendingMigrations(db),
      MIGRATIONS.map(([name]) => name),
    );
    assert.deepEqual(
      await migrateToLatest(db),
      MIGRATIONS.map(([name]) => name),
    );
    assert.deepEqual(await migrateToLatest(db), []);
    assert.deepEqual(await pendingMigrations(db), []);
  });

  it('migrates safely from several connections at once', async () => {
    const others = [openDatabase(testDb.config, createLogger('silent')), openDatabase(testDb.config, createLogger('silent'))];
    try {
      const results = await Promise.all(others.map((other) => migrateToLatest(other)));
      assert.deepEqual(results, [[], []]);
    } finally {
      await Promise.all(others.map((other) => other.close()));
    }
  });

  it('reads back rows with the same shapes on every engine', async () => {
    const account = localAccount('Alice', { locked: true, display_name: 'Alice 🌿' });
    await db.transaction((tx) => tx.insertInto('accounts').values(account).execute());
    const row = await db.read.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow();
    assert.equal(row.id, account.id);
    assert.equal(row.display_name, 'Alice 🌿');
    assert.equal(row.domain, null);
    assert.equal(toBool(row.locked), true);
    assert.equal(toBool(row.bot), false);
    assert.equal(row.created_at, account.created_at, 'timestamps read back as the ISO string written');
    assert.equal(row.suspended_at, null);
    const { n } = await db.read
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(typeof n, 'number', 'counts are numbers, not strings');
  });

  it('orders timestamps and UUIDv7 ids by time', async () => {
    const account = localAccount('chrono');
    await db.transaction((tx) => tx.insertInto('accounts').values(account).execute());
    const times = [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2), Date.UTC(2026, 5, 1)];
    const rows = times.map((t) => statusBy(account.id, { id: uuid7(t), created_at: new Date(t).toISOString() }));
    await db.transaction((tx) => tx.insertInto('statuses').values([rows[2]!, rows[0]!, rows[1]!]).execute());
    const byId = await db.read.selectFrom('statuses').select('id').where('account_id', '=', account.id).orderBy('id', 'desc').execute();
    assert.deepEqual(
      byId.map((r) => r.id),
      [rows[2]!.id, rows[1]!.id, rows[0]!.id],
    );
    const since = await db.read
      .selectFrom('statuses')
      .select('id')
      .where('account_id', '=', account.id)
      .where('created_at', '>=', new Date(Date.UTC(2026, 0, 2)).toISOString())
      .execute();
    assert.equal(since.length, 2);
  });

  it('keeps usernames unique per domain without regard to case, local accounts included', async () => {
    await db.transaction((tx) => tx.insertInto('accounts').values(localAccount('bob')).execute());
    const error = await rejection(db.transaction((tx) => tx.insertInto('accounts').values(localAccount('BOB')).execute()));
    assert.ok(isUniqueViolation(error), String(error));
    // The same name on another server is another person.
    await db.transaction((tx) =>
      tx
        .insertInto('accounts')
        .values(localAccount('bob', { domain: 'remote.example', uri: 'https://remote.example/users/bob' }))
        .execute(),
    );
  });

  it('reports foreign-key violations and cascades deletes of an account to its statuses', async () => {
    const error = await rejection(db.transaction((tx) => tx.insertInto('statuses').values(statusBy(uuid7())).execute()));
    assert.ok(isForeignKeyViolation(error), String(error));
    const account = localAccount('carol');
    await db.transaction(async (tx) => {
      await tx.insertInto('accounts').values(account).execute();
      await tx.insertInto('statuses').values(statusBy(account.id)).execute();
    });
    await db.transaction((tx) => tx.deleteFrom('accounts').where('id', '=', account.id).execute());
    const left = await db.read.selectFrom('statuses').select('id').where('account_id', '=', account.id).execute();
    assert.deepEqual(left, []);
  });

  it('refuses a visibility outside the four Mastodon knows', async () => {
    const account = localAccount('dave');
    await db.transaction((tx) => tx.insertInto('accounts').values(account).execute());
    await assert.rejects(
      db.transaction((tx) =>
        tx
          .insertInto('statuses')
          .values(statusBy(account.id, { visibility: 'everyone' }))
          .execute(),
      ),
    );
  });

  it('rolls a transaction back entirely when its work throws', async () => {
    const account = localAccount('erin');
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.insertInto('accounts').values(account).execute();
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.equal(await db.read.selectFrom('accounts').select('id').where('id', '=', account.id).executeTakeFirst(), undefined);
  });

  it('runs many concurrent transactions without losing a write or failing on a lock', async () => {
    const account = localAccount('frank');
    await db.transaction((tx) => tx.insertInto('accounts').values(account).execute());
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.transaction(async (tx) => {
          const { n } = await tx
            .selectFrom('statuses')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('account_id', '=', account.id)
            .executeTakeFirstOrThrow();
          await tx
            .insertInto('statuses')
            .values(statusBy(account.id, { text: `post ${i} after ${n}` }))
            .execute();
        }),
      ),
    );
    const { n } = await db.read
      .selectFrom('statuses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', account.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(n), 40);
  });

  it('tells watchers of the writes to their tables, as sent and when the transaction ends', async () => {
    const seen: string[] = [];
    let phase = 'before';
    const stop = db.watchWrites(['accounts', 'users'], () => seen.push(phase));
    const account = localAccount('watched');
    // A plain insert changes no row anyone has read; reads and writes elsewhere are not reported.
    await db.transaction((tx) => tx.insertInto('accounts').values(account).execute());
    await db.read.selectFrom('accounts').selectAll().execute();
    await db.transaction((tx) => tx.insertInto('statuses').values(statusBy(account.id)).execute());
    await db.transaction((tx) => tx.updateTable('statuses').set({ text: 'edited' }).where('account_id', '=', account.id).execute());
    assert.deepEqual(seen, []);

    await db.transaction(async (tx) => {
      phase = 'update';
      await tx.updateTable('accounts').set({ display_name: 'Watched' }).where('id', '=', account.id).execute();
      phase = 'end';
    });
    assert.deepEqual(seen.splice(0), ['update', 'end']);
    await db.transaction((tx) => sql`update accounts set note = ${'raw'} where id = ${account.id}`.execute(tx));
    assert.equal(seen.splice(0).length, 2);
    // Raw SQL built from pieces: the table's name in a nested raw piece is seen too.
    await db.transaction((tx) => sql`update ${sql.raw('accounts')} set note = ${'pieces'} where id = ${account.id}`.execute(tx));
    assert.equal(seen.splice(0).length, 2);
    await db.transaction((tx) => tx.updateTable('accounts as a').set({ note: 'aliased' }).where('a.id', '=', account.id).execute());
    assert.equal(seen.splice(0).length, 2);
    // A write that fails still reports: the cache forgets more than it must, never less.
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.deleteFrom('accounts').where('id', '=', account.id).execute();
        throw new Error('changed my mind');
      }),
    );
    assert.equal(seen.splice(0).length, 2);
    assert.ok(await db.read.selectFrom('accounts').select('id').where('id', '=', account.id).executeTakeFirst());

    stop();
    await db.transaction((tx) => tx.deleteFrom('accounts').where('id', '=', account.id).execute());
    assert.deepEqual(seen, []);
  });

  it('answers a ping, and refuses queries once closed', async () => {
    const other = openDatabase(testDb.config, createLogger('silent'));
    await other.ping();
    await other.close();
    await other.close();
    await assert.rejects(sql`select 1`.execute(other.kysely));
  });
});
