import { signRequest } from '@fedify/fedify';
import { Temporal } from '@js-temporal/polyfill';
import { findAccountByHandle } from '../domain/accounts/accounts.repo.ts';
import { actorKeyStore } from '../federation/actor-keys.ts';
import { secretBox } from '../lib/secret-box.ts';
import type { TestServer } from './test-app.ts';

/** How a hand-made delivery is sent: signed or not, its body tampered with after signing, a given date. */
export interface DeliveryOptions {
  readonly sign?: boolean;
  readonly tamper?: boolean;
  readonly date?: Date;
  /**
   * Sign by hand (draft-cavage) covering only these headers, as a sender that leaves some out would; for
   * example without `host`, so that the signature would be valid at every server.
   */
  readonly covering?: readonly string[];
}

/**
 * Posts activities to `to`'s shared inbox as `username` of the server `from`, signed (draft-cavage, as
 * Mastodon signs) with that account's own key: what another server's delivery looks like, for activities a
 * test writes by hand (a repeated Follow, a forged or stale one).
 */
export async function deliverer(from: TestServer, username: string, to: TestServer) {
  const account = await findAccountByHandle(from.app.db.read, username, null);
  if (!account) throw new Error(`no account ${username} on ${from.url}`);
  const keys = await actorKeyStore(from.app.db, Date.now, secretBox(from.config.secret, 'actor-keys')).get(account.id);
  const actorUri = `${from.url}/users/${username}`;
  return {
    actorUri,
    /** Sends the activity. */
    async deliver(body: unknown, options: DeliveryOptions = {}): Promise<Response> {
      return fetch(await this.signed(body, options));
    },
    /** The request `deliver` would send (to send it more than once). */
    async signed(body: unknown, options: DeliveryOptions = {}): Promise<Request> {
      const headers = { 'content-type': 'application/activity+json', ...(options.date ? { date: options.date.toUTCString() } : {}) };
      let request = new Request(`${to.url}/inbox`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (options.covering) {
        request = await signCovering(request, keys.rsa.privateKey, `${actorUri}#main-key`, options.covering);
      } else if (options.sign !== false) {
        request = await signRequest(request, keys.rsa.privateKey, new URL(`${actorUri}#main-key`), {
          spec: 'draft-cavage-http-signatures-12',
          currentTime: options.date ? Temporal.Instant.fromEpochMilliseconds(options.date.getTime()) : undefined,
        });
      }
      if (options.tamper) {
        request = new Request(request.url, {
          method: 'POST',
          headers: request.headers,
          body: JSON.stringify(body).replace('forged', 'FORGED'),
        });
      }
      return request;
    },
  };
}

/** A draft-cavage signature over exactly `covered` (with a digest of the body when it is listed). */
async function signCovering(
  request: Request,
  key: Parameters<typeof crypto.subtle.sign>[1],
  keyId: string,
  covered: readonly string[],
): Promise<Request> {
  const body = await request.clone().arrayBuffer();
  const headers = new Headers(request.headers);
  const url = new URL(request.url);
  if (!headers.has('date')) headers.set('date', new Date().toUTCString());
  headers.set('digest', `SHA-256=${Buffer.from(await crypto.subtle.digest('SHA-256', body)).toString('base64')}`);
  const line = (name: string) =>
    name === '(request-target)'
      ? `(request-target): ${request.method.toLowerCase()} ${url.pathname}`
      : `${name}: ${name === 'host' ? url.host : headers.get(name)}`;
  const signed = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, new TextEncoder().encode(covered.map(line).join('\n')));
  headers.set(
    'signature',
    `keyId="${keyId}",algorithm="rsa-sha256",headers="${covered.join(' ')}",signature="${Buffer.from(signed).toString('base64')}"`,
  );
  return new Request(request.url, { method: request.method, headers, body });
}
