import { isActor, Object as ApObject } from '@fedify/vocab';
import type { DocumentLoader } from '@fedify/vocab-runtime';
import type { Config } from '../../config/index.ts';
import { findAccountByHandle, findAccountByUri, type AccountRow } from '../../domain/accounts/accounts.repo.ts';
import type { AccountService } from '../../domain/accounts/accounts.service.ts';
import { contextLoader } from '../../federation/document-loader.ts';
import { profileOf } from '../../federation/remote-objects.ts';
import type { SafeFetch } from '../../federation/safe-fetch.ts';
import type { DbReader } from '../../storage/db/database.ts';

/**
 * The account behind `@user@host`, `user@host` or an actor URL, fetched (WebFinger, then the actor) and
 * stored if new; with `fresh`, a known remote account is read again from its server.
 */
export async function resolveAccount(
  deps: { read: DbReader; config: Config; accounts: AccountService; loader: DocumentLoader; safeFetch: SafeFetch },
  query: string,
  fresh: boolean,
): Promise<AccountRow | null> {
  const { read, config } = deps;
  let actorUrl: string | null = null;
  const handle = /^@?([a-z0-9_.-]+)@([a-z0-9.-]+(?::\d+)?)$/i.exec(query);
  if (handle) {
    const [, username, host] = handle as unknown as [string, string, string];
    const local = host.toLowerCase() === config.domain;
    const known = await findAccountByHandle(read, username, local ? null : host);
    if (local || (known && !fresh)) return known ?? null;
    const scheme = config.insecureHttp ? 'http' : 'https';
    const response = await deps.safeFetch(
      `${scheme}://${host}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${username}@${host}`)}`,
      {
        headers: { accept: 'application/jrd+json, application/json' },
      },
    );
    if (!response.ok) return null;
    const jrd = (await response.json()) as { links?: { rel?: string; type?: string; href?: string }[] };
    actorUrl = jrd.links?.find((l) => l.rel === 'self' && /activity\+json|ld\+json/.test(l.type ?? ''))?.href ?? null;
  } else if (/^https?:\/\//i.test(query)) {
    actorUrl = query;
  }
  if (!actorUrl) return null;
  const existing = await findAccountByUri(read, actorUrl);
  if (existing && (!fresh || existing.domain === null)) return existing;
  const { document } = await deps.loader(actorUrl);
  const object = await ApObject.fromJsonLd(document, { documentLoader: deps.loader, contextLoader });
  if (!isActor(object) || !object.id) return null;
  return deps.accounts.saveRemote(await profileOf(object));
}
