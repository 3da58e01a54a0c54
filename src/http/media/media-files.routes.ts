import type { BlobStore } from '../../storage/blobs/blob-store.ts';
import { Hono } from 'hono';
import { blobContentType, isBlobKey, type ByteRange } from '../../storage/blobs/blob-store.ts';
import type { AppEnv } from '../shared/app-env.ts';

/** Files never run as a page: no scripts, no plugins, no frames, no sniffing. */
const FILE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; media-src 'self'; sandbox",
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'public, max-age=31536000, immutable',
  'Accept-Ranges': 'bytes',
};

/** One `bytes=` range (the only kind players ask for); undefined for none, null for one we cannot serve. */
function parseRange(header: string | undefined): ByteRange | undefined | null {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') return { start: -Number(match[2]) };
  const start = Number(match[1]);
  const end = match[2] === '' ? undefined : Number(match[2]);
  return end !== undefined && end < start ? null : { start, end };
}

/**
 * `/media/<key>`: stored files with their stored type, a sandboxing CSP, long caching and byte ranges
 * for players. The key is checked against the shape the server makes, so no other path can be named.
 */
/** What these routes use. */
export interface MediaFileRouteDeps {
  readonly blobs: BlobStore;
}

export function mediaFileRoutes(deps: MediaFileRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.on(['GET', 'HEAD'], '/media/*', async (c) => {
    const key = c.req.path.slice('/media/'.length);
    if (!isBlobKey(key)) return c.json({ error: 'Record not found' }, 404, FILE_HEADERS);
    let range = parseRange(c.req.header('range'));
    if (range === null) return c.body(null, 416, FILE_HEADERS);
    if (range && range.start < 0) {
      // A suffix range (the last N bytes) needs the size first.
      const whole = await deps.blobs.get(key, { start: 0, end: 0 });
      if (!whole) return c.json({ error: 'Record not found' }, 404, FILE_HEADERS);
      await (whole.kind === 'found' ? whole.body.cancel() : undefined);
      range = { start: Math.max(0, whole.size + range.start) };
    }
    const read = await deps.blobs.get(key, range);
    if (!read) return c.json({ error: 'Record not found' }, 404, FILE_HEADERS);
    if (read.kind === 'unsatisfiable') return c.body(null, 416, { ...FILE_HEADERS, 'Content-Range': `bytes */${read.size}` });
    const headers: Record<string, string> = {
      ...FILE_HEADERS,
      'Content-Type': blobContentType(key),
      'Content-Length': String(read.end - read.start + 1),
    };
    if (c.req.method === 'HEAD') {
      await read.body.cancel();
      return c.body(null, 200, headers);
    }
    if (range) return c.body(read.body, 206, { ...headers, 'Content-Range': `bytes ${read.start}-${read.end}/${read.size}` });
    return c.body(read.body, 200, headers);
  });
  return app;
}
