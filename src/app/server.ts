import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { serve } from '@hono/node-server';
import type { App } from './create-app.ts';

/** A listening HTTP server and the way to stop it gracefully. */
export interface RunningServer {
  /** The origin it listens on, such as `http://127.0.0.1:3000`. */
  readonly url: string;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then closes what is
   * left. Does not close the app: the caller decides when its resources go.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Serves `app` over HTTP on the given address (`port` 0 picks a free one). */
export async function startServer(app: App, options: { port: number; hostname: string }): Promise<RunningServer> {
  const server = await new Promise<Server>((resolve, reject) => {
    const fast = app.fastPath;
    const s = serve(
      {
        fetch: (request, env) => app.fetch(request, env),
        port: options.port,
        hostname: options.hostname,
        overrideGlobalObjects: false,
        // The app's fast path sees each request first; what it does not take goes through @hono/node-server.
        createServer: ((serverOptions: ServerOptions, listener: RequestListener) =>
          createServer(serverOptions, fast ? (req, res) => fast.take(req, res, listener) || listener(req, res) : listener)) as typeof createServer,
      },
      () => resolve(s),
    ) as Server;
    s.once('error', reject);
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    stop: (graceMs = 10_000) =>
      (stopping ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        // A keep-alive connection turns idle when its last response is sent: close it then, not after its timeout.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
      })),
  };
}
