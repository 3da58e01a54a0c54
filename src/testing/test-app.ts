import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../app/create-app.ts';
import { startServer } from '../app/server.ts';
import { loadConfig, readEnv, type Config, type RawEnv } from '../config/index.ts';
import type { Clock } from '../lib/clock.ts';
import { freePort } from './free-port.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

/** A Stoa server on a free loopback port, with its own data folder and fresh database. */
export interface TestServer {
  readonly url: string;
  readonly app: App;
  readonly config: Config;
  readonly database: TestDatabase;
  /** Stops answering on its address (connections are refused), keeping its data and workers: a server that went down. */
  goOffline(): Promise<void>;
  /** Answers again on the same address and port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

/** Rate limits no test or benchmark reaches: they make many requests in a few seconds (the test of the limits sets its own). */
export const UNLIMITED_RATES = {
  STOA_API_RATE_LIMIT: '1000000000',
  STOA_API_RATE_LIMIT_ANONYMOUS: '1000000000',
  STOA_POST_RATE_LIMIT: '1000000000',
  STOA_APP_RATE_LIMIT: '1000000000',
  STOA_PAGE_RATE_LIMIT: '1000000000',
  STOA_FEDERATION_RATE_LIMIT: '1000000000',
} as const;

/** The configuration a test server runs with: loopback, a throwaway data folder, logs off. */
export function testEnv(dataDir: string, database: TestDatabase, overrides: RawEnv = {}): RawEnv {
  return {
    STOA_DOMAIN: 'stoa.test',
    STOA_INSECURE_HTTP: 'true',
    STOA_DATA_DIR: dataDir,
    DATABASE_URL: database.url,
    STOA_SECRET: 'test-secret-that-is-at-least-32-characters-long',
    STOA_LOG_LEVEL: 'silent',
    STOA_REGISTRATION: 'open',
    STOA_POW_BITS: '4',
    // Staff accounts in tests act without a second factor unless a test asks for the rule.
    STOA_STAFF_REQUIRE_2FA: 'false',
    ...UNLIMITED_RATES,
    // Media tools (ffmpeg, ffprobe, heif-dec) are looked up on the PATH, as for a real server.
    PATH: readEnv().PATH,
    ...overrides,
  };
}

/** How a test server is started beyond its environment. */
interface StartOptions {
  readonly clock?: Clock | undefined;
  /** Loopback address to listen on; 127.0.0.1 unless a test network needs another. */
  readonly hostname?: string;
  /** Port to listen on; 0 picks a free one. */
  readonly port?: number;
  /** Whether the worker role runs too (federation deliveries, cleanup). */
  readonly workers?: boolean;
  /** The database to run on (a fresh one on the engine under test unless given); closing drops it. */
  readonly database?: TestDatabase;
  /** The data folder (a new one unless given); closing removes it. */
  readonly dataDir?: string;
}

/** Starts a server over real HTTP, as clients reach it; `close()` removes everything it made. */
export async function startTestServer(overrides: RawEnv = {}, options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'stoa-data-'));
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig(testEnv(dataDir, database, overrides));
  const app = await createApp(config, { clock: options.clock });
  const hostname = options.hostname ?? '127.0.0.1';
  let server: Awaited<ReturnType<typeof startServer>> | null = await startServer(app, { port: options.port ?? 0, hostname });
  const url = server.url;
  const workers = options.workers ? app.startWorkers() : undefined;
  return {
    url,
    app,
    config,
    database,
    async goOffline() {
      await server?.stop(0);
      server = null;
    },
    async comeBack() {
      server ??= await startServer(app, { port: Number(new URL(url).port), hostname });
    },
    async close() {
      await server?.stop(1000);
      await workers?.stop();
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A server that federates: on its own loopback address (such as 127.0.0.2), its domain that address and
 * port, allowed to reach the `peers` over plain HTTP, with its workers (deliveries) running.
 */
export async function startFederatedServer(
  host: string,
  peers: readonly string[],
  overrides: RawEnv = {},
  options: Pick<StartOptions, 'database' | 'dataDir' | 'port'> = {},
): Promise<TestServer> {
  const port = options.port ?? (await freePort(host));
  return startTestServer(federatedEnv(host, port, peers, overrides), { ...options, hostname: host, port, workers: true });
}

/** The environment of a federating server at `host:port` that may reach `peers` over plain HTTP. */
export function federatedEnv(host: string, port: number, peers: readonly string[], overrides: RawEnv = {}): RawEnv {
  return { STOA_DOMAIN: `${host}:${port}`, STOA_ALLOWED_PRIVATE_PEERS: peers.join(','), ...overrides };
}
