import { Hono } from 'hono';
import type { Db } from '../storage/db/database.ts';
import type { AppEnv } from './shared/app-env.ts';

/**
 * `GET /health`: the process answers (for a supervisor's liveness check).
 * `GET /ready`: the database answers too (for a load balancer's readiness check).
 */
export function healthRoutes(db: Pick<Db, 'ping'>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/health', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
  routes.get('/ready', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await db.ping();
      return c.json({ status: 'ready' });
    } catch (error) {
      c.var.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'database not reachable');
      return c.json({ error: 'The database is not reachable' }, 503);
    }
  });
  return routes;
}
