import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { AppEnv } from '../shared/app-env.ts';

/** The few files pages need, read once at start and served from memory. */
const FILES: Record<string, { type: string; bytes: Uint8Array }> = {
  'stoa.css': { type: 'text/css; charset=utf-8', bytes: readStatic('stoa.css') },
  'thumbnail.png': { type: 'image/png', bytes: readStatic('thumbnail.png') },
  'avatar.png': { type: 'image/png', bytes: readStatic('avatar.png') },
  'header.png': { type: 'image/png', bytes: readStatic('header.png') },
  'passkey.js': { type: 'text/javascript; charset=utf-8', bytes: readStatic('passkey.js') },
  'pow.js': { type: 'text/javascript; charset=utf-8', bytes: readStatic('pow.js') },
};

function readStatic(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`./static/${name}`, import.meta.url)));
}

/** `GET /static/:name`: the stylesheet and images of the server-rendered pages. */
export function staticRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/static/:name', (c) => {
    const file = FILES[c.req.param('name')];
    if (!file) return c.notFound();
    c.header('Content-Type', file.type);
    c.header('Cache-Control', 'public, max-age=86400');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    return c.body(file.bytes.slice().buffer);
  });
  return routes;
}
