import { Hono, type Context } from 'hono';
import type { Config } from '../../../config/index.ts';
import {
  importsOf,
  IMPORT_KINDS,
  MAX_IMPORT_ROWS,
  parseImport,
  type AccountImports,
  type ImportKind,
} from '../../../domain/accounts/imports.ts';
import { MAX_ARCHIVE_BYTES } from '../../../domain/accounts/post-archive.ts';
import { Conflict, Invalid, Unauthorized } from '../../../domain/errors.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html } from '../../shared/html.ts';
import { textFor, type PageMessageKey } from '../i18n/index.ts';
import { csrfField, notice, sendPage } from '../page.ts';

/** What the import page uses. */
export interface ImportRouteDeps {
  readonly config: Config;
  readonly read: DbReader;
  readonly imports: Pick<AccountImports, 'start' | 'startArchive'>;
}

const KIND_LABELS: Record<ImportKind | 'posts', PageMessageKey> = {
  posts: 'import.kind.posts',
  following: 'import.kind.following',
  blocks: 'import.kind.blocks',
  mutes: 'import.kind.mutes',
  domain_blocks: 'import.kind.domain_blocks',
  bookmarks: 'import.kind.bookmarks',
};

/**
 * `/settings/import`: the member brings the lists exported from Mastodon or another Stoa server (follows,
 * blocks, mutes, blocked servers, bookmarks), added to what the account has; the page shows how far each
 * import got. The sign-in and CSRF checks of `/settings/*` apply.
 */
export function importRoutes(deps: ImportRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const site = deps.config.instance.name;

  const page = async (c: Context<AppEnv>, message?: { text: string; kind: 'error' | 'info' }) => {
    const { account } = c.var.session!;
    const { t, locale } = textFor(c);
    const imports = await importsOf(deps.read, account.id);
    const when = (iso: string) =>
      new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso));
    return sendPage(
      c,
      site,
      t('import.title'),
      html`<h1>${t('import.title')}</h1>
<p>${t('import.explain', { max: String(MAX_IMPORT_ROWS) })}</p>
<p>${t('import.explain_posts', { mb: String(MAX_ARCHIVE_BYTES / 1024 / 1024) })}</p>
${message ? notice(message.text, message.kind) : ''}
<form method="post" action="/settings/import" enctype="multipart/form-data">${csrfField(browser.csrfToken(c))}
<p class="field"><label for="import-kind">${t('import.kind')}</label>
<select id="import-kind" name="kind">${[...IMPORT_KINDS, 'posts' as const].map((kind) => html`<option value="${kind}">${t(KIND_LABELS[kind])}</option>`)}</select></p>
<p class="field"><label for="import-file">${t('import.file')}</label>
<input id="import-file" name="data" type="file" accept=".csv,text/csv,.json,application/json,.zip,application/zip" required></p>
<button type="submit">${t('import.submit')}</button></form>
<section aria-labelledby="h-imports"><h2 id="h-imports">${t('import.history')}</h2>
${
  imports.length === 0
    ? html`<p>${t('import.none')}</p>`
    : html`<ul class="imports">${imports.map(
        (i) =>
          html`<li data-import="${i.id}" data-state="${i.state}">${t(KIND_LABELS[i.kind])} · <time datetime="${i.createdAt}">${when(i.createdAt)}</time> · ${t(
            i.state === 'done' ? 'import.done' : 'import.running',
            { processed: String(i.processed), total: String(i.total), failed: String(i.failed) },
          )}</li>`,
      )}</ul>`
}</section>`,
      { status: message?.kind === 'error' ? 422 : 200 },
    );
  };

  routes.use('/settings/import', async (c: Context<AppEnv>, next) => {
    if (!c.var.session) {
      if (c.req.method === 'GET') return c.redirect('/auth/sign_in?return_to=%2Fsettings%2Fimport', 303);
      throw new Unauthorized('Sign in first');
    }
    if (c.req.method !== 'GET') browser.checkCsrf(c);
    return next();
  });
  routes.get('/settings/import', (c) => page(c));
  routes.post('/settings/import', async (c) => {
    const { account } = c.var.session!;
    const { t } = textFor(c);
    const { kind, data } = c.var.body;
    if (typeof kind !== 'string' || (!(IMPORT_KINDS as readonly string[]).includes(kind) && kind !== 'posts'))
      return page(c, { text: t('import.bad_kind'), kind: 'error' });
    if (!(data instanceof Blob) || data.size === 0) return page(c, { text: t('import.no_file'), kind: 'error' });
    try {
      if (kind === 'posts') {
        const { posts } = await deps.imports.startArchive(account, new Uint8Array(await data.arrayBuffer()));
        return page(c, { text: t('import.queued_posts', { posts: String(posts) }), kind: 'info' });
      }
      const rows = parseImport(kind as ImportKind, await data.text());
      await deps.imports.start(account, kind as ImportKind, rows);
      return page(c, { text: t('import.queued', { rows: String(rows.length) }), kind: 'info' });
    } catch (error) {
      if (error instanceof Invalid || error instanceof Conflict) return page(c, { text: error.message, kind: 'error' });
      throw error;
    }
  });
  return routes;
}
