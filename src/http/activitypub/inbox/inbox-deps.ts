import type { InboxContext } from '@fedify/fedify';
import type { Activity } from '@fedify/vocab';
import { Article, isActor, Note, Question } from '@fedify/vocab';
import type { Clock } from '../../../lib/clock.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { findAccountByUri, findLocalAccountByUri, type AccountRow } from '../../../domain/accounts/accounts.repo.ts';
import type { AccountService } from '../../../domain/accounts/accounts.service.ts';
import type { AccountMigration } from '../../../domain/accounts/migration.ts';
import { remoteActor, type Actor } from '../../../domain/actor.ts';
import { DomainError } from '../../../domain/errors.ts';
import type { GraphService } from '../../../domain/graph/graph.service.ts';
import type { PollCommands } from '../../../domain/polls/polls.ts';
import type { ReportService } from '../../../domain/reports/reports.service.ts';
import { findStatusByUri } from '../../../domain/statuses/statuses.repo.ts';
import type { StatusService } from '../../../domain/statuses/statuses.service.ts';
import { postOf, profileOf, type RemotePost } from '../../../federation/remote-objects.ts';

/**
 * What every inbox handler works with: the same domain commands the API calls (with a remote actor), the
 * reader their lookups go through, and this server's public URL.
 */
export interface InboxDeps {
  readonly publicUrl: string;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly log: Logger;
  readonly statuses: StatusService;
  readonly graph: GraphService;
  readonly accounts: AccountService;
  readonly migration: AccountMigration;
  readonly reports: ReportService;
  readonly polls: PollCommands;
}

/** One handler per activity type: called after the request's signature was verified by its actor's key. */
export type InboxHandler<A extends Activity> = (deps: InboxDeps, ctx: InboxContext<void>, activity: A) => Promise<void>;

/**
 * Runs a domain command for an activity; a command that refuses (the post is gone or not visible to the
 * sender, a block stands, the account is suspended) leaves nothing to do: the activity is dropped.
 */
export async function apply(deps: InboxDeps, activity: Activity, command: () => Promise<unknown>): Promise<void> {
  try {
    await command();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    deps.log.debug({ activity: activity.id?.href, refused: error.name }, 'activity not applied');
  }
}

/**
 * The sender of an activity as an actor, its stored account refreshed from the network when it is unknown
 * or a day old. Fedify has checked that the request was signed by this actor's key; here the actor is read
 * from its own server (through the document loader, which checks that the document's id is its URL's). A
 * suspended account is no actor. With `evenIfGone`, an actor that cannot be read any more (its server is
 * gone, or redirects elsewhere) is the account as stored: the signature was verified with its stored key.
 */
export async function senderOf(
  deps: InboxDeps,
  ctx: InboxContext<void>,
  activity: Activity,
  options: { readonly evenIfGone?: boolean } = {},
): Promise<Actor | null> {
  const actorId = activity.actorId;
  if (!actorId || actorId.origin === new URL(deps.publicUrl).origin) return null;
  const known = await findAccountByUri(deps.read, actorId.href);
  const stored = () => (known && !known.suspended_at ? remoteActor(known) : null);
  if (known?.fetched_at && Date.parse(known.fetched_at) > deps.clock() - 24 * 3600_000) return stored();
  const actor = await activity
    .getActor({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader })
    .catch((error: unknown) => {
      if (options.evenIfGone) return null;
      throw error;
    });
  // A server that is gone (or now sends its actors elsewhere) leaves the stored account, if the caller allows.
  if (!actor || !isActor(actor) || actor.id?.href !== actorId.href) return options.evenIfGone ? stored() : null;
  const row = await deps.accounts.saveRemote(await profileOf(actor));
  return row.suspended_at ? null : remoteActor(row);
}

/** The local account a URI names (an actor URI of this server), if any. */
export async function localAccount(deps: InboxDeps, uri: URL | null | undefined): Promise<AccountRow | undefined> {
  return uri ? findLocalAccountByUri(deps.read, uri.href) : undefined;
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
  const known = await findStatusByUri(deps.read, uri.href);
  if (known) return known.id;
  if (uri.origin === new URL(deps.publicUrl).origin) return null;
  const post = await ctx.lookupObject(uri.href, { documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader }).catch(() => null);
  if (!isPost(post) || post.id?.href !== uri.href || !post.attributionId || !sameOrigin(post.id, post.attributionId)) return null;
  const author = await post.getAttribution({ documentLoader: ctx.documentLoader, contextLoader: ctx.contextLoader }).catch(() => null);
  if (!author || !isActor(author) || author.id?.href !== post.attributionId.href) return null;
  const row = await deps.accounts.saveRemote(await profileOf(author));
  if (row.suspended_at !== null) return null;
  return deps.statuses.create(remoteActor(row), await postOf(post, row.followers_url, { fetched: true })).catch((error: unknown) => {
    if (error instanceof DomainError) return null;
    throw error;
  });
}
