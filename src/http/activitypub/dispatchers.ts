import type { Context, Federation } from '@fedify/fedify';
import { Application, Create, Note, PUBLIC_COLLECTION, QuoteAuthorization, Tombstone, type Recipient } from '@fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import type { Config } from '../../config/index.ts';
import { STOA_VERSION } from '../../config/version.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { findAccountByHandle, findAccountById } from '../../domain/accounts/accounts.repo.ts';
import { followCollectionPage } from '../../domain/graph/graph.views.ts';
import type { InstanceService } from '../../domain/instance/instance.service.ts';
import { countPublicPosts, pinnedPublicPosts, publicPostsPage, quoteStamp } from '../../domain/statuses/status-lists.views.ts';
import { findStatusById, tombstoneOf } from '../../domain/statuses/statuses.repo.ts';
import { canSee } from '../../domain/statuses/visibility-policy.ts';
import type { ActorKeyStore } from '../../federation/actor-keys.ts';
import { INSTANCE_KEY_OWNER } from '../../federation/actor-keys.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import { actorOf, INSTANCE_ACTOR, noteOf } from './objects.ts';

const PAGE = 20;

/**
 * What federation serves about this server's accounts: actors and their keys, posts, quote stamps, the
 * followers, following, outbox and featured collections, and NodeInfo. What only followers or mentioned
 * accounts may see is never served here (it reaches them by delivery); in signed-fetch mode everything but
 * the stamps and NodeInfo needs a server's signature, and an account that hides its network lists nobody.
 */
export function setDispatchers(
  federation: Federation<void>,
  deps: { read: DbReader; config: Config; keys: ActorKeyStore; instance: InstanceService },
): void {
  const { read, config, keys } = deps;
  const localByUsername = (username: string) => findAccountByHandle(read, username, null);
  const signedOnly = async (ctx: Context<void> & { getSignedKeyOwner?: () => Promise<unknown> }) =>
    !config.federation.signedFetchesOnly || (await ctx.getSignedKeyOwner?.()) != null;

  federation
    .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
      if (identifier === INSTANCE_ACTOR) {
        const keyPairs = await ctx.getActorKeyPairs(identifier);
        return new Application({
          id: ctx.getActorUri(identifier),
          preferredUsername: config.domain,
          name: config.instance.name,
          inbox: ctx.getInboxUri(identifier),
          outbox: ctx.getOutboxUri(identifier),
          publicKey: keyPairs[0]?.cryptographicKey ?? null,
          assertionMethods: keyPairs.map((k) => k.multikey),
          manuallyApprovesFollowers: true,
        });
      }
      const account = await localByUsername(identifier);
      if (!account) {
        const gone = await tombstoneOf(read, ctx.getActorUri(identifier).href);
        return gone ? new Tombstone({ id: ctx.getActorUri(identifier), deleted: Temporal.Instant.from(gone) }) : null;
      }
      const moved = account.moved_to_account_id ? await findAccountById(read, account.moved_to_account_id) : undefined;
      return actorOf(ctx, read, config, account, moved?.uri ?? null);
    })
    .mapHandle(async (_ctx, username) =>
      username === INSTANCE_ACTOR ? INSTANCE_ACTOR : ((await localByUsername(username))?.username ?? null),
    )
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const owner = identifier === INSTANCE_ACTOR ? INSTANCE_KEY_OWNER : (await localByUsername(identifier))?.id;
      if (!owner) return [];
      const pairs = await keys.get(owner);
      return [pairs.rsa, pairs.ed25519];
    })
    .authorize(async (ctx) => signedOnly(ctx));

  federation
    .setObjectDispatcher(Note, '/users/{identifier}/statuses/{id}', async (ctx, values) => {
      const account = await localByUsername(values.identifier);
      const status = account ? await findStatusById(read, values.id) : undefined;
      // Only what anyone may see is served here; the rest reaches its audience by delivery.
      if (!account || !status || status.account_id !== account.id || status.reblog_of_id !== null) return null;
      if (!['public', 'unlisted'].includes(status.visibility) || !(await canSee(read, null, status.id))) return null;
      return noteOf(ctx, read, config, status, account);
    })
    .authorize(async (ctx) => signedOnly(ctx));

  // Stamps of consent to quote a local post (FEP-044f), for any server to check; gone with the post.
  federation.setObjectDispatcher(QuoteAuthorization, '/users/{identifier}/quote_authorizations/{id}', async (ctx, values) => {
    const account = await localByUsername(values.identifier);
    const stamp = account ? await quoteStamp(read, values.id, account.id) : undefined;
    if (!account || !stamp) return null;
    return new QuoteAuthorization({
      id: ctx.getObjectUri(QuoteAuthorization, values),
      attribution: ctx.getActorUri(account.username),
      interactingObject: new URL(stamp.quoting_uri),
      interactionTarget: new URL(stamp.uri),
    });
  });

  /** The followers or following collection: paged by offset, empty for an account that hides its network. */
  const followCollection = (kind: 'followers' | 'following') => async (_ctx: unknown, identifier: string, cursor: string | null) => {
    const account = await localByUsername(identifier);
    if (!account || account.suspended_at) return null;
    if (toBool(account.hide_collections)) return { items: [], nextCursor: null };
    const offset = Math.max(0, Number(cursor ?? 0) || 0);
    const rows = await followCollectionPage(read, account.id, kind, offset, PAGE + 1);
    const items: Recipient[] = rows.slice(0, PAGE).map((r) => ({
      id: new URL(r.uri),
      inboxId: r.inbox_url ? new URL(r.inbox_url) : null,
      endpoints: r.shared_inbox_url ? { sharedInbox: new URL(r.shared_inbox_url) } : null,
    }));
    return { items, nextCursor: rows.length > PAGE ? String(offset + PAGE) : null };
  };
  const followCount = (kind: 'followers' | 'following') => async (_ctx: unknown, identifier: string) => {
    const account = await localByUsername(identifier);
    if (!account || account.suspended_at) return null;
    const counts = (await countAccounts(read, [account.id])).get(account.id)!;
    return kind === 'followers' ? counts.followers : counts.following;
  };

  federation
    .setFollowersDispatcher('/users/{identifier}/followers', followCollection('followers'))
    .setFirstCursor(() => '0')
    .setCounter(followCount('followers'))
    .authorize(async (ctx) => signedOnly(ctx));

  federation
    .setFollowingDispatcher('/users/{identifier}/following', async (ctx, identifier, cursor) => {
      const page = await followCollection('following')(ctx, identifier, cursor);
      return page && { ...page, items: page.items.map((r) => r.id!) };
    })
    .setFirstCursor(() => '0')
    .setCounter(followCount('following'))
    .authorize(async (ctx) => signedOnly(ctx));

  federation
    .setOutboxDispatcher('/users/{identifier}/outbox', async (ctx, identifier, cursor) => {
      const account = identifier === INSTANCE_ACTOR ? undefined : await localByUsername(identifier);
      if (!account) return identifier === INSTANCE_ACTOR ? { items: [] } : null;
      const rows = await publicPostsPage(read, account.id, cursor || null, PAGE + 1);
      const items = await Promise.all(
        rows.slice(0, PAGE).map(
          async (s) =>
            new Create({
              id: new URL(`${s.uri}/activity`),
              actor: ctx.getActorUri(account.username),
              published: Temporal.Instant.from(s.created_at),
              tos: [PUBLIC_COLLECTION],
              ccs: [ctx.getFollowersUri(account.username)],
              object: await noteOf(ctx, read, config, s, account),
            }),
        ),
      );
      return { items, nextCursor: rows.length > PAGE ? rows[PAGE - 1]!.id : null };
    })
    .setFirstCursor(() => '')
    .setCounter(async (_ctx, identifier) => {
      const account = identifier === INSTANCE_ACTOR ? undefined : await localByUsername(identifier);
      if (!account) return identifier === INSTANCE_ACTOR ? 0 : null;
      return countPublicPosts(read, account.id);
    })
    .authorize(async (ctx) => signedOnly(ctx));

  federation
    .setFeaturedDispatcher('/users/{identifier}/featured', async (ctx, identifier) => {
      const account = await localByUsername(identifier);
      if (!account) return null;
      const rows = await pinnedPublicPosts(read, account.id);
      return { items: await Promise.all(rows.map((s) => noteOf(ctx, read, config, s, account))) };
    })
    .authorize(async (ctx) => signedOnly(ctx));

  federation.setNodeInfoDispatcher('/nodeinfo/2.1', async () => {
    const stats = await deps.instance.stats();
    return {
      software: { name: 'stoa', version: STOA_VERSION, repository: new URL(config.instance.sourceUrl) },
      protocols: ['activitypub'],
      services: { inbound: [], outbound: [] },
      openRegistrations: config.registration.mode === 'open' || config.registration.mode === 'approval',
      usage: { users: { total: stats.userCount, activeMonth: stats.activeMonth }, localPosts: stats.statusCount, localComments: 0 },
      metadata: { nodeName: config.instance.name },
    };
  });
}
