import type { Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../shared/app-env.ts';
import { readInput } from '../shared/input.ts';

/** Mastodon's paging parameters: `max_id` (older than), `since_id` / `min_id` (newer than), `limit`. */
export interface Page {
  maxId?: string | undefined;
  sinceId?: string | undefined;
  minId?: string | undefined;
  limit: number;
}

const id = z.string().max(64).optional();

const PageInput = z.object({ max_id: id, since_id: id, min_id: id, limit: z.coerce.number().int().optional() }).loose();

/** Reads the paging parameters (limit clamped to 1..max, default as Mastodon's). */
export function readPage(c: Context<AppEnv>, defaultLimit = 20, maxLimit = 40): Page {
  const input = readInput(c, PageInput);
  return {
    maxId: input.max_id,
    sinceId: input.since_id,
    minId: input.min_id,
    limit: Math.min(Math.max(input.limit ?? defaultLimit, 1), maxLimit),
  };
}

interface Ordered<Q> {
  where(column: string, op: '<' | '>', value: string): Q;
  orderBy(column: string, direction: 'asc' | 'desc'): Q;
  limit(n: number): Q;
}

/**
 * Applies a page to a query over a time-ordered id column (UUIDv7 strings sort by creation time). `min_id`
 * reads forward from the id (the oldest first, then reversed), the others read backward.
 */
export function applyPage<Q extends Ordered<Q>>(query: Q, column: string, page: Page): { query: Q; reversed: boolean } {
  let q = query;
  if (page.maxId) q = q.where(column, '<', page.maxId);
  if (page.sinceId) q = q.where(column, '>', page.sinceId);
  if (page.minId) return { query: q.where(column, '>', page.minId).orderBy(column, 'asc').limit(page.limit), reversed: true };
  return { query: q.orderBy(column, 'desc').limit(page.limit), reversed: false };
}

/** Sets Mastodon's `Link` header for the next (older) and previous (newer) pages of a list. */
export function setLinkHeader(c: Context<AppEnv>, publicUrl: string, ids: readonly string[]): void {
  const value = linkHeader(c, publicUrl, ids);
  if (value !== null) c.header('Link', value);
}

/** Mastodon's `Link` header for a page of `ids`, or null for an empty page. */
export function linkHeader(c: Context<AppEnv>, publicUrl: string, ids: readonly string[]): string | null {
  if (ids.length === 0) return null;
  const url = new URL(c.req.path, publicUrl);
  const params = new URL(c.req.url).searchParams;
  const link = (name: string, value: string) => {
    const next = new URL(url);
    for (const [k, v] of params) if (!['max_id', 'since_id', 'min_id'].includes(k)) next.searchParams.append(k, v);
    next.searchParams.set(name, value);
    return next.toString();
  };
  return `<${link('max_id', ids.at(-1)!)}>; rel="next", <${link('min_id', ids[0]!)}>; rel="prev"`;
}
