import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { manualClock } from '../../testing/browser.ts';
import { rows } from '../../testing/rows.ts';
import { apiCall } from '../../testing/api-call.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

// Scheduled posts through masto and raw HTTP: made, listed, moved, cancelled, refused when too soon or too
// many, and published by the workers at their time with their media (the clock is moved, not waited for).

const clock = manualClock(Date.now());
let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;

before(async () => {
  server = await startTestServer({}, { clock, workers: true });
  [ana, ben] = (await createTestAccounts(server, ['ana', 'ben'])) as [TestAccount, TestAccount];
});
after(() => server.close());

const inMinutes = (minutes: number) => new Date(clock() + minutes * 60_000).toISOString();
const call = (method: string, path: string, token: string, body?: string | Record<string, unknown>) =>
  apiCall(server, method, path, token, body);
const picture = async () => {
  const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#36c' } })
    .png()
    .toBuffer();
  return ana.client.v2.media.create({ file: new Blob([new Uint8Array(png)], { type: 'image/png' }), description: 'blue' });
};
const published = async (account: TestAccount) => rows(server.app.db, 'statuses', { account_id: account.id });

describe('scheduled posts', () => {
  it('wait for their time, then are published by the workers with their media', async () => {
    const media = await picture();
    const scheduled = await ana.client.v1.statuses.create({
      status: 'from the past, with a picture',
      scheduledAt: inMinutes(10),
      mediaIds: [media.id],
      visibility: 'unlisted',
      spoilerText: 'later',
    });
    assert.equal(scheduled.params.text, 'from the past, with a picture');
    assert.equal(scheduled.params.visibility, 'unlisted');
    assert.equal(scheduled.params.spoilerText, 'later');
    assert.equal(Date.parse(scheduled.scheduledAt), Date.parse(inMinutes(10)));
    assert.deepEqual(
      scheduled.mediaAttachments.map((m) => [m.id, m.description]),
      [[media.id, 'blue']],
    );
    assert.equal((await published(ana)).length, 0, 'nothing is published yet');
    // The upload is kept for the scheduled post: it cannot go on another one meanwhile.
    const taken = await call('POST', '/api/v1/statuses', ana.token, { status: 'now', media_ids: [media.id] });
    assert.equal(taken.status, 422);
    assert.deepEqual(
      (await ana.client.v1.scheduledStatuses.list()).map((s) => s.id),
      [scheduled.id],
    );
    assert.equal((await ana.client.v1.scheduledStatuses.$select(scheduled.id).fetch()).params.text, 'from the past, with a picture');

    clock.advance(9 * 60_000);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await published(ana)).length, 0, 'not before its time');
    clock.advance(2 * 60_000);
    const [post] = await until('the scheduled post is published', async () => {
      const made = await published(ana);
      return made.length ? made : null;
    });
    assert.equal(post!.visibility, 'unlisted');
    assert.equal(post!.spoiler_text, 'later');
    const status = await ana.client.v1.statuses.$select(post!.id).fetch();
    assert.deepEqual(
      status.mediaAttachments.map((m) => m.id),
      [media.id],
    );
    assert.deepEqual(await ana.client.v1.scheduledStatuses.list(), [], 'it left the schedule');
    await assert.rejects(ana.client.v1.scheduledStatuses.$select(scheduled.id).fetch(), (e: any) => e.statusCode === 404);
    // Published once, however often the job runs.
    assert.equal(await server.app.services.commands.statuses.publishScheduled(scheduled.id), null);
    assert.equal((await published(ana)).length, 1);
  });

  it('are moved and cancelled; a cancelled one publishes nothing and frees its upload', async () => {
    const media = await picture();
    const form = await call(
      'POST',
      '/api/v1/statuses',
      ana.token,
      `status=a+form+post&scheduled_at=${encodeURIComponent(inMinutes(30))}&media_ids[]=${media.id}`,
    );
    assert.equal(form.status, 200, JSON.stringify(form.body));
    const moved = await ana.client.v1.scheduledStatuses.$select(form.body.id).update({ scheduledAt: inMinutes(60) });
    assert.equal(Date.parse(moved.scheduledAt), Date.parse(inMinutes(60)));
    const before = (await published(ana)).length;
    clock.advance(31 * 60_000);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await published(ana)).length, before, 'the former time publishes nothing');
    await ana.client.v1.scheduledStatuses.$select(form.body.id).remove();
    clock.advance(30 * 60_000);
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal((await published(ana)).length, before, 'a cancelled post is never published');
    const [upload] = await rows(server.app.db, 'media_attachments', { id: media.id });
    assert.equal(upload!.scheduled_status_id, null);
    assert.equal((await ana.client.v1.statuses.create({ status: 'the picture, now', mediaIds: [media.id] })).mediaAttachments.length, 1);
  });

  it('refuse what cannot be honoured, naming scheduled_at, and keep each to its author', async () => {
    for (const value of [inMinutes(4), inMinutes(-60), 'tomorrow-ish', inMinutes(3 * 365 * 24 * 60)]) {
      const res = await call('POST', '/api/v1/statuses', ana.token, { status: 'when?', scheduled_at: value });
      assert.equal(res.status, 422, value);
      assert.ok(res.body.details.scheduled_at, JSON.stringify(res.body));
    }
    assert.equal((await call('POST', '/api/v1/statuses', ana.token, { status: '', scheduled_at: inMinutes(10) })).status, 422);
    assert.equal(
      (await call('POST', '/api/v1/statuses', ana.token, { status: 'reply', in_reply_to_id: 'none', scheduled_at: inMinutes(10) })).status,
      404,
    );
    const day = inMinutes(3 * 24 * 60).slice(0, 10);
    for (let i = 0; i < 25; i++) {
      const at = `${day}T${String(10 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 10).padStart(2, '0')}:00.000Z`;
      assert.equal((await call('POST', '/api/v1/statuses', ana.token, { status: `post ${i}`, scheduled_at: at })).status, 200);
    }
    const tooMany = await call('POST', '/api/v1/statuses', ana.token, { status: 'one more', scheduled_at: `${day}T20:00:00.000Z` });
    assert.equal(tooMany.status, 422, 'at most 25 for one day');
    assert.match(tooMany.body.details.scheduled_at[0].description, /25/);
    const [mine] = (await call('GET', '/api/v1/scheduled_statuses?limit=1', ana.token)).body as { id: string }[];
    for (const [method, path] of [
      ['GET', `/api/v1/scheduled_statuses/${mine!.id}`],
      ['PUT', `/api/v1/scheduled_statuses/${mine!.id}`],
      ['DELETE', `/api/v1/scheduled_statuses/${mine!.id}`],
    ] as const)
      assert.equal(
        (await call(method, path, ben.token, method === 'PUT' ? { scheduled_at: inMinutes(100) } : undefined)).status,
        404,
        `${method} ${path}`,
      );
    assert.deepEqual((await call('GET', '/api/v1/scheduled_statuses', ben.token)).body, []);
    assert.equal((await call('PUT', `/api/v1/scheduled_statuses/${mine!.id}`, ana.token, { scheduled_at: inMinutes(1) })).status, 422);
    // Paged like other lists.
    const page = await fetch(`${server.url}/api/v1/scheduled_statuses?limit=10`, { headers: { authorization: `Bearer ${ana.token}` } });
    assert.equal(((await page.json()) as unknown[]).length, 10);
    assert.match(page.headers.get('link') ?? '', /max_id=/);
  });
});
