import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../../config/index.ts';
import { NotFound } from '../../../domain/errors.ts';
import { adminAccount, adminAccounts, type AdminAccountFilter } from '../../../domain/moderation/admin.views.ts';
import {
  ACCOUNT_ACTIONS,
  MODERATION_LIMITS,
  UNDO_ACTIONS,
  type ModerationService,
  type UndoAction,
} from '../../../domain/moderation/moderation.service.ts';
import { staffOf } from '../../../domain/moderation/staff.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import { HttpError } from '../../shared/http-error.ts';
import { formBool, readInput, stringList } from '../../shared/input.ts';
import { currentUser, staffOnly, type RouteDef } from '../../shared/route-table.ts';
import { readPage, setLinkHeader } from '../pagination.ts';
import { serializeAdminAccounts } from './admin.serializers.ts';

const text = (max = 200) => z.string().max(max).optional();

const V1Filter = z
  .object({
    local: formBool.optional(),
    remote: formBool.optional(),
    by_domain: text(),
    active: formBool.optional(),
    pending: formBool.optional(),
    disabled: formBool.optional(),
    sensitized: formBool.optional(),
    silenced: formBool.optional(),
    suspended: formBool.optional(),
    username: text(),
    display_name: text(),
    email: text(),
    ip: text(64),
    staff: formBool.optional(),
  })
  .loose();

const V2Filter = z
  .object({
    origin: z.enum(['local', 'remote']).optional(),
    status: z.enum(['active', 'pending', 'disabled', 'silenced', 'suspended']).optional(),
    permissions: z.literal('staff').optional(),
    role_ids: stringList(z.string().max(16)).optional(),
    invited_by: text(64),
    username: text(),
    display_name: text(),
    by_domain: text(),
    email: text(),
    ip: text(64),
  })
  .loose();

const ActionInput = z
  .object({
    type: z.enum(ACCOUNT_ACTIONS),
    report_id: z.string().max(64).optional(),
    warning_preset_id: z.string().max(64).optional(),
    text: z.string().max(MODERATION_LIMITS.text).optional(),
    send_email_notification: formBool.optional(),
  })
  .loose();

const STAFF = ['moderator', 'admin'] as const;
/** Roles by the ids the Role entity gives them. */
const ROLE_IDS = new Map<string, 'moderator' | 'admin'>([
  ['2', 'moderator'],
  ['3', 'admin'],
]);

/** The text filters v1 and v2 share. */
function searched(f: {
  by_domain?: string | undefined;
  username?: string | undefined;
  display_name?: string | undefined;
  email?: string | undefined;
  ip?: string | undefined;
}) {
  return { byDomain: f.by_domain, username: f.username, displayName: f.display_name, email: f.email, ip: f.ip };
}

/** What the admin accounts API uses. */
export interface AdminAccountsRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly moderation: ModerationService;
}

/** Mastodon's admin API for accounts: lists (v1 and v2), one account, actions, approval and their undoing. */
export function adminAccountsRoutes(deps: AdminAccountsRouteDeps): RouteDef[] {
  const { config, read, moderation } = deps;
  const staff = (c: Context<AppEnv>) => {
    const { account, user } = currentUser(c);
    return staffOf(account, user);
  };
  /** The account as the admin API shows it, or NotFound. */
  const shown = async (id: string) => {
    const row = await adminAccount(read, id);
    if (!row) throw new NotFound();
    return (await serializeAdminAccounts(read, config, [row]))[0];
  };
  const one = async (c: Context<AppEnv>, id: string) => c.json(await shown(id));
  /** Runs an action that removes the account (a rejection, a deletion), answering with the account as it was. */
  const answerWithFormer = async (c: Context<AppEnv>, act: (id: string) => Promise<void>) => {
    const id = c.req.param('id')!;
    const before = await shown(id);
    await act(id);
    return c.json(before);
  };
  const list = async (c: Context<AppEnv>, filter: AdminAccountFilter) => {
    const page = readPage(c, 100, 200);
    const rows = await adminAccounts(read, filter, page);
    setLinkHeader(
      c,
      config.publicUrl,
      rows.map((r) => r.account.id),
    );
    return c.json(await serializeAdminAccounts(read, config, rows));
  };
  const undo = (action: UndoAction): RouteDef => ({
    method: 'POST',
    path: `/api/v1/admin/accounts/:id/${action}`,
    access: staffOnly('admin:write:accounts'),
    async handler(c) {
      const id = c.req.param('id')!;
      await moderation.undo(staff(c), id, action);
      return one(c, id);
    },
  });

  return [
    {
      method: 'GET',
      path: '/api/v1/admin/accounts',
      access: staffOnly('admin:read:accounts'),
      handler(c) {
        const f = readInput(c, V1Filter);
        const status = f.pending
          ? 'pending'
          : f.disabled
            ? 'disabled'
            : f.silenced
              ? 'silenced'
              : f.suspended
                ? 'suspended'
                : f.sensitized
                  ? 'sensitized'
                  : f.active
                    ? 'active'
                    : undefined;
        return list(c, {
          ...searched(f),
          origin: f.local ? 'local' : f.remote ? 'remote' : undefined,
          status,
          roles: f.staff ? STAFF : undefined,
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v2/admin/accounts',
      access: staffOnly('admin:read:accounts'),
      handler(c) {
        const f = readInput(c, V2Filter);
        // Roles are Mastodon's: 2 is Moderator, 3 is Admin (as the Role entity numbers them).
        const roles = f.role_ids?.map((id) => ROLE_IDS.get(id));
        if (roles?.includes(undefined)) throw new HttpError(422, 'Validation failed: role_ids names a role this server does not have');
        if (f.invited_by !== undefined) throw new HttpError(422, 'Validation failed: filtering by inviter is not supported');
        return list(c, {
          ...searched(f),
          origin: f.origin,
          status: f.status,
          roles: roles?.length ? roles.filter((r) => r !== undefined) : f.permissions === 'staff' ? STAFF : undefined,
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/admin/accounts/:id',
      access: staffOnly('admin:read:accounts'),
      handler: (c) => one(c, c.req.param('id')!),
    },
    {
      method: 'POST',
      path: '/api/v1/admin/accounts/:id/action',
      access: staffOnly('admin:write:accounts'),
      async handler(c) {
        const input = readInput(c, ActionInput);
        if (input.warning_preset_id !== undefined) throw new HttpError(422, 'Validation failed: this server has no warning presets');
        await moderation.act(staff(c), c.req.param('id')!, {
          type: input.type,
          reportId: input.report_id,
          text: input.text,
          sendEmail: input.send_email_notification ?? false,
        });
        return c.json({});
      },
    },
    {
      method: 'POST',
      path: '/api/v1/admin/accounts/:id/approve',
      access: staffOnly('admin:write:accounts'),
      async handler(c) {
        const id = c.req.param('id')!;
        await moderation.approve(staff(c), id);
        return one(c, id);
      },
    },
    {
      method: 'POST',
      path: '/api/v1/admin/accounts/:id/reject',
      access: staffOnly('admin:write:accounts'),
      handler: (c) => answerWithFormer(c, (id) => moderation.reject(staff(c), id)),
    },
    ...UNDO_ACTIONS.map(undo),
    {
      method: 'DELETE',
      path: '/api/v1/admin/accounts/:id',
      access: staffOnly('admin:write:accounts'),
      handler: (c) => answerWithFormer(c, (id) => moderation.deleteSuspended(staff(c), id)),
    },
  ];
}
