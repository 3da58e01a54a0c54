import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { apiActor } from '../../domain/actor.ts';
import { findAppById } from '../../domain/auth/apps.service.ts';
import { NotFound } from '../../domain/errors.ts';
import { quotesPage, reactorsPage, statusEdits, visibleStatusesByIds } from '../../domain/statuses/status-lists.views.ts';
import { findStatusById, type StatusRow } from '../../domain/statuses/statuses.repo.ts';
import type { StatusService } from '../../domain/statuses/statuses.service.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import { findScheduled } from '../../domain/statuses/scheduling.ts';
import { threadContext } from '../../domain/statuses/thread.ts';
import { visibleStatus } from '../../domain/statuses/visibility-policy.ts';
import type { Clock } from '../../lib/clock.ts';
import { isoAt } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { accountListResponse } from './account-list.ts';
import { presentScheduled } from './scheduled-statuses.routes.ts';
import { readPage, setLinkHeader } from './pagination.ts';
import { serializeAccount } from './serializers/account.serializer.ts';
import { serializeMedia } from './serializers/media.serializer.ts';
import { serializeStatus } from './serializers/status.serializer.ts';
import type { Context as ThreadContext, StatusEdit, StatusSource } from './entities.ts';

const visibility = z.enum(['public', 'unlisted', 'private', 'direct']);
const language = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, { error: 'must be an ISO 639 language code' });

/** A parameter Stoa cannot honour yet: absent or empty is fine, any value is refused with 422. */
function notSupported(what: string) {
  return z
    .unknown()
    .refine((v) => v === undefined || v === null || v === '', { error: `${what}: not supported by this server yet` })
    .optional();
}

const NewStatusInput = z.object({
  status: z.string().max(20_000).default(''),
  visibility: visibility.optional(),
  spoiler_text: z.string().max(1000).optional(),
  sensitive: formBool.optional(),
  language: language.optional().or(z.literal('').transform(() => undefined)),
  in_reply_to_id: z.string().max(64).optional(),
  quoted_status_id: z.string().max(64).optional(),
  media_ids: stringList(z.string().max(64)).pipe(z.array(z.string()).max(10)).optional(),
  poll: z
    .union([
      z.literal('').transform(() => undefined),
      z.null().transform(() => undefined),
      z.object({
        options: stringList(z.string().max(1000)).pipe(z.array(z.string()).max(50)),
        expires_in: z.coerce.number().int(),
        multiple: formBool.optional(),
        hide_totals: formBool.optional(),
      }),
    ])
    .optional(),
  // When to publish instead of now (ISO 8601); an empty value is now.
  scheduled_at: z.union([z.literal('').transform(() => undefined), z.null().transform(() => undefined), z.string().max(64)]).optional(),
  allowed_mentions: notSupported('allowed_mentions'),
});

const EditInput = z.object({
  status: z.string().max(20_000).default(''),
  media_ids: stringList(z.string().max(64)).pipe(z.array(z.string()).max(10)).optional(),
  spoiler_text: z.string().max(1000).optional(),
  sensitive: formBool.optional(),
  language: language.optional(),
  // An edit keeps the poll as it is: a new poll in an edit is refused rather than dropped.
  poll: notSupported('changing a poll in an edit'),
});

const ReblogInput = z.object({ visibility: visibility.optional() });
const IdsInput = z.object({ id: stringList(z.string().max(64)).pipe(z.array(z.string()).max(40)).optional() });

/** What the statuses API uses: the status commands, and the reader its views go through. */
export interface StatusesRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly read: DbReader;
  readonly statuses: StatusService;
}

/** The statuses API: post, read, edit, delete, threads, reposts, favourites, bookmarks, pins, mutes. */
export function statusesRoutes(deps: StatusesRouteDeps): RouteDef[] {
  const { read, config, statuses } = deps;
  const viewerOf = (c: Context<AppEnv>) => c.var.auth?.account?.id ?? null;
  const actorOf = (c: Context<AppEnv>) => apiActor(currentUser(c).account);
  // A single post tells which of the viewer's filters match it; a thread also leaves out what they hide.
  const present = async (c: Context<AppEnv>, rows: StatusRow[], options: { withSource?: boolean; context?: 'thread' } = {}) =>
    (await loadStatusViews(read, viewerOf(c), rows, { context: options.context ?? null, now: isoAt(deps.clock) })).map((v) =>
      serializeStatus(v, config, options),
    );
  const one = async (c: Context<AppEnv>, id: string) => {
    const [view] = await present(c, [await visibleStatus(read, viewerOf(c), id)]);
    if (!view) throw new NotFound();
    return c.json(view);
  };
  const action = (path: string, scope: string, run: (c: Context<AppEnv>, id: string) => Promise<string | void>): RouteDef => ({
    method: 'POST',
    path: `/api/v1/statuses/:id/${path}`,
    access: scoped(scope),
    async handler(c) {
      const id = c.req.param('id')!;
      const shown = await run(c, id);
      return one(c, shown ?? id);
    },
  });
  const accountsWho = (kind: 'favourited_by' | 'reblogged_by'): RouteDef => ({
    method: 'GET',
    path: `/api/v1/statuses/:id/${kind}`,
    access: PUBLIC,
    async handler(c) {
      const status = await visibleStatus(read, viewerOf(c), c.req.param('id')!);
      return accountListResponse(c, read, config, await reactorsPage(read, status.id, kind, readPage(c, 40, 80)));
    },
  });

  return [
    {
      method: 'POST',
      path: '/api/v1/statuses',
      access: scoped('write:statuses'),
      posts: true,
      async handler(c) {
        const { account, user, grant } = currentUser(c);
        const input = readInput(c, NewStatusInput);
        const app = await findAppById(read, grant.appId);
        const post = {
          text: input.status,
          visibility: input.visibility ?? user.default_visibility,
          spoilerText: input.spoiler_text,
          sensitive: input.sensitive,
          language: input.language ?? user.default_language,
          inReplyToId: input.in_reply_to_id,
          quotedStatusId: input.quoted_status_id,
          applicationName: app?.name ?? null,
          mediaIds: input.media_ids,
          poll: input.poll && {
            options: input.poll.options,
            expiresIn: input.poll.expires_in,
            multiple: input.poll.multiple,
            hideTotals: input.poll.hide_totals,
          },
        };
        // A post for later answers with the ScheduledStatus entity, as Mastodon's does.
        if (input.scheduled_at !== undefined) {
          const scheduledId = await statuses.schedule(apiActor(account), post, input.scheduled_at);
          return c.json(await presentScheduled(read, config, await findScheduled(read, account.id, scheduledId)));
        }
        // Remote accounts mentioned that this server does not know yet are looked up by a worker; the
        // post is answered at once and reaches them once they are found.
        const id = await statuses.create(apiActor(account), { ...post, idempotencyKey: c.req.header('idempotency-key')?.slice(0, 200) });
        return one(c, id!);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/statuses',
      access: PUBLIC,
      async handler(c) {
        const { id: ids = [] } = readInput(c, IdsInput);
        return c.json(await present(c, await visibleStatusesByIds(read, viewerOf(c), ids)));
      },
    },
    { method: 'GET', path: '/api/v1/statuses/:id', access: PUBLIC, handler: (c) => one(c, c.req.param('id')!) },
    {
      method: 'PUT',
      path: '/api/v1/statuses/:id',
      access: scoped('write:statuses'),
      async handler(c) {
        const input = readInput(c, EditInput);
        await statuses.edit(actorOf(c), c.req.param('id')!, {
          text: input.status,
          spoilerText: input.spoiler_text,
          sensitive: input.sensitive,
          language: input.language,
          mediaIds: input.media_ids,
        });
        return one(c, c.req.param('id')!);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/statuses/:id',
      access: scoped('write:statuses'),
      async handler(c) {
        const actor = actorOf(c);
        const id = c.req.param('id')!;
        const [view] = await present(c, [await visibleStatus(read, actor.account.id, id)], { withSource: true });
        await statuses.delete(actor, id);
        return c.json(view);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/statuses/:id/source',
      access: scoped('read:statuses'),
      async handler(c) {
        const { account } = currentUser(c);
        const status = await findStatusById(read, c.req.param('id')!);
        if (!status || status.account_id !== account.id) throw new NotFound();
        return c.json({ id: status.id, text: status.text, spoiler_text: status.spoiler_text } satisfies StatusSource);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/statuses/:id/history',
      access: PUBLIC,
      async handler(c) {
        const status = await visibleStatus(read, viewerOf(c), c.req.param('id')!);
        const [view] = await loadStatusViews(read, viewerOf(c), [status]);
        const account = serializeAccount(view!.account, view!.accountCounts, config);
        const versions = [
          ...(await statusEdits(read, status.id)),
          {
            content: status.content,
            spoiler_text: status.spoiler_text,
            sensitive: status.sensitive,
            created_at: status.edited_at ?? status.created_at,
          },
        ];
        const current = view!.media.map((m) => serializeMedia(m, config));
        return c.json(
          versions.map((v, i): StatusEdit => ({
            content: v.content,
            spoiler_text: v.spoiler_text,
            sensitive: Boolean(v.sensitive),
            created_at: v.created_at,
            account,
            media_attachments: i === versions.length - 1 ? current : [],
            emojis: [],
            poll: null,
          })),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/v1/statuses/:id/context',
      access: PUBLIC,
      async handler(c) {
        const viewer = viewerOf(c);
        const status = await visibleStatus(read, viewer, c.req.param('id')!);
        const { ancestors, descendants } = await threadContext(read, viewer, status, isoAt(deps.clock));
        return c.json({
          ancestors: await present(c, ancestors, { context: 'thread' }),
          descendants: await present(c, descendants, { context: 'thread' }),
        } satisfies ThreadContext);
      },
    },
    {
      // The posts quoting one: newest first, those the viewer may see.
      method: 'GET',
      path: '/api/v1/statuses/:id/quotes',
      access: scoped('read:statuses'),
      async handler(c) {
        const viewer = viewerOf(c);
        const status = await visibleStatus(read, viewer, c.req.param('id')!);
        const rows = await quotesPage(read, viewer, status.id, readPage(c, 20, 40));
        setLinkHeader(
          c,
          config.publicUrl,
          rows.map((r) => r.id),
        );
        return c.json(await present(c, rows));
      },
    },
    {
      ...action('reblog', 'write:statuses', (c, id) =>
        statuses.reblog(actorOf(c), id, { visibility: readInput(c, ReblogInput).visibility }),
      ),
      posts: true,
    },
    action('unreblog', 'write:statuses', (c, id) => statuses.unreblog(actorOf(c), id)),
    action('favourite', 'write:favourites', (c, id) => statuses.favourite(actorOf(c), id)),
    action('unfavourite', 'write:favourites', (c, id) => statuses.unfavourite(actorOf(c), id)),
    action('bookmark', 'write:bookmarks', (c, id) => statuses.bookmark(actorOf(c), id, true)),
    action('unbookmark', 'write:bookmarks', (c, id) => statuses.bookmark(actorOf(c), id, false)),
    action('pin', 'write:accounts', (c, id) => statuses.pin(actorOf(c), id, true)),
    action('unpin', 'write:accounts', (c, id) => statuses.pin(actorOf(c), id, false)),
    action('mute', 'write:mutes', (c, id) => statuses.muteConversation(actorOf(c), id, true)),
    action('unmute', 'write:mutes', (c, id) => statuses.muteConversation(actorOf(c), id, false)),
    accountsWho('favourited_by'),
    accountsWho('reblogged_by'),
  ];
}
