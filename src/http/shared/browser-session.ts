import type { Config } from '../../config/index.ts';
import type { SessionService } from '../../domain/auth/sessions.service.ts';
import { signInRefusal } from '../../domain/auth/sign-in.service.ts';
import { Unauthorized } from '../../domain/errors.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { findAccountById, findUserByAccountId, type AccountRow, type UserRow } from '../../domain/accounts/accounts.repo.ts';
import { randomToken, constantTimeEqual } from '../../lib/secure-token.ts';
import type { AppEnv } from './app-env.ts';
import { HttpError } from './http-error.ts';

/** A signed-in browser: its session id and the person behind it. */
export interface BrowserSession {
  readonly id: string;
  readonly token: string;
  readonly account: AccountRow;
  readonly user: UserRow;
}

/** Cookie names: `__Host-` prefixed over https, which pins them to this host, path `/` and Secure. */
export function cookieNames(https: boolean) {
  const prefix = https ? '__Host-' : '';
  return {
    session: `${prefix}stoa_session`,
    csrf: `${prefix}stoa_csrf`,
    pending: `${prefix}stoa_pending`,
    webauthn: `${prefix}stoa_webauthn`,
  };
}

/** Cookie and CSRF handling for the pages (sign-in, consent, settings), shared by the web and OAuth surfaces. */
export interface BrowserSessions {
  /** Middleware that resolves the session cookie into `c.var.session`. */
  readonly middleware: MiddlewareHandler<AppEnv>;
  start(c: Context<AppEnv>, accountId: string): Promise<void>;
  end(c: Context<AppEnv>): Promise<void>;
  /** The CSRF token to embed in this browser's forms (setting its cookie if needed). */
  csrfToken(c: Context<AppEnv>): string;
  /** Throws 403 unless the form (or `X-CSRF-Token` header) carries this browser's token and the origin is ours. */
  checkCsrf(c: Context<AppEnv>): void;
  setShortCookie(c: Context<AppEnv>, name: 'pending' | 'webauthn', value: string, maxAgeSeconds: number): void;
  readShortCookie(c: Context<AppEnv>, name: 'pending' | 'webauthn'): string | undefined;
  clearShortCookie(c: Context<AppEnv>, name: 'pending' | 'webauthn'): void;
}

/** What these routes use. */
export interface BrowserSessionDeps {
  readonly config: Pick<Config, 'auth' | 'insecureHttp' | 'publicUrl' | 'secret'>;
  readonly read: DbReader;
  readonly sessions: SessionService;
}

/** Browser sessions over the session service, with cookies set for the configured public URL. */
export function browserSessions(deps: BrowserSessionDeps): BrowserSessions {
  const https = !deps.config.insecureHttp;
  const names = cookieNames(https);
  const origin = new URL(deps.config.publicUrl).origin;
  const csrfKey = createSecretKey(Buffer.from(hkdfSync('sha256', deps.config.secret, 'stoa', 'csrf-token', 32)));
  const csrfFor = (cookie: string) => createHmac('sha256', csrfKey).update(cookie).digest('base64url');
  const base = { httpOnly: true, secure: https, sameSite: 'Lax' as const, path: '/' };
  // A page may embed the token in several forms: the cookie set for the first must serve them all.
  const issuedThisRequest = new WeakMap<Request, string>();

  return {
    async middleware(c, next) {
      c.set('session', null);
      const token = getCookie(c, names.session);
      if (token) {
        const row = await deps.sessions.find(token);
        const account = row ? await findAccountById(deps.read, row.account_id) : undefined;
        const user = account ? await findUserByAccountId(deps.read, account.id) : undefined;
        if (row && account && user && !signInRefusal(account, user)) c.set('session', { id: row.id, token, account, user });
        else deleteCookie(c, names.session, base);
      }
      await next();
    },
    async start(c, accountId) {
      const account = await findAccountById(deps.read, accountId);
      const user = account ? await findUserByAccountId(deps.read, accountId) : undefined;
      const refusal = account && user ? signInRefusal(account, user) : 'Unknown account';
      if (refusal) throw new Unauthorized(refusal);
      const token = await deps.sessions.create(accountId, { userAgent: c.req.header('user-agent') ?? '', ip: c.var.clientIp });
      setCookie(c, names.session, token, { ...base, maxAge: Math.floor(deps.config.auth.sessionTtlMs / 1000) });
    },
    async end(c) {
      const session = c.var.session;
      if (session) await deps.sessions.destroy(session.token);
      deleteCookie(c, names.session, base);
    },
    csrfToken(c) {
      let cookie = issuedThisRequest.get(c.req.raw) ?? getCookie(c, names.csrf);
      if (!cookie || !/^[\w-]{43}$/.test(cookie)) {
        cookie = randomToken();
        issuedThisRequest.set(c.req.raw, cookie);
        setCookie(c, names.csrf, cookie, { ...base, maxAge: 7 * 24 * 3600 });
      }
      return csrfFor(cookie);
    },
    checkCsrf(c) {
      const sentOrigin = c.req.header('origin');
      if (sentOrigin && sentOrigin !== origin) throw new HttpError(403, 'This form was sent from another site');
      const cookie = getCookie(c, names.csrf);
      const body = c.var.body;
      const sent = typeof body._csrf === 'string' ? body._csrf : c.req.header('x-csrf-token');
      if (!cookie || !sent || !constantTimeEqual(sent, csrfFor(cookie))) {
        throw new HttpError(403, 'The form has expired or was not sent from this site; reload the page and try again');
      }
    },
    setShortCookie(c, name, value, maxAgeSeconds) {
      setCookie(c, names[name], value, { ...base, maxAge: maxAgeSeconds });
    },
    readShortCookie: (c, name) => getCookie(c, names[name]),
    clearShortCookie(c, name) {
      deleteCookie(c, names[name], base);
    },
  };
}
