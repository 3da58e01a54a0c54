import { createFederation, signRequest, type Context, type Federation } from '@fedify/fedify';
import {
  Accept,
  Announce,
  Application,
  Block,
  Create,
  Delete,
  EmojiReact,
  Flag,
  Follow,
  isActor,
  Like,
  Move,
  Note,
  Object as ApObject,
  PUBLIC_COLLECTION,
  QuoteAuthorization,
  QuoteRequest,
  Reject,
  Tombstone,
  Undo,
  Update,
  type Recipient,
} from '@fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import type { Services } from '../../app/services.ts';
import { STOA_VERSION } from '../../app/version.ts';
import { findAccountByHandle, type AccountRow } from '../../domain/accounts/accounts.repo.ts';
import type { ActivityEvent } from '../../domain/changes.ts';
import { ACTIVITY_EVENTS_CHANNEL } from '../../domain/activity-queue.ts';
import { canSee } from '../../domain/statuses/visibility-policy.ts';
import { actorKeyStore, INSTANCE_KEY_OWNER } from '../../federation/actor-keys.ts';
import { addressPolicy } from '../../federation/address-policy.ts';
import { documentLoader, withSafeFetch } from '../../federation/document-loader.ts';
import { remoteMedia } from '../../federation/remote-media.ts';
import { remoteStore } from '../../federation/remote-store.ts';
import { createSafeFetch, type SafeFetch } from '../../federation/safe-fetch.ts';
import { secretBox } from '../../lib/secret-box.ts';
import { DbKvStore } from '../../storage/cache/db-kv-store.ts';
import { DbMessageQueue } from '../../storage/queue/db-message-queue.ts';
import { onAccept } from './inbox/accept.ts';
import { onAnnounce } from './inbox/announce.ts';
import { onBlock } from './inbox/block.ts';
import { onCreate } from './inbox/create.ts';
import { onDelete } from './inbox/delete.ts';
import { onFlag } from './inbox/flag.ts';
import { onFollow } from './inbox/follow.ts';
import type { InboxDeps } from './inbox/inbox-deps.ts';
import { onLike } from './inbox/like.ts';
import { onMove } from './inbox/move.ts';
import { onQuoteRequest } from './inbox/quote-request.ts';
import { onReject } from './inbox/reject.ts';
import { onUndo } from './inbox/undo.ts';
import { onUpdate } from './inbox/update.ts';
import { actorOf, INSTANCE_ACTOR, noteOf } from './objects.ts';
import { outgoing } from './outbox.ts';

const PAGE = 20;
const INBOX_MAX_BYTES = 256 * 1024;

/** Stoa's ActivityPub side: Fedify's router for actors, objects, collections and inboxes, and delivery. */
export interface StoaFederation {
  /** Answers a request if it is federation's (WebFinger, NodeInfo, actors, inboxes...), else calls `next`. */
  handle(request: Request, next: () => Promise<Response>): Promise<Response>;
  /**
   * Finds (fetching if needed) the account behind `@user@host` or an actor URL; `fresh` reads a remote
   * actor from its server even when it is known (to see its current aliases, say).
   */
  resolve(query: string, options?: { fresh?: boolean }): Promise<AccountRow | null>;
  /** Runs the delivery and inbox workers until `signal` aborts. */
  startWorkers(signal: AbortSignal): Promise<void>;
  readonly safeFetch: SafeFetch;
}

/** Builds federation over the services; outgoing activities follow the services' activity events. */
export function createStoaFederation(services: Services): StoaFederation {
  const { db, clock, config, logger } = services;
  const log = logger.child({ category: 'federation' });
  const guarded = (maxBytes: number, timeoutMs?: number) =>
    createSafeFetch({
      policy: addressPolicy(config.federation.allowedPrivatePeers),
      allowHttp: config.insecureHttp,
      userAgent: `Stoa/${STOA_VERSION} (+${config.publicUrl})`,
      maxBytes,
      timeoutMs,
    });
  const safeFetch = guarded(2 * 1024 * 1024);
  const keys = actorKeyStore(db, clock, secretBox(config.secret, 'actor-keys'));
  // Remote media may be as large as local uploads allow, and takes longer to come than an activity.
  const media = remoteMedia({
    db,
    clock,
    media: services.media,
    fetch: guarded(Math.max(config.media.maxImageBytes, config.media.maxVideoBytes), 120_000),
    changes: services.changes,
    logger: log,
  });
  const store = remoteStore({ db, clock, search: services.search, changes: services.changes, publicUrl: config.publicUrl, media });
  const loader = documentLoader(safeFetch);
  const queue = new DbMessageQueue(db, clock, { logger: log, pollMs: 500 });
  const domainAllowed = (host: string) =>
    config.federation.mode === 'open' ||
    (config.federation.mode === 'allowlist' && config.federation.allowedDomains.includes(host.toLowerCase()));

  const federation: Federation<void> = createFederation<void>({
    kv: new DbKvStore(db, clock),
    queue,
    origin: config.publicUrl,
    manuallyStartQueue: true,
    documentLoaderFactory: () => loader,
    contextLoaderFactory: () => loader,
    authenticatedDocumentLoaderFactory: (identity) =>
      documentLoader(safeFetch, (request) => signRequest(request, identity.privateKey, identity.keyId)),
    signatureTimeWindow: { hours: 1 },
    circuitBreaker: {
      failureThreshold: 5,
      failureWindow: { minutes: 10 },
      recoveryDelay: { milliseconds: config.federation.deliveryPauseMs },
      heldActivityTtl: { days: 7 },
      onStateChange: (host, from, to) => log.info({ host, from, to }, 'delivery circuit changed'),
    },
    onOutboxError: (error, activity) => log.warn({ err: error, activity: activity?.id?.href }, 'delivery failed'),
  });

  const localByUsername = (username: string) => findAccountByHandle(db.read, username, null);
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
        const gone = await db.read
          .selectFrom('tombstones')
          .select('deleted_at')
          .where('uri', '=', ctx.getActorUri(identifier).href)
          .executeTakeFirst();
        return gone ? new Tombstone({ id: ctx.getActorUri(identifier), deleted: Temporal.Instant.from(gone.deleted_at) }) : null;
      }
      if (account.suspended_at) return null;
      const moved = account.moved_to_account_id
        ? await db.read.selectFrom('accounts').select('uri').where('id', '=', account.moved_to_account_id).executeTakeFirst()
        : undefined;
      return actorOf(ctx, config, account, moved?.uri ?? null);
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
      if (!account) return null;
      const status = await db.read
        .selectFrom('statuses')
        .selectAll()
        .where('id', '=', values.id)
        .where('account_id', '=', account.id)
        .where('reblog_of_id', 'is', null)
        .executeTakeFirst();
      // Only what anyone may see is served here; the rest reaches its audience by delivery.
      if (!status || !['public', 'unlisted'].includes(status.visibility) || !(await canSee(db.read, null, status.id))) return null;
      return noteOf(ctx, db.read, config, status, account);
    })
    .authorize(async (ctx) => signedOnly(ctx));

  // Stamps of consent to quote a local post (FEP-044f), for any server to check; gone with the post.
  federation.setObjectDispatcher(QuoteAuthorization, '/users/{identifier}/quote_authorizations/{id}', async (ctx, values) => {
    const account = await localByUsername(values.identifier);
    if (!account) return null;
    const stamp = await db.read
      .selectFrom('quote_authorizations')
      .innerJoin('statuses', 'statuses.id', 'quote_authorizations.quoted_status_id')
      .select(['quote_authorizations.quoting_uri', 'statuses.uri'])
      .where('quote_authorizations.id', '=', values.id)
      .where('statuses.account_id', '=', account.id)
      .executeTakeFirst();
    if (!stamp) return null;
    return new QuoteAuthorization({
      id: ctx.getObjectUri(QuoteAuthorization, values),
      attribution: ctx.getActorUri(account.username),
      interactingObject: new URL(stamp.quoting_uri),
      interactionTarget: new URL(stamp.uri),
    });
  });

  federation
    .setFollowersDispatcher('/users/{identifier}/followers', async (_ctx, identifier, cursor) => {
      const account = await localByUsername(identifier);
      if (!account) return null;
      const offset = Number(cursor ?? 0);
      const rows = await db.read
        .selectFrom('follows')
        .innerJoin('accounts', 'accounts.id', 'follows.account_id')
        .select(['accounts.uri', 'accounts.inbox_url', 'accounts.shared_inbox_url'])
        .where('follows.target_account_id', '=', account.id)
        .orderBy('follows.id', 'desc')
        .limit(PAGE + 1)
        .offset(offset)
        .execute();
      const items: Recipient[] = rows.slice(0, PAGE).map((r) => ({
        id: new URL(r.uri),
        inboxId: r.inbox_url ? new URL(r.inbox_url) : null,
        endpoints: r.shared_inbox_url ? { sharedInbox: new URL(r.shared_inbox_url) } : null,
      }));
      return { items, nextCursor: rows.length > PAGE ? String(offset + PAGE) : null };
    })
    .setFirstCursor(() => '0')
    .setCounter(async (_ctx, identifier) => {
      const account = await localByUsername(identifier);
      if (!account) return null;
      const row = await db.read
        .selectFrom('account_stats')
        .select('followers_count')
        .where('account_id', '=', account.id)
        .executeTakeFirst();
      return row?.followers_count ?? 0;
    });

  federation
    .setFollowingDispatcher('/users/{identifier}/following', async (_ctx, identifier, cursor) => {
      const account = await localByUsername(identifier);
      if (!account) return null;
      const offset = Number(cursor ?? 0);
      const rows = await db.read
        .selectFrom('follows')
        .innerJoin('accounts', 'accounts.id', 'follows.target_account_id')
        .select('accounts.uri')
        .where('follows.account_id', '=', account.id)
        .orderBy('follows.id', 'desc')
        .limit(PAGE + 1)
        .offset(offset)
        .execute();
      return { items: rows.slice(0, PAGE).map((r) => new URL(r.uri)), nextCursor: rows.length > PAGE ? String(offset + PAGE) : null };
    })
    .setFirstCursor(() => '0');

  federation
    .setOutboxDispatcher('/users/{identifier}/outbox', async (ctx, identifier, cursor) => {
      const account = identifier === INSTANCE_ACTOR ? undefined : await localByUsername(identifier);
      if (!account) return identifier === INSTANCE_ACTOR ? { items: [] } : null;
      let query = db.read
        .selectFrom('statuses')
        .selectAll()
        .where('account_id', '=', account.id)
        .where('visibility', '=', 'public')
        .where('reblog_of_id', 'is', null)
        .orderBy('id', 'desc')
        .limit(PAGE + 1);
      if (cursor) query = query.where('id', '<', cursor);
      const rows = await query.execute();
      const items = await Promise.all(
        rows.slice(0, PAGE).map(
          async (s) =>
            new Create({
              id: new URL(`${s.uri}/activity`),
              actor: ctx.getActorUri(account.username),
              published: Temporal.Instant.from(s.created_at),
              tos: [PUBLIC_COLLECTION],
              ccs: [ctx.getFollowersUri(account.username)],
              object: await noteOf(ctx, db.read, config, s, account),
            }),
        ),
      );
      return { items, nextCursor: rows.length > PAGE ? rows[PAGE - 1]!.id : null };
    })
    .setFirstCursor(() => '')
    .setCounter(async (_ctx, identifier) => {
      const account = identifier === INSTANCE_ACTOR ? undefined : await localByUsername(identifier);
      if (!account) return identifier === INSTANCE_ACTOR ? 0 : null;
      const row = await db.read
        .selectFrom('statuses')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('account_id', '=', account.id)
        .where('visibility', '=', 'public')
        .where('reblog_of_id', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    })
    .authorize(async (ctx) => signedOnly(ctx));

  federation.setFeaturedDispatcher('/users/{identifier}/featured', async (ctx, identifier) => {
    const account = await localByUsername(identifier);
    if (!account) return null;
    const rows = await db.read
      .selectFrom('pins')
      .innerJoin('statuses', 'statuses.id', 'pins.status_id')
      .selectAll('statuses')
      .where('pins.account_id', '=', account.id)
      .where('statuses.visibility', 'in', ['public', 'unlisted'])
      .orderBy('pins.created_at', 'desc')
      .execute();
    return { items: await Promise.all(rows.map((s) => noteOf(ctx, db.read, config, s, account))) };
  });

  federation.setNodeInfoDispatcher('/nodeinfo/2.1', async () => {
    const users = await db.read
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const posts = await db.read
      .selectFrom('statuses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('domain', 'is', null)
      .executeTakeFirstOrThrow();
    return {
      software: { name: 'stoa', version: STOA_VERSION, repository: new URL(config.instance.sourceUrl) },
      protocols: ['activitypub'],
      services: { inbound: [], outbound: [] },
      openRegistrations: config.registration.mode === 'open' || config.registration.mode === 'approval',
      usage: { users: { total: Number(users.n) }, localPosts: Number(posts.n), localComments: 0 },
      metadata: { nodeName: config.instance.name },
    };
  });

  const deps: InboxDeps = { services, store };
  federation
    .setInboxListeners('/users/{identifier}/inbox', '/inbox')
    .on(Follow, (ctx, a) => onFollow(deps, ctx, a))
    .on(Accept, (ctx, a) => onAccept(deps, ctx, a))
    .on(Reject, (ctx, a) => onReject(deps, ctx, a))
    .on(Undo, (ctx, a) => onUndo(deps, ctx, a))
    .on(Create, (ctx, a) => onCreate(deps, ctx, a))
    .on(Update, (ctx, a) => onUpdate(deps, ctx, a))
    .on(Delete, (ctx, a) => onDelete(deps, ctx, a))
    .on(Announce, (ctx, a) => onAnnounce(deps, ctx, a))
    .on(Like, (ctx, a) => onLike(deps, ctx, a))
    .on(EmojiReact, (ctx, a) => onLike(deps, ctx, a))
    .on(Block, (ctx, a) => onBlock(deps, ctx, a))
    .on(QuoteRequest, (ctx, a) => onQuoteRequest(deps, ctx, a))
    .on(Move, (ctx, a) => onMove(deps, ctx, a))
    .on(Flag, (ctx, a) => onFlag(deps, ctx, a))
    .onError((_ctx, error) => log.warn({ err: error }, 'inbox handler failed'))
    .setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }));

  // Activity events are queued by the services inside their transactions (ADR 0010); the workers turn
  // them into activities, so that building, serializing and signing never costs the web role. A worker
  // in this process is woken at once; others find the events at their next poll.
  const outbox = outgoing(services, federation, keys);
  const events = new DbMessageQueue(db, clock, { logger: log, pollMs: 500, channel: ACTIVITY_EVENTS_CHANNEL });
  services.changes.subscribe((change) => {
    if (change.kind === 'activity-recorded') events.wake();
  });

  return {
    safeFetch,
    async handle(request, next) {
      const url = new URL(request.url);
      if (!isFederationPath(url.pathname)) return next();
      if (config.federation.mode === 'off' && url.pathname !== '/.well-known/nodeinfo' && url.pathname !== '/nodeinfo/2.1') return next();
      if (url.pathname === '/.well-known/host-meta') {
        return new Response(
          `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"><Link rel="lrdd" template="${config.publicUrl}/.well-known/webfinger?resource={uri}"/></XRD>\n`,
          { headers: { 'content-type': 'application/xrd+xml; charset=utf-8' } },
        );
      }
      // A deleted post's URL answers 410 Gone with its tombstone, as Mastodon's do.
      if (request.method === 'GET' && /^\/users\/[^/]+\/statuses\/[^/]+$/.test(url.pathname)) {
        const uri = `${config.publicUrl}${url.pathname}`;
        const gone = await db.read.selectFrom('tombstones').select('deleted_at').where('uri', '=', uri).executeTakeFirst();
        if (gone)
          return Response.json(
            { '@context': 'https://www.w3.org/ns/activitystreams', id: uri, type: 'Tombstone', deleted: gone.deleted_at },
            { status: 410, headers: { 'content-type': 'application/activity+json' } },
          );
      }
      let forwarded = request;
      if (request.method === 'POST' && /\/inbox$/.test(url.pathname)) {
        const refused = await screenInbox(request, domainAllowed);
        if (refused instanceof Response) return refused;
        forwarded = refused;
      }
      return withSafeFetch(safeFetch, () =>
        federation.fetch(forwarded, { contextData: undefined, onNotFound: next, onNotAcceptable: next }),
      );
    },
    async resolve(query, options = {}) {
      return withSafeFetch(safeFetch, () => resolveAccount(services, store, loader, safeFetch, query.trim(), options.fresh ?? false));
    },
    startWorkers(signal) {
      // The workers' requests (deliveries among them) go through the SSRF guard: the scope is inherited.
      return withSafeFetch(safeFetch, () =>
        Promise.all([
          federation.startQueue(undefined, { signal }),
          media.listen(signal),
          events.listen(
            async (message) => {
              const { event } = message as { event: ActivityEvent };
              if (config.federation.mode === 'off') return;
              try {
                await outbox(event);
              } catch (error) {
                log.error({ err: error, event: event.type }, 'could not turn an event into an activity');
              }
            },
            { signal },
          ),
        ]).then(() => undefined),
      );
    },
  };
}

function isFederationPath(path: string): boolean {
  return (
    path.startsWith('/users/') ||
    path === '/inbox' ||
    path === '/.well-known/webfinger' ||
    path === '/.well-known/nodeinfo' ||
    path === '/.well-known/host-meta' ||
    path === '/nodeinfo/2.1'
  );
}

/**
 * What every inbox request must pass before Fedify verifies it: a size cap, an HTTP signature (an
 * activity proven only by a JSON-LD signature or an embedded proof is refused), no `@graph`, `@reverse`
 * or `@included` anywhere, an activity id on its actor's server, and a server federation may talk to.
 */
async function screenInbox(request: Request, domainAllowed: (host: string) => boolean): Promise<Request | Response> {
  const refuse = (status: number, error: string) => Response.json({ error }, { status });
  if (!request.headers.has('signature') && !request.headers.has('signature-input')) return refuse(401, 'An HTTP signature is required');
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > INBOX_MAX_BYTES) return refuse(413, 'Activity too large');
  const body = await request.arrayBuffer();
  if (body.byteLength > INBOX_MAX_BYTES) return refuse(413, 'Activity too large');
  let activity: unknown;
  try {
    activity = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return refuse(400, 'The body is not JSON');
  }
  if (typeof activity !== 'object' || activity === null || Array.isArray(activity)) return refuse(400, 'An activity is a JSON object');
  if (hasKeyword(activity, 0)) return refuse(400, '@graph, @reverse and @included are not accepted');
  const { id, actor, object, type } = activity as { id?: unknown; actor?: unknown; object?: unknown; type?: unknown };
  const actorId =
    typeof actor === 'string' ? actor : typeof actor === 'object' && actor !== null ? (actor as { id?: unknown }).id : undefined;
  const actorUrl = parseUrl(actorId);
  if (!actorUrl) return refuse(400, 'The activity has no actor');
  if (!domainAllowed(actorUrl.host)) return refuse(403, 'This server does not federate with yours');
  if (id !== undefined && parseUrl(id)?.origin !== actorUrl.origin) return refuse(400, "The activity's id is not on its actor's server");
  // What an actor creates, changes, deletes or takes back must be its own.
  if (typeof type === 'string' && ['Create', 'Update', 'Delete', 'Undo'].includes(type)) {
    const objectId =
      typeof object === 'string' ? object : typeof object === 'object' && object !== null ? (object as { id?: unknown }).id : undefined;
    if (parseUrl(objectId)?.origin !== actorUrl.origin) return refuse(400, "The object's id is not on its actor's server");
  }
  return new Request(request.url, { method: 'POST', headers: request.headers, body });
}

function hasKeyword(value: unknown, depth: number): boolean {
  if (depth > 32) return true;
  if (Array.isArray(value)) return value.some((v) => hasKeyword(v, depth + 1));
  if (typeof value !== 'object' || value === null) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (key === '@graph' || key === '@reverse' || key === '@included') return true;
    if (hasKeyword(inner, depth + 1)) return true;
  }
  return false;
}

function parseUrl(value: unknown): URL | null {
  if (typeof value !== 'string') return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** The account behind `@user@host`, `user@host` or an actor URL, fetched and stored if new. */
async function resolveAccount(
  services: Services,
  store: ReturnType<typeof remoteStore>,
  loader: ReturnType<typeof documentLoader>,
  safeFetch: SafeFetch,
  query: string,
  fresh: boolean,
): Promise<AccountRow | null> {
  const { db, config } = services;
  let actorUrl: string | null = null;
  const handle = /^@?([a-z0-9_.-]+)@([a-z0-9.-]+(?::\d+)?)$/i.exec(query);
  if (handle) {
    const [, username, host] = handle as unknown as [string, string, string];
    const local = host.toLowerCase() === config.domain;
    const known = await findAccountByHandle(db.read, username, local ? null : host);
    if (local || (known && !fresh)) return known ?? null;
    const scheme = config.insecureHttp ? 'http' : 'https';
    const response = await safeFetch(
      `${scheme}://${host}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${username}@${host}`)}`,
      { headers: { accept: 'application/jrd+json, application/json' } },
    );
    if (!response.ok) return null;
    const jrd = (await response.json()) as { links?: { rel?: string; type?: string; href?: string }[] };
    actorUrl = jrd.links?.find((l) => l.rel === 'self' && /activity\+json|ld\+json/.test(l.type ?? ''))?.href ?? null;
  } else if (/^https?:\/\//i.test(query)) {
    actorUrl = query;
  }
  if (!actorUrl) return null;
  const existing = await db.read.selectFrom('accounts').selectAll().where('uri', '=', actorUrl).executeTakeFirst();
  if (existing && (!fresh || existing.domain === null)) return existing;
  const { document } = await loader(actorUrl);
  const object = await ApObject.fromJsonLd(document, { documentLoader: loader, contextLoader: loader });
  if (!isActor(object) || !object.id) return null;
  return store.saveActor(object);
}
