import type { IssuanceLimit } from '../../domain/auth/issuance-limit.ts';
import { z } from 'zod';
import { findAppById, redirectUrisOf, registerApp, type AppRow } from '../../domain/auth/apps.service.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Db } from '../../storage/db/database.ts';
import { Unauthorized } from '../../domain/errors.ts';
import { readInput, stringList } from '../shared/input.ts';
import type { Application } from './entities.ts';
import { PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';

const NewAppInput = z.object({
  client_name: z.string().trim().min(1).max(200),
  redirect_uris: stringList(z.string().trim().min(1).max(2000))
    .transform((uris) => uris.flatMap((u) => u.split(/\s+/)).filter(Boolean))
    .pipe(z.array(z.string()).min(1).max(10)),
  scopes: z.string().max(1000).optional(),
  website: z.string().trim().max(2000).optional().nullable(),
});

/** Mastodon's Application entity; the secret only when the app is created. */
export function serializeApplication(app: AppRow, vapidKey: string, clientSecret?: string): Application {
  const uris = redirectUrisOf(app);
  return {
    id: app.id,
    name: app.name,
    website: app.website,
    scopes: app.scopes.split(' '),
    redirect_uri: uris.join('\n'),
    redirect_uris: uris,
    vapid_key: vapidKey,
    ...(clientSecret === undefined ? {} : { client_id: app.client_id, client_secret: clientSecret, client_secret_expires_at: 0 }),
  };
}

/** What the Apps API uses: the database apps live in, and the server's VAPID key (for Web Push). */
export interface AppsRouteDeps {
  readonly clock: Clock;
  readonly db: Db;
  readonly issuance: IssuanceLimit;
  readonly vapidKey: () => Promise<string>;
}

/** `POST /api/v1/apps` and `GET /api/v1/apps/verify_credentials`. */
export function appsRoutes(deps: AppsRouteDeps): RouteDef[] {
  return [
    {
      method: 'POST',
      path: '/api/v1/apps',
      access: PUBLIC,
      async handler(c) {
        const input = readInput(c, NewAppInput);
        await deps.issuance(c.var.clientIp);
        const { app, clientSecret } = await registerApp(deps.db, deps.clock, {
          name: input.client_name,
          redirectUris: input.redirect_uris,
          scopes: input.scopes,
          website: input.website,
        });
        return c.json(serializeApplication(app, await deps.vapidKey(), clientSecret));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/apps/verify_credentials',
      access: scoped(null, { app: true }),
      async handler(c) {
        const appId = c.var.auth?.grant.appId;
        const app = appId ? await findAppById(deps.db.read, appId) : undefined;
        if (!app) throw new Unauthorized('The access token is invalid');
        return c.json(serializeApplication(app, await deps.vapidKey()));
      },
    },
  ];
}
