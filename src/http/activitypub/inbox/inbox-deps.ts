import type { InboxContext } from '@fedify/fedify';
import type { Activity } from '@fedify/vocab';
import { Article, isActor, Note, Question } from '@fedify/vocab';
import type { Services } from '../../../app/services.ts';
import type { AccountRow } from '../../../domain/accounts/accounts.repo.ts';
import type { RemotePost, RemoteStore } from '../../../federation/remote-store.ts';

/** What every inbox handler works with. */
export interface InboxDeps {
  readonly services: Services;
  readonly store: RemoteStore;
}

/** One handler per activity type: called after the request's signature was verified by its actor's key. */
export type InboxHandler<A extends Activity> = (deps: InboxDeps, ctx: InboxContext<void>, activity: A) => Promise<void>;

/**
 * The stored account of the activity's actor, refreshed from the network when it is unknown or a day old.
 * Fedify has checked that the request was signed by this actor's key; here the actor is read from its
 * own server (through the document loader, which checks that the document's id is its URL's).
 */
export async function senderOf(deps: InboxDeps, ctx: InboxContext<void>, activity: Activity): Promise<AccountRow | null> {
  const actorId = activity.actorId;
  if (!actorId || actorId.origin === new URL(deps.services.config.publicUrl).origin) return null;
  const known = await deps.services.db.read.selectFrom('accounts').selectAll().where('uri', '=', actorId.href).executeTakeFirst();
  if (known && known.fetched_at && Date.parse(known.fetched_at) > deps.services.clock() - 24 * 3600_000)
    return known.suspended_at ? null : known;
  const actor = await activity.getActor({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader });
  if (!actor || !isActor(actor) || actor.id?.href !== actorId.href) return null;
  const row = await deps.store.saveActor(actor);
  return row.suspended_at ? null : row;
}

/** The local account a URI names (an actor URI of this server), if any. */
export async function localAccount(deps: InboxDeps, uri: URL | null | undefined): Promise<AccountRow | undefined> {
  if (!uri) return undefined;
  return deps.store.localAccountByUri(uri.href);
}

/** Whether two URLs share an origin, compared as parsed URLs. */
export function sameOrigin(a: URL | null | undefined, b: URL | null | undefined): boolean {
  return a != null && b != null && a.origin === b.origin;
}

/** Whether an object is a post Stoa stores (a note, an article or a poll). */
export function isPost(object: unknown): object is RemotePost {
  return object instanceof Note || object instanceof Article || object instanceof Question;
}

/**
 * The id of the stored copy of the post at `uri`, read from its own server (never believed from an
 * embedded copy) and stored with its author when this server does not have it yet; null if it cannot be.
 */
export async function fetchPost(deps: InboxDeps, ctx: InboxContext<void>, uri: URL): Promise<string | null> {
  const { db } = deps.services;
  const known = await db.read.selectFrom('statuses').select('id').where('uri', '=', uri.href).executeTakeFirst();
  if (known) return known.id;
  if (uri.origin === new URL(deps.services.config.publicUrl).origin) return null;
  const post = await ctx.lookupObject(uri.href, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader }).catch(() => null);
  if (!isPost(post) || post.id?.href !== uri.href || !post.attributionId || !sameOrigin(post.id, post.attributionId)) return null;
  const author = await post.getAttribution({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader }).catch(() => null);
  if (!author || !isActor(author) || author.id?.href !== post.attributionId.href) return null;
  const row = await deps.store.saveActor(author);
  if (row.suspended_at !== null) return null;
  return (await deps.store.savePost(post, row)) || null;
}
