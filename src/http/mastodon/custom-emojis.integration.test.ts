import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { emojiCommand } from '../../cli/emoji.command.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { startFederatedServer, startTestServer, testEnv, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

// Custom emoji: added, categorised, hidden and removed by the operator (`stoa emoji`), listed by
// /api/v1/custom_emojis, shown in posts and profiles through masto, and carried between two servers as
// `Emoji` tags whose images the other server fetches and serves itself.

/** A small PNG with transparency. */
function emojiFile(colour: { r: number; g: number; b: number }): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 4, background: { ...colour, alpha: 0.8 } } })
    .png()
    .toBuffer();
}

/** Runs `stoa emoji ...` against a test server's database; answers the exit code and what it printed. */
async function stoaEmoji(server: TestServer, args: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const env = testEnv(server.config.dataDir, server.database, { STOA_DOMAIN: server.config.domain });
  const code = await emojiCommand.run(args, { env, cwd, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('custom emoji on one server', () => {
  let server: TestServer;
  let ana: TestAccount;
  let files: string;
  before(async () => {
    server = await startTestServer();
    [ana] = (await createTestAccounts(server, ['ana'])) as [TestAccount];
    files = mkdtempSync(join(tmpdir(), 'stoa-emoji-'));
    writeFileSync(join(files, 'blobcat.png'), await emojiFile({ r: 250, g: 200, b: 40 }));
    writeFileSync(
      join(files, 'party_parrot.gif'),
      await sharp({ create: { width: 64, height: 64, channels: 4, background: '#f0a' } })
        .gif()
        .toBuffer(),
    );
    writeFileSync(join(files, 'not an emoji.png'), await emojiFile({ r: 0, g: 0, b: 0 }));
    writeFileSync(join(files, 'notes.txt'), 'not an image');
    writeFileSync(join(files, 'huge.png'), Buffer.alloc(300 * 1024, 1));
  });
  after(async () => {
    rmSync(files, { recursive: true, force: true });
    await server.close();
  });

  it('are added from the command line and listed for the apps', async () => {
    const added = await stoaEmoji(server, ['add', 'blobcat', 'blobcat.png', '--category', 'Blobs'], files);
    assert.equal(added.code, 0, added.err);
    const imported = await stoaEmoji(server, ['import', '.'], files);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /2 emoji imported, 1 skipped/, 'blobcat again and party_parrot; huge.png is refused');
    assert.match(imported.err, /huge\.png/);
    assert.equal((await stoaEmoji(server, ['add', 'x', 'blobcat.png'], files)).code, 1, 'a shortcode of one character');
    assert.equal((await stoaEmoji(server, ['add', 'bad', 'notes.txt'], files)).code, 1, 'not an image');

    const emojis = await ana.client.v1.customEmojis.list();
    assert.deepEqual(emojis.map((e) => e.shortcode).sort(), ['blobcat', 'party_parrot']);
    const blobcat = emojis.find((e) => e.shortcode === 'blobcat')!;
    assert.equal(blobcat.category, 'Blobs');
    assert.equal(blobcat.visibleInPicker, true);
    const image = await fetch(`${server.url}${new URL(blobcat.url).pathname}`);
    assert.equal(image.status, 200);
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    assert.ok(meta.width <= 128 && meta.hasAlpha, 're-encoded, small, transparency kept');
    const anonymous = await fetch(`${server.url}/api/v1/custom_emojis/`);
    assert.equal(anonymous.status, 200, 'public, trailing slash too');

    assert.equal((await stoaEmoji(server, ['hide', 'party_parrot'], files)).code, 0);
    assert.equal((await stoaEmoji(server, ['category', 'party_parrot', 'Birds'], files)).code, 0);
    const parrot = (await ana.client.v1.customEmojis.list()).find((e) => e.shortcode === 'party_parrot')!;
    assert.equal(parrot.visibleInPicker, false);
    assert.equal(parrot.category, 'Birds');
    assert.match((await stoaEmoji(server, ['list'], files)).out, /:party_parrot:\tBirds\thidden/);
  });

  it('show in posts and profiles that use them, and go when removed', async () => {
    const post = await ana.client.v1.statuses.create({ status: 'hello :blobcat: and :unknown: :blobcat:' });
    assert.deepEqual(
      post.emojis.map((e) => e.shortcode),
      ['blobcat'],
    );
    const me = await ana.client.v1.accounts.updateCredentials({ displayName: 'Ana :party_parrot:' });
    assert.deepEqual(
      me.emojis.map((e) => e.shortcode),
      ['party_parrot'],
    );
    const fetched = await ana.client.v1.statuses.$select(post.id).fetch();
    assert.deepEqual(
      fetched.account.emojis.map((e) => e.shortcode),
      ['party_parrot'],
      "the author's profile emoji come with the post",
    );

    assert.equal((await stoaEmoji(server, ['remove', 'blobcat'], files)).code, 0);
    assert.equal((await stoaEmoji(server, ['remove', 'blobcat'], files)).code, 1, 'already gone');
    assert.deepEqual((await ana.client.v1.statuses.$select(post.id).fetch()).emojis, []);
  });
});

describe('custom emoji between two servers', () => {
  let a: TestServer;
  let b: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;
  before(async () => {
    a = await startFederatedServer('127.0.0.2', ['127.0.0.3'], { STOA_LOG_LEVEL: 'warn' });
    b = await startFederatedServer('127.0.0.3', ['127.0.0.2'], { STOA_LOG_LEVEL: 'warn' });
    [alice] = (await createTestAccounts(a, ['alice'])) as [TestAccount];
    [bob] = (await createTestAccounts(b, ['bob'])) as [TestAccount];
    const { commands, media } = a.app.services;
    await commands.emojis.add(media, { shortcode: 'blobwave', image: await emojiFile({ r: 40, g: 180, b: 90 }) });
    await commands.emojis.add(media, { shortcode: 'ablobcat', image: await emojiFile({ r: 200, g: 60, b: 60 }) });
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  it('travel as Emoji tags; the other server fetches, re-encodes and serves their images', async () => {
    await alice.client.v1.accounts.updateCredentials({ displayName: 'Alice :ablobcat:' });
    const [aliceOnB] = (await bob.client.v2.search.list({ q: `@alice@${a.config.domain}`, resolve: true, type: 'accounts' })).accounts;
    await bob.client.v1.accounts.$select(aliceOnB!.id).follow();
    await until('bob follows alice', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB!.id] }))[0]?.following);
    const post = await alice.client.v1.statuses.create({ status: 'waving :blobwave:' });

    type Tag = { type: string; name: string; icon?: { url: string } };
    const note = (await (await fetch(post.uri, { headers: { accept: 'application/activity+json' } })).json()) as { tag: Tag | Tag[] };
    const tag = [note.tag].flat().find((t) => t.type === 'Emoji');
    assert.equal(tag?.name, ':blobwave:');
    assert.ok(tag?.icon?.url.startsWith(a.config.media.baseUrl));

    const onB = await until('the post and its emoji image reach B', async () => {
      const found = (await bob.client.v1.timelines.home.list()).find((s) => s.uri === post.uri);
      return found?.emojis.length ? found : undefined;
    });
    assert.equal(onB.emojis[0]!.shortcode, 'blobwave');
    assert.ok(onB.emojis[0]!.url.startsWith(b.config.media.baseUrl), "served from B's own media, never hotlinked");
    assert.equal((await fetch(onB.emojis[0]!.url)).status, 200);
    const profile = await until("alice's profile emoji on B", async () => {
      const account = await bob.client.v1.accounts.$select(aliceOnB!.id).fetch();
      return account.emojis.length ? account : undefined;
    });
    assert.equal(profile.emojis[0]!.shortcode, 'ablobcat');
    assert.deepEqual(await bob.client.v1.customEmojis.list(), [], "another server's emoji are not B's own");
  });
});
