// `npm run bench:federation`: what a dead follower server costs the server that posts. Two `stoa serve`
// processes on 127.0.0.5 (A) and 127.0.0.6 (C); readers on C follow an account on A. Posting on A is
// measured with C up, then with C stopped (deliveries to it failing, then held), side by side; then C
// starts again and the time until every post has reached it is measured.
// Time per scenario: BENCH_SECONDS (10); connections: BENCH_CONNECTIONS (4); delivery pause: BENCH_DELIVERY_PAUSE (30 s).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createApp } from '../src/app/create-app.ts';
import { UNLIMITED_RATES } from '../src/testing/test-app.ts';
import { freePort } from '../src/testing/free-port.ts';
import { createLocalAccount } from '../src/domain/accounts/accounts.service.ts';
import { loadConfig } from '../src/config/index.ts';
import { systemClock } from '../src/lib/clock.ts';

const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 10);
const connections = Number(env.BENCH_CONNECTIONS ?? 4);
const READERS = 5;
// How long deliveries to the dead server are held before it is tried again (production default: 1800).
const pauseSeconds = Number(env.BENCH_DELIVERY_PAUSE ?? 30);
const log = (line: string) => process.stderr.write(`${line}\n`);
const children = new Set<ChildProcess>();
const dirs: string[] = [];

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A server's environment and data folder, with its accounts made before it starts. */
async function prepare(host: string, peer: string, usernames: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'stoa-bench-fed-'));
  dirs.push(dir);
  const port = await freePort(host);
  const serverEnv = {
    PATH: env.PATH ?? '',
    STOA_DATA_DIR: dir,
    DATABASE_URL: `sqlite:${join(dir, 'stoa.sqlite')}`,
    STOA_SECRET: 'bench-secret-that-is-at-least-32-characters',
    STOA_DOMAIN: `${host}:${port}`,
    STOA_BIND: host,
    STOA_PORT: String(port),
    STOA_INSECURE_HTTP: 'true',
    STOA_ALLOWED_PRIVATE_PEERS: peer,
    STOA_DELIVERY_PAUSE_SECONDS: String(pauseSeconds),
    STOA_LOG_LEVEL: 'error',
    ...UNLIMITED_RATES,
  };
  const config = loadConfig(serverEnv, dir);
  const app = await createApp(config);
  for (const username of usernames)
    await createLocalAccount(app.db, systemClock, config, {
      username,
      email: `${username}@example.org`,
      password: `${username} password is long`,
      confirmed: true,
    });
  await app.close();
  const server = { url: `http://${host}:${port}`, env: serverEnv, process: null as ChildProcess | null, start, stop };
  async function start() {
    const child = spawn(process.execPath, [new URL('../bin/stoa.js', import.meta.url).pathname, 'serve'], {
      env: serverEnv,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.add(child);
    server.process = child;
    await waitUntil(`${server.url} to start`, async () => (await fetch(`${server.url}/health`)).ok);
  }
  async function stop() {
    const child = server.process;
    if (!child) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    children.delete(child);
    server.process = null;
  }
  return server;
}

async function tokenFor(base: string, username: string): Promise<string> {
  const app = (await (
    await fetch(`${base}/api/v1/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'bench', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write follow' }),
    })
  ).json()) as { client_id: string; client_secret: string };
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: app.client_id,
      client_secret: app.client_secret,
      username,
      password: `${username} password is long`,
      scope: 'read write follow',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function postLoad(base: string, token: string, label: string) {
  let n = 0;
  const result = await autocannon({
    url: `${base}/api/v1/statuses`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ status: `${label} ${n++}` }) }) }],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    posts: result.requests.total,
    errors: result.non2xx + result.errors,
  };
}

try {
  const a = await prepare('127.0.0.5', '127.0.0.6', ['poster']);
  const c = await prepare(
    '127.0.0.6',
    '127.0.0.5',
    Array.from({ length: READERS }, (_, i) => `reader${i}`),
  );
  await a.start();
  await c.start();
  const posterToken = await tokenFor(a.url, 'poster');
  const readerTokens = await Promise.all(Array.from({ length: READERS }, (_, i) => tokenFor(c.url, `reader${i}`)));
  const acct = `poster@${a.env.STOA_DOMAIN}`;
  let posterOnC = '';
  for (const token of readerTokens) {
    const found = (await (
      await fetch(`${c.url}/api/v2/search?type=accounts&resolve=true&q=${encodeURIComponent(acct)}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { accounts: { id: string }[] };
    posterOnC = found.accounts[0]!.id;
    await fetch(`${c.url}/api/v1/accounts/${posterOnC}/follow`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  }
  await waitUntil(
    'the follows',
    async () =>
      ((await (await fetch(`${a.url}/api/v1/accounts/lookup?acct=poster`)).json()) as { followers_count: number }).followers_count ===
      READERS,
  );
  const countOnC = async () =>
    (
      (await (
        await fetch(`${c.url}/api/v1/accounts/${posterOnC}`, { headers: { authorization: `Bearer ${readerTokens[0]}` } })
      ).json()) as { statuses_count: number }
    ).statuses_count;

  log('Posting with the follower server up...');
  const up = await postLoad(a.url, posterToken, 'while up');
  await waitUntil('the deliveries while up', async () => (await countOnC()) >= up.posts, 300_000);
  log('Posting with the follower server down...');
  await c.stop();
  const down = await postLoad(a.url, posterToken, 'while down');
  log('Starting the follower server again...');
  const returned = performance.now();
  await c.start();
  const total = up.posts + down.posts;
  let lastReport = 0;
  await waitUntil(
    'every post on the returning server',
    async () => {
      const count = await countOnC();
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        log(`  ${count - up.posts} of ${down.posts} delivered`);
      }
      return count >= total;
    },
    600_000,
  );
  const resumedMs = performance.now() - returned;

  const pad = (s: string, w: number) => s.padEnd(w);
  console.log(
    `\nStoa federation benchmark: posting on A with ${READERS} followers on C; ${connections} connections, ${seconds} s per scenario\n`,
  );
  console.log(`${pad('scenario', 40)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('req/s', 8)} posts`);
  for (const [name, row] of [
    ['posting, follower server up', up],
    ['posting, follower server down', down],
  ] as const) {
    console.log(
      `${pad(name, 40)} ${pad(String(row.p50), 8)} ${pad(String(row.p99), 8)} ${pad(String(row.rps), 8)} ${row.posts}${row.errors ? ` (${row.errors} errors)` : ''}`,
    );
  }
  console.log(`\nposting p99, server down / up: ${(down.p99 / Math.max(up.p99, 1)).toFixed(2)}`);
  console.log(
    `all ${down.posts} posts made during the outage reached the returning server ${(resumedMs / 1000).toFixed(1)} s after it started (delivery pause: ${a.env.STOA_DELIVERY_PAUSE_SECONDS} s)`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
