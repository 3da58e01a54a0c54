import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { announcementsCommand } from '../../cli/announcements.command.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { apiCall } from '../../testing/api-call.ts';
import { manualClock } from '../../testing/browser.ts';
import { startTestServer, testEnv, type TestServer } from '../../testing/test-app.ts';

// Announcements: published and removed by the operator (`stoa announcements`), read by members through
// masto and raw HTTP, dismissed, reacted to with emoji characters and custom emoji, shown only in their time.

let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;
const clock = manualClock();

before(async () => {
  server = await startTestServer({}, { clock });
  [ana, ben] = (await createTestAccounts(server, ['ana', 'ben'])) as [TestAccount, TestAccount];
  const { commands, media } = server.app.services;
  const png = await sharp({ create: { width: 32, height: 32, channels: 4, background: '#3a6' } })
    .png()
    .toBuffer();
  await commands.emojis.add(media, { shortcode: 'stoa', image: png });
});
after(() => server.close());

/** Runs `stoa announcements ...` against the test server's database. */
async function stoa(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const env = testEnv(server.config.dataDir, server.database, { STOA_DOMAIN: server.config.domain });
  const code = await announcementsCommand.run(args, { env, cwd: server.config.dataDir, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const call = (method: string, path: string, token: string, body?: string | Record<string, unknown>) =>
  apiCall(server, method, path, token, body);

describe('announcements', () => {
  it('are published from the command line, read, dismissed and reacted to', async () => {
    const published = await stoa(['add', 'Maintenance on Sunday :stoa: see https://status.example/ #ops']);
    assert.equal(published.code, 0, published.err);
    const id = published.out.trim();
    assert.equal((await stoa(['add', ''])).code, 1, 'an empty announcement is refused');
    assert.equal((await stoa(['add', 'x', '--ends-at', 'not a date'])).code, 1);

    const [first] = await ana.client.v1.announcements.list();
    assert.equal(first!.id, id);
    assert.match(first!.content, /<a href="https:\/\/status\.example\/"/);
    assert.equal((await call('GET', '/api/v1/announcements', ana.token)).body[0].read, false);
    assert.deepEqual(
      first!.emojis.map((e) => e.shortcode),
      ['stoa'],
    );

    await ana.client.v1.announcements.$select(id).reactions.$select('👍').update();
    await ben.client.v1.announcements.$select(id).reactions.$select('👍').update();
    await ben.client.v1.announcements.$select(id).reactions.$select('stoa').update();
    const refused = await call('PUT', `/api/v1/announcements/${id}/reactions/${encodeURIComponent('not an emoji')}`, ana.token);
    assert.equal(refused.status, 422);
    assert.equal((await call('PUT', `/api/v1/announcements/${id}/reactions/nosuchemoji`, ana.token)).status, 422);
    const [seen] = await ana.client.v1.announcements.list();
    const thumbs = seen!.reactions.find((r) => r.name === '👍')!;
    assert.equal(thumbs.count, 2);
    assert.equal(thumbs.me, true);
    const custom = seen!.reactions.find((r) => r.name === 'stoa')!;
    assert.equal(custom.me, false);
    assert.ok(custom.url?.startsWith(server.config.media.baseUrl), 'a custom emoji reaction shows its image');
    await ana.client.v1.announcements.$select(id).reactions.$select('👍').remove();
    assert.equal((await ana.client.v1.announcements.list())[0]!.reactions.find((r) => r.name === '👍')!.count, 1);

    await ana.client.v1.announcements.$select(id).dismiss();
    assert.deepEqual(await ana.client.v1.announcements.list(), [], 'dismissed');
    const withDismissed = await call('GET', '/api/v1/announcements?with_dismissed=true', ana.token);
    assert.equal(withDismissed.body[0].read, true);
    assert.equal((await ben.client.v1.announcements.list()).length, 1, 'only for the member who dismissed it');
    assert.equal((await call('POST', '/api/v1/announcements/nope/dismiss', ana.token)).status, 404);
    assert.equal((await fetch(`${server.url}/api/v1/announcements`)).status, 401, 'for signed-in members');

    assert.match((await stoa(['list'])).out, /Maintenance on Sunday/);
    assert.equal((await stoa(['remove', id])).code, 0);
    assert.deepEqual(await ben.client.v1.announcements.list(), []);
  });

  it('are shown from their start until their end', async () => {
    const start = new Date(clock() + 3_600_000).toISOString();
    const end = new Date(clock() + 7_200_000).toISOString();
    const { out } = await stoa(['add', 'Later', '--starts-at', start, '--ends-at', end]);
    assert.deepEqual(await ana.client.v1.announcements.list(), [], 'not yet');
    assert.equal((await call('POST', `/api/v1/announcements/${out.trim()}/dismiss`, ana.token)).status, 404);
    clock.advance(3_700_000);
    assert.equal((await ana.client.v1.announcements.list())[0]?.content, '<p>Later</p>');
    clock.advance(3_600_000);
    assert.deepEqual(await ana.client.v1.announcements.list(), [], 'over');
  });
});
