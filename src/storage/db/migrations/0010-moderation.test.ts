import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GENESIS_HASH, verifyAuditChain } from '../../../domain/moderation/audit-log.ts';
import { createLogger } from '../../../lib/logger.ts';
import { uuid7 } from '../../../lib/uuid7.ts';
import { createTestDatabase, type TestDatabase } from '../../../testing/test-database.ts';
import { openDatabase, type Db } from '../database.ts';
import { migrateTo } from '../migrate.ts';

let testDb: TestDatabase;
let db: Db;

before(async () => {
  testDb = await createTestDatabase();
  db = openDatabase(testDb.config, createLogger('silent'));
  await migrateTo(db, '0009-follows-by-remote-accounts');
});
after(async () => {
  await db.close();
  await testDb.drop();
});

describe('migration 0010: moderation', () => {
  it('keeps accounts and reports as they were, in good standing, and starts an empty audit log that verifies', async () => {
    const now = new Date().toISOString();
    const [target, reporter] = ['target', 'reporter'].map((username) => ({
      id: uuid7(),
      username,
      domain: null,
      uri: `https://stoa.test/users/${username}`,
      created_at: now,
      updated_at: now,
    }));
    const reportId = uuid7();
    await db.transaction(async (tx) => {
      await tx.insertInto('accounts').values([target!, reporter!]).execute();
      await tx
        .insertInto('reports')
        .values({
          id: reportId,
          account_id: reporter!.id,
          origin_domain: null,
          uri: null,
          target_account_id: target!.id,
          created_at: now,
          action_taken_at: null,
        })
        .execute();
    });

    assert.deepEqual(await migrateTo(db, '0010-moderation'), ['0010-moderation']);

    const account = await db.read.selectFrom('accounts').selectAll().where('id', '=', target!.id).executeTakeFirstOrThrow();
    assert.deepEqual(
      [account.silenced_at, account.sensitized_at, account.suspended_at, account.suspension_origin],
      [null, null, null, null],
    );
    const report = await db.read.selectFrom('reports').selectAll().where('id', '=', reportId).executeTakeFirstOrThrow();
    assert.deepEqual([report.assigned_account_id, report.action_taken_by_account_id, report.updated_at], [null, null, null]);
    const head = await db.read.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    assert.deepEqual([Number(head.seq), head.hash], [0, GENESIS_HASH]);
    assert.deepEqual(await verifyAuditChain(db.read), { ok: true, entries: 0 });
  });
});
