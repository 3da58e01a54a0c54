import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalAccount } from '../domain/accounts/accounts.service.ts';
import { isoAt } from '../lib/clock.ts';
import { uuid7 } from '../lib/uuid7.ts';
import { manualClock } from '../testing/browser.ts';
import { startTestServer, type TestServer } from '../testing/test-app.ts';
import { runCleanup } from './cleanup.job.ts';
import { apiActor } from '../domain/actor.ts';
import { findAccountById } from '../domain/accounts/accounts.repo.ts';
import { JOBS_CHANNEL } from '../domain/jobs.ts';
import { OPERATOR } from '../domain/moderation/staff.ts';

const clock = manualClock();
let server: TestServer;

before(async () => {
  server = await startTestServer({}, { clock });
});
after(() => server.close());

describe('the cleanup job', () => {
  it('removes expired sessions, tokens, codes, links, keys, mutes and invitations, keeps live ones, and ends suspensions past their grace period', async () => {
    const { db, services } = server.app;
    const account = await createLocalAccount(db, clock, server.config, {
      username: 'tidy',
      email: 'tidy@example.org',
      password: 'a tidy long password',
      confirmed: true,
    });
    const other = await createLocalAccount(db, clock, server.config, {
      username: 'muted',
      email: 'muted@example.org',
      password: 'another long password',
      confirmed: true,
    });
    await services.sessions.create(account.id, { userAgent: 'old', ip: '127.0.0.1' });
    const appId = uuid7();
    await db.transaction(async (tx) => {
      await tx
        .insertInto('oauth_apps')
        .values({
          id: appId,
          name: 'a',
          redirect_uris: 'urn:ietf:wg:oauth:2.0:oob',
          scopes: 'read',
          client_id: 'cid',
          client_secret_hash: 'x',
          created_at: isoAt(clock),
        })
        .execute();
      await services.tokens.issue(tx, { appId, accountId: account.id, scopes: ['read'], refreshable: false });
      await tx
        .insertInto('invites')
        .values({ id: uuid7(), code: 'used-up', max_uses: 1, uses: 1, created_at: isoAt(clock) })
        .execute();
      await tx
        .insertInto('invites')
        .values({ id: uuid7(), code: 'still-good', max_uses: 5, uses: 1, created_at: isoAt(clock) })
        .execute();
    });
    await services.commands.graph.mute(apiActor(account), other.id, { durationSeconds: 60 });
    const suspended = await createLocalAccount(db, clock, server.config, {
      username: 'suspended',
      email: 'suspended@example.org',
      password: 'a suspended long password',
      confirmed: true,
    });
    await services.commands.moderation.act(OPERATOR, suspended.id, { type: 'suspend', text: 'threats' });

    assert.deepEqual(await runCleanup(services.run, services.media), {
      sessions: 0,
      tokens: 0,
      codes: 0,
      emailTokens: 0,
      idempotencyKeys: 0,
      mutes: 0,
      invites: 1,
      media: 0,
      suspensions: 0,
    });
    clock.advance(31 * 24 * 3600 * 1000);
    await services.sessions.create(account.id, { userAgent: 'new', ip: '127.0.0.1' });
    const told: string[] = [];
    const stop = services.changes.subscribe((batch) => {
      for (const change of batch) if (change.kind === 'viewers') told.push(...change.ids);
    });
    const removed = await runCleanup(services.run, services.media);
    stop();
    assert.deepEqual(
      { sessions: removed.sessions, tokens: removed.tokens, mutes: removed.mutes, suspensions: removed.suspensions },
      { sessions: 1, tokens: 1, mutes: 1, suspensions: 1 },
    );
    // The grace period for an appeal is over: the suspended account's final deletion is queued, and done by it.
    const jobs = await db.read.selectFrom('queue_messages').select('payload').where('channel', '=', JOBS_CHANNEL).execute();
    assert.ok(jobs.some((j) => (JSON.parse(j.payload) as { kind: string; accountId?: string }).accountId === suspended.id));
    await services.commands.moderation.purge(suspended.id);
    assert.equal(await findAccountById(db.read, suspended.id), undefined);
    assert.deepEqual(told, [account.id], 'the pages of the account whose mute ran out are told');
    const sessions = await db.read.selectFrom('sessions').select('user_agent').where('account_id', '=', account.id).execute();
    assert.deepEqual(
      sessions.map((s) => s.user_agent),
      ['new'],
    );
    assert.deepEqual(
      (await db.read.selectFrom('invites').select('code').execute()).map((r) => r.code),
      ['still-good'],
    );
  });
});
