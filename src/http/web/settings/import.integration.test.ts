import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { TestBrowser } from '../../../testing/browser.ts';
import { startFederatedServer, type TestServer } from '../../../testing/test-app.ts';
import { until } from '../../../testing/until.ts';
import { zipSync, strToU8 } from 'fflate';
import sharp from 'sharp';
import { csvRows, MAX_IMPORT_ROWS, parseImport } from '../../../domain/accounts/imports.ts';
import { textOf } from '../../../domain/accounts/post-archive.ts';
import { drained } from '../../../testing/queues.ts';
import { ACTIVITY_EVENTS_CHANNEL } from '../../../domain/activity-queue.ts';

// A member brings the lists exported from another server (Mastodon's CSV files, or Stoa's own export)
// through the settings pages: accounts on other servers are looked up, and every row goes through the
// same command as the member's own follow, block, mute, domain block or bookmark.

let a: TestServer;
let b: TestServer;
let ada: TestAccount; // on A, imports
let dan: TestAccount; // on A
let bo: TestAccount; // on B
let browser: TestBrowser;

before(async () => {
  a = await startFederatedServer('127.0.0.5', ['127.0.0.6'], { STOA_LOG_LEVEL: 'warn' });
  b = await startFederatedServer('127.0.0.6', ['127.0.0.5'], { STOA_LOG_LEVEL: 'warn' });
  [ada, dan] = (await createTestAccounts(a, ['ada', 'dan'])) as [TestAccount, TestAccount];
  [bo] = (await createTestAccounts(b, ['bo', 'cy'])) as [TestAccount];
  browser = new TestBrowser(a.url);
  assert.equal((await browser.signIn('ada', 'ada uses a long password')).status, 303);
});
after(async () => {
  await b?.close();
  await a?.close();
});

/** Posts the import form with a file, as a browser does. */
async function upload(kind: string, file: string | Uint8Array, as = browser): Promise<{ status: number; html: string }> {
  const { csrf } = await as.page('/settings/import');
  const form = new FormData();
  form.set('_csrf', csrf);
  form.set('kind', kind);
  form.set('data', new Blob([typeof file === 'string' ? file : new Uint8Array(file)]), `${kind}.file`);
  const res = await as.request('/settings/import', { method: 'POST', body: form });
  return { status: res.status, html: await res.text() };
}

/** Waits until the newest import (the first on the page) is done, and returns its line. */
async function finished(as = browser): Promise<string> {
  return until(
    'the import to finish',
    async () => {
      const newest = /<li data-import="[^"]+" data-state="(\w+)">(.*?)<\/li>/.exec((await as.page('/settings/import')).html);
      return newest?.[1] === 'done' && newest[2];
    },
    30_000,
  );
}

describe('importing lists from another server', () => {
  it("follows the accounts of Mastodon's following_accounts.csv, local and remote, with their options", async () => {
    const csv = `Account address,Show boosts,Notify on new posts,Languages\nbo@${b.config.domain},false,true,\n@dan@${a.config.domain},true,false,\nnobody@${b.config.domain},true,false,\n`;
    const sent = await upload('following', csv);
    assert.equal(sent.status, 200, sent.html);
    assert.match(sent.html, /The import of 3 lines has started/);
    assert.match(await finished(), /done: 3 lines, 1 could not be applied/);
    // The remote follow is accepted by bo's server, as a follow from the app is.
    const following = await until('bo accepts', async () => {
      const list = await ada.client.v1.accounts.$select(ada.id).following.list();
      return list.length === 2 && list;
    });
    assert.deepEqual(following.map((x) => x.acct).sort(), [`bo@${b.config.domain}`, 'dan']);
    const boOnA = following.find((x) => x.acct.startsWith('bo@'))!;
    const [relationship] = await ada.client.v1.accounts.relationships.fetch({ id: [boOnA.id] });
    assert.equal(relationship?.showingReblogs, false);
    assert.equal(relationship?.notifying, true);
    await until('bo has ada as a follower', async () =>
      (await bo.client.v1.accounts.$select(bo.id).followers.list()).some((x) => x.acct === `ada@${a.config.domain}`),
    );
  });

  it('blocks, mutes and blocks servers as listed, and bookmarks posts this server knows', async () => {
    const blocks = await upload('blocks', `cy@${b.config.domain}\n`);
    assert.equal(blocks.status, 200, /class="error"[^>]*>([^<]*)/.exec(blocks.html)?.[1]);
    await finished();
    assert.equal((await upload('mutes', `Account address,Hide notifications\ndan@${a.config.domain},false\n`)).status, 200);
    await finished();
    assert.equal((await upload('domain_blocks', 'spam.example\n')).status, 200);
    await finished();
    const post = await dan.client.v1.statuses.create({ status: 'worth keeping' });
    assert.equal((await upload('bookmarks', `${post.uri}\nhttps://${b.config.domain}/unknown/post\n`)).status, 200);
    assert.match(await finished(), /done: 2 lines, 1 could not be applied/);

    const [cyRelation] = await ada.client.v1.accounts.relationships.fetch({ id: [(await ada.client.v1.blocks.list())[0]!.id] });
    assert.equal(cyRelation?.blocking, true);
    const mutes = await ada.client.v1.mutes.list();
    assert.deepEqual(
      mutes.map((x) => x.acct),
      ['dan'],
    );
    assert.equal((await ada.client.v1.accounts.relationships.fetch({ id: [dan.id] }))[0]?.mutingNotifications, false);
    assert.deepEqual(await ada.client.v1.domainBlocks.list(), ['spam.example']);
    assert.deepEqual(
      (await ada.client.v1.bookmarks.list()).map((s) => s.id),
      [post.id],
    );
  });

  it('refuses a file it cannot read whole, naming the line, and changes nothing', async () => {
    const before = (await ada.client.v1.accounts.$select(ada.id).following.list()).length;
    const bad = await upload('following', `dan@${a.config.domain}\nnot an address at all\n`);
    assert.equal(bad.status, 422);
    assert.match(bad.html, /Line 2 is not an account address/);
    const empty = await upload('blocks', '\n\n');
    assert.equal(empty.status, 422);
    assert.match(empty.html, /holds no rows/);
    const kind = await upload('lists', 'x\n');
    assert.equal(kind.status, 422);
    assert.match(kind.html, /Choose what the file holds/);
    assert.equal((await ada.client.v1.accounts.$select(ada.id).following.list()).length, before);
    // Without the form's token, nothing is imported.
    const form = new FormData();
    form.set('kind', 'blocks');
    form.set('data', new Blob([`dan@${a.config.domain}\n`]), 'x.csv');
    assert.equal((await browser.request('/settings/import', { method: 'POST', body: form })).status, 403);
  });
});

describe('importing an archive of posts', () => {
  it("brings Stoa's own export in as the member's posts, with their dates, replies and visibility, without telling anyone", async () => {
    // bo writes on B, exports his posts, and brings them to his new account on A (dan).
    const first = await bo.client.v1.statuses.create({ status: 'the first thing I wrote #history' });
    await bo.client.v1.statuses.create({ status: 'and a reply to it', inReplyToId: first.id });
    await bo.client.v1.statuses.create({ status: 'for my followers only', visibility: 'private' });
    const onB = new TestBrowser(b.url);
    assert.equal((await onB.signIn('bo', 'bo uses a long password')).status, 303);
    const exported = await (await onB.get('/settings/export/outbox.json')).text();
    const originals = (await bo.client.v1.accounts.$select(bo.id).statuses.list()).reverse();

    const danBrowser = new TestBrowser(a.url);
    assert.equal((await danBrowser.signIn('dan', 'dan uses a long password')).status, 303);
    const before = (await dan.client.v1.accounts.verifyCredentials()).statusesCount;
    const sent = await upload('posts', exported, danBrowser);
    assert.equal(sent.status, 200, /class="error"[^>]*>([^<]*)/.exec(sent.html)?.[1]);
    assert.match(sent.html, /The import of 3 posts has started/);
    assert.match(await finished(danBrowser), /done: 3 lines, 0 could not be applied/);

    // Dated when bo wrote them: the newest three of dan's, in order (dan wrote one post before, earlier).
    const imported = (await dan.client.v1.accounts.$select(dan.id).statuses.list()).reverse().slice(-3);
    assert.equal((await dan.client.v1.accounts.verifyCredentials()).statusesCount, before + 3);
    assert.deepEqual(
      imported.map((s) => [textOf(s.content), s.createdAt, s.visibility]),
      originals.map((s) => [textOf(s.content), s.createdAt, s.visibility]),
    );
    assert.equal(imported[1]!.inReplyToId, imported[0]!.id, 'the reply answers the imported post');
    assert.match(imported[0]!.content, new RegExp(`href="${a.url}/tags/history"`));
    // Not new: nothing went to other servers, and an archive imported twice adds nothing.
    await drained(a.app.db, ACTIVITY_EVENTS_CHANNEL);
    const events = await a.app.db.read
      .selectFrom('queue_messages')
      .select('payload')
      .where('channel', '=', ACTIVITY_EVENTS_CHANNEL)
      .execute();
    assert.ok(!events.some((e) => String(e.payload).includes(imported[0]!.id)));
    assert.equal((await upload('posts', exported, danBrowser)).status, 200);
    assert.match(await finished(danBrowser), /done: 3 lines, 0 could not be applied/);
    assert.equal((await dan.client.v1.accounts.verifyCredentials()).statusesCount, before + 3);
  });

  it("brings a Mastodon archive's posts in with their media, and mentions as the full address", async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 30, b: 30 } } })
      .png()
      .toBuffer();
    const outbox = {
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: 'outbox.json',
      type: 'OrderedCollection',
      orderedItems: [
        {
          type: 'Create',
          actor: 'https://old.example/users/ada',
          object: {
            id: 'https://old.example/users/ada/statuses/1',
            type: 'Note',
            published: '2023-03-04T05:06:07Z',
            to: ['https://www.w3.org/ns/activitystreams#Public'],
            cc: ['https://old.example/users/ada/followers'],
            summary: null,
            sensitive: false,
            content:
              '<p>Hello <span class="h-card"><a href="https://else.example/@bob" class="u-url mention">@<span>bob</span></a></span> &amp; all</p><p>second paragraph</p>',
            contentMap: { en: '' },
            attachment: [
              { type: 'Document', mediaType: 'image/png', url: '/media_attachments/files/1/original/red.png', name: 'a red card' },
            ],
          },
        },
        { type: 'Announce', object: 'https://else.example/statuses/9', published: '2023-03-05T00:00:00Z' },
      ],
    };
    const zip = zipSync({
      'outbox.json': strToU8(JSON.stringify(outbox)),
      'media_attachments/files/1/original/red.png': new Uint8Array(png),
    });
    const sent = await upload('posts', zip);
    assert.equal(sent.status, 200, /class="error"[^>]*>([^<]*)/.exec(sent.html)?.[1]);
    assert.match(await finished(), /done: 1 lines, 0 could not be applied/);
    const [post] = await ada.client.v1.accounts.$select(ada.id).statuses.list({ limit: 1, maxId: undefined });
    const archived = (await ada.client.v1.accounts.$select(ada.id).statuses.list({ limit: 40 })).find((s) =>
      s.createdAt.startsWith('2023-03-04'),
    );
    assert.ok(archived, `the archived post is among ada's (newest: ${post?.createdAt})`);
    assert.equal(archived.language, 'en');
    assert.equal(archived.visibility, 'public');
    assert.equal(textOf(archived.content), 'Hello @bob@else.example & all\n\nsecond paragraph');
    assert.equal(archived.mediaAttachments.length, 1);
    assert.equal(archived.mediaAttachments[0]!.description, 'a red card');
    assert.equal(archived.mediaAttachments[0]!.meta?.original?.width, 40);
  });

  it('refuses what is not an archive of posts, naming why', async () => {
    const notJson = await upload('posts', 'hello');
    assert.equal(notJson.status, 422);
    assert.match(notJson.html, /This is not an archive of posts: it is neither a zip file nor JSON/);
    const noOutbox = await upload('posts', zipSync({ 'actor.json': strToU8('{}') }));
    assert.equal(noOutbox.status, 422);
    assert.match(noOutbox.html, /the zip file holds no outbox.json/);
    const empty = await upload('posts', JSON.stringify({ type: 'OrderedCollection', orderedItems: [] }));
    assert.equal(empty.status, 422);
    assert.match(empty.html, /holds no posts/);
  });
});

describe('reading import files', () => {
  it('reads quoted fields, doubled quotes, CRLF line ends, a byte order mark, and defused formula signs', () => {
    assert.deepEqual(csvRows('\uFEFFa,"b, ""c"""\r\n\r\n"d\ne",f'), [
      ['a', 'b, "c"'],
      ['d\ne', 'f'],
    ]);
    assert.deepEqual(parseImport('blocks', "'@eve@x.example\n"), [{ target: 'eve@x.example' }]);
    assert.deepEqual(parseImport('domain_blocks', 'Spam.Example\n'), [{ target: 'spam.example' }]);
  });

  it('refuses more rows than the limit', () => {
    const csv = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `u${i}@x.example`).join('\n');
    assert.throws(() => parseImport('blocks', csv), /more than 5000 rows/);
  });
});
