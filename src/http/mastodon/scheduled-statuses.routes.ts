import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { apiActor } from '../../domain/actor.ts';
import { findScheduled, mediaKeptFor, scheduledOf, type ScheduledParams, type ScheduledRow } from '../../domain/statuses/scheduling.ts';
import type { StatusService } from '../../domain/statuses/statuses.service.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { readWindow } from '../../storage/db/keyset.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { readInput } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import type { ScheduledStatus } from './entities.ts';
import { readPage, setLinkHeader } from './pagination.ts';
import { serializeMedia } from './serializers/media.serializer.ts';

/** Mastodon's ScheduledStatus entities of `rows`, with the uploads kept for each (one query for all). */
async function presentAll(read: DbReader, config: Config, rows: readonly ScheduledRow[]): Promise<ScheduledStatus[]> {
  const media = await mediaKeptFor(
    read,
    rows.map((r) => r.id),
  );
  return rows.map((row) => {
    const params = JSON.parse(row.params) as ScheduledParams;
    const order = params.mediaIds ?? [];
    return {
      id: row.id,
      scheduled_at: new Date(row.scheduled_at).toISOString(),
      params: {
        text: params.text,
        poll: params.poll
          ? {
              options: [...params.poll.options],
              expires_in: params.poll.expiresIn,
              multiple: params.poll.multiple ?? false,
              hide_totals: params.poll.hideTotals ?? false,
            }
          : null,
        media_ids: order.length ? [...order] : null,
        sensitive: params.sensitive ?? null,
        spoiler_text: params.spoilerText ?? null,
        visibility: params.visibility ?? 'public',
        in_reply_to_id: params.inReplyToId ?? null,
        quoted_status_id: params.quotedStatusId ?? null,
        language: params.language ?? null,
        application_id: null,
        scheduled_at: null,
        idempotency: null,
        with_rate_limit: false,
      },
      media_attachments: media
        .filter((m) => m.scheduled_status_id === row.id)
        .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
        .map((m) => serializeMedia(m, config)),
    };
  });
}

/** One scheduled post as Mastodon's ScheduledStatus entity. */
export async function presentScheduled(read: DbReader, config: Config, row: ScheduledRow): Promise<ScheduledStatus> {
  return (await presentAll(read, config, [row]))[0]!;
}

/** What the scheduled posts API uses. */
export interface ScheduledRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly statuses: StatusService;
}

/** A member's scheduled posts: list, read, move to another time, cancel (posting one is `POST /api/v1/statuses`). */
export function scheduledStatusesRoutes(deps: ScheduledRouteDeps): RouteDef[] {
  const { read, config, statuses } = deps;
  const me = (c: Context<AppEnv>) => currentUser(c).account;
  const one = async (c: Context<AppEnv>) =>
    c.json(await presentScheduled(read, config, await findScheduled(read, me(c).id, c.req.param('id')!)));
  return [
    {
      method: 'GET',
      path: '/api/v1/scheduled_statuses',
      access: scoped('read:statuses'),
      async handler(c) {
        const rows = await readWindow(scheduledOf(read).where('account_id', '=', me(c).id), 'scheduled_statuses.id', readPage(c));
        setLinkHeader(
          c,
          config.publicUrl,
          rows.map((r) => r.id),
        );
        return c.json(await presentAll(read, config, rows));
      },
    },
    { method: 'GET', path: '/api/v1/scheduled_statuses/:id', access: scoped('read:statuses'), handler: one },
    {
      method: 'PUT',
      path: '/api/v1/scheduled_statuses/:id',
      access: scoped('write:statuses'),
      async handler(c) {
        const input = readInput(c, z.object({ scheduled_at: z.string().max(64) }));
        await statuses.reschedule(apiActor(me(c)), c.req.param('id')!, input.scheduled_at);
        return one(c);
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/scheduled_statuses/:id',
      access: scoped('write:statuses'),
      async handler(c) {
        await statuses.cancelScheduled(apiActor(me(c)), c.req.param('id')!);
        return c.json({});
      },
    },
  ];
}
