import type { PasskeyService } from '../../../domain/auth/passkeys.service.ts';
import type { SignInThrottle } from '../../../domain/auth/sign-in-throttle.ts';
import type { Signer } from '../../../lib/signed-value.ts';
import { Hono } from 'hono';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { HttpError } from '../../shared/http-error.ts';
import { safeReturnPath } from '../page.ts';

const CEREMONY_TTL_MS = 5 * 60 * 1000;

/**
 * Passkey sign-in, as a second factor (after the password, for the pending account) or on its own
 * (passwordless: any passkey registered here). JSON in and out, for `static/passkey.js`.
 */
/** What these routes use. */
export interface PasskeySignInRouteDeps {
  readonly passkeys: PasskeyService;
  readonly throttle: SignInThrottle;
  readonly signers: { readonly pendingSignIn: Signer; readonly webauthn: Signer };
}

export function passkeySignInRoutes(deps: PasskeySignInRouteDeps, browser: BrowserSessions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const pendingOf = (value: string | undefined) => deps.signers.pendingSignIn.verify<{ a: string; r: string }>(value);

  routes.post('/auth/passkey/options', async (c) => {
    browser.checkCsrf(c);
    const pending = pendingOf(browser.readShortCookie(c, 'pending'));
    const options = await deps.passkeys.authenticationOptions(pending?.a);
    browser.setShortCookie(
      c,
      'webauthn',
      deps.signers.webauthn.sign({ c: options.challenge, a: pending?.a ?? null, k: 'auth' }, CEREMONY_TTL_MS),
      CEREMONY_TTL_MS / 1000,
    );
    c.header('Cache-Control', 'no-store');
    return c.json(options);
  });

  routes.post('/auth/passkey', async (c) => {
    browser.checkCsrf(c);
    const ceremony = deps.signers.webauthn.verify<{ c: string; a: string | null; k: string }>(browser.readShortCookie(c, 'webauthn'));
    if (!ceremony || ceremony.k !== 'auth') throw new HttpError(400, 'The passkey request has expired; try again');
    browser.clearShortCookie(c, 'webauthn');
    const credential = c.var.body.credential as unknown as AuthenticationResponseJSON | undefined;
    if (!credential || typeof credential !== 'object' || typeof credential.id !== 'string')
      throw new HttpError(400, 'credential is required');
    const key = `passkey:${ceremony.a ?? c.var.clientIp}`;
    await deps.throttle.check(key, c.var.clientIp);
    let accountId: string;
    try {
      accountId = await deps.passkeys.authenticate(credential, ceremony.c, ceremony.a ?? undefined);
    } catch (error) {
      deps.throttle.recordFailure(key, c.var.clientIp);
      throw error;
    }
    deps.throttle.recordSuccess(key, c.var.clientIp);
    const pending = pendingOf(browser.readShortCookie(c, 'pending'));
    browser.clearShortCookie(c, 'pending');
    await browser.start(c, accountId);
    return c.json({ redirect: safeReturnPath(pending?.r ?? c.var.body.return_to) });
  });

  return routes;
}
