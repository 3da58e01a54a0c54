import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { Selectable } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { Database, DomainBlockSeverity, IpBlockSeverity } from '../../storage/db/schema.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';
import { applyAction, undoAction } from './account-effects.ts';
import { parseBlocklist, type DomainBlockInput, type ImportResult } from './blocklist-csv.ts';
import { appendAudit } from './audit-log.ts';
import {
  accountsOfDomain,
  deleteBlockRow,
  findBlockRow,
  findDomainBlock,
  insertBlockRow,
  insertDomainBlock,
  moderatedWithDomain,
  deleteSubscription,
  domainBlocksFrom,
  findSubscription,
  insertSubscription,
  markSubscription,
  type SubscriptionRow,
  updateDomainBlock,
  updateIpBlock,
  type DomainBlockRow,
  type IpBlockRow,
} from './moderation.repo.ts';
import { normalizeIpRange } from './server-policy.ts';
import { auditBy, requireAdmin, type Staff } from './staff.ts';

export const IP_BLOCK_SEVERITIES: readonly IpBlockSeverity[] = ['sign_up_requires_approval', 'sign_up_block', 'no_access'];

/** How long comments may be. */
const COMMENT_MAX = 1000;
/** A domain in its one written form (lower case, ASCII), or an Invalid error naming `field`. */
export function normalizeDomain(text: string, field = 'domain'): string {
  const trimmed = text.trim().toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  const ascii = trimmed ? domainToASCII(trimmed.replace(/:\d+$/, '')) : '';
  const port = /:\d{1,5}$/.exec(trimmed)?.[0] ?? '';
  if (!ascii || !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(ascii) || ascii.length > 253)
    throw new Invalid('Validation failed', { [field]: [{ error: 'ERR_INVALID', description: 'is not a valid domain' }] });
  return `${ascii}${port}`;
}

/** The hash Mastodon blocks an email address by: lower case, no dots and no `+tag` in the local part. */
export function canonicalEmailHash(email: string): string {
  const [local = '', domain = ''] = email
    .trim()
    .toLowerCase()
    .split(/@(?=[^@]*$)/);
  const canonical = `${local.replace(/\+.*$/, '').replace(/\./g, '')}@${domain}`;
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Server-wide blocks, each an admin's command on the record: domain blocks (which act on every account of
 * the server at once: suspended, with follows severed and content removed; or limited), domain allows for
 * allowlist federation, and the sign-up blocks (email domains, canonical emails, addresses).
 */
export function createBlockService(deps: { db: Db; run: RunCommand; ownDomain: string }) {
  const { db, run } = deps;

  /** Puts a domain's severity into effect on its accounts. */
  async function enforce(unit: Unit, domain: string, severity: DomainBlockSeverity): Promise<void> {
    if (severity === 'noop') return;
    for (const account of await accountsOfDomain(unit.tx, domain)) {
      if (severity === 'suspend' && account.suspended_at === null) await applyAction(unit, account, 'suspend', 'domain');
      if (severity === 'silence' && account.silenced_at === null) await applyAction(unit, account, 'silence', 'domain');
    }
  }

  /** Lifts what a domain's block put on its accounts (not what moderators did to single accounts). */
  async function lift(unit: Unit, domain: string, severity: DomainBlockSeverity): Promise<void> {
    const how = severity === 'suspend' ? 'suspension_origin' : severity === 'silence' ? 'silence_origin' : null;
    if (!how) return;
    const ids = await moderatedWithDomain(unit.tx, domain, how);
    for (const account of await accountsOfDomain(unit.tx, domain)) {
      if (ids.includes(account.id)) await undoAction(unit, account, severity === 'suspend' ? 'unsuspend' : 'unsilence');
    }
  }

  function checkComment(text: string | undefined, field: string): void {
    if (text !== undefined && text.length > COMMENT_MAX)
      throw new Invalid('Validation failed', {
        [field]: [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${COMMENT_MAX} characters)` }],
      });
  }

  async function create(staff: Staff, domainText: string, input: DomainBlockInput, source: string | null): Promise<DomainBlockRow> {
    requireAdmin(staff);
    const domain = normalizeDomain(domainText);
    if (domain === deps.ownDomain || deps.ownDomain.endsWith(`.${domain}`)) throw new Forbidden('This server cannot block itself');
    checkComment(input.privateComment, 'private_comment');
    checkComment(input.publicComment, 'public_comment');
    const existing = await findDomainBlock(db.read, { domain });
    if (existing) throw new DomainBlockExists(existing);
    const id = uuid7();
    const severity = input.severity ?? 'silence';
    await run(async (unit) => {
      const inserted = await insertDomainBlock(unit, {
        id,
        domain,
        severity,
        reject_media: input.rejectMedia ?? false,
        reject_reports: input.rejectReports ?? false,
        private_comment: input.privateComment ?? null,
        public_comment: input.publicComment ?? null,
        obfuscate: input.obfuscate ?? false,
        source,
        created_at: unit.now,
        updated_at: unit.now,
      });
      if (!inserted) throw new DomainBlockExists((await findDomainBlock(unit.tx, { domain }))!);
      await enforce(unit, domain, severity);
      await appendAudit(unit, {
        ...auditBy(staff),
        action: 'block_domain',
        targetType: 'domain_block',
        targetId: id,
        detail: { domain, severity, source, reject_media: input.rejectMedia ?? false, reject_reports: input.rejectReports ?? false },
      });
    });
    return (await findDomainBlock(db.read, { id }))!;
  }

  return {
    /** Blocks a server (Mastodon's `POST /api/v1/admin/domain_blocks`); `silence` unless told otherwise. */
    createDomainBlock: (staff: Staff, domain: string, input: DomainBlockInput) => create(staff, domain, input, null),

    /** Changes a domain block; a change of severity lifts the old effect and puts the new one in force. */
    async updateDomainBlock(staff: Staff, id: string, input: DomainBlockInput): Promise<DomainBlockRow> {
      requireAdmin(staff);
      const block = await findDomainBlock(db.read, { id });
      if (!block) throw new NotFound();
      checkComment(input.privateComment, 'private_comment');
      checkComment(input.publicComment, 'public_comment');
      await run(async (unit) => {
        const severity = input.severity ?? block.severity;
        await updateDomainBlock(unit, id, {
          severity,
          ...(input.rejectMedia !== undefined ? { reject_media: input.rejectMedia } : {}),
          ...(input.rejectReports !== undefined ? { reject_reports: input.rejectReports } : {}),
          ...(input.privateComment !== undefined ? { private_comment: input.privateComment } : {}),
          ...(input.publicComment !== undefined ? { public_comment: input.publicComment } : {}),
          ...(input.obfuscate !== undefined ? { obfuscate: input.obfuscate } : {}),
        });
        if (severity !== block.severity) {
          await lift(unit, block.domain, block.severity);
          await enforce(unit, block.domain, severity);
        }
        await appendAudit(unit, {
          ...auditBy(staff),
          action: 'update_domain_block',
          targetType: 'domain_block',
          targetId: id,
          detail: { domain: block.domain, severity },
        });
      });
      return (await findDomainBlock(db.read, { id }))!;
    },

    /** Lifts a domain block: its accounts are no longer suspended or limited by it (removed content stays removed). */
    async deleteDomainBlock(staff: Staff, id: string): Promise<void> {
      requireAdmin(staff);
      const block = await findDomainBlock(db.read, { id });
      if (!block) throw new NotFound();
      await run(async (unit) => {
        await deleteBlockRow(unit, 'domain_blocks', id);
        await lift(unit, block.domain, block.severity);
        await appendAudit(unit, {
          ...auditBy(staff),
          action: 'unblock_domain',
          targetType: 'domain_block',
          targetId: id,
          detail: { domain: block.domain },
        });
      });
    },

    /**
     * Imports domain blocks from Mastodon's CSV (`#domain,#severity,#reject_media,#reject_reports,
     * #public_comment,#obfuscate`): new domains are blocked with `source` recorded; a domain already
     * blocked is left as it is; bad rows are reported, not fatal.
     */
    async importDomainBlocks(staff: Staff, csv: string, source: string): Promise<ImportResult> {
      requireAdmin(staff);
      const { rows, invalid } = parseBlocklist(csv);
      const result: ImportResult = { created: [], skipped: [], invalid };
      for (const row of rows) {
        try {
          result.created.push((await create(staff, row.domain, row.input, source)).domain);
        } catch (error) {
          if (error instanceof DomainBlockExists) result.skipped.push(error.existing.domain);
          else if (error instanceof Invalid || error instanceof Forbidden)
            result.invalid.push({ line: row.line, reason: error.message === 'Validation failed' ? 'not a valid domain' : error.message });
          else throw error;
        }
      }
      return result;
    },

    /** Subscribes to a blocklist (Mastodon's CSV at a URL), fetched by the workers through the SSRF guard. */
    async subscribe(staff: Staff, url: string): Promise<SubscriptionRow> {
      requireAdmin(staff);
      let parsed: URL;
      try {
        parsed = new URL(url.trim());
      } catch {
        throw new Invalid('Validation failed', { url: [{ error: 'ERR_INVALID', description: 'is not a URL' }] });
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
        throw new Invalid('Validation failed', { url: [{ error: 'ERR_INVALID', description: 'must be an https URL' }] });
      const id = uuid7();
      await run(async (unit) => {
        if (!(await insertSubscription(unit, { id, url: parsed.href, created_at: unit.now })))
          throw new Invalid('Validation failed', { url: [{ error: 'ERR_TAKEN', description: 'is already subscribed' }] });
        await appendAudit(unit, {
          ...auditBy(staff),
          action: 'subscribe_blocklist',
          targetType: 'blocklist',
          targetId: id,
          detail: { url: parsed.href },
        });
      });
      return (await findSubscription(db.read, id))!;
    },

    /** Ends a subscription: every block that came from it is lifted (blocks made here or from elsewhere stay). */
    async unsubscribe(staff: Staff, id: string): Promise<void> {
      requireAdmin(staff);
      const subscription = await findSubscription(db.read, id);
      if (!subscription) throw new NotFound();
      const source = subscriptionSource(subscription.url);
      await run(async (unit) => {
        for (const block of await domainBlocksFrom(unit.tx, source)) {
          await deleteBlockRow(unit, 'domain_blocks', block.id);
          await lift(unit, block.domain, block.severity);
        }
        await deleteSubscription(unit, id);
        await appendAudit(unit, {
          ...auditBy(staff),
          action: 'unsubscribe_blocklist',
          targetType: 'blocklist',
          targetId: id,
          detail: { url: subscription.url },
        });
      });
    },

    /**
     * Applies a fetched copy of a subscribed list: domains new on it are blocked (with the list as their
     * source), blocks that came from it and are no longer on it are lifted, and a domain already blocked
     * otherwise is left as it is. A fetch that failed is recorded on the subscription.
     */
    async applySubscription(id: string, fetched: { csv: string } | { error: string }): Promise<ImportResult & { lifted: string[] }> {
      const subscription = await findSubscription(db.read, id);
      if (!subscription) throw new NotFound();
      const result = { created: [] as string[], skipped: [] as string[], invalid: [] as ImportResult['invalid'], lifted: [] as string[] };
      if ('error' in fetched) {
        await run((unit) => markSubscription(unit, id, { last_error: fetched.error.slice(0, 500) }));
        return result;
      }
      const source = subscriptionSource(subscription.url);
      const { rows, invalid } = parseBlocklist(fetched.csv);
      result.invalid.push(...invalid);
      const listed = new Set<string>();
      for (const row of rows) {
        try {
          const domain = normalizeDomain(row.domain);
          listed.add(domain);
          result.created.push((await create(SUBSCRIPTIONS, domain, row.input, source)).domain);
        } catch (error) {
          // Blocked already: by this list (nothing to do), or here or by another list (left as it is).
          if (error instanceof DomainBlockExists) {
            if (error.existing.source !== source) result.skipped.push(error.existing.domain);
          } else if (error instanceof Invalid || error instanceof Forbidden) result.invalid.push({ line: row.line, reason: error.message });
          else throw error;
        }
      }
      await run(async (unit) => {
        for (const block of await domainBlocksFrom(unit.tx, source)) {
          if (listed.has(block.domain)) continue;
          await deleteBlockRow(unit, 'domain_blocks', block.id);
          await lift(unit, block.domain, block.severity);
          result.lifted.push(block.domain);
        }
        await markSubscription(unit, id, { fetched_at: unit.now, last_error: null });
        await appendAudit(unit, {
          ...auditBy(SUBSCRIPTIONS),
          action: 'refresh_blocklist',
          targetType: 'blocklist',
          targetId: id,
          detail: { url: subscription.url, blocked: result.created, lifted: result.lifted },
        });
      });
      return result;
    },

    /** Allows a server (for allowlist federation). */
    async createDomainAllow(staff: Staff, domainText: string): Promise<Selectable<Database['domain_allows']>> {
      requireAdmin(staff);
      const domain = normalizeDomain(domainText);
      return addRow(staff, 'domain_allows', { domain }, 'domain', 'allow_domain');
    },

    /** Blocks sign-ups with addresses at a domain (and its subdomains). */
    async createEmailDomainBlock(staff: Staff, domainText: string): Promise<Selectable<Database['email_domain_blocks']>> {
      requireAdmin(staff);
      const domain = normalizeDomain(domainText);
      return addRow(staff, 'email_domain_blocks', { domain }, 'domain', 'block_email_domain');
    },

    /** Blocks sign-ups with one email address, in any of its spellings (by its canonical hash). */
    async createCanonicalEmailBlock(
      staff: Staff,
      by: { email?: string | undefined; hash?: string | undefined },
    ): Promise<Selectable<Database['canonical_email_blocks']>> {
      requireAdmin(staff);
      const hash = by.email ? canonicalEmailHash(by.email) : by.hash?.toLowerCase();
      if (!hash || !/^[0-9a-f]{64}$/.test(hash))
        throw new Invalid('Validation failed', {
          canonical_email_hash: [{ error: 'ERR_INVALID', description: 'give an email or a SHA-256 hash in hex' }],
        });
      return addRow(staff, 'canonical_email_blocks', { canonical_email_hash: hash }, 'canonical_email_hash', 'block_canonical_email');
    },

    /** Blocks an address or range: sign-ups need approval, are refused, or nothing is served at all. */
    async createIpBlock(
      staff: Staff,
      input: { ip: string; severity: IpBlockSeverity; comment?: string | undefined; expiresInSeconds?: number | undefined },
    ): Promise<IpBlockRow> {
      requireAdmin(staff);
      const ip = normalizeIpRange(input.ip);
      if (!ip) throw new Invalid('Validation failed', { ip: [{ error: 'ERR_INVALID', description: 'is not an address or CIDR range' }] });
      checkComment(input.comment, 'comment');
      const now = Date.now();
      return addRow(
        staff,
        'ip_blocks',
        {
          ip,
          severity: input.severity,
          comment: input.comment ?? '',
          expires_at: input.expiresInSeconds ? new Date(now + input.expiresInSeconds * 1000).toISOString() : null,
          updated_at: new Date(now).toISOString(),
        },
        'ip',
        'block_ip',
      );
    },

    /** Changes an address block. */
    async updateIpBlock(
      staff: Staff,
      id: string,
      input: {
        ip?: string | undefined;
        severity?: IpBlockSeverity | undefined;
        comment?: string | undefined;
        expiresInSeconds?: number | undefined;
      },
    ): Promise<IpBlockRow> {
      requireAdmin(staff);
      if (!(await findBlockRow(db.read, 'ip_blocks', id))) throw new NotFound();
      const ip = input.ip === undefined ? undefined : normalizeIpRange(input.ip);
      if (ip === null)
        throw new Invalid('Validation failed', { ip: [{ error: 'ERR_INVALID', description: 'is not an address or CIDR range' }] });
      checkComment(input.comment, 'comment');
      await run(async (unit) => {
        await updateIpBlock(unit, id, {
          ...(ip ? { ip } : {}),
          ...(input.severity ? { severity: input.severity } : {}),
          ...(input.comment !== undefined ? { comment: input.comment } : {}),
          ...(input.expiresInSeconds !== undefined
            ? { expires_at: input.expiresInSeconds ? new Date(Date.parse(unit.now) + input.expiresInSeconds * 1000).toISOString() : null }
            : {}),
        });
        await appendAudit(unit, {
          ...auditBy(staff),
          action: 'update_ip_block',
          targetType: 'ip_block',
          targetId: id,
          detail: { ...input },
        });
      });
      return (await findBlockRow(db.read, 'ip_blocks', id))!;
    },

    /** Removes a row of one of the simple block lists (allows, email domains, canonical emails, addresses). */
    async deleteRow(
      staff: Staff,
      table: 'domain_allows' | 'email_domain_blocks' | 'canonical_email_blocks' | 'ip_blocks',
      id: string,
    ): Promise<void> {
      requireAdmin(staff);
      await run(async (unit) => {
        if (!(await deleteBlockRow(unit, table, id))) throw new NotFound();
        await appendAudit(unit, {
          ...auditBy(staff),
          action: `delete_${table.replace(/s$/, '')}`,
          targetType: TARGET_TYPES[table],
          targetId: id,
        });
      });
    },
  };

  async function addRow<T extends 'domain_allows' | 'email_domain_blocks' | 'canonical_email_blocks' | 'ip_blocks'>(
    staff: Staff,
    table: T,
    values: Record<string, unknown>,
    unique: 'domain' | 'ip' | 'canonical_email_hash',
    action: string,
  ): Promise<Selectable<Database[T]>> {
    const id = uuid7();
    await run(async (unit) => {
      const row = { id, created_at: unit.now, ...values } as never;
      if (!(await insertBlockRow(unit, table, row, unique)))
        throw new Invalid('Validation failed', { [unique]: [{ error: 'ERR_TAKEN', description: 'is already blocked' }] });
      await appendAudit(unit, { ...auditBy(staff), action, targetType: TARGET_TYPES[table], targetId: id, detail: values });
    });
    return (await findBlockRow(db.read, table, id))!;
  }
}

export type BlockService = ReturnType<typeof createBlockService>;

const TARGET_TYPES = {
  domain_allows: 'domain_allow',
  email_domain_blocks: 'email_domain_block',
  canonical_email_blocks: 'canonical_email_block',
  ip_blocks: 'ip_block',
} as const;

/** A domain that is already blocked (Mastodon answers 422 with the existing block). */
export class DomainBlockExists extends Invalid {
  readonly existing: DomainBlockRow;
  constructor(existing: DomainBlockRow) {
    super(`${existing.domain} is already blocked`, { domain: [{ error: 'ERR_TAKEN', description: 'is already blocked' }] });
    this.existing = existing;
  }
}

/** The source a subscribed list's blocks are recorded with. */
export function subscriptionSource(url: string): string {
  return `subscription:${url}`;
}

/** Who refreshes subscribed lists: the server itself, on the record as `system`. */
const SUBSCRIPTIONS: Staff = Object.freeze({ account: null, role: 'admin', origin: 'cli', label: 'system' });

/** What sign-up checks about an applicant: refused, or waiting for approval because of a block. */
export async function signUpScreen(
  db: DbReader,
  ipSeverity: (ip: string) => IpBlockSeverity | null,
  applicant: { email: string; ip: string },
): Promise<'refuse' | 'approval' | 'ok'> {
  const severity = ipSeverity(applicant.ip);
  if (severity === 'sign_up_block' || severity === 'no_access') return 'refuse';
  const domain = applicant.email.trim().toLowerCase().split('@').at(-1) ?? '';
  const parents = domain.split('.').map((_, i, parts) => parts.slice(i).join('.'));
  const blockedDomain = parents.length
    ? await db.selectFrom('email_domain_blocks').select('id').where('domain', 'in', parents).executeTakeFirst()
    : undefined;
  const blockedEmail = await db
    .selectFrom('canonical_email_blocks')
    .select('id')
    .where('canonical_email_hash', '=', canonicalEmailHash(applicant.email))
    .executeTakeFirst();
  if (blockedDomain || blockedEmail) return 'refuse';
  return severity === 'sign_up_requires_approval' ? 'approval' : 'ok';
}
