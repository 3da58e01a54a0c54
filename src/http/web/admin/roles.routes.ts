import type { PasskeyService } from '../../../domain/auth/passkeys.service.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { Db } from '../../../storage/db/database.ts';
import { Hono } from 'hono';
import { findAccountById, findUserByAccountId } from '../../../domain/accounts/accounts.repo.ts';
import { setRole } from '../../../domain/accounts/accounts.service.ts';
import { Forbidden, NotFound, Unauthorized } from '../../../domain/errors.ts';
import type { Role } from '../../../storage/db/schema.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { HttpError } from '../../shared/http-error.ts';

const ROLES: readonly Role[] = ['user', 'moderator', 'admin'];

/**
 * `POST /admin/accounts/:id/role`: an admin changes another account's role. Only an admin who has a
 * second factor may; nobody may change their own role here (the command line is the way in).
 */
/** What these routes use. */
export interface AdminRoleRouteDeps {
  readonly clock: Clock;
  readonly db: Db;
  readonly logger: Logger;
  readonly passkeys: PasskeyService;
}

export function adminRoleRoutes(deps: AdminRoleRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post('/admin/accounts/:id/role', async (c) => {
    const session = c.var.session;
    if (!session) throw new Unauthorized('Sign in first');
    browser.checkCsrf(c);
    if (session.user.role !== 'admin') throw new Forbidden('Only admins can change roles');
    const hasPasskey = (await deps.passkeys.list(session.account.id)).length > 0;
    if (!session.user.totp_enabled_at && !hasPasskey) throw new Forbidden('Turn on two-factor authentication before changing roles');
    const role = c.var.body.role;
    if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw new HttpError(422, `role must be one of ${ROLES.join(', ')}`);
    const targetId = c.req.param('id');
    if (targetId === session.account.id) throw new Forbidden('You cannot change your own role');
    const target = await findAccountById(deps.db.read, targetId);
    if (!target || !(await findUserByAccountId(deps.db.read, targetId))) throw new NotFound();
    await setRole(deps.db, deps.clock, targetId, role as Role);
    deps.logger.info({ category: 'audit', actor: session.account.id, target: targetId, role }, 'role changed');
    return c.redirect('/settings/security', 303);
  });
  return routes;
}
