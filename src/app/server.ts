import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
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
          createServer(
            serverOptions,
            fast ? (req, res) => fast.take(req, res, listener) || listener(req, res) : listener,
          )) as typeof createServer,
      },
      () => resolve(s),
    ) as Server;
    s.once('error', reject);
  });
  server.on('clientError', answerClientError);
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

/** What Node's parser refused, answered in the API's JSON error shape instead of an empty response. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request line or headers are too large (16 KB at most)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request took too long to arrive']
        : [400, 'Bad Request', 'The request is not valid HTTP'];
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
