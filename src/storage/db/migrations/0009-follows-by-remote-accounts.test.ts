import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { remoteFollowers } from '../../../domain/graph/graph.views.ts';
import { createLogger } from '../../../lib/logger.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import { createTestDatabase, type TestDatabase } from '../../../testing/test-database.ts';
import { openDatabase, type Db } from '../database.ts';
import { toBool } from '../db-errors.ts';
import { migrateTo } from '../migrate.ts';

let testDb: TestDatabase;
let db: Db;

before(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.config, createLogger('silent'));
  await migrateTo(db, '0008-one-repost-per-account');
});
after(async () => {
  await db.close();
  await testDb.drop();
});

const now = () => new Date().toISOString();
const account = (username: string, domain: string | null) => {
  const id = uuid7();
  const uri = domain ? `https://${domain}/users/${username}` : `https://stoa.test/users/${id}`;
  return { id, username, domain, uri, inbox_url: domain ? `${uri}/inbox` : null, created_at: now(), updated_at: now() };
};
const follow = (accountId: string, targetId: string) => ({
  id: uuid7(),
  account_id: accountId,
  target_account_id: targetId,
  uri: null,
  created_at: now(),
});

describe('migration 0009: follows by remote accounts', () => {
  it('marks the follows and requests made before it by remote accounts, and the remote followers are read from them', async () => {
    const author = account('author', null);
    const local = account('local', null);
    const remote = account('remote', 'elsewhere.test');
    const asking = account('asking', 'elsewhere.test');
    await db.transaction(async (tx) => {
      await tx.insertInto('accounts').values([author, local, remote, asking]).execute();
      await tx
        .insertInto('follows')
        .values([follow(local.id, author.id), follow(remote.id, author.id), follow(author.id, remote.id)])
        .execute();
      await tx.insertInto('follow_requests').values(follow(asking.id, author.id)).execute();
    });

    assert.deepEqual(await migrateTo(db, '0009-follows-by-remote-accounts'), ['0009-follows-by-remote-accounts']);

    const flags = async (table: 'follows' | 'follow_requests') =>
      Object.fromEntries(
        (await db.read.selectFrom(table).select(['account_id', 'target_account_id', 'by_remote_account']).execute()).map((r) => [
          `${r.account_id} -> ${r.target_account_id}`,
          toBool(r.by_remote_account),
        ]),
      );
    assert.deepEqual(await flags('follows'), {
      [`${local.id} -> ${author.id}`]: false,
      [`${remote.id} -> ${author.id}`]: true,
      [`${author.id} -> ${remote.id}`]: false,
    });
    assert.deepEqual(await flags('follow_requests'), { [`${asking.id} -> ${author.id}`]: true });
    assert.deepEqual(
      (await remoteFollowers(db.read, author.id)).map((r) => r.id),
      [remote.id],
    );
    assert.deepEqual(await remoteFollowers(db.read, remote.id), [], 'a local follower of a remote account is no remote follower');
  });
});
