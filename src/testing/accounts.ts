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
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: clientId,
        client_secret: clientSecret,
        username,
        password,
        scope: 'read write follow push',
      }),
    });
    const { access_token: token } = (await res.json()) as { access_token: string };
    accounts.push({ id: account.id, username, token, client: createRestAPIClient({ url: server.url, accessToken: token }) });
  }
  return accounts;
}
