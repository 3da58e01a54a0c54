import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { uuid7Time } from '../../lib/uuid7.ts';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { JOBS_CHANNEL } from '../../domain/jobs.ts';
import { drained } from '../../testing/queues.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { testDatabaseUrl } from '../../testing/test-database.ts';
import { rows } from '../../testing/rows.ts';

let server: TestServer;
let ann: TestAccount;
let bob: TestAccount;
let cat: TestAccount;

before(async () => {
  // With the workers: a deletion is made final on disk (the write-ahead log purged) by a job.
  server = await startTestServer({}, { workers: true });
  [ann, bob, cat] = (await createTestAccounts(server, ['ann', 'bob', 'cat'])) as [TestAccount, TestAccount, TestAccount];
});
after(() => server.close());

/** Which table or index a page of an SQLite file belongs to, for a failure message. */
async function pageOwner(path: string, page: number): Promise<string> {
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db.prepare('select name from dbstat where pageno = ?').all(page) as { name: string }[];
    const free = (db.prepare('pragma freelist_count').get() as { freelist_count: number }).freelist_count;
    return `${rows.map((r) => r.name).join(', ') || 'no table (free page?)'}; ${free} free pages`;
  } finally {
    db.close();
  }
}

const status = (res: unknown) => (res as { statusCode?: number }).statusCode;

describe('posting', () => {
  it('renders text, mentions, hashtags and links as Mastodon does', async () => {
    const posted = await ann.client.v1.statuses.create({
      status: 'Hello @bob and @nobody! #Stoa https://example.org/page.',
      visibility: 'public',
      language: 'en',
    });
    assert.equal(posted.account.username, 'ann');
    assert.match(posted.content, /<a href="http:\/\/stoa\.test\/@bob" class="u-url mention">@<span>bob<\/span><\/a>/);
    assert.match(posted.content, /@nobody!/);
    assert.match(posted.content, /<a href="http:\/\/stoa\.test\/tags\/stoa" class="mention hashtag" rel="tag">#<span>Stoa<\/span><\/a>/);
    assert.match(posted.content, /<a href="https:\/\/example\.org\/page" target="_blank" rel="nofollow noopener noreferrer"/);
    assert.deepEqual(
      posted.mentions.map((m) => m.acct),
      ['bob'],
    );
    assert.deepEqual(
      posted.tags.map((t) => t.name),
      ['Stoa'],
    );
    assert.equal(posted.language, 'en');
    assert.equal(posted.application?.name, 'Tests');
    assert.equal(posted.favourited, false);
  });

  it('gives consecutive posts ids that are not consecutive numbers', async () => {
    const a = await ann.client.v1.statuses.create({ status: 'one' });
    const b = await ann.client.v1.statuses.create({ status: 'two' });
    for (const id of [a.id, b.id]) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(a.id < b.id, 'ids sort by time');
    assert.ok(uuid7Time(b.id) >= uuid7Time(a.id));
    assert.notEqual(a.id.slice(-12), b.id.slice(-12), 'their random parts differ');
  });

  it('honours Idempotency-Key and refuses empty or too long posts', async () => {
    const post = () =>
      fetch(`${server.url}/api/v1/statuses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ann.token}`, 'idempotency-key': 'k-1', 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'once' }),
      }).then((r) => r.json() as Promise<{ id: string }>);
    assert.equal((await post()).id, (await post()).id);
    await assert.rejects(ann.client.v1.statuses.create({ status: '   ' }), (e) => status(e) === 422);
    await assert.rejects(ann.client.v1.statuses.create({ status: 'x'.repeat(1001) }), (e) => status(e) === 422);
    const long = await ann.client.v1.statuses.create({ status: `${'x'.repeat(960)} https://example.org/${'y'.repeat(200)}` });
    assert.ok(long.id, 'a link counts as 23 characters');
  });
});

describe('threads, edits and marks', () => {
  it('builds the context of a thread and keeps edit history', async () => {
    const root = await ann.client.v1.statuses.create({ status: 'root' });
    const reply = await bob.client.v1.statuses.create({ status: '@ann reply', inReplyToId: root.id });
    const nested = await cat.client.v1.statuses.create({ status: 'nested', inReplyToId: reply.id });
    const context = await cat.client.v1.statuses.$select(reply.id).context.fetch();
    assert.deepEqual(
      context.ancestors.map((s) => s.id),
      [root.id],
    );
    assert.deepEqual(
      context.descendants.map((s) => s.id),
      [nested.id],
    );
    assert.equal((await ann.client.v1.statuses.$select(root.id).fetch()).repliesCount, 1);

    const edited = await ann.client.v1.statuses.$select(root.id).update({ status: 'root, edited #now' });
    assert.ok(edited.editedAt);
    assert.deepEqual(
      edited.tags.map((t) => t.name),
      ['now'],
    );
    const history = await ann.client.v1.statuses.$select(root.id).history.list();
    assert.deepEqual(
      history.map((h) => h.content),
      ['<p>root</p>', edited.content],
    );
    const source = await ann.client.v1.statuses.$select(root.id).source.fetch();
    assert.equal(source.text, 'root, edited #now');
    await assert.rejects(bob.client.v1.statuses.$select(root.id).update({ status: 'hijack' }), (e) => status(e) === 404);
  });

  it("reposts, favourites, bookmarks and pins, with counts and the viewer's flags", async () => {
    const post = await ann.client.v1.statuses.create({ status: 'mark me' });
    const reblog = await bob.client.v1.statuses.$select(post.id).reblog();
    assert.equal(reblog.reblog?.id, post.id);
    assert.equal(reblog.reblog?.reblogged, true);
    const faved = await cat.client.v1.statuses.$select(post.id).favourite();
    assert.equal(faved.favourited, true);
    assert.equal(faved.favouritesCount, 1);
    assert.equal(faved.reblogsCount, 1);
    assert.deepEqual(
      (await ann.client.v1.statuses.$select(post.id).favouritedBy.list()).map((a) => a.username),
      ['cat'],
    );
    assert.deepEqual(
      (await ann.client.v1.statuses.$select(post.id).rebloggedBy.list()).map((a) => a.username),
      ['bob'],
    );
    assert.equal((await cat.client.v1.statuses.$select(post.id).bookmark()).bookmarked, true);
    assert.equal((await ann.client.v1.statuses.$select(post.id).pin()).pinned, true);
    await assert.rejects(bob.client.v1.statuses.$select(post.id).pin(), (e) => status(e) === 404, 'only your own posts');
    assert.equal((await cat.client.v1.statuses.$select(post.id).unfavourite()).favouritesCount, 0);
    const undone = await bob.client.v1.statuses.$select(post.id).unreblog();
    assert.equal(undone.reblogged, false);
    assert.equal(undone.reblogsCount, 0);
  });

  it('quotes public posts and refuses to quote followers-only ones', async () => {
    const quotable = await ann.client.v1.statuses.create({ status: 'quote me' });
    const quoting = await fetch(`${server.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'so true', quoted_status_id: quotable.id }),
    });
    const body = (await quoting.json()) as { quote: { state: string; quoted_status: { id: string } } };
    assert.equal(body.quote.state, 'accepted');
    assert.equal(body.quote.quoted_status.id, quotable.id);
    const privatePost = await ann.client.v1.statuses.create({ status: 'just us', visibility: 'private' });
    const refused = await fetch(`${server.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ann.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'me quoting me', quoted_status_id: privatePost.id }),
    });
    assert.equal(refused.status, 422);
  });
});

describe('deleting a status', () => {
  it('returns its source, then it is gone for everyone and from every table and file', async () => {
    const secret = `zebracorn${Date.now()}`;
    const post = await ann.client.v1.statuses.create({ status: `first ${secret} #gone` });
    await ann.client.v1.statuses.$select(post.id).update({ status: `second ${secret} #gone` });
    await bob.client.v1.statuses.$select(post.id).favourite();
    await bob.client.v1.statuses.$select(post.id).reblog();
    const reply = await cat.client.v1.statuses.create({ status: 'a reply that stays', inReplyToId: post.id });
    const found = await server.app.services.search.candidates(server.app.db.read, secret.toUpperCase());
    assert.deepEqual(found, [post.id], 'the search index finds the edited text');

    const deleted = await ann.client.v1.statuses.$select(post.id).remove();
    assert.equal(deleted.text, `second ${secret} #gone`, 'the source, for delete and redraft');
    for (const client of [ann.client, bob.client, createRestAPIClient({ url: server.url })]) {
      await assert.rejects(client.v1.statuses.$select(post.id).fetch(), (e) => status(e) === 404);
    }
    const kept = await cat.client.v1.statuses.$select(reply.id).fetch();
    assert.equal(kept.inReplyToId, null, 'replies stay but lose their parent');

    for (const table of ['statuses', 'status_edits'] as const) {
      const copies = (await rows(server.app.db, table)).filter((r) => r.text.includes(secret));
      assert.deepEqual(copies, [], `${table} holds no copy`);
    }
    assert.deepEqual(await rows(server.app.db, 'favourites', { status_id: post.id }), []);
    assert.deepEqual(await rows(server.app.db, 'notifications', { status_id: post.id }), []);
    assert.deepEqual(await server.app.services.search.candidates(server.app.db.read, secret), [], 'nor the search index');
    await drained(server.app.db, JOBS_CHANNEL);
    if (!testDatabaseUrl()) {
      const file = server.config.database.engine === 'sqlite' ? server.config.database.path : '';
      for (const path of [file, `${file}-wal`]) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(path);
        } catch {
          continue;
        }
        const at = bytes.indexOf(Buffer.from(secret));
        // Where it was found, for the failure message (a page of the database file names its table).
        const where = at === -1 ? '' : path === file ? await pageOwner(path, Math.floor(at / 4096) + 1) : 'the write-ahead log';
        assert.equal(at, -1, `${path} holds no bytes of the deleted text (found on page ${Math.floor(at / 4096) + 1}: ${where})`);
      }
    }
  });
});
