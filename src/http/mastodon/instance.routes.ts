import { Hono } from 'hono';
import type { InstanceService } from '../../domain/instance/instance.service.ts';
import { publicDomainBlocks } from '../../domain/moderation/admin.views.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { AppEnv } from '../shared/app-env.ts';
import type { PublicDomainBlock } from './entities.ts';
import { serializeInstanceV1, serializeInstanceV2, serializeRules, type InstanceConfig } from './serializers/instance.serializer.ts';

/** `GET /api/v1/instance`, `GET /api/v2/instance`, its peers and domain blocks: public, so that clients can read them before sign-in. */
export function instanceRoutes(
  config: InstanceConfig,
  instance: InstanceService,
  vapidKey: () => Promise<string>,
  read: DbReader,
): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/api/v2/instance', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(serializeInstanceV2(config, await instance.stats(), await vapidKey()));
  });
  routes.get('/api/v1/instance', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(serializeInstanceV1(config, await instance.stats()));
  });
  // The servers this one knows accounts on (Mastodon lists those it has seen); cached for a minute.
  routes.get('/api/v1/instance/peers', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(await instance.peers());
  });
  routes.get('/api/v1/instance/rules', (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(serializeRules(config));
  });
  // Servers this one has suspended or limited, with their public comments (obfuscated where asked).
  routes.get('/api/v1/instance/domain_blocks', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    const blocks: PublicDomainBlock[] = (await publicDomainBlocks(read)).map((b) => ({
      domain: b.domain,
      digest: b.digest,
      severity: b.severity,
      ...(b.comment ? { comment: b.comment } : {}),
    }));
    return c.json(blocks);
  });
  return routes;
}
