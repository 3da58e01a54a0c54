import { createRestAPIClient, type mastodon } from 'masto';
import { createLocalAccount } from '../domain/accounts/accounts.service.ts';
import { systemClock } from '../lib/clock.ts';
import type { TestServer } from './test-app.ts';

/** A confirmed local account with a token for every scope, and a Mastodon client library signed in as it. */
export interface TestAccount {
  readonly id: string;
  readonly username: string;
  readonly token: string;
  readonly client: mastodon.rest.Client;
}

let app: Promise<{ clientId: string; clientSecret: string }> | undefined;
let appServer: TestServer | undefined;

/** Creates accounts on a test server and signs each in with the password grant, as a command-line client. */
export async function createTestAccounts(server: TestServer, usernames: readonly string[]): Promise<TestAccount[]> {
  if (appServer !== server) {
    appServer = server;
    app = createRestAPIClient({ url: server.url })
      .v1.apps.create({ clientName: 'Tests', redirectUris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow push' })
      .then((a) => ({ clientId: a.clientId!, clientSecret: a.clientSecret! }));
  }
  const { clientId, clientSecret } = await app!;
  const accounts: TestAccount[] = [];
  for (const username of usernames) {
    const password = `${username} uses a long password`;
    const account = await createLocalAccount(server.app.db, systemClock, server.config, {
      username,
      email: `${username}@example.org`,
      password,
      confirmed: true,
    });
    const token = await passwordToken(server.url, { clientId, clientSecret }, username, password, 'read write follow push');
    accounts.push({ id: account.id, username, token, client: createRestAPIClient({ url: server.url, accessToken: token }) });
  }
  return accounts;
}

/** A token by the password grant (as a command-line client signs in); fails loudly if the server refuses. */
export async function passwordToken(
  url: string,
  app: { clientId?: string | null; clientSecret?: string | null },
  username: string,
  password: string,
  scope: string,
): Promise<string> {
  if (!app.clientId || !app.clientSecret) throw new Error('the application has no client credentials');
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: app.clientId,
      client_secret: app.clientSecret,
      username,
      password,
      scope,
    }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`password grant for ${username} refused: ${res.status} ${body.error ?? ''}`);
  return body.access_token;
}

/** An application's own token (the client credentials grant), signed in as no one. */
export async function clientCredentialsToken(
  url: string,
  app: { clientId?: string | null; clientSecret?: string | null },
  scope: string,
): Promise<string> {
  if (!app.clientId || !app.clientSecret) throw new Error('the application has no client credentials');
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.clientSecret, scope }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`client credentials grant refused: ${res.status} ${body.error ?? ''}`);
  return body.access_token;
}
