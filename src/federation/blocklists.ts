import type { SafeFetch } from './safe-fetch.ts';

/** The largest blocklist read. */
const MAX_BYTES = 2 * 1024 * 1024;

/**
 * Fetches a subscribed blocklist (Mastodon's CSV) through the SSRF guard: a copy of the list, or why it
 * could not be read (an answer other than 200, a body that is not text, too large, unreachable).
 */
export async function fetchBlocklist(fetch: SafeFetch, url: string): Promise<{ csv: string } | { error: string }> {
  try {
    const response = await fetch(url, { headers: { accept: 'text/csv, text/plain;q=0.9' } });
    if (response.status !== 200) return { error: `${url} answered ${response.status}` };
    const type = response.headers.get('content-type') ?? '';
    if (type && !/^(text\/|application\/(csv|octet-stream))/i.test(type)) return { error: `${url} is ${type}, not CSV` };
    const text = await response.text();
    if (Buffer.byteLength(text) > MAX_BYTES) return { error: `${url} is larger than ${MAX_BYTES} bytes` };
    return { csv: text };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
