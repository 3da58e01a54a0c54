import { Hono } from 'hono';
import type { Services } from '../../../app/services.ts';
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
export function adminRoleRoutes(services: Services, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post('/admin/accounts/:id/role', async (c) => {
    const session = c.var.session;
    if (!session) throw new Unauthorized('Sign in first');
    browser.checkCsrf(c);
    if (session.user.role !== 'admin') throw new Forbidden('Only admins can change roles');
    const hasPasskey = (await services.passkeys.list(session.account.id)).length > 0;
    if (!session.user.totp_enabled_at && !hasPasskey) throw new Forbidden('Turn on two-factor authentication before changing roles');
    const role = c.var.body.role;
    if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw new HttpError(422, `role must be one of ${ROLES.join(', ')}`);
    const targetId = c.req.param('id');
    if (targetId === session.account.id) throw new Forbidden('You cannot change your own role');
    const target = await findAccountById(services.db.read, targetId);
    if (!target || !(await findUserByAccountId(services.db.read, targetId))) throw new NotFound();
    await setRole(services.db, services.clock, targetId, role as Role);
    services.logger.info({ category: 'audit', actor: session.account.id, target: targetId, role }, 'role changed');
    return c.redirect('/settings/security', 303);
  });
  return routes;
}
