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
    async deliver(body: unknown, options: DeliveryOptions = {}): Promise<Response> {
      const headers = { 'content-type': 'application/activity+json', ...(options.date ? { date: options.date.toUTCString() } : {}) };
      let request = new Request(`${to.url}/inbox`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (options.sign !== false) {
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
      return fetch(request);
    },
  };
}
