import { createFederation, signRequest, type Federation, type KvKey, type KvStore, type KvStoreSetOptions } from '@fedify/fedify';
import {
  Accept,
  Announce,
  Block,
  Create,
  Delete,
  EmojiReact,
  Flag,
  Follow,
  Like,
  Move,
  QuoteRequest,
  Reject,
  Undo,
  Update,
} from '@fedify/vocab';
import type { Config } from '../../config/index.ts';
import { STOA_VERSION } from '../../config/version.ts';
import type { AccountRow } from '../../domain/accounts/accounts.repo.ts';
import { ACTIVITY_EVENTS_CHANNEL } from '../../domain/activity-queue.ts';
import { onQueued, type ActivityEvent, type Changes } from '../../domain/changes.ts';
import type { Commands } from '../../domain/commands.ts';
import type { InstanceService } from '../../domain/instance/instance.service.ts';
import type { MediaService } from '../../domain/media/media.service.ts';
import type { ServerPolicy } from '../../domain/moderation/server-policy.ts';
import { REMOTE_MEDIA_CHANNEL } from '../../domain/media/remote-media-jobs.ts';
import { tombstoneOf } from '../../domain/statuses/statuses.repo.ts';
import { actorKeyStore } from '../../federation/actor-keys.ts';
import { addressPolicy } from '../../federation/address-policy.ts';
import { deliveryWorker } from '../../federation/delivery.ts';
import { contextLoader, documentLoader } from '../../federation/document-loader.ts';
import { ACTIVITY_FETCH_BUDGET, budgetedLoader } from '../../federation/fetch-budget.ts';
import { formerDomains, webfingerForFormerDomain } from '../../domain/instance/domain-move.ts';
import { remoteMedia } from '../../federation/remote-media.ts';
import { createSafeFetch, type SafeFetch } from '../../federation/safe-fetch.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { secretBox } from '../../lib/secret-box.ts';
import { DbKvStore } from '../../storage/cache/db-kv-store.ts';
import type { Db } from '../../storage/db/database.ts';
import { DbMessageQueue } from '../../storage/queue/db-message-queue.ts';
import { setDispatchers } from './dispatchers.ts';
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
import { replayGuard, screenInbox } from './inbox-screen.ts';
import { INSTANCE_ACTOR } from './objects.ts';
import { outgoing } from './outbox.ts';
import { resolveAccount } from './resolve.ts';

/** How far a signature's date may be from now. */
const SIGNATURE_WINDOW_MS = 60 * 60 * 1000;

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
  /** The SSRF guard every request to a URL from the network goes through. */
  readonly safeFetch: SafeFetch;
}

/** What federation is built over: the storage, the domain's commands and the few services it reads. */
export interface FederationDeps {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly changes: Changes;
  readonly commands: Commands;
  readonly media: MediaService;
  readonly instance: InstanceService;
  /** Domain blocks and allows: who this server talks to at all. */
  readonly policy: ServerPolicy;
}

/**
 * Builds federation. Incoming activities are mapped onto the same domain commands the API calls (with a
 * remote actor); outgoing activities follow the activity events the commands record.
 */
export function createStoaFederation(deps: FederationDeps): StoaFederation {
  const { db, clock, config, commands } = deps;
  const log = deps.logger.child({ category: 'federation' });
  const { policy } = deps;
  // Nothing is fetched from a server this one does not federate with (suspended, or not allowed); media
  // not from one whose media is rejected. Deliveries may still go out: a severed follow is told.
  const guarded = (maxBytes: number, timeoutMs?: number, hostAllowed?: (host: string) => boolean) =>
    createSafeFetch({
      policy: addressPolicy(config.federation.allowedPrivatePeers),
      allowHttp: config.insecureHttp,
      userAgent: `Stoa/${STOA_VERSION} (+${config.publicUrl})`,
      maxBytes,
      timeoutMs,
      hostAllowed,
    });
  const safeFetch = guarded(2 * 1024 * 1024, undefined, (host) => policy.federates(host));
  const keys = actorKeyStore(db, clock, secretBox(config.secret, 'actor-keys'));
  // Remote media may be as large as local uploads allow, and takes longer to come than an activity.
  const media = remoteMedia({
    db,
    clock,
    media: deps.media,
    accounts: commands.accounts,
    emojis: commands.emojis,
    fetch: guarded(
      Math.max(config.media.maxImageBytes, config.media.maxVideoBytes),
      120_000,
      (host) => policy.federates(host) && !policy.standing(host)?.rejectMedia,
    ),
    logger: log,
  });
  const loader = documentLoader(safeFetch);
  const screen = {
    federates: (host: string) => policy.federates(host),
    rejectsReports: (host: string) => policy.standing(host)?.rejectReports === true,
  };

  const kv = new DbKvStore(db, clock);
  // A signature is valid for an hour either side of its date: one seen is refused for twice that.
  const replays = replayGuard(clock, 2 * SIGNATURE_WINDOW_MS);
  // Deliveries are sent by Stoa's own worker, through the SSRF guard (Fedify would use the global fetch);
  // Fedify's queue carries inbox work and fan-out.
  const deliveries = deliveryWorker({
    db,
    clock,
    kv,
    fetch: guarded(64 * 1024, 30_000),
    logger: log,
    policy: {
      failureThreshold: 5,
      failureWindowMs: 10 * 60_000,
      recoveryDelayMs: config.federation.deliveryPauseMs,
      heldTtlMs: 7 * 24 * 3600_000,
    },
  });
  const work = new DbMessageQueue(db, clock, { logger: log, pollMs: 500 });
  const federation: Federation<void> = createFederation<void>({
    kv: withoutQueueIdempotence(kv),
    queue: { inbox: work, fanout: work, outbox: deliveries.queue },
    origin: config.publicUrl,
    manuallyStartQueue: true,
    trailingSlashInsensitive: true,
    // Each piece of work (an activity received, a request answered) gets its own loader with a fetch budget.
    documentLoaderFactory: () => budgetedLoader(loader, ACTIVITY_FETCH_BUDGET),
    contextLoaderFactory: () => contextLoader,
    authenticatedDocumentLoaderFactory: (identity) =>
      budgetedLoader(
        documentLoader(safeFetch, (request) => signRequest(request, identity.privateKey, identity.keyId)),
        ACTIVITY_FETCH_BUDGET,
      ),
    signatureTimeWindow: { milliseconds: SIGNATURE_WINDOW_MS },
    // The delivery worker keeps the circuits (with Fedify's circuit breaker).
    circuitBreaker: false,
  });

  setDispatchers(federation, { read: db.read, config, keys, instance: deps.instance });

  const inbox: InboxDeps = { publicUrl: config.publicUrl, clock, read: db.read, log, ...commands };
  federation
    .setInboxListeners('/users/{identifier}/inbox', '/inbox')
    .on(Follow, (ctx, a) => onFollow(inbox, ctx, a))
    .on(Accept, (ctx, a) => onAccept(inbox, ctx, a))
    .on(Reject, (ctx, a) => onReject(inbox, ctx, a))
    .on(Undo, (ctx, a) => onUndo(inbox, ctx, a))
    .on(Create, (ctx, a) => onCreate(inbox, ctx, a))
    .on(Update, (ctx, a) => onUpdate(inbox, ctx, a))
    .on(Delete, (ctx, a) => onDelete(inbox, ctx, a))
    .on(Announce, (ctx, a) => onAnnounce(inbox, ctx, a))
    .on(Like, (ctx, a) => onLike(inbox, ctx, a))
    .on(EmojiReact, (ctx, a) => onLike(inbox, ctx, a))
    .on(Block, (ctx, a) => onBlock(inbox, ctx, a))
    .on(QuoteRequest, (ctx, a) => onQuoteRequest(inbox, ctx, a))
    .on(Move, (ctx, a) => onMove(inbox, ctx, a))
    .on(Flag, (ctx, a) => onFlag(inbox, ctx, a))
    .onError((_ctx, error) => log.warn({ err: error }, 'inbox handler failed'))
    // An activity is handled once per sending server and id; an Accept or Reject once per id and the
    // request it answers, because some servers (Hollo, on a re-follow) reuse an earlier answer's id.
    // Checked as each activity arrives (see `withoutQueueIdempotence`).
    .withIdempotency((ctx, activity) => {
      const answered = activity instanceof Accept || activity instanceof Reject ? `:${activity.objectId?.href ?? ''}` : '';
      return activity.id ? `${ctx.origin}:${activity.id.href}${answered}` : null;
    })
    .setSharedKeyDispatcher(() => ({ identifier: INSTANCE_ACTOR }));

  // Activity events are queued by the commands inside their transactions (ADR 0010); the workers turn
  // them into activities, so that building, serializing and signing never costs the web role. A worker
  // in this process is woken at once; others find the events at their next poll.
  const outbox = outgoing({ read: db.read, config, federation, keys });
  const events = new DbMessageQueue(db, clock, { logger: log, pollMs: 500, channel: ACTIVITY_EVENTS_CHANNEL });
  onQueued(deps.changes, ACTIVITY_EVENTS_CHANNEL, () => events.wake());
  onQueued(deps.changes, REMOTE_MEDIA_CHANNEL, () => media.wake());

  // Read once: the server moves to another domain only while it is stopped (`stoa domain move`).
  let formerDomainsHere: Promise<string[]> | undefined;

  return {
    safeFetch,
    async handle(request, next) {
      const url = new URL(request.url);
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
      if (!isFederationPath(path)) return next();
      if (config.federation.mode === 'off' && path !== '/.well-known/nodeinfo' && path !== '/nodeinfo/2.1') return next();
      if (path === '/.well-known/host-meta') {
        return new Response(
          `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"><Link rel="lrdd" template="${config.publicUrl}/.well-known/webfinger?resource={uri}"/></XRD>\n`,
          { headers: { 'content-type': 'application/xrd+xml; charset=utf-8' } },
        );
      }
      // A deleted post's URL answers 410 Gone with its tombstone, as Mastodon's do.
      if (request.method === 'GET' && /^\/users\/[^/]+\/statuses\/[^/]+$/.test(path)) {
        const uri = `${config.publicUrl}${path}`;
        const gone = await tombstoneOf(db.read, uri);
        if (gone) {
          return Response.json(
            { '@context': 'https://www.w3.org/ns/activitystreams', id: uri, type: 'Tombstone', deleted: gone },
            { status: 410, headers: { 'content-type': 'application/activity+json' } },
          );
        }
      }
      // A handle at a domain this server moved away from is answered as the same handle here.
      if (path === '/.well-known/webfinger') {
        formerDomainsHere ??= formerDomains(db.read);
        request = webfingerForFormerDomain(request, await formerDomainsHere, config.publicUrl);
      }
      if (request.method === 'POST' && /\/inbox$/.test(path)) {
        if (replays.replayed(request.headers)) return Response.json({ error: 'This signature was already used' }, { status: 401 });
        const screened = await screenInbox(request, screen);
        if (screened instanceof Response) return screened;
        const answer = await federation.fetch(screened, { contextData: undefined, onNotFound: next, onNotAcceptable: next });
        if (answer.ok) replays.remember(request.headers);
        return answer;
      }
      return federation.fetch(request, { contextData: undefined, onNotFound: next, onNotAcceptable: next });
    },
    async resolve(query, options = {}) {
      return resolveAccount(
        { read: db.read, config, accounts: commands.accounts, loader, safeFetch },
        query.trim(),
        options.fresh ?? false,
      );
    },
    startWorkers(signal) {
      // Inbox work and fan-out (one queue of Fedify's), deliveries, remote media and activity events.
      return Promise.all([
        federation.startQueue(undefined, { signal, queue: 'inbox' }),
        deliveries.listen(signal),
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
      ]).then(() => undefined);
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
 * The KV store as Fedify's federation sees it, without the record its queue worker keeps of each activity
 * handled: that record is keyed by the activity's id alone, whatever the inbox's idempotency strategy
 * says, so an Accept that reuses an earlier one's id would be dropped. The strategy's own record (kept
 * as activities arrive) stays; the inbox commands are safe to repeat besides.
 */
function withoutQueueIdempotence(kv: KvStore): KvStore {
  const skipped = (key: KvKey) => key.length === 4 && key[0] === '_fedify' && key[1] === 'activityIdempotence';
  return new Proxy(kv, {
    get(target, property, receiver) {
      if (property === 'get') return (key: KvKey) => (skipped(key) ? Promise.resolve(undefined) : target.get(key));
      if (property === 'set')
        return (key: KvKey, value: unknown, options?: KvStoreSetOptions) =>
          skipped(key) ? Promise.resolve() : target.set(key, value, options);
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
