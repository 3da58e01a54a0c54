import { parseArgs } from 'node:util';
import { createApp, type App } from '../app/create-app.ts';
import { startMovedServer } from '../app/moved-server.ts';
import { startServer, type RunningServer } from '../app/server.ts';
import type { Config } from '../config/index.ts';
import type { Workers } from '../workers/start-workers.ts';
import { EXIT, type CliIo, type Command } from './command.ts';
import { loadConfigOrReport, reportStartupError } from './load.ts';

const ROLES = ['web', 'worker', 'all'] as const;
type Role = (typeof ROLES)[number];

/** `stoa serve`: runs the web server, the workers, or both, until SIGTERM or SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the server (what npm start runs)',
  help: `Usage: stoa serve [--role web|worker|all]

Applies pending migrations, then runs until it receives SIGTERM or SIGINT (Ctrl-C),
when it stops accepting connections, lets requests in flight finish and closes
the database.

Options:
  --role web     serve HTTP only (the API, federation and pages)
  --role worker  run background jobs only
  --role all     both, in one process (the default)
  --help         show this help

With STOA_MOVED_TO set (the former domain of a server moved with stoa domain move), it opens no
database and redirects every request to the same path at the new address.`,
  async run(args, io) {
    let role: Role;
    try {
      const { values } = parseArgs({ args, options: { role: { type: 'string', default: 'all' } }, strict: true, allowPositionals: false });
      if (!ROLES.includes(values.role as Role)) throw new Error(`--role must be one of ${ROLES.join(', ')} (got "${values.role}")`);
      role = values.role as Role;
    } catch (error) {
      io.err((error as Error).message);
      return EXIT.usage;
    }
    const config = loadConfigOrReport(io);
    if (typeof config === 'number') return config;
    if (config.movedTo !== null) return serveMoved(config, config.movedTo, io);

    let app: App;
    try {
      app = await createApp(config, { role });
    } catch (error) {
      return reportStartupError(error, config, io);
    }
    const server = role === 'worker' ? undefined : await listen(app, io);
    if (server === null) {
      await app.close();
      return EXIT.unavailable;
    }
    const workers = role === 'web' ? undefined : app.startWorkers();
    // Uploads are processed by the process that received them; pick up those a restart interrupted.
    if (server) void app.services.media.recover().catch((error: unknown) => app.logger.error({ err: error }, 'media recovery failed'));
    app.logger.info({ role, url: server?.url, publicUrl: config.publicUrl }, 'Stoa started');
    if (server) io.err(`Stoa is serving ${config.publicUrl} (listening on ${server.url}). Press Ctrl-C to stop.`);
    return waitForSignal(app, server, workers);
  },
};

async function listen(app: App, io: CliIo): Promise<RunningServer | null> {
  try {
    return await startServer(app, { port: app.config.port, hostname: app.config.bind });
  } catch (error) {
    cannotListen(error, app.config, io);
    return null;
  }
}

function cannotListen(error: unknown, config: Config, io: CliIo): void {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EADDRINUSE' ? 'the port is in use by another program' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
  io.err(`Stoa cannot start: cannot listen on ${config.bind}:${config.port} (${why}). Set STOA_PORT or STOA_BIND.`);
}

/** The former domain of a moved server: only redirects, until a signal. */
async function serveMoved(config: Config, target: string, io: CliIo): Promise<number> {
  let server: RunningServer;
  try {
    server = await startMovedServer(target, { port: config.port, hostname: config.bind });
  } catch (error) {
    cannotListen(error, config, io);
    return EXIT.unavailable;
  }
  io.err(`Stoa moved to ${target}: ${config.publicUrl} redirects every request there (listening on ${server.url}). Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await server.stop(config.shutdownGraceMs);
  return EXIT.ok;
}

/** Resolves with the exit code once a signal has stopped everything in order. */
function waitForSignal(app: App, server: RunningServer | undefined, workers: Workers | undefined): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        app.logger.warn({ signal }, 'second signal: exiting at once');
        process.exit(130);
        return;
      }
      stopping = true;
      app.logger.info({ signal }, 'stopping: finishing requests in flight');
      void (async () => {
        await server?.stop(app.config.shutdownGraceMs);
        await workers?.stop();
        await app.close();
        app.logger.info('stopped');
        resolve(EXIT.ok);
      })();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
