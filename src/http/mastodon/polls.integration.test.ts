import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import { manualClock } from '../../testing/browser.ts';
import { apiCall } from '../../testing/api-call.ts';
import { startFederatedServer, startTestServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';

// Polls through masto and raw HTTP: made with a post, voted in once, their limits refused, counts hidden
// while asked, ended by the workers (with notifications); and exchanged between two servers as Questions.

const call = apiCall;

describe('polls on one server', () => {
  const clock = manualClock(Date.now());
  let server: TestServer;
  let ana: TestAccount;
  let ben: TestAccount;
  let cat: TestAccount;
  before(async () => {
    server = await startTestServer({}, { clock, workers: true });
    [ana, ben, cat] = (await createTestAccounts(server, ['ana', 'ben', 'cat'])) as [TestAccount, TestAccount, TestAccount];
  });
  after(() => server.close());

  it('are made with a post and voted in once, through masto', async () => {
    const post = await ana.client.v1.statuses.create({
      status: 'Tea or coffee?',
      poll: { options: ['tea', 'coffee', 'both'], expiresIn: 600, multiple: false },
    });
    const poll = post.poll!;
    assert.deepEqual(
      poll.options.map((o) => [o.title, o.votesCount]),
      [
        ['tea', 0],
        ['coffee', 0],
        ['both', 0],
      ],
    );
    assert.equal(poll.expired, false);
    assert.equal(poll.multiple, false);
    assert.equal(poll.votersCount, null, 'given for multiple-choice polls only');
    assert.equal(Date.parse(poll.expiresAt!), Date.parse(post.createdAt) + 600_000);
    const voted = await ben.client.v1.polls.$select(poll.id).votes.create({ choices: [1] });
    assert.equal(voted.voted, true);
    assert.deepEqual(voted.ownVotes, [1]);
    assert.deepEqual(
      voted.options.map((o) => o.votesCount),
      [0, 1, 0],
    );
    assert.equal(voted.votesCount, 1);
    // Once only, one choice only, an option that exists only.
    assert.equal((await call(server, 'POST', `/api/v1/polls/${poll.id}/votes`, ben.token, { choices: [0] })).status, 422);
    assert.equal((await call(server, 'POST', `/api/v1/polls/${poll.id}/votes`, cat.token, { choices: [0, 1] })).status, 422);
    assert.equal((await call(server, 'POST', `/api/v1/polls/${poll.id}/votes`, cat.token, { choices: [3] })).status, 422);
    assert.equal((await call(server, 'POST', `/api/v1/polls/${poll.id}/votes`, cat.token, {})).status, 422);
    // A form vote, as some apps send it.
    assert.equal((await call(server, 'POST', `/api/v1/polls/${poll.id}/votes`, cat.token, 'choices[]=1')).status, 200);
    const seen = await ana.client.v1.statuses.$select(post.id).fetch();
    assert.deepEqual(
      seen.poll!.options.map((o) => o.votesCount),
      [0, 2, 0],
    );
    assert.equal(seen.poll!.voted, true, "the author's own poll counts as voted");
    const anonymous = (await (await fetch(`${server.url}/api/v1/polls/${poll.id}`)).json()) as Record<string, unknown>;
    assert.equal(anonymous.votes_count, 2);
    assert.equal(anonymous.voted, undefined, 'no viewer, no own votes');
  });

  it('take several choices when multiple, and hide their totals while they run when asked', async () => {
    const form = await call(
      server,
      'POST',
      '/api/v1/statuses',
      ana.token,
      'status=Which+days%3F&poll[options][]=Mon&poll[options][]=Tue&poll[options][]=Wed&poll[expires_in]=300&poll[multiple]=true&poll[hide_totals]=true',
    );
    assert.equal(form.status, 200, JSON.stringify(form.body));
    const pollId = form.body.poll.id as string;
    const mine = await ben.client.v1.polls.$select(pollId).votes.create({ choices: [0, 2] });
    assert.deepEqual(mine.ownVotes, [0, 2]);
    assert.deepEqual(
      mine.options.map((o) => o.votesCount),
      [null, null, null],
      'hidden while it runs',
    );
    assert.equal(mine.votersCount, 1);
    assert.deepEqual(
      (await ana.client.v1.polls.$select(pollId).fetch()).options.map((o) => o.votesCount),
      [1, 0, 1],
      'but not from its author',
    );
    // The workers end it at its time: the author and the voters hear of it, and the totals show.
    clock.advance(301_000);
    await until('the poll ended', async () => (await ana.client.v1.notifications.list({ types: ['poll'] })).length > 0);
    const told = await ben.client.v1.notifications.list({ types: ['poll'] });
    assert.equal(told[0]?.status?.id, form.body.id);
    const ended = await ben.client.v1.polls.$select(pollId).fetch();
    assert.equal(ended.expired, true);
    assert.deepEqual(
      ended.options.map((o) => o.votesCount),
      [1, 0, 1],
    );
    assert.equal((await cat.client.v1.notifications.list({ types: ['poll'] })).length, 0, 'cat did not vote');
    const late = await call(server, 'POST', `/api/v1/polls/${pollId}/votes`, cat.token, { choices: [1] });
    assert.equal(late.status, 422);
    assert.match(late.body.error, /ended/);
  });

  it('refuse what breaks the limits the Instance entity advertises, and publish nothing', async () => {
    const limits = (await (await fetch(`${server.url}/api/v2/instance`)).json()) as {
      configuration: { polls: { max_options: number; max_characters_per_option: number; min_expiration: number; max_expiration: number } };
    };
    const { max_options, max_characters_per_option, min_expiration, max_expiration } = limits.configuration.polls;
    const before = (await ana.client.v1.accounts.$select(ana.id).statuses.list()).length;
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#999' } })
      .png()
      .toBuffer();
    const media = await ana.client.v2.media.create({ file: new Blob([new Uint8Array(png)], { type: 'image/png' }) });
    for (const [poll, extra] of [
      [{ options: Array.from({ length: max_options + 1 }, (_, i) => `o${i}`), expires_in: 600 }, {}],
      [{ options: ['a', 'x'.repeat(max_characters_per_option + 1)], expires_in: 600 }, {}],
      [{ options: ['only one'], expires_in: 600 }, {}],
      [{ options: ['a', 'a'], expires_in: 600 }, {}],
      [{ options: ['a', 'b'], expires_in: min_expiration - 1 }, {}],
      [{ options: ['a', 'b'], expires_in: max_expiration + 1 }, {}],
      [{ options: ['a', 'b'], expires_in: 600 }, { media_ids: [media.id] }],
    ] as const) {
      const res = await call(server, 'POST', '/api/v1/statuses', ana.token, { status: 'a poll', poll, ...extra });
      assert.equal(res.status, 422, JSON.stringify(poll));
    }
    assert.equal((await ana.client.v1.accounts.$select(ana.id).statuses.list()).length, before, 'nothing published');
    const plain = await ana.client.v1.statuses.create({ status: 'no poll yet' });
    const edit = await call(server, 'PUT', `/api/v1/statuses/${plain.id}`, ana.token, {
      status: 'now a poll?',
      poll: { options: ['a', 'b'], expires_in: 600 },
    });
    assert.equal(edit.status, 422, 'an edit does not change polls, and says so');
  });

  it('wait with a scheduled post, and start when it is published', async () => {
    const scheduled = await call(server, 'POST', '/api/v1/statuses', ana.token, {
      status: 'later poll',
      scheduled_at: new Date(clock() + 10 * 60_000).toISOString(),
      poll: { options: ['now', 'later'], expires_in: 600 },
    });
    assert.equal(scheduled.status, 200);
    assert.deepEqual(scheduled.body.params.poll, { options: ['now', 'later'], expires_in: 600, multiple: false, hide_totals: false });
    clock.advance(11 * 60_000);
    const post = await until('the scheduled poll is published', async () =>
      (await ana.client.v1.accounts.$select(ana.id).statuses.list()).find((s) => s.content.includes('later poll')),
    );
    assert.deepEqual(
      post.poll?.options.map((o) => o.title),
      ['now', 'later'],
    );
    assert.equal(post.poll?.expired, false);
  });
});

describe('polls between two servers', () => {
  let a: TestServer;
  let b: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;
  before(async () => {
    a = await startFederatedServer('127.0.0.2', ['127.0.0.3'], { STOA_LOG_LEVEL: 'warn' });
    b = await startFederatedServer('127.0.0.3', ['127.0.0.2'], { STOA_LOG_LEVEL: 'warn' });
    [alice] = (await createTestAccounts(a, ['alice'])) as [TestAccount];
    [bob] = (await createTestAccounts(b, ['bob'])) as [TestAccount];
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  it('travel as a Question, votes come back as Notes, and the counts follow', async () => {
    const [aliceOnB] = (await bob.client.v2.search.list({ q: `@alice@${a.config.domain}`, resolve: true, type: 'accounts' })).accounts;
    await bob.client.v1.accounts.$select(aliceOnB!.id).follow();
    // B keeps alice's posts once it knows the follow was accepted.
    await until('bob follows alice', async () => (await bob.client.v1.accounts.relationships.fetch({ id: [aliceOnB!.id] }))[0]?.following);
    const post = await alice.client.v1.statuses.create({
      status: 'Best season?',
      poll: { options: ['spring', 'summer', 'autumn'], expiresIn: 3600, multiple: true },
    });
    // Served as a Question with its options.
    const question = (await (await fetch(post.uri, { headers: { accept: 'application/activity+json' } })).json()) as Record<string, any>;
    assert.equal(question.type, 'Question');
    assert.deepEqual(
      (question.anyOf as { name: string }[]).map((o) => o.name),
      ['spring', 'summer', 'autumn'],
    );
    const onB = await until('the poll reaches B', async () =>
      (await bob.client.v1.timelines.home.list()).find((s) => s.uri === post.uri && s.poll),
    );
    assert.deepEqual(
      onB.poll!.options.map((o) => o.title),
      ['spring', 'summer', 'autumn'],
    );
    assert.equal(onB.poll!.multiple, true);
    assert.equal(Date.parse(onB.poll!.expiresAt!), Date.parse(post.poll!.expiresAt!));
    // Bob votes on B: counted there at once, and sent to A.
    const voted = await bob.client.v1.polls.$select(onB.poll!.id).votes.create({ choices: [0, 2] });
    assert.deepEqual(
      voted.options.map((o) => o.votesCount),
      [1, 0, 1],
    );
    await until('A counts the votes from B', async () => (await alice.client.v1.polls.$select(post.poll!.id).fetch()).votesCount === 2);
    const onA = await alice.client.v1.polls.$select(post.poll!.id).fetch();
    assert.deepEqual(
      onA.options.map((o) => o.votesCount),
      [1, 0, 1],
    );
    assert.equal(onA.votersCount, 1);
    assert.equal((await call(b, 'POST', `/api/v1/polls/${onB.poll!.id}/votes`, bob.token, { choices: [1] })).status, 422, 'once');
    // A local vote on A; the new counts reach B (the worker sends them a minute after a burst of votes;
    // here the command it runs is called at once).
    const [carol] = (await createTestAccounts(a, ['carol'])) as [TestAccount];
    await carol.client.v1.polls.$select(post.poll!.id).votes.create({ choices: [1] });
    await a.app.services.commands.polls.sendTally(post.poll!.id);
    await until('B shows the counts A told', async () => {
      const poll = await bob.client.v1.polls.$select(onB.poll!.id).fetch();
      return poll.options.map((o) => o.votesCount).join() === '1,1,1' && poll.votersCount === 2;
    });
    const status = await bob.client.v1.statuses.$select(onB.id).fetch();
    assert.equal(status.editedAt, null, 'new counts are no edit');
    assert.deepEqual((await bob.client.v1.polls.$select(onB.poll!.id).fetch()).ownVotes, [0, 2]);
  });
});
