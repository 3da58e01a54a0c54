import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../../config/index.ts';
import { NotFound } from '../../../domain/errors.ts';
import {
  DomainBlockExists,
  IP_BLOCK_SEVERITIES,
  canonicalEmailHash,
  type BlockService,
} from '../../../domain/moderation/blocks.service.ts';
import { DOMAIN_BLOCK_SEVERITIES, exportDomainBlocks } from '../../../domain/moderation/blocklist-csv.ts';
import {
  blockRowsPage,
  canonicalEmailBlocks,
  findBlockRow,
  findDomainBlock,
  findSubscription,
  subscriptionsWithCounts,
  type BlockTable,
} from '../../../domain/moderation/moderation.repo.ts';
import { staffOf } from '../../../domain/moderation/staff.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import { HttpError } from '../../shared/http-error.ts';
import { formBool, readInput } from '../../shared/input.ts';
import { currentUser, staffOnly, type RouteDef } from '../../shared/route-table.ts';
import { readPage, setLinkHeader } from '../pagination.ts';
import {
  serializeCanonicalEmailBlock,
  serializeDomainAllow,
  serializeDomainBlock,
  serializeEmailDomainBlock,
  serializeIpBlock,
} from './admin.serializers.ts';

const comment = z.string().max(1000).optional();

const DomainBlockInput = z
  .object({
    severity: z.enum(DOMAIN_BLOCK_SEVERITIES as ['silence', 'suspend', 'noop']).optional(),
    reject_media: formBool.optional(),
    reject_reports: formBool.optional(),
    private_comment: comment,
    public_comment: comment,
    obfuscate: formBool.optional(),
  })
  .loose();
const DomainInput = z.object({ domain: z.string().min(1).max(300) }).loose();
const IpBlockInput = z
  .object({
    ip: z.string().min(1).max(64).optional(),
    severity: z.enum(IP_BLOCK_SEVERITIES as ['sign_up_requires_approval', 'sign_up_block', 'no_access']).optional(),
    comment,
    expires_in: z.coerce
      .number()
      .int()
      .min(1)
      .max(10 * 365 * 24 * 3600)
      .optional(),
  })
  .loose();
const CanonicalInput = z.object({ email: z.string().max(320).optional(), canonical_email_hash: z.string().max(64).optional() }).loose();
const SubscriptionInput = z.object({ url: z.string().min(1).max(2000) }).loose();
const ImportInput = z.object({ data: z.union([z.string(), z.instanceof(File)]), source: z.string().max(300).optional() }).loose();

/** The largest blocklist file an import reads. */
const IMPORT_MAX_BYTES = 2 * 1024 * 1024;

/** What the admin block APIs use. */
export interface AdminBlocksRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly blocks: BlockService;
  /** Resolves once the server's in-memory policy holds the change just made. */
  readonly policySettled: () => Promise<void>;
  /** Fetches a subscribed blocklist through the SSRF guard. */
  readonly fetchBlocklist: (url: string) => Promise<{ csv: string } | { error: string }>;
}

/**
 * Mastodon's admin API for server-wide blocks (domain blocks and allows, email domain blocks, address
 * blocks, canonical email blocks), admins only, and Stoa's CSV import and export of domain blocks.
 */
export function adminBlocksRoutes(deps: AdminBlocksRouteDeps): RouteDef[] {
  const { config, read, blocks } = deps;
  // Every write answers only once the policy in memory holds it: the next request is judged by it.
  const settled = async <T>(result: T): Promise<T> => {
    await deps.policySettled();
    return result;
  };
  const staff = (c: Context<AppEnv>) => {
    const { account, user } = currentUser(c);
    return staffOf(account, user);
  };

  /** List, view and delete of a block table, under `/api/v1/admin/<name>`. */
  function crud<T extends BlockTable>(
    name: string,
    table: T,
    scope: string,
    serialize: (row: never) => unknown,
    remove: ((c: Context<AppEnv>, id: string) => Promise<void>) | null,
  ): RouteDef[] {
    const read_ = staffOnly(`admin:read:${scope}`, 'admin');
    const routes: RouteDef[] = [
      {
        method: 'GET',
        path: `/api/v1/admin/${name}`,
        access: read_,
        async handler(c) {
          const page = readPage(c, 100, 200);
          const rows = await blockRowsPage(read, table, page);
          setLinkHeader(
            c,
            config.publicUrl,
            rows.map((r) => (r as { id: string }).id),
          );
          return c.json(rows.map((r) => serialize(r as never)));
        },
      },
      {
        method: 'GET',
        path: `/api/v1/admin/${name}/:id`,
        access: read_,
        async handler(c) {
          const row = await findBlockRow(read, table, c.req.param('id')!);
          if (!row) throw new NotFound();
          return c.json(serialize(row as never));
        },
      },
    ];
    if (remove) {
      routes.push({
        method: 'DELETE',
        path: `/api/v1/admin/${name}/:id`,
        access: staffOnly(`admin:write:${scope}`, 'admin'),
        async handler(c) {
          await remove(c, c.req.param('id')!);
          return c.json(await settled({}));
        },
      });
    }
    return routes;
  }

  const domainBlockInput = (c: Context<AppEnv>) => {
    const input = readInput(c, DomainBlockInput);
    return {
      severity: input.severity,
      rejectMedia: input.reject_media,
      rejectReports: input.reject_reports,
      privateComment: input.private_comment,
      publicComment: input.public_comment,
      obfuscate: input.obfuscate,
    };
  };

  return [
    // Static paths before `:id`.
    {
      method: 'GET',
      path: '/api/v1/admin/domain_blocks/export',
      access: staffOnly('admin:read:domain_blocks', 'admin'),
      async handler(c) {
        c.header('Content-Type', 'text/csv; charset=utf-8');
        c.header('Content-Disposition', 'attachment; filename="domain_blocks.csv"');
        return c.body(await exportDomainBlocks(read));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/admin/domain_blocks/import',
      access: staffOnly('admin:write:domain_blocks', 'admin'),
      async handler(c) {
        const input = readInput(c, ImportInput);
        const data = typeof input.data === 'string' ? input.data : await input.data.text();
        if (Buffer.byteLength(data) > IMPORT_MAX_BYTES) throw new HttpError(413, 'The blocklist is too large');
        const source = input.source?.trim() || (input.data instanceof File && input.data.name ? `import:${input.data.name}` : 'import');
        return c.json(await settled(await blocks.importDomainBlocks(staff(c), data, source)));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/admin/blocklist_subscriptions',
      access: staffOnly('admin:read:domain_blocks', 'admin'),
      async handler(c) {
        return c.json(await subscriptionsWithCounts(read));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/admin/blocklist_subscriptions',
      access: staffOnly('admin:write:domain_blocks', 'admin'),
      async handler(c) {
        const { url } = readInput(c, SubscriptionInput);
        const subscription = await blocks.subscribe(staff(c), url);
        // The first copy is read at once, so that the admin sees what the list blocks.
        const result = await blocks.applySubscription(subscription.id, await deps.fetchBlocklist(subscription.url));
        await deps.policySettled();
        const [listed] = (await subscriptionsWithCounts(read)).filter((s) => s.id === subscription.id);
        return c.json({ ...listed, result });
      },
    },
    {
      method: 'POST',
      path: '/api/v1/admin/blocklist_subscriptions/:id/refresh',
      access: staffOnly('admin:write:domain_blocks', 'admin'),
      async handler(c) {
        const id = c.req.param('id')!;
        const subscription = await findSubscription(read, id);
        if (!subscription) throw new NotFound();
        staff(c);
        const result = await blocks.applySubscription(id, await deps.fetchBlocklist(subscription.url));
        await deps.policySettled();
        const [listed] = (await subscriptionsWithCounts(read)).filter((s) => s.id === id);
        return c.json({ ...listed, result });
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/admin/blocklist_subscriptions/:id',
      access: staffOnly('admin:write:domain_blocks', 'admin'),
      async handler(c) {
        await blocks.unsubscribe(staff(c), c.req.param('id')!);
        return c.json(await settled({}));
      },
    },
    ...crud('domain_blocks', 'domain_blocks', 'domain_blocks', serializeDomainBlock, (c, id) => blocks.deleteDomainBlock(staff(c), id)),
    {
      method: 'POST',
      path: '/api/v1/admin/domain_blocks',
      access: staffOnly('admin:write:domain_blocks', 'admin'),
      async handler(c) {
        const { domain } = readInput(c, DomainInput);
        try {
          return c.json(await settled(serializeDomainBlock(await blocks.createDomainBlock(staff(c), domain, domainBlockInput(c)))));
        } catch (error) {
          if (!(error instanceof DomainBlockExists)) throw error;
          return c.json({ error: error.publicMessage, existing_domain_block: serializeDomainBlock(error.existing) }, 422);
        }
      },
    },
    {
      method: 'PUT',
      path: '/api/v1/admin/domain_blocks/:id',
      access: staffOnly('admin:write:domain_blocks', 'admin'),
      async handler(c) {
        const id = c.req.param('id')!;
        if (!(await findDomainBlock(read, { id }))) throw new NotFound();
        return c.json(await settled(serializeDomainBlock(await blocks.updateDomainBlock(staff(c), id, domainBlockInput(c)))));
      },
    },
    ...crud('domain_allows', 'domain_allows', 'domain_allows', serializeDomainAllow, (c, id) =>
      blocks.deleteRow(staff(c), 'domain_allows', id),
    ),
    {
      method: 'POST',
      path: '/api/v1/admin/domain_allows',
      access: staffOnly('admin:write:domain_allows', 'admin'),
      async handler(c) {
        const { domain } = readInput(c, DomainInput);
        return c.json(await settled(serializeDomainAllow(await blocks.createDomainAllow(staff(c), domain))));
      },
    },
    ...crud('email_domain_blocks', 'email_domain_blocks', 'email_domain_blocks', serializeEmailDomainBlock, (c, id) =>
      blocks.deleteRow(staff(c), 'email_domain_blocks', id),
    ),
    {
      method: 'POST',
      path: '/api/v1/admin/email_domain_blocks',
      access: staffOnly('admin:write:email_domain_blocks', 'admin'),
      async handler(c) {
        const { domain } = readInput(c, DomainInput);
        return c.json(await settled(serializeEmailDomainBlock(await blocks.createEmailDomainBlock(staff(c), domain))));
      },
    },
    ...crud('ip_blocks', 'ip_blocks', 'ip_blocks', serializeIpBlock, (c, id) => blocks.deleteRow(staff(c), 'ip_blocks', id)),
    {
      method: 'POST',
      path: '/api/v1/admin/ip_blocks',
      access: staffOnly('admin:write:ip_blocks', 'admin'),
      async handler(c) {
        const input = readInput(c, IpBlockInput);
        if (!input.ip) throw new HttpError(422, "Validation failed: ip can't be blank");
        if (!input.severity) throw new HttpError(422, "Validation failed: severity can't be blank");
        const row = await blocks.createIpBlock(staff(c), {
          ip: input.ip,
          severity: input.severity,
          comment: input.comment,
          expiresInSeconds: input.expires_in,
        });
        return c.json(await settled(serializeIpBlock(row)));
      },
    },
    {
      method: 'PUT',
      path: '/api/v1/admin/ip_blocks/:id',
      access: staffOnly('admin:write:ip_blocks', 'admin'),
      async handler(c) {
        const input = readInput(c, IpBlockInput);
        const row = await blocks.updateIpBlock(staff(c), c.req.param('id')!, {
          ip: input.ip,
          severity: input.severity,
          comment: input.comment,
          expiresInSeconds: input.expires_in,
        });
        return c.json(await settled(serializeIpBlock(row)));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/admin/canonical_email_blocks/test',
      access: staffOnly('admin:read:canonical_email_blocks', 'admin'),
      async handler(c) {
        const { email } = readInput(c, CanonicalInput);
        if (!email) throw new HttpError(422, "Validation failed: email can't be blank");
        const hash = canonicalEmailHash(email);
        return c.json((await canonicalEmailBlocks(read, hash)).map(serializeCanonicalEmailBlock));
      },
    },
    ...crud('canonical_email_blocks', 'canonical_email_blocks', 'canonical_email_blocks', serializeCanonicalEmailBlock, (c, id) =>
      blocks.deleteRow(staff(c), 'canonical_email_blocks', id),
    ),
    {
      method: 'POST',
      path: '/api/v1/admin/canonical_email_blocks',
      access: staffOnly('admin:write:canonical_email_blocks', 'admin'),
      async handler(c) {
        const input = readInput(c, CanonicalInput);
        return c.json(
          serializeCanonicalEmailBlock(
            await blocks.createCanonicalEmailBlock(staff(c), { email: input.email, hash: input.canonical_email_hash }),
          ),
        );
      },
    },
  ];
}
