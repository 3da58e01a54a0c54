import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, type App } from '../app/create-app.ts';
import { loadConfig } from '../config/index.ts';
import { uuid7 } from '../lib/uuid7.ts';
import { createTestAccounts, type TestAccount } from '../testing/accounts.ts';
import { manualClock } from '../testing/browser.ts';
import { startTestServer, testEnv, type TestServer } from '../testing/test-app.ts';
import { findAccountById, type AccountRow, type RemoteProfile } from './accounts/accounts.repo.ts';
import { apiActor, remoteActor, type Actor } from './actor.ts';
import type { Commands } from './commands.ts';
import { DomainError } from './errors.ts';
import { notificationsPage } from './notifications/notifications.views.ts';
import { ACCOUNT_ACTIONS, UNDO_ACTIONS } from './moderation/account-effects.ts';
import { allSubscriptions, findDomainBlock } from './moderation/moderation.repo.ts';
import { OPERATOR } from './moderation/staff.ts';
import type { DbReader } from '../storage/db/database.ts';

// A home timeline page kept in memory can never be stale after any domain command. The commands are not
// listed here: they are read from the registry the server builds (domain/commands.ts), and every one of
// them must have a way to be called with random arguments below; a new command without one fails the test.
// Random sequences of them, by local and remote actors, run against a server that keeps pages, and after
// each command every page is compared with the same page read by a second app over the same database
// without the cache.

/** A small deterministic generator, so that a failure can be replayed. */
function prng(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!, coin: (p = 0.5) => next() < p };
}
type Random = ReturnType<typeof prng>;

/** What the random calls draw from: the accounts (local and remote) and the posts made so far. */
interface World {
  readonly locals: AccountRow[];
  readonly remotes: AccountRow[];
  readonly statuses: { readonly id: string; readonly author: AccountRow }[];
  /** Accounts moderators may act on: the remote ones and a local one whose pages are not compared. */
  readonly moderated?: AccountRow[];
  readonly reports?: string[];
  readonly warnings?: string[];
}

const REMOTE = 'https://far.example';

function remoteProfile(name: string): RemoteProfile {
  const uri = `${REMOTE}/users/${name}`;
  return {
    uri,
    username: name,
    domain: 'far.example',
    url: uri,
    displayName: name,
    note: '',
    locked: false,
    bot: false,
    discoverable: true,
    inboxUrl: `${uri}/inbox`,
    sharedInboxUrl: `${REMOTE}/inbox`,
    outboxUrl: null,
    followersUrl: `${uri}/followers`,
    followingUrl: null,
    featuredUrl: null,
    fields: [],
    alsoKnownAs: [],
    avatarUrl: null,
    headerUrl: null,
  };
}

/** A random call of each command: its arguments drawn from the world, local or remote actors as it takes. */
function callers(commands: Commands, read: DbReader, world: World, random: Random): Record<string, () => Promise<unknown>> {
  const local = () => apiActor(random.pick(world.locals));
  const remote = () => remoteActor(random.pick(world.remotes));
  const anyone = (): Actor => (random.coin(0.3) ? remote() : local());
  const status = () => random.pick(world.statuses).id;
  const actorOf = (account: AccountRow): Actor => (account.domain === null ? apiActor(account) : remoteActor(account));
  const account = () => random.pick([...world.locals, ...world.remotes]).id;
  const words = () =>
    `${random.pick(['hello', 'news', 'a thought', ':wave:', 'https://example.com/x'])} ${random.coin(0.3) ? '#stoa' : ''} ${random.coin(0.3) ? `@${random.pick(world.locals).username}` : ''}`;
  const remoteInput = (id = uuid7()) => ({
    uri: `${REMOTE}/statuses/${id}`,
    url: `${REMOTE}/statuses/${id}`,
    content: `<p>${words()}</p>`,
    spoilerText: '',
    sensitive: false,
    language: null,
    visibility: random.pick(['public', 'public', 'unlisted', 'private'] as const),
    publishedAt: null,
    mentionedUris: random.coin(0.3) ? [random.pick(world.locals).uri] : [],
    tags: random.coin(0.3) ? ['stoa'] : [],
    inReplyToUri: null,
    quoteUri: null,
    attachments: [],
    fetched: true,
  });
  const {
    statuses,
    graph,
    accounts,
    migration,
    imports,
    reports,
    notifications,
    moderation,
    blocks,
    lists,
    filters,
    conversations,
    polls,
    picks,
    suggestions,
    emojis,
    announcements,
    cards,
    trends,
  } = commands;
  const someAnnouncement = async () => (await read.selectFrom('announcements').select('id').execute()).map((a) => a.id);
  // The emoji commands' images are made by the media pipeline, which is not what this test is about.
  const images = { emojiImage: () => Promise.resolve({ imageKey: `${uuid7()}.webp`, staticKey: `${uuid7()}.webp` }) };
  const somePoll = async () => (await read.selectFrom('polls').select('id').execute()).map((p) => p.id);
  /** A direct conversation someone local is in, with that member. */
  const someConversation = async () => {
    const direct = await read.selectFrom('statuses').select(['id', 'thread_id', 'account_id']).where('visibility', '=', 'direct').execute();
    if (!direct.length) return null;
    const post = random.pick(direct);
    const owner = world.locals.find((a) => a.id === post.account_id) ?? random.pick(world.locals);
    return { id: post.thread_id ?? post.id, actor: apiActor(owner) };
  };
  /** One of the filters (or of their keywords or posts) made so far, with its owner. */
  const someFilter = async (table: 'filters' | 'filter_keywords' | 'filter_statuses' = 'filters') => {
    const all =
      table === 'filters'
        ? await read.selectFrom('filters').select(['id', 'account_id']).execute()
        : await read
            .selectFrom(table)
            .innerJoin('filters', 'filters.id', `${table}.filter_id`)
            .select([`${table}.id as id`, 'filters.account_id as account_id'])
            .execute();
    if (!all.length) return null;
    const picked = random.pick(all);
    const owner = world.locals.find((a) => a.id === picked.account_id);
    return owner ? { id: picked.id, actor: apiActor(owner) } : null;
  };
  const filterAction = () => random.pick(['warn', 'blur', 'hide'] as const);
  /** One of the lists made so far, with its owner (who alone may change it). */
  const someList = async () => {
    const all = await read.selectFrom('lists').select(['id', 'account_id']).execute();
    if (!all.length) return null;
    const list = random.pick(all);
    const owner = world.locals.find((a) => a.id === list.account_id);
    return owner ? { id: list.id, actor: apiActor(owner) } : null;
  };
  const moderated = () => random.pick(world.moderated ?? world.remotes);
  const report = () => random.pick(world.reports?.length ? world.reports : ['none']);
  const warning = () => random.pick(world.warnings?.length ? world.warnings : ['none']);
  const domainBlock = async () => (await findDomainBlock(read, { domain: 'far.example' }))?.id ?? 'none';
  return {
    'statuses.create': async () => {
      const actor = anyone();
      const id =
        actor.account.domain === null
          ? await statuses.create(actor, {
              text: words(),
              visibility: random.pick(['public', 'public', 'unlisted', 'private', 'direct'] as const),
              inReplyToId: random.coin(0.2) ? status() : undefined,
              quotedStatusId: random.coin(0.1) ? status() : undefined,
              poll: random.coin(0.15) ? { options: ['yes', 'no'], expiresIn: 300, multiple: random.coin() } : undefined,
            })
          : await statuses.create(actor, remoteInput());
      if (id) world.statuses.push({ id, author: actor.account });
    },
    'statuses.edit': () => {
      const { id, author } = random.pick(world.statuses);
      return statuses.edit(actorOf(author), id, author.domain === null ? { text: `edited ${words()}` } : remoteInput());
    },
    'statuses.delete': async () => {
      const gone = random.pick(world.statuses);
      await statuses.delete(actorOf(gone.author), gone.id);
      world.statuses.splice(world.statuses.indexOf(gone), 1);
    },
    'statuses.importPost': async () => {
      const actor = local();
      const id = await statuses.importPost(actor, {
        originalUri: `${REMOTE}/statuses/${uuid7()}`,
        text: `imported ${words()}`,
        spoilerText: '',
        sensitive: false,
        visibility: random.pick(['public', 'unlisted', 'private'] as const),
        language: null,
        publishedAt: '2023-01-01T00:00:00Z',
        inReplyToOriginalUri: null,
        mediaIds: [],
      });
      if (id) world.statuses.push({ id, author: actor.account });
    },
    'statuses.schedule': () =>
      statuses
        .schedule(local(), { text: `later ${words()}`, visibility: 'public' }, new Date(Date.UTC(2026, 10, 23)).toISOString())
        .then(() => undefined),
    'statuses.reschedule': async () => {
      const row = await read.selectFrom('scheduled_statuses').select(['id', 'account_id']).executeTakeFirst();
      const owner = row && world.locals.find((a) => a.id === row.account_id);
      if (row && owner) await statuses.reschedule(apiActor(owner), row.id, new Date(Date.UTC(2026, 10, 24)).toISOString());
    },
    'statuses.cancelScheduled': async () => {
      const row = await read.selectFrom('scheduled_statuses').select(['id', 'account_id']).executeTakeFirst();
      const owner = row && world.locals.find((a) => a.id === row.account_id);
      if (row && owner) await statuses.cancelScheduled(apiActor(owner), row.id);
    },
    'statuses.publishScheduled': async () => {
      // Not due on the test clock: nothing is published, and nothing may change.
      const row = await read.selectFrom('scheduled_statuses').select('id').executeTakeFirst();
      if (row) assert.equal(await statuses.publishScheduled(row.id), null);
    },
    'statuses.linkLookedUpMentions': () => statuses.linkLookedUpMentions(status(), 'status-updated'),
    'statuses.notifySubscribers': () => statuses.notifySubscribers(status()),
    'statuses.reblog': async () => {
      const actor = anyone();
      const id = await statuses.reblog(
        actor,
        status(),
        actor.account.domain === null ? {} : { remote: { uri: `${REMOTE}/reposts/${uuid7()}`, visibility: 'public' } },
      );
      world.statuses.push({ id, author: actor.account });
    },
    'statuses.unreblog': () => statuses.unreblog(anyone(), status()),
    'statuses.favourite': () => statuses.favourite(anyone(), status()),
    'statuses.unfavourite': () => statuses.unfavourite(anyone(), status()),
    'statuses.bookmark': () => statuses.bookmark(local(), status(), random.coin()),
    'statuses.pin': () => statuses.pin(local(), status(), random.coin()),
    'statuses.muteConversation': () => statuses.muteConversation(local(), status(), random.coin()),
    'statuses.answerQuoteRequest': () =>
      statuses.answerQuoteRequest(remote(), status(), {
        uri: `${REMOTE}/requests/${uuid7()}`,
        quotingUri: `${REMOTE}/statuses/${uuid7()}`,
      }),
    'statuses.acceptQuoteStamp': () => statuses.acceptQuoteStamp(remote(), status(), `${REMOTE}/stamps/${uuid7()}`),
    'graph.follow': () => graph.follow(anyone(), account(), { reblogs: random.coin(0.8), uri: `${REMOTE}/follows/${uuid7()}` }),
    'graph.unfollow': () => graph.unfollow(anyone(), account()),
    'graph.removeFromFollowers': () => graph.removeFromFollowers(anyone(), account()),
    'graph.answerRequest': () => graph.answerRequest(anyone(), account(), random.coin(0.7)),
    'graph.block': () => graph.block(anyone(), account()),
    'graph.unblock': () => graph.unblock(anyone(), account()),
    'graph.mute': () => graph.mute(local(), account(), { durationSeconds: random.pick([0, 60, 300]) || undefined }),
    'graph.unmute': () => graph.unmute(local(), account()),
    'graph.blockDomain': () => graph.blockDomain(local(), 'far.example', random.coin(0.3)),
    'graph.followTag': () => graph.followTag(local(), 'stoa', random.coin(0.7)),
    'graph.moveFollowers': () => graph.moveFollowers('federation', random.pick(world.remotes).id, random.pick(world.remotes).id),
    'accounts.updateProfile': () => accounts.updateProfile(local(), { displayName: `name ${Math.floor(random.next() * 100)}` }),
    'accounts.delete': async () => {
      const gone = world.remotes.splice(Math.floor(random.next() * world.remotes.length), 1)[0]!;
      await accounts.delete(remoteActor(gone));
      world.remotes.push(await accounts.saveRemote(remoteProfile(`r${uuid7().slice(-6)}`)));
    },
    'accounts.saveRemote': async () => {
      const again = random.pick(world.remotes);
      const saved = await accounts.saveRemote({
        ...remoteProfile(again.username),
        displayName: `renamed ${Math.floor(random.next() * 100)}`,
      });
      world.remotes.splice(world.remotes.indexOf(again), 1, saved);
    },
    'accounts.storeRemoteImage': () =>
      accounts.storeRemoteImage(random.pick(world.remotes).id, 'avatar', `${REMOTE}/avatar.png`, 'aa/bb/unused.jpg'),
    'migration.addAlias': () => migration.addAlias(local(), random.pick(world.remotes)),
    'migration.removeAlias': () => migration.removeAlias(local(), random.pick(world.remotes).uri),
    'migration.move': async () => {
      const [from, to] = [random.pick(world.remotes), random.pick(world.remotes)];
      await migration.move(remoteActor(from), to, [from.uri]);
    },
    'imports.start': () =>
      imports
        .start(local().account, random.pick(['following', 'blocks', 'mutes'] as const), [
          { target: `${random.pick(world.remotes).username}@far.example`, flag: random.coin() },
          { target: 'nobody@far.example' },
        ])
        .then(() => undefined),
    'imports.apply': async () => {
      const queued = await read.selectFrom('account_imports').select('id').where('state', '=', 'queued').executeTakeFirst();
      if (queued)
        await imports.apply(queued.id, [{ target: `${random.pick(world.remotes).username}@far.example` }], () => Promise.resolve(null));
    },
    'imports.startArchive': () => {
      const note = (n: number) => ({
        type: 'Create',
        object: {
          type: 'Note',
          id: `${REMOTE}/statuses/archived-${uuid7()}-${n}`,
          published: '2024-05-01T10:00:00Z',
          content: `<p>archived ${n}</p>`,
          to: ['as:Public'],
        },
      });
      const outbox = JSON.stringify({ type: 'OrderedCollection', orderedItems: [note(1), note(2)] });
      return imports.startArchive(local().account, new TextEncoder().encode(outbox)).then(() => undefined);
    },
    'imports.applyArchive': async () => {
      const queued = await read
        .selectFrom('account_imports')
        .select('id')
        .where('state', '=', 'queued')
        .where('kind', '=', 'posts')
        .executeTakeFirst();
      // These archives hold no media files: the media pipeline is never called.
      if (queued) await imports.applyArchive(queued.id, { upload: () => Promise.reject(new Error('no media in these archives')) });
    },
    'lists.create': () =>
      lists
        .create(local(), {
          title: 'a list',
          repliesPolicy: random.pick(['followed', 'list', 'none'] as const),
          exclusive: random.coin(),
        })
        .then(() => undefined),
    'lists.update': async () => {
      const list = await someList();
      if (list)
        await lists.update(list.actor, list.id, {
          exclusive: random.coin(),
          repliesPolicy: random.pick(['followed', 'list', 'none'] as const),
        });
    },
    'lists.delete': async () => {
      const list = await someList();
      if (list) await lists.delete(list.actor, list.id);
    },
    'lists.addAccounts': async () => {
      const list = await someList();
      if (!list) return;
      const follows = await read
        .selectFrom('follows')
        .select('target_account_id')
        .where('account_id', '=', list.actor.account.id)
        .execute();
      if (follows.length) await lists.addAccounts(list.actor, list.id, [random.pick(follows).target_account_id]);
    },
    'lists.removeAccounts': async () => {
      const list = await someList();
      if (list) await lists.removeAccounts(list.actor, list.id, [account()]);
    },
    'filters.create': () =>
      filters
        .create(local(), {
          title: 'a filter',
          context: random.coin(0.7) ? ['home'] : ['public', 'thread'],
          action: filterAction(),
          // Within the first twenty minutes of the test clock (which starts at manualClock's default).
          expiresAt: random.coin(0.3)
            ? new Date(Date.UTC(2026, 10, 22, 12, 20) - Math.floor(random.next() * 1200_000)).toISOString()
            : null,
          keywords: [{ keyword: random.pick(['hello', 'news', 'thought']), wholeWord: random.coin() }],
        })
        .then(() => undefined),
    'filters.update': async () => {
      const filter = await someFilter();
      if (filter) await filters.update(filter.actor, filter.id, { action: filterAction(), keywords: [{ keyword: 'edited' }] });
    },
    'filters.delete': async () => {
      const filter = await someFilter();
      if (filter) await filters.delete(filter.actor, filter.id);
    },
    'filters.addKeyword': async () => {
      const filter = await someFilter();
      if (filter) await filters.addKeyword(filter.actor, filter.id, random.pick(['hello', 'news', 'from']), random.coin());
    },
    'filters.updateKeyword': async () => {
      const keyword = await someFilter('filter_keywords');
      if (keyword)
        await filters.updateKeyword(keyword.actor, keyword.id, { keyword: random.pick(['hello', 'news']), wholeWord: random.coin() });
    },
    'filters.removeKeyword': async () => {
      const keyword = await someFilter('filter_keywords');
      if (keyword) await filters.removeKeyword(keyword.actor, keyword.id, { dropEmpty: random.coin() });
    },
    'filters.addStatus': async () => {
      const filter = await someFilter();
      if (filter) await filters.addStatus(filter.actor, filter.id, status());
    },
    'filters.removeStatus': async () => {
      const entry = await someFilter('filter_statuses');
      if (entry) await filters.removeStatus(entry.actor, entry.id);
    },
    'polls.vote': async () => {
      const ids = await somePoll();
      if (ids.length) await polls.vote(local(), random.pick(ids), [random.pick([0, 1])]);
    },
    'polls.sendTally': async () => {
      const ids = await somePoll();
      if (ids.length) await polls.sendTally(random.pick(ids));
    },
    'polls.end': async () => {
      const ids = await somePoll();
      if (ids.length) await polls.end(random.pick(ids));
    },
    'conversations.markRead': async () => {
      const conversation = await someConversation();
      if (conversation) await conversations.markRead(conversation.actor, conversation.id);
    },
    'conversations.remove': async () => {
      const conversation = await someConversation();
      if (conversation) await conversations.remove(conversation.actor, conversation.id);
    },
    'picks.setNote': () => picks.setNote(local(), account(), random.pick(['', 'a note'])),
    'picks.endorse': () => picks.endorse(local(), account(), random.coin()),
    'picks.featureTag': () => picks.featureTag(local(), random.pick(['hello', 'news'])).then(() => undefined),
    'picks.unfeatureTag': async () => {
      const featured = await read.selectFrom('featured_tags').select(['id', 'account_id']).execute();
      if (!featured.length) return;
      const pick = random.pick(featured);
      const owner = await findAccountById(read, pick.account_id);
      if (owner) await picks.unfeatureTag(apiActor(owner), pick.id);
    },
    'suggestions.dismiss': () => suggestions.dismiss(local(), account()),
    'emojis.add': () =>
      emojis.add(images, { shortcode: random.pick(['hello', 'news', 'wave']), image: new Uint8Array(1) }).then(() => undefined),
    'emojis.update': () => emojis.update(random.pick(['hello', 'news', 'wave']), { category: 'c', visibleInPicker: random.coin() }),
    'emojis.remove': () => emojis.remove(random.pick(['hello', 'news', 'wave'])),
    'cards.attach': () =>
      cards.attach(status(), 'https://example.com/x', {
        type: 'link',
        title: random.pick(['a page', 'the page, changed']),
        description: '',
        authorName: '',
        authorUrl: '',
        providerName: 'example.com',
        providerUrl: '',
        language: null,
        publishedAt: null,
        image: null,
      }),
    'trends.review': async () => {
      const tags = await read.selectFrom('tags').select('id').execute();
      if (tags.length) await trends.review(OPERATOR, 'tag', random.pick(tags).id, random.coin());
    },
    'cards.reuseFresh': () => cards.reuseFresh(status(), 'https://example.com/x').then(() => undefined),
    'announcements.publish': () => announcements.publish({ text: 'news' }).then(() => undefined),
    'announcements.remove': async () => {
      const ids = await someAnnouncement();
      if (ids.length) await announcements.remove(random.pick(ids));
    },
    'announcements.dismiss': async () => {
      const ids = await someAnnouncement();
      if (ids.length) await announcements.dismiss(local(), random.pick(ids));
    },
    'announcements.react': async () => {
      const ids = await someAnnouncement();
      if (ids.length) await announcements.react(local(), random.pick(ids), random.pick(['👍', '🎉']), random.coin());
    },
    'emojis.storeRemoteImage': async () => {
      const remote = await read.selectFrom('custom_emojis').select(['id', 'remote_url']).where('domain', 'is not', null).execute();
      if (!remote.length) return;
      const pick = random.pick(remote);
      await emojis.storeRemoteImage(pick.id, pick.remote_url!, { statusId: status() }, await images.emojiImage());
    },
    'reports.create': async () => {
      const filed = await reports.create(local(), {
        targetId: moderated().id,
        statusIds: [],
        comment: 'spam',
        category: 'spam',
        ruleIds: [],
        forward: false,
      });
      if (filed) world.reports?.push(filed.id);
    },
    'moderation.act': async () => {
      const filed = await moderation.act(OPERATOR, moderated().id, { type: random.pick(ACCOUNT_ACTIONS), text: 'rule 1' });
      if (filed) world.warnings?.push(filed.id);
    },
    'moderation.undo': () => moderation.undo(OPERATOR, moderated().id, random.pick(UNDO_ACTIONS)),
    'moderation.approve': () => moderation.approve(OPERATOR, moderated().id),
    'moderation.reject': () => moderation.reject(OPERATOR, moderated().id),
    'moderation.deleteSuspended': () => moderation.deleteSuspended(OPERATOR, random.pick(world.remotes).id),
    'moderation.purge': () => moderation.purge(random.pick(world.remotes).id),
    'moderation.removeStatus': async () => {
      const gone = random.pick(world.statuses);
      await moderation.removeStatus(OPERATOR, gone.id, 'against the rules');
      world.statuses.splice(world.statuses.indexOf(gone), 1);
    },
    'moderation.assignReport': () => moderation.assignReport(OPERATOR, report(), random.coin()),
    'moderation.resolveReport': () => moderation.resolveReport(OPERATOR, report(), random.coin()),
    'moderation.recategorize': () => moderation.recategorize(OPERATOR, report(), { category: 'violation', ruleIds: ['1'] }),
    'moderation.appeal': () => moderation.appeal(moderated(), warning(), 'I did not do it'),
    'moderation.decideAppeal': () => moderation.decideAppeal(OPERATOR, warning(), random.coin()),
    'blocks.createDomainBlock': () =>
      blocks.createDomainBlock(OPERATOR, 'far.example', { severity: random.pick(['silence', 'suspend', 'noop'] as const) }),
    'blocks.updateDomainBlock': async () =>
      blocks.updateDomainBlock(OPERATOR, await domainBlock(), { severity: random.pick(['silence', 'suspend', 'noop'] as const) }),
    'blocks.deleteDomainBlock': async () => blocks.deleteDomainBlock(OPERATOR, await domainBlock()),
    'blocks.importDomainBlocks': () =>
      blocks.importDomainBlocks(OPERATOR, '#domain,#severity\nfar.example,silence\nnear.example,suspend\n', 'test'),
    'blocks.createDomainAllow': () => blocks.createDomainAllow(OPERATOR, `allowed${Math.floor(random.next() * 5)}.example`),
    'blocks.createEmailDomainBlock': () => blocks.createEmailDomainBlock(OPERATOR, `spam${Math.floor(random.next() * 5)}.example`),
    'blocks.createCanonicalEmailBlock': () =>
      blocks.createCanonicalEmailBlock(OPERATOR, { email: `someone${Math.floor(random.next() * 5)}@example.org` }),
    'blocks.createIpBlock': () =>
      blocks.createIpBlock(OPERATOR, { ip: `192.0.2.${Math.floor(random.next() * 5)}`, severity: 'sign_up_requires_approval' }),
    'blocks.subscribe': () => blocks.subscribe(OPERATOR, `https://lists.example/${Math.floor(random.next() * 3)}.csv`),
    'blocks.unsubscribe': async () => {
      const [first] = await allSubscriptions(read);
      await blocks.unsubscribe(OPERATOR, first?.id ?? 'none');
    },
    'blocks.applySubscription': async () => {
      const [first] = await allSubscriptions(read);
      const csv = random.coin() ? '#domain,#severity\nfar.example,suspend\n' : '#domain,#severity\nnear.example,silence\n';
      await blocks.applySubscription(first?.id ?? 'none', random.coin(0.8) ? { csv } : { error: 'unreachable' });
    },
    'blocks.updateIpBlock': () => blocks.updateIpBlock(OPERATOR, 'none', { comment: 'x' }),
    'blocks.deleteRow': () => blocks.deleteRow(OPERATOR, 'ip_blocks', 'none'),
    'notifications.dismiss': async () => {
      const viewer = random.pick(world.locals);
      const [latest] = await notificationsPage(read, viewer.id, new Date().toISOString(), {}, { limit: 1 });
      await notifications.dismiss(apiActor(viewer), latest?.id ?? 'none');
    },
    'notifications.clear': () => notifications.clear(local()),
    'notifications.updatePolicy': () =>
      notifications.updatePolicy(local(), {
        for_not_following: random.pick(['accept', 'filter', 'drop'] as const),
        for_private_mentions: random.pick(['accept', 'filter'] as const),
      }),
    'notifications.acceptRequests': async () => {
      const request = await read.selectFrom('notification_requests').select(['id', 'account_id']).executeTakeFirst();
      const owner = request && world.locals.find((a) => a.id === request.account_id);
      if (request && owner) await notifications.acceptRequests(apiActor(owner), [request.id]);
    },
    'notifications.dismissRequests': async () => {
      const request = await read.selectFrom('notification_requests').select(['id', 'account_id']).executeTakeFirst();
      const owner = request && world.locals.find((a) => a.id === request.account_id);
      if (request && owner) await notifications.dismissRequests(apiActor(owner), [request.id]);
    },
    'notifications.dismissAll': async () => {
      const actor = local();
      const mine = await read.selectFrom('notifications').select('id').where('account_id', '=', actor.account.id).limit(3).execute();
      await notifications.dismissAll(
        actor,
        mine.map((n) => n.id),
      );
    },
    'notifications.saveMarkers': () => notifications.saveMarkers(local(), { home: status(), notifications: status() }),
  };
}

describe('home pages kept in memory, after every domain command', () => {
  const clock = manualClock();
  let server: TestServer;
  let reference: App;
  let people: TestAccount[];
  before(async () => {
    server = await startTestServer({ STOA_HOME_CACHE_MB: '16' }, { clock });
    people = await createTestAccounts(server, ['ann', 'bob', 'cat', 'dan', 'eve']);
    reference = await createApp(loadConfig(testEnv(server.config.dataDir, server.database, { STOA_HOME_CACHE_MB: '0' })), { clock });
    assert.equal(reference.services.homeCache, null);
  });
  after(async () => {
    await reference?.close();
    await server?.close();
  });

  const page = async (app: { fetch: (r: Request) => Response | Promise<Response> } | null, who: TestAccount, query: string) => {
    const request = new Request(`${server.url}/api/v1/timelines/home${query}`, { headers: { authorization: `Bearer ${who.token}` } });
    const res = app ? await app.fetch(request) : await fetch(request);
    assert.equal(res.status, 200);
    return { body: await res.text(), link: res.headers.get('link') };
  };

  it('has a way to call every command the domain has, and no other', () => {
    const { commands } = server.app.services;
    const registered = Object.entries(commands).flatMap(([area, service]) =>
      Object.keys(service as object).map((name) => `${area}.${name}`),
    );
    const world: World = { locals: [], remotes: [], statuses: [] };
    const known = Object.keys(callers(commands, server.app.db.read, world, prng(1)));
    assert.deepEqual(
      registered.filter((name) => !known.includes(name)),
      [],
      'commands without a random call in this test',
    );
    assert.deepEqual(
      known.filter((name) => !registered.includes(name)),
      [],
      'random calls of commands that do not exist',
    );
  });

  it('answers exactly what a fresh read answers after random sequences of every command, local and remote', async () => {
    const { commands } = server.app.services;
    const random = prng(11);
    const locals = (await Promise.all(people.map((p) => findAccountById(server.app.db.read, p.id)))) as AccountRow[];
    const remotes = await Promise.all(['rex', 'ria', 'rod'].map((name) => commands.accounts.saveRemote(remoteProfile(name))));
    // A local account the moderators act on: its own pages are not compared (a suspension signs it out).
    const [target] = await createTestAccounts(server, ['fay']);
    const fay = (await findAccountById(server.app.db.read, target!.id))!;
    const world: World = { locals: [...locals, fay], remotes, statuses: [], moderated: [...remotes, fay], reports: [], warnings: [] };
    await commands.accounts.updateProfile(apiActor(locals[4]!), { locked: true });
    for (const person of locals) {
      world.statuses.push({
        id: (await commands.statuses.create(apiActor(person), { text: `hello from ${person.username}` }))!,
        author: person,
      });
    }
    world.statuses.push({ id: (await commands.statuses.create(apiActor(fay), { text: 'hello from fay' }))!, author: fay });
    for (const person of locals)
      for (const other of [...locals, ...remotes, fay])
        if (other !== person) await commands.graph.follow(apiActor(person), other.id).catch(() => undefined);

    const calls = callers(commands, server.app.db.read, world, random);
    const names = Object.keys(calls);
    const queries = ['', '?limit=5'];
    let compared = 0;
    for (let step = 0; step < 200; step++) {
      // Pages are read (and kept) before the command, so that the command has something to make stale.
      for (const who of people) for (const query of queries) await page(null, who, query);
      const name = random.pick(names);
      try {
        await calls[name]!();
      } catch (error) {
        // A command may refuse its random arguments (a post not visible, a block): that changes nothing.
        if (!(error instanceof DomainError)) throw new Error(`${name} failed`, { cause: error });
      }
      if (random.coin(0.1)) clock.advance(61_000);
      for (const who of people) {
        for (const query of queries) {
          const [kept, fresh] = [await page(null, who, query), await page(reference, who, query)];
          assert.deepEqual(kept, fresh, `${who.username}'s home${query} after ${name} (step ${step})`);
          compared += 1;
        }
      }
    }
    assert.ok(server.app.services.homeCache!.stats().hits > compared / 2, 'the cache answered most reads');
  });
});
