import { Hono } from 'hono';
import { backupStanding } from '../domain/instance/backup-age.ts';
import type { Clock } from '../lib/clock.ts';
import type { Db } from '../storage/db/database.ts';
import type { AppEnv } from './shared/app-env.ts';

/**
 * `GET /health`: the process answers (for a supervisor's liveness check).
 * `GET /ready`: the database answers too (for a load balancer's readiness check); once backups exist, it
 * also says when the newest verified one was taken and whether that is more than a day ago.
 */
export function healthRoutes(db: Pick<Db, 'ping'>, backups: { verifiedAt: () => string | null; clock: Clock }): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/health', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
  routes.get('/ready', async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      await db.ping();
      const standing = backupStanding(backups.verifiedAt(), backups.clock());
      return c.json({
        status: 'ready',
        ...(standing ? { details: { backup: { newest_verified: standing.newestVerified, stale: standing.stale } } } : {}),
      });
    } catch (error) {
      c.var.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'database not reachable');
      return c.json({ error: 'The database is not reachable' }, 503);
    }
  });
  return routes;
}
