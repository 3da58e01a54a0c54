import type { Config } from '../../config/index.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Db } from '../../storage/db/database.ts';
import { Hono, type Context } from 'hono';
import { findAppByClientId, OOB_REDIRECT, redirectUrisOf, type AppRow } from '../../domain/auth/apps.service.ts';
import { issueAuthorizationCode } from '../../domain/auth/codes.service.ts';
import { parseScopes, scopesWithin } from '../../domain/auth/scopes.ts';
import { Invalid } from '../../domain/errors.ts';
import type { AppEnv } from '../shared/app-env.ts';
import type { BrowserSessions } from '../shared/browser-session.ts';
import { html } from '../shared/html.ts';
import { HttpError } from '../shared/http-error.ts';
import { PAGE_CSP, renderPage } from '../shared/page-layout.ts';

/** A validated authorization request: the app, where to send the answer, and what is asked. */
interface AuthorizationRequest {
  app: AppRow;
  redirectUri: string;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | null;
}

/**
 * Validates the parameters before anything else. Until the app and redirect URI are known to match, errors
 * are shown on a page, never sent to the redirect URI (that would make this server an open redirector).
 */
async function parseRequest(deps: { db: Db }, params: Record<string, unknown>): Promise<AuthorizationRequest> {
  const get = (name: string) => (typeof params[name] === 'string' && params[name] !== '' ? params[name] : undefined);
  const app = await findAppByClientId(deps.db.read, get('client_id') ?? '');
  if (!app) throw new HttpError(400, 'This app is not registered on this server (unknown client_id)');
  const redirectUri = get('redirect_uri') ?? (redirectUrisOf(app).length === 1 ? redirectUrisOf(app)[0]! : '');
  if (!redirectUrisOf(app).includes(redirectUri))
    throw new HttpError(400, 'The redirect_uri does not exactly match one registered by this app');
  if ((get('response_type') ?? 'code') !== 'code') throw new HttpError(400, 'Only response_type=code is supported');
  let scopes: string[];
  try {
    scopes = parseScopes(get('scope'), 'read');
  } catch (error) {
    throw new HttpError(400, error instanceof Invalid ? error.publicMessage : 'Invalid scope');
  }
  if (!scopesWithin(scopes, app.scopes.split(' '))) throw new HttpError(400, 'The app asks for scopes it did not register');
  const challenge = get('code_challenge');
  const method = get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
  if (challenge && method !== 'S256') throw new HttpError(400, 'Only code_challenge_method=S256 is supported');
  if (challenge && !/^[\w-]{43}$/.test(challenge)) throw new HttpError(400, 'code_challenge must be a base64url SHA-256 digest');
  return { app, redirectUri, scopes, state: get('state'), codeChallenge: challenge ?? null };
}

/** Where the browser goes with the answer: the app's redirect URI with `code` or `error`, and `state`. */
function redirectTo(request: AuthorizationRequest, params: Record<string, string>): string {
  const url = new URL(request.redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  return url.toString();
}

/** Lets the consent form's redirect leave for the app (browsers apply form-action to redirects). */
function consentCsp(redirectUri: string): string {
  const url = new URL(redirectUri);
  const target = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
  return PAGE_CSP.replace("form-action 'self'", `form-action 'self' ${target}`);
}

/** What these routes use. */
export interface AuthorizeRouteDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly db: Db;
}

/** `GET /oauth/authorize` (sign in, then consent) and `POST /oauth/authorize` (the decision). */
export function authorizeRoutes(deps: AuthorizeRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const site = deps.config.instance.name;

  const page = (c: Context<AppEnv>, title: string, body: ReturnType<typeof html>, csp = PAGE_CSP) => {
    c.header('Content-Security-Policy', csp);
    c.header('Cache-Control', 'no-store');
    return c.html(renderPage({ title: `${title} - ${site}`, siteName: site, body }));
  };

  routes.get('/oauth/authorize', async (c) => {
    const query = Object.fromEntries(new URL(c.req.url).searchParams);
    const request = await parseRequest(deps, query);
    const session = c.var.session;
    if (!session || query.force_login === 'true') {
      if (session && query.force_login === 'true') await browser.end(c);
      const back = new URL(c.req.url);
      back.searchParams.delete('force_login');
      return c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(back.pathname + back.search)}`);
    }
    const hidden = Object.entries({
      client_id: request.app.client_id,
      redirect_uri: request.redirectUri,
      scope: request.scopes.join(' '),
      state: request.state ?? '',
      code_challenge: request.codeChallenge ?? '',
      code_challenge_method: request.codeChallenge ? 'S256' : '',
      _csrf: browser.csrfToken(c),
    }).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
    const body = html`<h1>Authorize ${request.app.name}?</h1>
<p><strong>${request.app.name}</strong> wants to use your account <strong>@${session.account.username}</strong> with these permissions:</p>
<ul class="scopes">${request.scopes.map((s) => html`<li><code>${s}</code></li>`)}</ul>
<form method="post" action="/oauth/authorize">${hidden}
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
<p class="note">You can revoke this at any time in your security settings.</p>`;
    return page(c, `Authorize ${request.app.name}`, body, consentCsp(request.redirectUri));
  });

  routes.post('/oauth/authorize', async (c) => {
    browser.checkCsrf(c);
    const session = c.var.session;
    if (!session) return c.redirect('/auth/sign_in');
    const request = await parseRequest(deps, c.var.body);
    if (c.var.body.decision !== 'approve') {
      if (request.redirectUri === OOB_REDIRECT)
        return page(c, 'Authorization denied', html`<h1>Authorization denied</h1><p>You can close this window.</p>`);
      return c.redirect(redirectTo(request, { error: 'access_denied', error_description: 'The user denied the request' }));
    }
    const code = await issueAuthorizationCode(deps.db, deps.clock, {
      appId: request.app.id,
      accountId: session.account.id,
      redirectUri: request.redirectUri,
      scopes: request.scopes,
      codeChallenge: request.codeChallenge,
    });
    if (request.redirectUri === OOB_REDIRECT) {
      return page(
        c,
        'Authorization code',
        html`<h1>Authorization code</h1><p>Copy this code and paste it into ${request.app.name}:</p><p><code class="code" id="authorization-code">${code}</code></p>`,
      );
    }
    return c.redirect(redirectTo(request, { code }));
  });

  return routes;
}
