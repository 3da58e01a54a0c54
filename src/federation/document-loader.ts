import type { DocumentLoader, RemoteDocument } from '@fedify/vocab-runtime';
import { preloadedContexts } from '@fedify/vocab-runtime';
import { RefusedFetchError, type SafeFetch } from './safe-fetch.ts';

const AS_TYPES = /^application\/(activity\+json|ld\+json)\b/i;
const ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"';

/**
 * The JSON-LD document loader federation reads the network with: through the SSRF guard, ActivityStreams
 * content types only, and a document's `id` must be the URL it finally came from (after redirects): a
 * document found at another URL of its server (a profile's page URL, say) is fetched again at its `id`,
 * once, and must be found there, so that no page can speak for another object. Well-known contexts come
 * from memory.
 */
export function documentLoader(safeFetch: SafeFetch, sign?: (request: Request) => Promise<Request>): DocumentLoader {
  const fetchDocument = async (url: string, signal: AbortSignal | undefined) => {
    let request = new Request(url, { headers: { accept: ACCEPT }, ...(signal ? { signal } : {}) });
    if (sign) request = await sign(request);
    const response = await safeFetch(request);
    if (!response.ok) throw new RefusedFetchError(`${url} answered ${response.status}`);
    const type = response.headers.get('content-type') ?? '';
    if (!AS_TYPES.test(type)) throw new RefusedFetchError(`${url} is not an ActivityStreams document (${type || 'no content type'})`);
    const document: unknown = await response.json();
    const finalUrl = withoutFragment(response.url || url);
    const id = typeof document === 'object' && document !== null ? (document as { id?: unknown }).id : undefined;
    if (id !== undefined && typeof id !== 'string') throw new RefusedFetchError(`${finalUrl} served a document with a malformed id`);
    return { document, finalUrl, id };
  };
  return async (url, options): Promise<RemoteDocument> => {
    if (url in preloadedContexts) return { contextUrl: null, documentUrl: url, document: preloadedContexts[url] };
    const first = await fetchDocument(url, options?.signal);
    if (first.id === undefined || first.id === first.finalUrl)
      return { contextUrl: null, documentUrl: first.finalUrl, document: first.document };
    if (!sameOrigin(first.id, first.finalUrl))
      throw new RefusedFetchError(`${first.finalUrl} served a document whose id belongs elsewhere`);
    const again = await fetchDocument(first.id, options?.signal);
    if (again.id !== again.finalUrl || again.finalUrl !== first.id)
      throw new RefusedFetchError(`${first.id} is not found at its own id (fetched from ${first.finalUrl})`);
    return { contextUrl: null, documentUrl: again.finalUrl, document: again.document };
  };
}

/**
 * The loader of JSON-LD contexts: the well-known ones from memory, and nothing fetched. An unknown context
 * is read as empty (its terms are ignored), so that no remote context can rename a keyword or make this
 * server fetch on a sender's behalf.
 */
export const contextLoader: DocumentLoader = (url) =>
  Promise.resolve({ contextUrl: null, documentUrl: url, document: url in preloadedContexts ? preloadedContexts[url] : { '@context': {} } });

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
