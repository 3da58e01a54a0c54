import { Hono } from 'hono';
import type { InstanceService } from '../../domain/instance/instance.service.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { serializeInstanceV1, serializeInstanceV2, type InstanceConfig } from './serializers/instance.serializer.ts';

/** `GET /api/v1/instance` and `GET /api/v2/instance`: public, so that clients can read them before sign-in. */
export function instanceRoutes(config: InstanceConfig, instance: InstanceService): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/api/v2/instance', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(serializeInstanceV2(config, await instance.stats()));
  });
  routes.get('/api/v1/instance', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(serializeInstanceV1(config, await instance.stats()));
  });
  return routes;
}
