import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../../config/index.ts';
import { findAccountsByIds, hasSecondFactor } from '../../../domain/accounts/accounts.repo.ts';
import { Forbidden, NotFound, Unauthorized } from '../../../domain/errors.ts';
import { ACCOUNT_ACTIONS, UNDO_ACTIONS } from '../../../domain/moderation/account-effects.ts';
import { adminAccount, adminAccounts } from '../../../domain/moderation/admin.views.ts';
import { auditEntries, verifyAuditChain } from '../../../domain/moderation/audit-log.ts';
import { DomainBlockExists, IP_BLOCK_SEVERITIES, type BlockService } from '../../../domain/moderation/blocks.service.ts';
import { DOMAIN_BLOCK_SEVERITIES, exportDomainBlocks } from '../../../domain/moderation/blocklist-csv.ts';
import {
  allDomainBlocks,
  blockRows,
  pendingAppeals,
  reportsQuery,
  subscriptionsWithCounts,
  warningsOf,
} from '../../../domain/moderation/moderation.repo.ts';
import { handleOf, MODERATION_LIMITS, type ModerationService } from '../../../domain/moderation/moderation.service.ts';
import { STAFF_NEED_SECOND_FACTOR, staffOf, type Staff } from '../../../domain/moderation/staff.ts';
import { findStatusesByIds } from '../../../domain/statuses/statuses.repo.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import { readWindow } from '../../../storage/db/keyset.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html, SafeHtml } from '../../shared/html.ts';
import { formBool, validate } from '../../shared/input.ts';
import { csrfField, notice, sendPage } from '../page.ts';

/** What the moderation pages use. */
export interface ModerationPageDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly moderation: ModerationService;
  readonly blocks: BlockService;
  readonly policySettled: () => Promise<void>;
  /** Fetches a subscribed blocklist through the SSRF guard. */
  readonly fetchBlocklist: (url: string) => Promise<{ csv: string } | { error: string }>;
  /** When the newest verified backup was taken, and whether that is too long ago (null before the first). */
  readonly backupStanding: () => { newestVerified: string; stale: boolean } | null;
}

const ActionInput = z
  .object({
    type: z.enum(ACCOUNT_ACTIONS),
    text: z.string().max(MODERATION_LIMITS.text).optional(),
    report_id: z.string().max(64).optional(),
    send_email: formBool.optional(),
  })
  .loose();
const UndoInput = z.object({ type: z.enum(UNDO_ACTIONS) }).loose();
const DomainBlockInput = z
  .object({
    domain: z.string().min(1).max(300),
    severity: z.enum(DOMAIN_BLOCK_SEVERITIES as ['silence', 'suspend', 'noop']),
    public_comment: z.string().max(1000).optional(),
    private_comment: z.string().max(1000).optional(),
    reject_media: formBool.optional(),
    reject_reports: formBool.optional(),
    obfuscate: formBool.optional(),
  })
  .loose();
const ImportInput = z
  .object({
    csv: z
      .string()
      .min(1)
      .max(2 * 1024 * 1024),
    source: z.string().max(300).optional(),
  })
  .loose();
const IpInput = z
  .object({
    ip: z.string().min(1).max(64),
    severity: z.enum(IP_BLOCK_SEVERITIES as ['sign_up_requires_approval', 'sign_up_block', 'no_access']),
    comment: z.string().max(1000).optional(),
  })
  .loose();
const SubscriptionInput = z.object({ url: z.string().min(1).max(2000) }).loose();
const EmailDomainInput = z.object({ domain: z.string().min(1).max(300) }).loose();

const ACTION_LABELS: Record<(typeof ACCOUNT_ACTIONS)[number], string> = {
  none: 'Warn',
  sensitive: 'Mark media sensitive',
  silence: 'Limit',
  disable: 'Disable sign-in',
  suspend: 'Suspend',
};

/**
 * The moderators' pages (server-rendered, no script needed): reports with the reported posts, an account
 * with its standing, strikes and record, sign-ups waiting, domain blocks with import, address and email
 * blocks, appeals, and the audit log. Moderators see accounts, reports, sign-ups and appeals; the
 * server-wide blocks are for admins. Every change is a POST with a CSRF token, through the same
 * commands as the admin API.
 */
export function moderationPages(deps: ModerationPageDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const { read, config, moderation, blocks } = deps;
  const site = config.instance.name;

  routes.use('/admin/moderation/*', async (c: Context<AppEnv>, next) => {
    if (!c.var.session) {
      if (c.req.method === 'GET') return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
      throw new Unauthorized('Sign in first');
    }
    staffOf(c.var.session.account, c.var.session.user);
    if (config.auth.staffSecondFactor && !(await hasSecondFactor(read, c.var.session.user))) throw new Forbidden(STAFF_NEED_SECOND_FACTOR);
    if (c.req.method !== 'GET') browser.checkCsrf(c);
    return next();
  });
  const staff = (c: Context<AppEnv>): Staff => staffOf(c.var.session!.account, c.var.session!.user);
  const adminOnly = (c: Context<AppEnv>) => {
    if (staff(c).role !== 'admin') throw new Forbidden('Only admins manage server-wide blocks');
  };
  const nav = (c: Context<AppEnv>) => {
    const links: [string, string][] = [
      ['/admin/moderation/reports', 'Reports'],
      ['/admin/moderation/accounts', 'Accounts'],
      ['/admin/moderation/sign-ups', 'Sign-ups'],
      ['/admin/moderation/appeals', 'Appeals'],
      ...(staff(c).role === 'admin'
        ? ([
            ['/admin/moderation/domain-blocks', 'Domain blocks'],
            ['/admin/moderation/blocks', 'Address and email blocks'],
          ] as [string, string][])
        : []),
      ['/admin/moderation/audit', 'Audit log'],
    ];
    const here = new URL(c.req.url).pathname;
    return html`<nav aria-label="Moderation"><ul class="inline-list">${links.map(
      ([href, label]) => html`<li><a href="${href}"${here === href ? html` aria-current="page"` : ''}>${label}</a></li>`,
    )}</ul></nav>`;
  };
  /** Admins are told when the newest verified backup is more than a day old. */
  const backupWarning = (c: Context<AppEnv>) => {
    const standing = deps.backupStanding();
    return standing?.stale && staff(c).role === 'admin'
      ? notice(
          `The newest verified backup was taken ${standing.newestVerified.slice(0, 16).replace('T', ' ')} UTC, more than a day ago: run stoa backup.`,
        )
      : '';
  };
  const show = (c: Context<AppEnv>, title: string, body: SafeHtml, message?: string) =>
    sendPage(c, site, title, html`${nav(c)}${backupWarning(c)}<h1>${title}</h1>${message ? notice(message, 'info') : ''}${body}`);
  const post = (c: Context<AppEnv>, action: string, label: string, fields: Record<string, string> = {}) =>
    html`<form method="post" action="${action}" class="inline">${csrfField(browser.csrfToken(c))}${Object.entries(fields).map(
      ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
    )}<button type="submit">${label}</button></form>`;
  const back = (c: Context<AppEnv>, fallback: string) => {
    const referer = c.req.header('referer');
    const path = referer && new URL(referer).origin === new URL(config.publicUrl).origin ? new URL(referer).pathname : fallback;
    return c.redirect(path.startsWith('/admin/moderation/') ? path : fallback, 303);
  };
  const actionForm = (c: Context<AppEnv>, accountId: string, reportId?: string) =>
    html`<form method="post" action="/admin/moderation/accounts/${accountId}/action" class="action-form">${csrfField(browser.csrfToken(c))}
${reportId ? html`<input type="hidden" name="report_id" value="${reportId}">` : ''}
<p class="field"><label for="type-${reportId ?? accountId}">Action</label>
<select id="type-${reportId ?? accountId}" name="type">${ACCOUNT_ACTIONS.map((a) => html`<option value="${a}">${ACTION_LABELS[a]}</option>`)}</select></p>
<p class="field"><label for="text-${reportId ?? accountId}">Reason, shown to the member</label>
<textarea id="text-${reportId ?? accountId}" name="text" rows="2" maxlength="${MODERATION_LIMITS.text}"></textarea></p>
<p class="field"><label><input type="checkbox" name="send_email" value="true"> Also email the member</label></p>
<button type="submit">Take action</button></form>`;

  routes.get('/admin/moderation', (c) => c.redirect('/admin/moderation/reports', 303));

  routes.get('/admin/moderation/reports', async (c) => {
    const resolved = c.req.query('resolved') === 'true';
    const reports = await readWindow(reportsQuery(read, { resolved }), 'id', { limit: 50, maxId: c.req.query('max_id') });
    const accountIds = [...new Set(reports.flatMap((r) => [r.target_account_id, r.account_id].filter((id): id is string => id !== null)))];
    const accounts = new Map((await findAccountsByIds(read, accountIds)).map((a) => [a.id, a]));
    const statuses = new Map(
      (await findStatusesByIds(read, [...new Set(reports.flatMap((r) => JSON.parse(r.status_ids) as string[]))])).map((s) => [s.id, s]),
    );
    const body = html`<p><a href="/admin/moderation/reports${resolved ? '' : '?resolved=true'}">${resolved ? 'Show open reports' : 'Show resolved reports'}</a></p>
${reports.length === 0 ? html`<p>No ${resolved ? 'resolved' : 'open'} reports.</p>` : ''}
${reports.map((r) => {
  const target = accounts.get(r.target_account_id);
  const by = r.account_id ? accounts.get(r.account_id) : undefined;
  return html`<article class="report" aria-labelledby="report-${r.id}">
<h2 id="report-${r.id}">Report about <a href="/admin/moderation/accounts/${r.target_account_id}">${target ? handleOf(target) : 'a deleted account'}</a></h2>
<p>${r.category} · from ${by ? handleOf(by) : r.origin_domain ? `the server ${r.origin_domain}` : 'this server (flagged automatically)'} · <time datetime="${r.created_at}">${r.created_at.slice(0, 16).replace('T', ' ')}</time>${r.assigned_account_id ? ' · assigned' : ''}</p>
${r.comment ? html`<blockquote>${r.comment}</blockquote>` : ''}
${(JSON.parse(r.status_ids) as string[]).map((id) => {
  const s = statuses.get(id);
  return s
    ? html`<div class="reported-post">${s.spoiler_text ? html`<p><strong>CW:</strong> ${s.spoiler_text}</p>` : ''}${new SafeHtml(s.content)}<p>${post(c, `/admin/moderation/statuses/${s.id}/remove`, 'Remove this post')}</p></div>`
    : html`<p class="reported-post">(a post that is gone)</p>`;
})}
${r.action_taken_at ? post(c, `/admin/moderation/reports/${r.id}/reopen`, 'Reopen') : html`${actionForm(c, r.target_account_id, r.id)} ${post(c, `/admin/moderation/reports/${r.id}/resolve`, 'Resolve without action')} ${post(c, `/admin/moderation/reports/${r.id}/assign`, 'Assign to me')}`}
</article>`;
})}`;
    return show(c, resolved ? 'Resolved reports' : 'Reports', body, c.req.query('done') ? 'Done.' : undefined);
  });

  routes.post('/admin/moderation/reports/:id/:change', async (c) => {
    const id = c.req.param('id');
    const change = c.req.param('change');
    if (change === 'resolve' || change === 'reopen') await moderation.resolveReport(staff(c), id, change === 'resolve');
    else if (change === 'assign') await moderation.assignReport(staff(c), id, true);
    else throw new NotFound();
    return back(c, '/admin/moderation/reports');
  });

  routes.post('/admin/moderation/statuses/:id/remove', async (c) => {
    await moderation.removeStatus(staff(c), c.req.param('id'), 'removed from the reports page');
    return back(c, '/admin/moderation/reports');
  });

  routes.get('/admin/moderation/accounts', async (c) => {
    const q = c.req.query('q')?.trim().slice(0, 100) || undefined;
    const rows = await adminAccounts(read, { username: q }, { limit: 50, maxId: c.req.query('max_id') });
    return show(
      c,
      'Accounts',
      html`<form method="get" action="/admin/moderation/accounts" role="search"><p class="field"><label for="q">Username</label>
<input id="q" name="q" type="search" value="${q ?? ''}"></p><button type="submit">Search</button></form>
<table><caption>Accounts, newest first</caption><thead><tr><th scope="col">Account</th><th scope="col">Standing</th></tr></thead><tbody>
${rows.map(
  (r) =>
    html`<tr><td><a href="/admin/moderation/accounts/${r.account.id}">${handleOf(r.account)}</a></td><td>${standing(r.account, r.user)}</td></tr>`,
)}</tbody></table>`,
    );
  });

  routes.get('/admin/moderation/accounts/:id', async (c) => {
    const row = await adminAccount(read, c.req.param('id'));
    if (!row) throw new NotFound();
    const { account, user } = row;
    const strikes = await warningsOf(read, account.id);
    const record = (await auditEntries(read, { limit: 500 })).filter((e) => e.target_type === 'account' && e.target_id === account.id);
    const undos = UNDO_ACTIONS.filter(
      (u) =>
        (u === 'unsuspend' && account.suspended_at) ||
        (u === 'unsilence' && account.silenced_at) ||
        (u === 'unsensitive' && account.sensitized_at) ||
        (u === 'enable' && user?.disabled_at),
    );
    return show(
      c,
      handleOf(account),
      html`<p>Standing: ${standing(account, user)}</p>
${user ? html`<p>Email: ${user.email} · role: ${user.role} · signed up <time datetime="${user.created_at}">${user.created_at.slice(0, 10)}</time>${user.sign_up_ip ? ` from ${user.sign_up_ip}` : ''}</p>` : html`<p>An account of ${account.domain}.</p>`}
${user?.registration_reason ? html`<p>Why they joined: ${user.registration_reason}</p>` : ''}
<h2>Act</h2>${actionForm(c, account.id)}
${undos.length ? html`<p>${undos.map((u) => post(c, `/admin/moderation/accounts/${account.id}/undo`, u, { type: u }))}</p>` : ''}
${user && !user.approved_at ? html`<p>${post(c, `/admin/moderation/accounts/${account.id}/approve`, 'Approve')} ${post(c, `/admin/moderation/accounts/${account.id}/reject`, 'Reject')}</p>` : ''}
<h2>Strikes</h2>${strikes.length ? html`<ul>${strikes.map((s) => html`<li>${s.created_at.slice(0, 10)}: ${ACTION_LABELS[s.action as (typeof ACCOUNT_ACTIONS)[number]] ?? s.action}${s.text ? ` — ${s.text}` : ''}${s.appeal_state ? ` (appeal ${s.appeal_state})` : ''}</li>`)}</ul>` : html`<p>None.</p>`}
<h2>On the record</h2>${record.length ? html`<ul>${record.map((e) => html`<li>${e.created_at.slice(0, 16).replace('T', ' ')}: ${e.actor} — ${e.action}</li>`)}</ul>` : html`<p>Nothing yet.</p>`}`,
    );
  });

  routes.post('/admin/moderation/accounts/:id/:change', async (c) => {
    const id = c.req.param('id');
    const change = c.req.param('change');
    if (change === 'action') {
      const input = validate(ActionInput, c.var.body);
      await moderation.act(staff(c), id, {
        type: input.type,
        text: input.text,
        reportId: input.report_id || undefined,
        sendEmail: input.send_email,
      });
    } else if (change === 'undo') await moderation.undo(staff(c), id, validate(UndoInput, c.var.body).type);
    else if (change === 'approve') await moderation.approve(staff(c), id);
    else if (change === 'reject') {
      await moderation.reject(staff(c), id);
      return c.redirect('/admin/moderation/sign-ups', 303);
    } else throw new NotFound();
    return back(c, `/admin/moderation/accounts/${id}`);
  });

  routes.get('/admin/moderation/sign-ups', async (c) => {
    const rows = await adminAccounts(read, { origin: 'local', status: 'pending' }, { limit: 100 });
    return show(
      c,
      'Sign-ups waiting for approval',
      rows.length
        ? html`<ul>${rows.map(
            (r) =>
              html`<li><a href="/admin/moderation/accounts/${r.account.id}">${handleOf(r.account)}</a> (${r.user?.email ?? ''}): ${r.user?.registration_reason ?? ''} ${post(c, `/admin/moderation/accounts/${r.account.id}/approve`, 'Approve')} ${post(c, `/admin/moderation/accounts/${r.account.id}/reject`, 'Reject')}</li>`,
          )}</ul>`
        : html`<p>Nobody is waiting.</p>`,
    );
  });

  routes.get('/admin/moderation/appeals', async (c) => {
    const appeals = await pendingAppeals(read, 100);
    const accounts = new Map(
      (
        await findAccountsByIds(
          read,
          appeals.map((a) => a.target_account_id),
        )
      ).map((a) => [a.id, a]),
    );
    return show(
      c,
      'Appeals',
      appeals.length
        ? html`${appeals.map((a) => {
            const who = accounts.get(a.target_account_id);
            return html`<article class="appeal"><h2>${who ? handleOf(who) : 'An account'}: ${ACTION_LABELS[a.action as (typeof ACCOUNT_ACTIONS)[number]] ?? a.action}</h2>
<p>The reason given: ${a.text || '(none)'}</p><blockquote>${a.appeal_text ?? ''}</blockquote>
<p>${post(c, `/admin/moderation/appeals/${a.id}/approve`, 'Approve (undo the action)')} ${post(c, `/admin/moderation/appeals/${a.id}/reject`, 'Reject')}</p></article>`;
          })}`
        : html`<p>No appeals are waiting.</p>`,
    );
  });

  routes.post('/admin/moderation/appeals/:id/:decision', async (c) => {
    const decision = c.req.param('decision');
    if (decision !== 'approve' && decision !== 'reject') throw new NotFound();
    await moderation.decideAppeal(staff(c), c.req.param('id'), decision === 'approve');
    return c.redirect('/admin/moderation/appeals', 303);
  });

  routes.get('/admin/moderation/domain-blocks', async (c) => {
    adminOnly(c);
    const list = await allDomainBlocks(read);
    const subscriptions = await subscriptionsWithCounts(read);
    return show(
      c,
      'Domain blocks',
      html`<table><caption>Blocked servers</caption><thead><tr><th scope="col">Domain</th><th scope="col">Severity</th><th scope="col">Public comment</th><th scope="col">Source</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>
${list.map(
  (b) =>
    html`<tr><td>${b.domain}</td><td>${b.severity}${toBool(b.reject_media) ? ', no media' : ''}${toBool(b.reject_reports) ? ', no reports' : ''}</td><td>${b.public_comment ?? ''}</td><td>${b.source ?? 'made here'}</td><td>${post(c, `/admin/moderation/domain-blocks/${b.id}/remove`, `Lift the block of ${b.domain}`)}</td></tr>`,
)}</tbody></table>
<h2>Block a server</h2>
<form method="post" action="/admin/moderation/domain-blocks">${csrfField(browser.csrfToken(c))}
<p class="field"><label for="db-domain">Domain</label><input id="db-domain" name="domain" required></p>
<p class="field"><label for="db-severity">Severity</label><select id="db-severity" name="severity"><option value="suspend">Suspend</option><option value="silence">Limit</option><option value="noop">None (only the options below)</option></select></p>
<p class="field"><label><input type="checkbox" name="reject_media" value="true"> Fetch no media</label></p>
<p class="field"><label><input type="checkbox" name="reject_reports" value="true"> Ignore its reports</label></p>
<p class="field"><label for="db-public">Public comment</label><input id="db-public" name="public_comment" maxlength="1000"></p>
<p class="field"><label for="db-private">Private comment</label><input id="db-private" name="private_comment" maxlength="1000"></p>
<p class="field"><label><input type="checkbox" name="obfuscate" value="true"> Obfuscate the domain in the public list</label></p>
<button type="submit">Block</button></form>
<h2>Import a blocklist</h2>
<form method="post" action="/admin/moderation/domain-blocks/import">${csrfField(browser.csrfToken(c))}
<p class="field"><label for="db-csv">Mastodon's CSV (#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate)</label><textarea id="db-csv" name="csv" rows="6" required></textarea></p>
<p class="field"><label for="db-source">Where it comes from</label><input id="db-source" name="source" maxlength="300"></p>
<button type="submit">Import</button></form>
<p><a href="/admin/moderation/domain-blocks.csv">Export as CSV</a></p>
<h2>Subscribed blocklists</h2>
${subscriptions.length ? html`<ul>${subscriptions.map((l) => html`<li>${l.url}: ${String(l.blocks)} blocks${l.fetched_at ? `, read ${l.fetched_at.slice(0, 16).replace('T', ' ')}` : ''}${l.last_error ? html` <strong>(last fetch failed: ${l.last_error})</strong>` : ''} ${post(c, `/admin/moderation/subscriptions/${l.id}/remove`, `Unsubscribe from ${l.url} and lift its blocks`)}</li>`)}</ul>` : html`<p>None.</p>`}
<form method="post" action="/admin/moderation/subscriptions">${csrfField(browser.csrfToken(c))}
<p class="field"><label for="sub-url">Blocklist URL (Mastodon's CSV, read again every 6 hours)</label><input id="sub-url" name="url" type="url" required></p>
<button type="submit">Subscribe</button></form>`,
      c.req.query('imported') ?? undefined,
    );
  });

  routes.get('/admin/moderation/domain-blocks.csv', async (c) => {
    adminOnly(c);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', 'attachment; filename="domain_blocks.csv"');
    return c.body(await exportDomainBlocks(read));
  });

  routes.post('/admin/moderation/domain-blocks', async (c) => {
    adminOnly(c);
    const input = validate(DomainBlockInput, c.var.body);
    try {
      await blocks.createDomainBlock(staff(c), input.domain, {
        severity: input.severity,
        rejectMedia: input.reject_media,
        rejectReports: input.reject_reports,
        publicComment: input.public_comment || undefined,
        privateComment: input.private_comment || undefined,
        obfuscate: input.obfuscate,
      });
    } catch (error) {
      if (!(error instanceof DomainBlockExists)) throw error;
    }
    await deps.policySettled();
    return c.redirect('/admin/moderation/domain-blocks', 303);
  });

  routes.post('/admin/moderation/domain-blocks/import', async (c) => {
    adminOnly(c);
    const input = validate(ImportInput, c.var.body);
    const result = await blocks.importDomainBlocks(staff(c), input.csv, input.source?.trim() || 'import');
    await deps.policySettled();
    const summary = `Blocked ${result.created.length}; already blocked ${result.skipped.length}; not valid ${result.invalid.length}.`;
    return c.redirect(`/admin/moderation/domain-blocks?imported=${encodeURIComponent(summary)}`, 303);
  });

  routes.post('/admin/moderation/domain-blocks/:id/remove', async (c) => {
    adminOnly(c);
    await blocks.deleteDomainBlock(staff(c), c.req.param('id'));
    await deps.policySettled();
    return c.redirect('/admin/moderation/domain-blocks', 303);
  });

  routes.post('/admin/moderation/subscriptions', async (c) => {
    adminOnly(c);
    const subscription = await blocks.subscribe(staff(c), validate(SubscriptionInput, c.var.body).url);
    await blocks.applySubscription(subscription.id, await deps.fetchBlocklist(subscription.url));
    await deps.policySettled();
    return c.redirect('/admin/moderation/domain-blocks', 303);
  });

  routes.post('/admin/moderation/subscriptions/:id/remove', async (c) => {
    adminOnly(c);
    await blocks.unsubscribe(staff(c), c.req.param('id'));
    await deps.policySettled();
    return c.redirect('/admin/moderation/domain-blocks', 303);
  });

  routes.get('/admin/moderation/blocks', async (c) => {
    adminOnly(c);
    const ips = await blockRows(read, 'ip_blocks');
    const emails = await blockRows(read, 'email_domain_blocks');
    const csrf = csrfField(browser.csrfToken(c));
    return show(
      c,
      'Address and email blocks',
      html`<h2>Addresses</h2><ul>${ips.map((b) => html`<li>${b.ip}: ${b.severity}${b.comment ? ` (${b.comment})` : ''} ${post(c, `/admin/moderation/blocks/ip_blocks/${b.id}/remove`, `Remove ${b.ip}`)}</li>`)}</ul>
<form method="post" action="/admin/moderation/blocks/ip">${csrf}
<p class="field"><label for="ip-ip">Address or range (CIDR)</label><input id="ip-ip" name="ip" required></p>
<p class="field"><label for="ip-severity">What it may not do</label><select id="ip-severity" name="severity"><option value="sign_up_requires_approval">Sign up without approval</option><option value="sign_up_block">Sign up</option><option value="no_access">Reach this server at all</option></select></p>
<p class="field"><label for="ip-comment">Comment</label><input id="ip-comment" name="comment" maxlength="1000"></p>
<button type="submit">Block the address</button></form>
<h2>Email domains</h2><ul>${emails.map((b) => html`<li>${b.domain} ${post(c, `/admin/moderation/blocks/email_domain_blocks/${b.id}/remove`, `Remove ${b.domain}`)}</li>`)}</ul>
<form method="post" action="/admin/moderation/blocks/email">${csrf}
<p class="field"><label for="email-domain">Email domain</label><input id="email-domain" name="domain" required></p>
<button type="submit">Block sign-ups from it</button></form>`,
    );
  });

  routes.post('/admin/moderation/blocks/:kind', async (c) => {
    adminOnly(c);
    const kind = c.req.param('kind');
    if (kind === 'ip') {
      const input = validate(IpInput, c.var.body);
      await blocks.createIpBlock(staff(c), { ip: input.ip, severity: input.severity, comment: input.comment });
    } else if (kind === 'email') await blocks.createEmailDomainBlock(staff(c), validate(EmailDomainInput, c.var.body).domain);
    else throw new NotFound();
    await deps.policySettled();
    return c.redirect('/admin/moderation/blocks', 303);
  });

  routes.post('/admin/moderation/blocks/:table/:id/remove', async (c) => {
    adminOnly(c);
    const table = c.req.param('table');
    if (table !== 'ip_blocks' && table !== 'email_domain_blocks') throw new NotFound();
    await blocks.deleteRow(staff(c), table, c.req.param('id'));
    await deps.policySettled();
    return c.redirect('/admin/moderation/blocks', 303);
  });

  routes.get('/admin/moderation/audit', async (c) => {
    const before = Number(c.req.query('before'));
    const entries = await auditEntries(read, { limit: 100, before: Number.isInteger(before) && before > 0 ? before : undefined });
    const check = await verifyAuditChain(read);
    const names = new Map(
      (await findAccountsByIds(read, [...new Set(entries.flatMap((e) => (e.target_type === 'account' ? [e.target_id] : [])))])).map((a) => [
        a.id,
        handleOf(a),
      ]),
    );
    return show(
      c,
      'Audit log',
      html`<p role="status">${check.ok ? `The log verifies: ${check.entries} entries, none changed or removed.` : `The log does not verify: ${check.problem}.`}</p>
<table><caption>Newest first</caption><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Detail</th></tr></thead><tbody>
${entries.map(
  (e) =>
    html`<tr><td>${String(e.seq)}</td><td><time datetime="${e.created_at}">${e.created_at.slice(0, 16).replace('T', ' ')}</time></td><td>${e.actor}</td><td>${e.action}</td><td>${names.get(e.target_id) ?? `${e.target_type} ${e.target_id}`}</td><td><code>${e.detail}</code></td></tr>`,
)}</tbody></table>
${entries.length === 100 ? html`<p><a href="/admin/moderation/audit?before=${String(entries.at(-1)!.seq)}">Older entries</a></p>` : ''}`,
    );
  });

  return routes;
}

/** An account's standing in words. */
function standing(
  account: { suspended_at: string | null; silenced_at: string | null; sensitized_at: string | null },
  user: { approved_at: string | null; disabled_at: string | null } | null,
): string {
  const parts = [
    account.suspended_at && 'suspended',
    account.silenced_at && 'limited',
    account.sensitized_at && 'media sensitive',
    user?.disabled_at && 'sign-in disabled',
    user && !user.approved_at && 'waiting for approval',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'in good standing';
}
