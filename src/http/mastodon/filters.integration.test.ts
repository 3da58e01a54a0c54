import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { manualClock } from '../../testing/browser.ts';
import { apiCall } from '../../testing/api-call.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';

// Filters v2 and v1 through a client library (masto) and raw HTTP, and what they do on the server: left
// out where they hide, marked `filtered` where they warn, in every timeline, threads and notifications.

const clock = manualClock(Date.now());
let server: TestServer;
let ana: TestAccount;
let ben: TestAccount;

before(async () => {
  server = await startTestServer({}, { clock });
  [ana, ben] = (await createTestAccounts(server, ['ana', 'ben'])) as [TestAccount, TestAccount];
  await ana.client.v1.accounts.$select(ben.id).follow();
});
after(() => server.close());

const call = (method: string, path: string, token: string, body?: string | Record<string, unknown>) =>
  apiCall(server, method, path, token, body);

interface Shown {
  id: string;
  content: string;
  filtered: { filter: { id: string; filter_action: string }; keyword_matches: string[] | null; status_matches: string[] | null }[];
}
const find = (list: Shown[], text: string) => list.find((s) => s.content.replace(/<[^>]+>/g, '').includes(text));

describe('filters v2', () => {
  it('are made, read, changed and deleted through masto, with keywords and posts', async () => {
    const filter = await ana.client.v2.filters.create({
      title: 'Spoilers',
      context: ['home', 'public'],
      filterAction: 'warn',
      keywordsAttributes: [{ keyword: 'finale', wholeWord: true }, { keyword: 'plot twist' }],
    });
    assert.equal(filter.title, 'Spoilers');
    assert.deepEqual(filter.context, ['home', 'public']);
    assert.equal(filter.filterAction, 'warn');
    assert.equal(filter.expiresAt, null);
    // Keywords made in one request come in no particular order.
    assert.deepEqual(filter.keywords.map((k) => [k.keyword, k.wholeWord]).sort(), [
      ['finale', true],
      ['plot twist', true],
    ]);
    const twist = filter.keywords.find((k) => k.keyword === 'plot twist')!;
    const changed = await ana.client.v2.filters.$select(filter.id).update({
      title: 'Show spoilers',
      filterAction: 'blur',
      expiresIn: 3600,
      keywordsAttributes: [{ id: twist.id, _destroy: true }, { keyword: 'season' }],
    });
    assert.equal(changed.filterAction, 'blur');
    assert.ok(changed.expiresAt && Date.parse(changed.expiresAt) > clock(), 'expires in an hour');
    assert.deepEqual(changed.keywords.map((k) => k.keyword).sort(), ['finale', 'season']);
    const added = await ana.client.v2.filters.$select(filter.id).keywords.create({ keyword: 'Episode', wholeWord: false });
    assert.equal((await ana.client.v2.filters.keywords.$select(added.id).fetch()).keyword, 'Episode');
    assert.equal((await ana.client.v2.filters.keywords.$select(added.id).update({ keyword: 'episode' })).keyword, 'episode');
    await ana.client.v2.filters.keywords.$select(added.id).remove();
    assert.equal((await ana.client.v2.filters.$select(filter.id).keywords.list()).length, 2);
    const post = await ben.client.v1.statuses.create({ status: 'a post to filter' });
    const entry = await ana.client.v2.filters.$select(filter.id).statuses.create({ statusId: post.id });
    assert.equal(entry.statusId, post.id);
    assert.deepEqual(
      (await ana.client.v2.filters.$select(filter.id).statuses.list()).map((s) => s.statusId),
      [post.id],
    );
    assert.equal((await ana.client.v2.filters.statuses.$select(entry.id).fetch()).id, entry.id);
    await ana.client.v2.filters.statuses.$select(entry.id).remove();
    assert.deepEqual(
      (await ana.client.v2.filters.list()).map((f) => f.title),
      ['Show spoilers'],
    );
    await ana.client.v2.filters.$select(filter.id).remove();
    assert.deepEqual(await ana.client.v2.filters.list(), []);
  });

  it('take Rails-style form bodies and refuse bad input, naming the field; each filter is its owner’s', async () => {
    const made = await call(
      'POST',
      '/api/v2/filters/',
      ana.token,
      'title=Form&context[]=home&context[]=thread&filter_action=hide&keywords_attributes[][keyword]=one&keywords_attributes[][whole_word]=false&keywords_attributes[][keyword]=two',
    );
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.deepEqual((made.body.keywords as { keyword: string; whole_word: boolean }[]).map((k) => [k.keyword, k.whole_word]).sort(), [
      ['one', false],
      ['two', true],
    ]);
    const id = made.body.id as string;
    for (const [body, field] of [
      [{ context: ['home'] }, 'title'],
      [{ title: 'x' }, 'context'],
      [{ title: 'x', context: ['everywhere'] }, 'context'],
      [{ title: 'x', context: ['home'], filter_action: 'delete' }, 'filter_action'],
      [{ title: 'x', context: ['home'], expires_in: -5 }, 'expires_in'],
      [{ title: 'x', context: ['home'], keywords_attributes: [{ keyword: 'k'.repeat(201) }] }, 'keyword'],
    ] as const) {
      const res = await call('POST', '/api/v2/filters', ana.token, body);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.ok(res.body.details[field], `${field} named in ${JSON.stringify(res.body)}`);
    }
    const post = await ben.client.v1.statuses.create({ status: 'once only' });
    assert.equal((await call('POST', `/api/v2/filters/${id}/statuses`, ana.token, { status_id: post.id })).status, 200);
    assert.equal((await call('POST', `/api/v2/filters/${id}/statuses`, ana.token, { status_id: post.id })).status, 422, 'a post once');
    assert.equal((await call('POST', `/api/v2/filters/${id}/statuses`, ana.token, { status_id: 'none' })).status, 404);
    for (const [method, path] of [
      ['GET', `/api/v2/filters/${id}`],
      ['PUT', `/api/v2/filters/${id}`],
      ['DELETE', `/api/v2/filters/${id}`],
      ['GET', `/api/v2/filters/${id}/keywords`],
      ['GET', `/api/v2/filters/keywords/${made.body.keywords[0].id}`],
      ['DELETE', `/api/v2/filters/keywords/${made.body.keywords[0].id}`],
    ] as const)
      assert.equal(
        (await call(method, path, ben.token, method === 'PUT' ? { title: 'mine' } : undefined)).status,
        404,
        `${method} ${path}`,
      );
    assert.equal((await call('DELETE', `/api/v2/filters/${id}`, ana.token)).status, 200);
  });
});

describe('filters v1, for old apps', () => {
  it('are one keyword each, made, changed and deleted through masto', async () => {
    const filter = await ana.client.v1.filters.create({ phrase: 'crypto', context: ['home'], irreversible: true, wholeWord: true });
    assert.equal(filter.phrase, 'crypto');
    assert.equal(filter.irreversible, true);
    const v2 = await ana.client.v2.filters.list();
    assert.deepEqual(
      v2.map((f) => [f.title, f.filterAction]),
      [['crypto', 'hide']],
      'a v1 filter is a v2 filter with one keyword',
    );
    const changed = await ana.client.v1.filters
      .$select(filter.id)
      .update({ phrase: 'nft', context: ['home', 'public'], irreversible: false });
    assert.equal(changed.phrase, 'nft');
    assert.deepEqual(changed.context, ['home', 'public']);
    assert.equal(changed.irreversible, false);
    assert.deepEqual(
      (await ana.client.v1.filters.list()).map((f) => f.phrase),
      ['nft'],
    );
    await ana.client.v1.filters.$select(filter.id).remove();
    assert.deepEqual(await ana.client.v2.filters.list(), [], 'its filter went with its only keyword');
  });
});

describe('filters on the server', () => {
  it('hide in their contexts, warn elsewhere, on every timeline, thread and notification', async () => {
    const tagged = await ben.client.v1.statuses.create({ status: 'the #Finale was great' });
    const plain = await ben.client.v1.statuses.create({ status: 'nothing to see' });
    const finalist = await ben.client.v1.statuses.create({ status: 'a finalist, not a whole word match' });
    const reply = await ben.client.v1.statuses.create({ status: `@ana the finale again`, inReplyToId: plain.id });
    const own = await ana.client.v1.statuses.create({ status: 'my own finale post' });
    const list = await ana.client.v1.lists.create({ title: 'Ben' });
    await ana.client.v1.lists.$select(list.id).accounts.create({ accountIds: [ben.id] });
    const hide = await ana.client.v2.filters.create({
      title: 'No finale',
      context: ['home', 'notifications', 'thread'],
      filterAction: 'hide',
      keywordsAttributes: [{ keyword: 'finale', wholeWord: true }],
    });
    const warn = await ana.client.v2.filters.create({ title: 'Nothing', context: ['public', 'account'], filterAction: 'warn' });
    await ana.client.v2.filters.$select(warn.id).statuses.create({ statusId: plain.id });

    const read = async (path: string) => (await call('GET', path, ana.token)).body as Shown[];
    // Hidden where the filter hides: home, lists (home), threads, notifications.
    for (const path of ['/api/v1/timelines/home', `/api/v1/timelines/list/${list.id}`]) {
      const shown = await read(path);
      assert.equal(find(shown, 'the #Finale'), undefined, `${path} hides the keyword`);
      assert.equal(find(shown, 'finale again'), undefined, path);
      assert.ok(find(shown, 'finalist'), `${path}: not a whole word`);
    }
    assert.ok(find(await read('/api/v1/timelines/home'), 'my own finale'), 'own posts are never filtered');
    const thread = (await call('GET', `/api/v1/statuses/${plain.id}/context`, ana.token)).body as { descendants: Shown[] };
    assert.equal(find(thread.descendants, 'finale again'), undefined, 'the thread hides the reply');
    const notifications = (await call('GET', '/api/v1/notifications', ana.token)).body as { status?: Shown }[];
    assert.ok(!notifications.some((n) => n.status?.id === reply.id), 'no mention notification for a hidden post');
    // Marked where the filter does not hide: public timelines, hashtags, profiles, a single post.
    for (const path of [
      '/api/v1/timelines/public',
      '/api/v1/timelines/public?local=true',
      '/api/v1/timelines/tag/finale',
      `/api/v1/accounts/${ben.id}/statuses`,
    ]) {
      const shown = await read(path);
      const matched = find(shown, 'the #Finale');
      assert.ok(matched, path);
      assert.deepEqual(
        matched.filtered.map((r) => [r.filter.id, r.keyword_matches]),
        [[hide.id, ['finale']]],
        path,
      );
    }
    const warned = find(await read(`/api/v1/accounts/${ben.id}/statuses`), 'nothing to see')!;
    assert.deepEqual(
      warned.filtered.map((r) => [r.filter.id, r.filter.filter_action, r.status_matches]),
      [[warn.id, 'warn', [plain.id]]],
    );
    const single = (await call('GET', `/api/v1/statuses/${tagged.id}`, ana.token)).body as Shown;
    assert.equal(single.filtered[0]?.filter.id, hide.id, 'a single post tells, and is not hidden');
    assert.deepEqual(((await call('GET', `/api/v1/statuses/${tagged.id}`, ben.token)).body as Shown).filtered, [], 'not for others');
    // Through masto too: the typed client parses filtered results.
    const viaMasto = await ana.client.v1.timelines.public.list({ limit: 40 });
    assert.equal(viaMasto.find((s) => s.id === tagged.id)?.filtered?.[0]?.filter.id, hide.id);
    assert.ok(own && finalist);

    // A filter changed or gone changes the next read (the home page kept in memory included).
    await ana.client.v2.filters.$select(hide.id).update({ filterAction: 'warn' });
    const nowWarned = find(await read('/api/v1/timelines/home'), 'the #Finale');
    assert.ok(nowWarned, 'warn shows the post');
    assert.equal(nowWarned.filtered[0]?.filter.filter_action, 'warn');
    await ana.client.v2.filters.$select(hide.id).update({ filterAction: 'hide', expiresIn: 600 });
    assert.equal(find(await read('/api/v1/timelines/home'), 'the #Finale'), undefined);
    clock.advance(601_000);
    assert.ok(find(await read('/api/v1/timelines/home'), 'the #Finale'), 'an expired filter does nothing');
    await ana.client.v2.filters.$select(hide.id).remove();
    await ana.client.v2.filters.$select(warn.id).remove();
    assert.deepEqual(find(await read(`/api/v1/accounts/${ben.id}/statuses`), 'nothing to see')!.filtered, []);
  });
});
