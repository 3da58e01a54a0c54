import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from './server.ts';

/**
 * The former domain of a server that moved (`STOA_MOVED_TO`): every request is sent to the same path and
 * query at the new address, permanently (301 for reads, 308 for the rest, so that a client repeats its
 * method and body there). Pages, actors, posts and media keep working through their old links while the
 * old domain answers. Nothing is stored and no database is opened; `/health` still answers here, for
 * the operator's monitoring.
 */
export function movedHandler(target: string) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url?.startsWith('/') ? req.url : '/';
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: 'ok', moved_to: target }));
      return;
    }
    const read = req.method === 'GET' || req.method === 'HEAD';
    res.writeHead(read ? 301 : 308, {
      location: `${target}${path}`,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'public, max-age=86400',
      'access-control-allow-origin': '*',
    });
    res.end(req.method === 'HEAD' ? undefined : `This server moved to ${target}.\n`);
    req.resume();
  };
}

/** Listens with the redirecting handler; `stop` closes it. */
export async function startMovedServer(target: string, options: { port: number; hostname: string }): Promise<RunningServer> {
  const server = createServer(movedHandler(target));
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.hostname, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    stop: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        setTimeout(() => server.closeAllConnections(), graceMs).unref();
        server.closeIdleConnections();
        server.close(() => resolve());
      }),
  };
}
