import type { Config } from '../../../config/index.ts';
import type { TokenMinter } from '../../../domain/auth/token-format.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Db } from '../../../storage/db/database.ts';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { Hono, type Context } from 'hono';
import { webClientToken } from '../../../domain/auth/web-client.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { renderPage } from '../../shared/page-layout.ts';
import { html } from '../../shared/html.ts';

const DIST = new URL('../../../../web/dist/', import.meta.url).pathname;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
};

interface BuiltFile {
  type: string;
  bytes: Uint8Array;
  cache: string;
}

/** The built client (`web/dist`), read once: the page template and the files it loads. Null if not built. */
function loadBuild(folder: string): { shell: string; files: Map<string, BuiltFile> } | null {
  if (!existsSync(join(folder, 'index.html'))) return null;
  const files = new Map<string, BuiltFile>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const name = `/${relative(folder, path)}`;
        const type = TYPES[extname(name)];
        // The build's own reports and the page template are not served as files.
        if (!type || name === '/index.html') continue;
        // Hashed assets never change; the service worker must be checked on every visit; the rest for a day.
        const cache = name.startsWith('/assets/')
          ? 'public, max-age=31536000, immutable'
          : name === '/sw.js'
            ? 'no-cache'
            : 'public, max-age=86400';
        files.set(name, { type, bytes: new Uint8Array(readFileSync(path)), cache });
      }
    }
  };
  walk(folder);
  return { shell: readFileSync(join(folder, 'index.html'), 'utf8'), files };
}

/** JSON that may sit inside a `<script>` element: nothing in it can close the element or open a comment. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The web client (web/, built into web/dist): the app at `/` and `/web/*` for signed-in members, and its
 * files (hashed assets, service worker, manifest, icons, offline page). Visitors who are not signed in get
 * the landing page at `/` and are sent to sign in from `/web/*`.
 *
 * The page hands the app its API token in a JSON data block (not a script: the CSP allows no inline script).
 * See `domain/auth/web-client.ts` for why that token is safe to hand out and how it ends.
 */
/** What these routes use. */
export interface WebAppRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly db: Db;
  readonly minter: TokenMinter;
  readonly vapidKey: () => Promise<string>;
}

export function webAppRoutes(deps: WebAppRouteDeps, browser: BrowserSessions, dist = DIST): Hono<AppEnv> {
  const { config } = deps;
  const build = loadBuild(dist);
  const mediaOrigin = new URL(config.media.baseUrl).origin;
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${mediaOrigin}`,
    `media-src 'self' blob: ${mediaOrigin}`,
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const routes = new Hono<AppEnv>();

  const shell = async (c: Context<AppEnv>) => {
    const session = c.var.session!;
    if (!build) {
      c.header('Retry-After', '60');
      const body = html`<h1>The web app is not built</h1><p>Run <code>npm run build</code> on the server, then reload. Any Mastodon app can be used meanwhile.</p>`;
      return c.html(renderPage({ title: config.instance.name, siteName: config.instance.name, body }), 503);
    }
    const token = await webClientToken(deps.db, deps.clock, deps.minter, session);
    if (!token) return c.redirect('/auth/sign_in', 302);
    const state = {
      token,
      accountId: session.account.id,
      csrf: browser.csrfToken(c),
      vapidKey: await deps.vapidKey(),
    };
    const page = build.shell
      .replace('<title>Stoa</title>', `<title>${config.instance.name.replace(/[<>&"]/g, '')}</title>`)
      .replace('</head>', `<script type="application/json" id="stoa-state">${scriptSafeJson(state)}</script>\n</head>`);
    c.header('Content-Security-Policy', csp);
    // The page carries the session's token: never stored by a cache, never sent on as a referrer.
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'same-origin');
    return c.html(page);
  };

  routes.use('/', browser.middleware);
  routes.use('/web/*', browser.middleware);
  routes.use('/web', browser.middleware);
  routes.get('/', async (c, next) => (c.var.session ? shell(c) : next()));
  const inApp = (c: Context<AppEnv>) =>
    c.var.session
      ? shell(c)
      : c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(new URL(c.req.url).pathname + new URL(c.req.url).search)}`, 302);
  routes.get('/web', inApp);
  routes.get('/web/*', inApp);

  for (const [name, file] of build?.files ?? []) {
    routes.get(name, (c) => {
      c.header('Content-Type', file.type);
      c.header('Cache-Control', file.cache);
      if (name === '/sw.js') c.header('Content-Security-Policy', "default-src 'self'");
      return c.body(file.bytes.slice().buffer);
    });
  }
  return routes;
}
