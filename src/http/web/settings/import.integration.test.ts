import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../../testing/accounts.ts';
import { TestBrowser } from '../../../testing/browser.ts';
import { startFederatedServer, type TestServer } from '../../../testing/test-app.ts';
import { until } from '../../../testing/until.ts';
import { csvRows, MAX_IMPORT_ROWS, parseImport } from '../../../domain/accounts/imports.ts';

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
async function upload(kind: string, csv: string): Promise<{ status: number; html: string }> {
  const { csrf } = await browser.page('/settings/import');
  const form = new FormData();
  form.set('_csrf', csrf);
  form.set('kind', kind);
  form.set('data', new Blob([csv], { type: 'text/csv' }), `${kind}.csv`);
  const res = await browser.request('/settings/import', { method: 'POST', body: form });
  return { status: res.status, html: await res.text() };
}

/** Waits until the newest import (the first on the page) is done, and returns its line. */
async function finished(): Promise<string> {
  return until(
    'the import to finish',
    async () => {
      const newest = /<li data-import="[^"]+" data-state="(\w+)">(.*?)<\/li>/.exec((await browser.page('/settings/import')).html);
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
