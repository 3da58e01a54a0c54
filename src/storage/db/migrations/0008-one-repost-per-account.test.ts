import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../lib/logger.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import { createTestDatabase, type TestDatabase } from '../../../testing/test-database.ts';
import { openDatabase, type Db } from '../database.ts';
import { isUniqueViolation } from '../db-errors.ts';
import { migrateTo } from '../migrate.ts';

let testDb: TestDatabase;
let db: Db;

before(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.config, createLogger('silent'));
  await migrateTo(db, '0007-web-client');
});
after(async () => {
  await db.close();
  await testDb.drop();
});

const now = () => new Date().toISOString();
const account = (username: string) => {
  const id = uuid7();
  return { id, username, domain: null, uri: `https://stoa.test/users/${id}`, created_at: now(), updated_at: now() };
};
const status = (accountId: string, reblogOf: string | null = null) => {
  const id = uuid7();
  return {
    id,
    account_id: accountId,
    uri: `https://stoa.test/statuses/${id}`,
    visibility: 'public' as const,
    reblog_of_id: reblogOf,
    created_at: now(),
    updated_at: now(),
  };
};

describe('migration 0008: one repost per account', () => {
  it('keeps the oldest of duplicate reposts, corrects the count, then refuses another', async () => {
    const author = account('author');
    const reposter = account('reposter');
    const original = status(author.id);
    const reposts = [status(reposter.id, original.id), status(reposter.id, original.id), status(reposter.id, original.id)];
    const own = status(reposter.id);
    await db.transaction(async (tx) => {
      await tx.insertInto('accounts').values([author, reposter]).execute();
      await tx
        .insertInto('statuses')
        .values([original, ...reposts, own])
        .execute();
      await tx.insertInto('account_stats').values({ account_id: reposter.id, statuses_count: 4 }).execute();
    });

    assert.deepEqual(await migrateTo(db, '0008-one-repost-per-account'), ['0008-one-repost-per-account']);

    const left = await db.read.selectFrom('statuses').select('id').where('account_id', '=', reposter.id).execute();
    const oldest = reposts.map((r) => r.id).sort()[0]!;
    assert.deepEqual(left.map((r) => r.id).sort(), [oldest, own.id].sort());
    const stats = await db.read
      .selectFrom('account_stats')
      .select('statuses_count')
      .where('account_id', '=', reposter.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(stats.statuses_count), 2);
    const again = await db
      .transaction((tx) => tx.insertInto('statuses').values(status(reposter.id, original.id)).execute())
      .catch((error: unknown) => error);
    assert.ok(isUniqueViolation(again), String(again));
    // Posts that are not reposts are not held by the index.
    await db.transaction((tx) =>
      tx
        .insertInto('statuses')
        .values([status(author.id), status(author.id)])
        .execute(),
    );
  });
});
