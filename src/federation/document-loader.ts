import type { DocumentLoader, RemoteDocument } from '@fedify/vocab-runtime';
import { preloadedContexts } from '@fedify/vocab-runtime';
import { RefusedFetchError, type SafeFetch } from './safe-fetch.ts';

const AS_TYPES = /^application\/(activity\+json|ld\+json)\b/i;
const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/**
 * The JSON-LD document loader federation reads the network with: through the SSRF guard, ActivityStreams
 * content types only, and a document's `id` must have the origin of the URL it finally came from (after
 * redirects), so that no server can speak for another. Well-known contexts come from memory.
 */
export function documentLoader(safeFetch: SafeFetch, sign?: (request: Request) => Promise<Request>): DocumentLoader {
  return async (url, options): Promise<RemoteDocument> => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    let request = new Request(url, { headers: { accept: ACCEPT }, ...(options?.signal ? { signal: options.signal } : {}) });
    if (sign) request = await sign(request);
    const response = await safeFetch(request);
    if (!response.ok) throw new RefusedFetchError(`${url} answered ${response.status}`);
    const type = response.headers.get('content-type') ?? '';
    if (!AS_TYPES.test(type)) throw new RefusedFetchError(`${url} is not an ActivityStreams document (${type || 'no content type'})`);
    const document = await response.json();
    const finalUrl = response.url || url;
    const id = typeof document === 'object' && document !== null ? (document as { id?: unknown }).id : undefined;
    if (id !== undefined) {
      if (typeof id !== 'string' || !sameOrigin(id, finalUrl))
        throw new RefusedFetchError(`${finalUrl} served a document whose id belongs elsewhere`);
    }
    return { contextUrl: null, documentUrl: finalUrl, document };
  };
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
