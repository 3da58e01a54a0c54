// `npm run bench`: builds a deterministic data set, starts Stoa on it (one `stoa serve` process), and
// measures the main read and write paths with a load generator on loopback, next to a bare node:http
// server that returns the same bytes. Sizes: BENCH_USERS (20000), BENCH_STATUSES (1000000); time per
// scenario: BENCH_SECONDS (10); concurrent connections: BENCH_CONNECTIONS (10); BENCH_ROLE (all) the role the
// server runs (`web` leaves the workers out); BENCH_CPU_PROFILE=<folder> writes the server's CPU profile there.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { createApp } from '../src/app/create-app.ts';
import { UNLIMITED_RATES } from '../src/testing/test-app.ts';
import { freePort } from '../src/testing/free-port.ts';
import { loadConfig } from '../src/config/index.ts';
import { generate } from './bench/generate.ts';

const env = process.env;
const sizes = { users: Number(env.BENCH_USERS ?? 20_000), statuses: Number(env.BENCH_STATUSES ?? 1_000_000) };
const seconds = Number(env.BENCH_SECONDS ?? 10);
const connections = Number(env.BENCH_CONNECTIONS ?? 10);
const role = env.BENCH_ROLE ?? 'all';
const node = process.execPath;
const log = (line: string) => process.stderr.write(`${line}\n`);

const PHOTO_SIZE = { width: 2400, height: 1600 };

/** A photo of about 2 MB: a JPEG of noisy gradients, as hard to compress as a real one. */
async function benchPhoto(): Promise<Uint8Array> {
  const { width, height } = PHOTO_SIZE;
  const raw = Buffer.alloc(width * height * 3);
  let seed = 42;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    raw[i] = (((i / 3) % width) / 10 + (seed % 48)) & 0xff;
  }
  return new Uint8Array(
    await sharp(raw, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 93 })
      .toBuffer(),
  );
}

async function waitUntilUp(url: string) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}

interface Row {
  scenario: string;
  p50: number;
  p99: number;
  rps: number;
  note?: string;
}

async function load(
  url: string,
  options: { token?: string; method?: 'GET' | 'POST'; body?: () => string } = {},
): Promise<Omit<Row, 'scenario'>> {
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  if (options.body) headers['content-type'] = 'application/json';
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: options.method ?? 'GET',
    headers,
    requests: options.body ? [{ setupRequest: (req) => ({ ...req, body: options.body!() }) }] : undefined,
  });
  const errors = result.non2xx + result.errors;
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
    note: errors ? `${errors} errors/non-2xx` : undefined,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'stoa-bench-'));
const dbPath = join(dir, 'stoa.sqlite');
const secret = 'bench-secret-that-is-at-least-32-characters';
const port = await freePort();
const serverEnv = {
  PATH: env.PATH ?? '',
  STOA_DATA_DIR: dir,
  DATABASE_URL: `sqlite:${dbPath}`,
  STOA_SECRET: secret,
  STOA_DOMAIN: 'bench.test',
  STOA_INSECURE_HTTP: 'true',
  STOA_PORT: String(port),
  STOA_LOG_LEVEL: 'warn',
  STOA_STATUS_SEARCH: 'visible',
  ...UNLIMITED_RATES,
};
const children: ChildProcess[] = [];
try {
  log(`Generating ${sizes.users} users and ${sizes.statuses} statuses...`);
  const genStart = performance.now();
  const app = await createApp(loadConfig(serverEnv, dir));
  await app.close();
  const data = await generate(dbPath, secret, 'http://bench.test', sizes, log);
  log(`generated in ${((performance.now() - genStart) / 1000).toFixed(1)} s`);

  const server = spawn(
    node,
    [
      '--max-semi-space-size=4',
      ...(env.BENCH_CPU_PROFILE ? [`--cpu-prof`, `--cpu-prof-dir=${env.BENCH_CPU_PROFILE}`] : []),
      new URL('../bin/stoa.js', import.meta.url).pathname,
      'serve',
      // By default every role in one process, as `npm start` runs it (the sole writer: its caches are on).
      '--role',
      role,
    ],
    { env: serverEnv, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${base}/health`);

  const rows: Row[] = [];
  const home = `${base}/api/v1/timelines/home?limit=20`;
  const sample = await (await fetch(home, { headers: { authorization: `Bearer ${data.heavyReader.token}` } })).arrayBuffer();
  const barePort = await freePort();
  const bare = spawn(
    node,
    [
      '-e',
      `const b=Buffer.from(process.argv[1],'base64');require('node:http').createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json'});s.end(b)}).listen(${barePort},'127.0.0.1')`,
      Buffer.from(sample).toString('base64'),
    ],
    { stdio: 'ignore' },
  );
  children.push(bare);
  await waitUntilUp(`http://127.0.0.1:${barePort}/`);

  log('Measuring...');
  const bareRow = await load(`http://127.0.0.1:${barePort}/`);
  rows.push({ scenario: `bare node:http, same ${sample.byteLength} bytes`, ...bareRow });
  const homeRow = await load(home, { token: data.heavyReader.token });
  rows.push({ scenario: 'home timeline, 20 items (follows 2,000)', ...homeRow });
  rows.push({
    scenario: 'home timeline, 20 items (a follower of the big account)',
    ...(await load(home, { token: data.followerTokens[0]! })),
  });
  // The same reader while an account it follows posts five times a second: each post drops the
  // reader's cached page, so this is the cost of pages built afresh several times a second.
  let churnPosts = 0;
  const churnUntil = performance.now() + seconds * 1000;
  const churn = (async () => {
    while (performance.now() < churnUntil) {
      await fetch(`${base}/api/v1/statuses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${data.bigAccount.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: `churn ${churnPosts++}` }),
      });
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const churnRow = await load(home, { token: data.heavyReader.token });
  await churn;
  rows.push({ scenario: 'home timeline (follows 2,000), a followed account posting 5/s', ...churnRow, note: `${churnPosts} posts` });
  rows.push({
    scenario: `thread of 100 replies (context)`,
    ...(await load(`${base}/api/v1/statuses/${data.threadRootId}/context`, { token: data.heavyReader.token })),
  });
  rows.push({
    scenario: 'notifications, 40 items',
    ...(await load(`${base}/api/v1/notifications?limit=40`, { token: data.bigAccount.token })),
  });
  rows.push({
    scenario: 'full-text search (statuses)',
    ...(await load(`${base}/api/v2/search?type=statuses&q=${data.searchWord}`, { token: data.heavyReader.token })),
  });
  let n = 0;
  rows.push({
    scenario: `posting, by an account with ${data.bigAccount.followers} followers`,
    ...(await load(`${base}/api/v1/statuses`, {
      token: data.bigAccount.token,
      method: 'POST',
      body: () => JSON.stringify({ status: `bench post ${n++} #bench` }),
    })),
  });

  // Media: a 2 MB photo processed while the client waits (POST /api/v1/media), then the home timeline
  // measured again while a burst of photos is processed in the background.
  const photo = await benchPhoto();
  const uploadOnce = async (version: 'v1' | 'v2', token: string) => {
    const form = new FormData();
    form.set('file', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
    const started = performance.now();
    const res = await fetch(`${base}/api/${version}/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    if (!res.ok) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    return performance.now() - started;
  };
  const processing: number[] = [];
  for (let i = 0; i < 5; i++) processing.push(await uploadOnce('v1', data.bigAccount.token));
  processing.sort((a, b) => a - b);
  let burstUploads = 0;
  const burstUntil = performance.now() + seconds * 1000;
  const burst = (async () => {
    while (performance.now() < burstUntil && burstUploads < 40) {
      await uploadOnce('v2', data.heavyReader.token);
      burstUploads += 1;
    }
  })();
  const homeDuringUploads = await load(home, { token: data.heavyReader.token });
  await burst;
  rows.push({
    scenario: 'home timeline (follows 2,000) during an upload burst',
    ...homeDuringUploads,
    note: `${burstUploads} photos of ${(photo.byteLength / 1e6).toFixed(1)} MB uploaded`,
  });

  // Time from a post's answer until every sampled follower's home timeline shows it.
  const posted = (await (
    await fetch(`${base}/api/v1/statuses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${data.bigAccount.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'is it everywhere yet?' }),
    })
  ).json()) as { id: string };
  const t0 = performance.now();
  const pending = new Set(data.followerTokens);
  while (pending.size && performance.now() - t0 < 10_000) {
    await Promise.all(
      [...pending].map(async (token) => {
        const list = (await (await fetch(home, { headers: { authorization: `Bearer ${token}` } })).json()) as { id: string }[];
        if (list.some((s) => s.id === posted.id)) pending.delete(token);
      }),
    );
  }
  const visibleMs = Math.round(performance.now() - t0);
  const memory = rssMb(server.pid!);

  const ratio = homeRow.rps / bareRow.rps;
  const pad = (s: string, w: number) => s.padEnd(w);
  console.log(
    `\nStoa benchmark: ${sizes.users} users, ${sizes.statuses} statuses, ${data.follows} follows; SQLite; role ${role}; ${connections} connections, ${seconds} s per scenario\n`,
  );
  console.log(`${pad('scenario', 58)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)} ${pad('req/s', 8)}`);
  for (const r of rows)
    console.log(
      `${pad(r.scenario, 58)} ${pad(String(r.p50), 8)} ${pad(String(r.p99), 8)} ${pad(String(r.rps), 8)}${r.note ? `  (${r.note})` : ''}`,
    );
  console.log(`\nhome timeline / bare node:http throughput ratio: ${ratio.toFixed(2)}`);
  console.log(
    `a new post was in all ${data.followerTokens.length} sampled followers' home timelines ${pending.size ? 'NOT within 10 s' : `after ${visibleMs} ms`}`,
  );
  console.log(
    `a ${(photo.byteLength / 1e6).toFixed(1)} MB photo (${PHOTO_SIZE.width}x${PHOTO_SIZE.height} JPEG) took ${Math.round(processing[2]!)} ms to upload and process (median of ${processing.length}; fastest ${Math.round(processing[0]!)} ms)`,
  );
  console.log(
    `home timeline p99 during the upload burst / at rest: ${(homeDuringUploads.p99 / Math.max(homeRow.p99, 1)).toFixed(2)} (${homeDuringUploads.p99} ms / ${homeRow.p99} ms)`,
  );
  console.log(`server RSS: ${memory.rss} MB now, ${memory.peak} MB peak`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
