import { z } from 'zod';
import { PUSH_ALERTS, PUSH_POLICIES, type PushService, type PushSubscriptionRow } from '../../domain/push/push.service.ts';
import { formBool, readInput } from '../shared/input.ts';
import type { WebPushSubscription } from './entities.ts';
import { bearerToken, currentUser, scoped, type RouteDef } from '../shared/route-table.ts';

const alerts = z
  .object(Object.fromEntries(PUSH_ALERTS.map((a) => [a, formBool.optional()])))
  .partial()
  .loose();
const Data = z.object({ alerts: alerts.optional(), policy: z.enum(PUSH_POLICIES).optional() }).loose();
const SubscribeInput = z
  .object({
    subscription: z.object({
      endpoint: z.string().min(1).max(2048),
      keys: z.object({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
      standard: formBool.optional(),
    }),
    data: Data.optional(),
    policy: z.enum(PUSH_POLICIES).optional(),
  })
  .loose();
const UpdateInput = z.object({ data: Data.optional(), policy: z.enum(PUSH_POLICIES).optional() }).loose();

/**
 * Mastodon's Web Push API (`/api/v1/push/subscription`): one subscription per access token, with the
 * alerts and policy it wants; the workers deliver (`workers/push-delivery.ts`).
 */
export function pushRoutes(deps: { push: PushService }): RouteDef[] {
  const { push } = deps;
  const entity = async (row: PushSubscriptionRow): Promise<WebPushSubscription> => ({
    id: row.id,
    endpoint: row.endpoint,
    standard: Boolean(row.standard),
    alerts: JSON.parse(row.alerts) as Record<string, boolean>,
    policy: row.policy,
    server_key: (await push.vapidKeys()).publicKey,
  });
  return [
    {
      method: 'POST',
      path: '/api/v1/push/subscription',
      access: scoped('push'),
      async handler(c) {
        const { account, grant } = currentUser(c);
        const input = readInput(c, SubscribeInput);
        const row = await push.subscribe({ id: grant.tokenId, value: bearerToken(c.req.header('authorization'))! }, account.id, {
          endpoint: input.subscription.endpoint,
          p256dh: input.subscription.keys.p256dh,
          auth: input.subscription.keys.auth,
          standard: input.subscription.standard ?? false,
          alerts: input.data?.alerts ?? {},
          policy: input.data?.policy ?? input.policy ?? 'all',
        });
        return c.json(await entity(row));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/push/subscription',
      access: scoped('push'),
      handler: async (c) => c.json(await entity(await push.get(currentUser(c).grant.tokenId))),
    },
    {
      method: 'PUT',
      path: '/api/v1/push/subscription',
      access: scoped('push'),
      async handler(c) {
        const input = readInput(c, UpdateInput);
        return c.json(
          await entity(
            await push.update(currentUser(c).grant.tokenId, { alerts: input.data?.alerts, policy: input.data?.policy ?? input.policy }),
          ),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/push/subscription',
      access: scoped('push'),
      async handler(c) {
        await push.remove(currentUser(c).grant.tokenId);
        return c.json({});
      },
    },
  ];
}
