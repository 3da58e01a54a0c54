import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { uuid7 } from '../lib/uuid7.ts';
import { createApp } from './create-app.ts';
import { loadConfig } from '../config/index.ts';
import { startTestServer, testEnv, type TestServer } from '../testing/test-app.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer({
    STOA_NAME: 'Test <Stoa>',
    STOA_DESCRIPTION: 'A place to talk',
    STOA_CONTACT_EMAIL: 'admin@stoa.test',
    STOA_MAX_REQUEST_BYTES: '2048',
  });
});

after(() => server.close());

/** Sends a request with a body streamed in chunks and no Content-Length, as a client may. */
function chunkedPost(url: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('the in-process caches', () => {
  it('are kept only by a process that makes every write (no separate web and worker roles)', async () => {
    const env = testEnv(server.config.dataDir, server.database, { STOA_HOME_CACHE_MB: '16' });
    for (const [role, kept] of [
      ['all', true],
      ['web', false],
      ['worker', false],
    ] as const) {
      const app = await createApp(loadConfig(env), { role });
      try {
        assert.equal(app.services.homeCache !== null, kept, `home pages kept with --role ${role}`);
        assert.equal(app.fastPath !== null, kept, `answers from memory with --role ${role}`);
      } finally {
        await app.close();
      }
    }
  });
});

describe('health and readiness', () => {
  it('GET /health says the process is up', async () => {
    const res = await fetch(`${server.url}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('GET /ready checks the database', async () => {
    const res = await fetch(`${server.url}/ready`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready' });
  });
});

describe('GET /api/v2/instance and /api/v1/instance', () => {
  it("describe the configured server in Mastodon's Instance shape", async () => {
    const res = await fetch(`${server.url}/api/v2/instance`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as Record<string, any>;
    assert.equal(body.domain, 'stoa.test');
    assert.equal(body.title, 'Test <Stoa>');
    assert.equal(body.description, 'A place to talk');
    assert.match(body.version as string, /^4\.3\.0 \(compatible; Stoa \d+\.\d+\.\d+\)$/);
    assert.equal(body.contact.email, 'admin@stoa.test');
    assert.equal(body.configuration.urls.streaming, 'ws://stoa.test');
    assert.equal(typeof body.configuration.statuses.max_characters, 'number');
    assert.equal(body.registrations.enabled, true, 'the test server is open');
    assert.equal(body.registrations.url, 'http://stoa.test/auth/sign_up', 'apps are sent to the page that solves the proof of work');
    assert.equal(body.api_versions.mastodon, 2);
    assert.deepEqual(body.rules, []);

    const v1 = (await (await fetch(`${server.url}/api/v1/instance`)).json()) as Record<string, any>;
    assert.equal(v1.uri, 'stoa.test');
    assert.equal(v1.version, body.version);
    assert.deepEqual(Object.keys(v1.stats as object).sort(), ['domain_count', 'status_count', 'user_count']);
  });

  it('count local members, their posts and the servers known', async () => {
    const now = new Date().toISOString();
    const local = uuid7();
    await server.app.db.transaction(async (tx) => {
      await tx
        .insertInto('accounts')
        .values([
          { id: local, username: 'ann', domain: null, uri: `http://stoa.test/users/${local}`, created_at: now, updated_at: now },
          { id: uuid7(), username: 'ann', domain: 'far.example', uri: 'https://far.example/users/ann', created_at: now, updated_at: now },
        ])
        .execute();
      await tx
        .insertInto('statuses')
        .values({
          id: uuid7(),
          account_id: local,
          uri: `http://stoa.test/statuses/${uuid7()}`,
          visibility: 'public',
          created_at: now,
          updated_at: now,
        })
        .execute();
    });
    // The counts are cached for a minute; a second app on the same database sees them at once.
    const fresh = await createApp(server.config);
    try {
      const v1 = (await (await fresh.fetch(new Request(`${server.url}/api/v1/instance`))).json()) as Record<string, any>;
      assert.deepEqual(v1.stats, { user_count: 1, status_count: 1, domain_count: 1 });
      const v2 = (await (await fresh.fetch(new Request(`${server.url}/api/v2/instance`))).json()) as Record<string, any>;
      assert.equal(v2.usage.users.active_month, 1);
    } finally {
      await fresh.close();
    }
  });

  it('are read by a real Mastodon client library', async () => {
    const masto = createRestAPIClient({ url: server.url });
    const v2 = await masto.v2.instance.fetch();
    assert.equal(v2.domain, 'stoa.test');
    assert.equal(v2.contact.email, 'admin@stoa.test');
    const v1 = await masto.v1.instance.fetch();
    assert.equal(v1.uri, 'stoa.test');
  });
});

describe('errors', () => {
  it('an unknown route is a JSON 404', async () => {
    const res = await fetch(`${server.url}/api/v1/nothing-here`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'Not found' });
  });

  it('a browser asking for an unknown page gets a readable HTML 404', async () => {
    const res = await fetch(`${server.url}/no-such-page`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const html = await res.text();
    assert.match(html, /Page not found/);
    assert.match(html, /Test &lt;Stoa&gt;/, 'the site name is escaped');
  });

  it('a malformed JSON body is a 400 with a Mastodon error body', async () => {
    const res = await fetch(`${server.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"status": ',
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'The request body is not valid JSON' });
  });

  it('a JSON body that is not an object is a 400', async () => {
    const res = await fetch(`${server.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1,2]',
    });
    assert.equal(res.status, 400);
  });

  it('a body over the limit is a 413, whether declared or streamed', async () => {
    const big = JSON.stringify({ status: 'x'.repeat(4096) });
    const declared = await fetch(`${server.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    assert.equal(declared.status, 413);
    assert.match(((await declared.json()) as { error: string }).error, /larger than the limit of 2048 bytes/);
    const streamed = await chunkedPost(
      `${server.url}/api/v1/statuses`,
      Array.from({ length: 8 }, () => 'x'.repeat(512)),
    );
    assert.equal(streamed.status, 413);
    assert.match(JSON.parse(streamed.body).error as string, /larger than the limit/);
  });

  it('an unsupported body type is a 415', async () => {
    const res = await fetch(`${server.url}/api/v1/statuses`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: '<status/>',
    });
    assert.equal(res.status, 415);
    assert.match(((await res.json()) as { error: string }).error, /application\/json/);
  });

  it('a well-formed form body passes the parser and reaches routing', async () => {
    const res = await fetch(`${server.url}/api/v1/nothing-here`, { method: 'POST', body: new URLSearchParams({ status: 'hello' }) });
    assert.equal(res.status, 404);
  });
});

describe('response headers', () => {
  it('carry a request id and the security headers on every response', async () => {
    for (const path of ['/api/v2/instance', '/nothing', '/']) {
      const res = await fetch(`${server.url}${path}`);
      await res.arrayBuffer();
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'same-origin', path);
      assert.match(res.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
      assert.doesNotMatch(res.headers.get('content-security-policy') ?? '', /unsafe-inline|unsafe-eval/, path);
    }
  });

  it('give each request its own id', async () => {
    const ids = await Promise.all([1, 2, 3].map(async () => (await fetch(`${server.url}/health`)).headers.get('x-request-id')));
    assert.equal(new Set(ids).size, 3);
  });

  it('let browser-based Mastodon apps call the API across origins', async () => {
    const res = await fetch(`${server.url}/api/v2/instance`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.ok(res.status === 204 || res.status === 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /authorization/i);
  });
});

describe('the landing page', () => {
  it('is server-rendered HTML with the server name, escaped, and no script', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h1>Test &lt;Stoa&gt;<\/h1>/);
    assert.doesNotMatch(html, /<script/i);
    assert.match(res.headers.get('content-security-policy') ?? '', /style-src 'self'/);
    const css = await fetch(`${server.url}/static/stoa.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
  });

  it('serves the thumbnail the Instance entity names', async () => {
    const body = (await (await fetch(`${server.url}/api/v2/instance`)).json()) as { thumbnail: { url: string } };
    const path = new URL(body.thumbnail.url).pathname;
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });
});
