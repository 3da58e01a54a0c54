import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { findAccountsByIds } from '../../domain/accounts/accounts.repo.ts';
import { apiActor } from '../../domain/actor.ts';
import { NotFound } from '../../domain/errors.ts';
import type { NotificationService } from '../../domain/notifications/notifications.service.ts';
import {
  findNotificationRequest,
  heldCounts,
  heldSummary,
  notificationRequestsPage,
  type NotificationRequestRow,
} from '../../domain/notifications/notifications.views.ts';
import { policyOf, POLICY_ACTIONS, POLICY_FIELDS, type PolicyField } from '../../domain/notifications/policy.ts';
import { findStatusesByIds } from '../../domain/statuses/statuses.repo.ts';
import { loadStatusViews } from '../../domain/statuses/statuses.views.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { PolicyAction } from '../../storage/db/schema.ts';
import { readInput, stringList } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import type { NotificationPolicy, NotificationRequest } from './entities.ts';
import { readPage, setLinkHeader } from './pagination.ts';
import { accountEntities } from './account-list.ts';
import { serializeStatus } from './serializers/status.serializer.ts';

const PolicyAction_ = z.enum(POLICY_ACTIONS as [PolicyAction, ...PolicyAction[]]);
const PolicyInput = z.object(
  Object.fromEntries(POLICY_FIELDS.map((f) => [f, PolicyAction_.optional()])) as Record<PolicyField, z.ZodOptional<typeof PolicyAction_>>,
);
// No id at all answers nothing was to do, as Mastodon's does (masto's `requests.accept()` sends none).
const RequestIdsInput = z.object({ id: stringList(z.string().max(64)).pipe(z.array(z.string()).max(100)).optional() });

/** What the notification policy and requests use. */
export interface NotificationRequestRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly notifications: NotificationService;
}

/**
 * The notification policy (`/api/v2/notifications/policy`) and the requests it fills, one per sender
 * (`/api/v1/notifications/requests`): mounted before `/api/v1/notifications/:id`, which they are not.
 */
export function notificationRequestsRoutes(deps: NotificationRequestRouteDeps): RouteDef[] {
  const { read, config, notifications } = deps;

  /** Mastodon's NotificationRequest entities: the sender, how many notifications it holds, the newest post. */
  const presentRequests = async (viewerId: string, rows: readonly NotificationRequestRow[]) => {
    const senders = new Map(
      (
        await findAccountsByIds(
          read,
          rows.map((r) => r.from_account_id),
        )
      )
        .filter((a) => a.suspended_at === null)
        .map((a) => [a.id, a]),
    );
    const entities = await accountEntities(read, config, [...senders.values()]);
    const held = await heldCounts(read, viewerId, [...senders.keys()]);
    const statuses = new Map(
      (
        await loadStatusViews(
          read,
          viewerId,
          await findStatusesByIds(
            read,
            rows.flatMap((r) => (r.last_status_id ? [r.last_status_id] : [])),
          ),
        )
      ).map((v) => [v.status.id, serializeStatus(v, config)]),
    );
    return rows.flatMap((r) => {
      const sender = senders.get(r.from_account_id);
      if (!sender) return [];
      const last = r.last_status_id ? statuses.get(r.last_status_id) : undefined;
      return [
        {
          id: r.id,
          created_at: new Date(r.created_at).toISOString(),
          updated_at: new Date(r.updated_at).toISOString(),
          account: entities.get(sender.id)!,
          notifications_count: String(held.get(sender.id) ?? 0),
          ...(last ? { last_status: last } : {}),
        } satisfies NotificationRequest,
      ];
    });
  };

  /** Mastodon's NotificationPolicy entity, with how much waits in requests. */
  const presentPolicy = async (viewerId: string): Promise<NotificationPolicy> => {
    const policy = await policyOf(read, viewerId);
    const waiting = await heldSummary(read, viewerId);
    return { ...policy, summary: { pending_requests_count: waiting.requests, pending_notifications_count: waiting.notifications } };
  };

  return [
    {
      method: 'GET',
      path: '/api/v1/notifications/requests',
      access: scoped('read:notifications'),
      async handler(c) {
        const viewerId = currentUser(c).account.id;
        const rows = await notificationRequestsPage(read, viewerId, readPage(c, 40, 80));
        setLinkHeader(
          c,
          config.publicUrl,
          rows.map((r) => r.id),
        );
        return c.json(await presentRequests(viewerId, rows));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/notifications/requests/merged',
      access: scoped('read:notifications'),
      // Accepted requests join the notifications in the same step: there is never a merge still running.
      handler: (c) => c.json({ merged: true }),
    },
    ...(['accept', 'dismiss'] as const).map((answer): RouteDef => ({
      method: 'POST',
      path: `/api/v1/notifications/requests/${answer}`,
      access: scoped('write:notifications'),
      async handler(c) {
        const { id = [] } = readInput(c, RequestIdsInput);
        const actor = apiActor(currentUser(c).account);
        await (answer === 'accept' ? notifications.acceptRequests(actor, id) : notifications.dismissRequests(actor, id));
        return c.json({});
      },
    })),
    {
      method: 'GET',
      path: '/api/v1/notifications/requests/:id',
      access: scoped('read:notifications'),
      async handler(c) {
        const viewerId = currentUser(c).account.id;
        const row = await findNotificationRequest(read, viewerId, c.req.param('id')!);
        const [shown] = row ? await presentRequests(viewerId, [row]) : [];
        if (!shown) throw new NotFound();
        return c.json(shown);
      },
    },
    ...(['accept', 'dismiss'] as const).map((answer): RouteDef => ({
      method: 'POST',
      path: `/api/v1/notifications/requests/:id/${answer}`,
      access: scoped('write:notifications'),
      async handler(c) {
        const viewerId = currentUser(c).account.id;
        const id = c.req.param('id')!;
        if (!(await findNotificationRequest(read, viewerId, id))) throw new NotFound();
        const actor = apiActor(currentUser(c).account);
        await (answer === 'accept' ? notifications.acceptRequests(actor, [id]) : notifications.dismissRequests(actor, [id]));
        return c.json({});
      },
    })),
    {
      method: 'GET',
      path: '/api/v2/notifications/policy',
      access: scoped('read:notifications'),
      handler: async (c) => c.json(await presentPolicy(currentUser(c).account.id)),
    },
    {
      method: 'PATCH',
      path: '/api/v2/notifications/policy',
      access: scoped('write:notifications'),
      async handler(c) {
        const { account } = currentUser(c);
        await notifications.updatePolicy(apiActor(account), readInput(c, PolicyInput));
        return c.json(await presentPolicy(account.id));
      },
    },
  ];
}
