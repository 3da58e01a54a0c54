import type { Context } from 'hono';
import { sql, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Services } from '../../app/services.ts';
import { NotFound } from '../../domain/errors.ts';
import { loadStatusViews } from '../../domain/statuses/status-views.ts';
import { findStatusById, type StatusRow } from '../../domain/statuses/statuses.repo.ts';
import { reblogVisibleTo, visibleTo } from '../../domain/statuses/visibility-policy.ts';
import { isoAt } from '../../lib/clock.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { formBool, readInput, stringList } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { serializeAccount } from './serializers/account.serializer.ts';
import { serializeMedia } from './serializers/media.serializer.ts';
import { serializeStatus } from './serializers/status.serializer.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import { findAccountByHandle, findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import { tokenize } from '../../domain/statuses/text-format.ts';
import { threadContext } from '../../domain/statuses/thread.ts';
import { readPage, setLinkHeader } from './pagination.ts';

const visibility = z.enum(['public', 'unlisted', 'private', 'direct']);
const language = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, { error: 'must be an ISO 639 language code' });

const NewStatusInput = z.object({
  status: z.string().max(20_000).default(''),
  visibility: visibility.optional(),
  spoiler_text: z.string().max(1000).optional(),
  sensitive: formBool.optional(),
  language: language.optional().or(z.literal('').transform(() => undefined)),
  in_reply_to_id: z.string().max(64).optional(),
  quoted_status_id: z.string().max(64).optional(),
  media_ids: stringList(z.string().max(64)).pipe(z.array(z.string()).max(10)).optional(),
});

const EditInput = z.object({
  status: z.string().max(20_000).default(''),
  media_ids: stringList(z.string().max(64)).pipe(z.array(z.string()).max(10)).optional(),
  spoiler_text: z.string().max(1000).optional(),
  sensitive: formBool.optional(),
  language: language.optional(),
});

const ReblogInput = z.object({ visibility: visibility.optional() });
const IdsInput = z.object({ id: stringList(z.string().max(64)).pipe(z.array(z.string()).max(40)).optional() });

/** The statuses API: post, read, edit, delete, threads, reposts, favourites, bookmarks, pins, mutes. */
/** Remote accounts mentioned in one post that are looked up on their servers, at most. */
const MENTIONS_RESOLVED_PER_POST = 5;

export function statusesRoutes(services: Services, resolveRemote?: (handle: string) => Promise<unknown>): RouteDef[] {
  const { db, config, statuses } = services;
  const viewerOf = (c: Context<AppEnv>) => c.var.auth?.account?.id ?? null;
  const present = async (c: Context<AppEnv>, rows: StatusRow[], options: { withSource?: boolean } = {}) =>
    (await loadStatusViews(db.read, viewerOf(c), rows)).map((v) => serializeStatus(v, config, options));
  const one = async (c: Context<AppEnv>, id: string) => {
    const [view] = await present(c, [await statuses.visibleOrNotFound(viewerOf(c), id)]);
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
      const status = await statuses.visibleOrNotFound(viewerOf(c), c.req.param('id')!);
      const page = readPage(c, 40, 80);
      const window = (column: string) =>
        sql<SqlBool>`(${page.maxId ? sql`${sql.ref(column)} < ${page.maxId}` : sql`1 = 1`} and ${page.sinceId ? sql`${sql.ref(column)} > ${page.sinceId}` : sql`1 = 1`})`;
      const rows =
        kind === 'favourited_by'
          ? await db.read
              .selectFrom('favourites')
              .select(['id as cursor', 'account_id'])
              .where('status_id', '=', status.id)
              .where(window('favourites.id'))
              .orderBy('id', 'desc')
              .limit(page.limit)
              .execute()
          : await db.read
              .selectFrom('statuses')
              .select(['id as cursor', 'account_id'])
              .where('reblog_of_id', '=', status.id)
              .where(window('statuses.id'))
              .orderBy('id', 'desc')
              .limit(page.limit)
              .execute();
      const accounts = new Map(
        (
          await findAccountsByIds(
            db.read,
            rows.map((r) => r.account_id),
          )
        )
          .filter((a) => a.suspended_at === null)
          .map((a) => [a.id, a]),
      );
      const counts = await countAccounts(db.read, [...accounts.keys()]);
      setLinkHeader(
        c,
        config.publicUrl,
        rows.map((r) => r.cursor),
      );
      return c.json(
        rows.flatMap((r) =>
          accounts.has(r.account_id) ? [serializeAccount(accounts.get(r.account_id)!, counts.get(r.account_id)!, config)] : [],
        ),
      );
    },
  });

  /**
   * Looks up the remote accounts a text mentions that this server does not know yet (through WebFinger
   * on their servers), so that the mention links to them and the post reaches them. A server that does
   * not answer leaves the mention as text.
   */
  const resolveMentions = async (text: string | undefined) => {
    if (!resolveRemote || !text) return;
    const handles = new Set<string>();
    for (const token of tokenize(text)) {
      if (token.kind !== 'mention' || token.domain === null || token.domain === config.domain) continue;
      if (handles.size >= MENTIONS_RESOLVED_PER_POST) break;
      if (!(await findAccountByHandle(db.read, token.username, token.domain))) handles.add(`${token.username}@${token.domain}`);
    }
    await Promise.all([...handles].map((handle) => resolveRemote(handle).catch(() => null)));
  };

  return [
    {
      method: 'POST',
      path: '/api/v1/statuses',
      access: scoped('write:statuses'),
      posts: true,
      async handler(c) {
        const { account, user, grant } = currentUser(c);
        const input = readInput(c, NewStatusInput);
        const app = await db.read.selectFrom('oauth_apps').select('name').where('id', '=', grant.appId).executeTakeFirst();
        await resolveMentions(input.status);
        const id = await statuses.create(account, {
          text: input.status,
          visibility: input.visibility ?? user.default_visibility,
          spoilerText: input.spoiler_text,
          sensitive: input.sensitive,
          language: input.language ?? user.default_language,
          inReplyToId: input.in_reply_to_id,
          quotedStatusId: input.quoted_status_id,
          idempotencyKey: c.req.header('idempotency-key')?.slice(0, 200),
          applicationName: app?.name ?? null,
          mediaIds: input.media_ids,
        });
        return one(c, id);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/statuses',
      access: PUBLIC,
      async handler(c) {
        const { id: ids = [] } = readInput(c, IdsInput);
        const rows = ids.length
          ? await db.read
              .selectFrom('statuses')
              .selectAll()
              .where('id', 'in', ids)
              .where(visibleTo(viewerOf(c)))
              .where(reblogVisibleTo(viewerOf(c)))
              .execute()
          : [];
        const order = new Map(ids.map((id, i) => [id, i]));
        return c.json(
          await present(
            c,
            rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!),
          ),
        );
      },
    },
    { method: 'GET', path: '/api/v1/statuses/:id', access: PUBLIC, handler: (c) => one(c, c.req.param('id')!) },
    {
      method: 'PUT',
      path: '/api/v1/statuses/:id',
      access: scoped('write:statuses'),
      async handler(c) {
        const { account } = currentUser(c);
        const input = readInput(c, EditInput);
        await resolveMentions(input.status);
        await statuses.edit(account, c.req.param('id')!, {
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
        const { account } = currentUser(c);
        const id = c.req.param('id')!;
        const [view] = await present(c, [await statuses.visibleOrNotFound(account.id, id)], { withSource: true });
        await statuses.delete(account, id);
        return c.json(view);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/statuses/:id/source',
      access: scoped('read:statuses'),
      async handler(c) {
        const { account } = currentUser(c);
        const status = await findStatusById(db.read, c.req.param('id')!);
        if (!status || status.account_id !== account.id) throw new NotFound();
        return c.json({ id: status.id, text: status.text, spoiler_text: status.spoiler_text });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/statuses/:id/history',
      access: PUBLIC,
      async handler(c) {
        const status = await statuses.visibleOrNotFound(viewerOf(c), c.req.param('id')!);
        const [view] = await loadStatusViews(db.read, viewerOf(c), [status]);
        const account = serializeAccount(view!.account, view!.accountCounts, config);
        const edits = await db.read.selectFrom('status_edits').selectAll().where('status_id', '=', status.id).orderBy('id').execute();
        const versions = [
          ...edits,
          {
            content: status.content,
            spoiler_text: status.spoiler_text,
            sensitive: status.sensitive,
            created_at: status.edited_at ?? status.created_at,
          },
        ];
        const current = view!.media.map((m) => serializeMedia(m, config));
        return c.json(
          versions.map((v, i) => ({
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
        const status = await statuses.visibleOrNotFound(viewer, c.req.param('id')!);
        const { ancestors, descendants } = await threadContext(db.read, viewer, status, isoAt(services.clock));
        return c.json({ ancestors: await present(c, ancestors), descendants: await present(c, descendants) });
      },
    },
    {
      ...action('reblog', 'write:statuses', async (c, id) =>
        statuses.reblog(currentUser(c).account, id, readInput(c, ReblogInput).visibility),
      ),
      posts: true,
    },
    action('unreblog', 'write:statuses', async (c, id) => statuses.unreblog(currentUser(c).account, id)),
    action('favourite', 'write:favourites', (c, id) => statuses.favourite(currentUser(c).account, id)),
    action('unfavourite', 'write:favourites', (c, id) => statuses.unfavourite(currentUser(c).account, id)),
    action('bookmark', 'write:bookmarks', (c, id) => statuses.bookmark(currentUser(c).account, id, true)),
    action('unbookmark', 'write:bookmarks', (c, id) => statuses.bookmark(currentUser(c).account, id, false)),
    action('pin', 'write:accounts', (c, id) => statuses.pin(currentUser(c).account, id, true)),
    action('unpin', 'write:accounts', (c, id) => statuses.pin(currentUser(c).account, id, false)),
    action('mute', 'write:mutes', (c, id) => statuses.muteConversation(currentUser(c).account, id, true)),
    action('unmute', 'write:mutes', (c, id) => statuses.muteConversation(currentUser(c).account, id, false)),
    accountsWho('favourited_by'),
    accountsWho('reblogged_by'),
  ];
}
