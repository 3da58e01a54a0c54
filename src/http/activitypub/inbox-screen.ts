const INBOX_MAX_BYTES = 256 * 1024;

/**
 * What every inbox request must pass before Fedify verifies it: a size cap, an HTTP signature that covers
 * the host (an activity proven only by a JSON-LD signature or an embedded proof is refused), no `@graph`, `@reverse`
 * or `@included` anywhere (nor an inline context naming them otherwise), an activity id on its actor's server, and a server federation may talk to (not
 * suspended by a domain block, and allowed in allowlist mode).
 * Returns the request to hand on (its body read once), or the refusal.
 */
export async function screenInbox(
  request: Request,
  servers: { federates(host: string): boolean; rejectsReports(host: string): boolean },
): Promise<Request | Response> {
  if (!request.headers.has('signature') && !request.headers.has('signature-input')) return refuse(401, 'An HTTP signature is required');
  if (!coversAuthority(request.headers))
    return refuse(401, 'The signature must cover the host (draft-cavage `host`, RFC 9421 `@authority` or `@target-uri`)');
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > INBOX_MAX_BYTES) return refuse(413, 'Activity too large');
  let body: ArrayBuffer;
  try {
    body = await request.arrayBuffer();
  } catch {
    // The sender gave up mid-body: nothing to handle and nothing to log as an error.
    return refuse(400, 'The request body was not received whole');
  }
  if (body.byteLength > INBOX_MAX_BYTES) return refuse(413, 'Activity too large');
  let activity: unknown;
  try {
    activity = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return refuse(400, 'The body is not JSON');
  }
  if (typeof activity !== 'object' || activity === null || Array.isArray(activity)) return refuse(400, 'An activity is a JSON object');
  if (hasKeyword(activity, 0)) return refuse(400, '@graph, @reverse and @included are not accepted');
  const { id, actor, object, type } = activity as { id?: unknown; actor?: unknown; object?: unknown; type?: unknown };
  const actorId =
    typeof actor === 'string' ? actor : typeof actor === 'object' && actor !== null ? (actor as { id?: unknown }).id : undefined;
  const actorUrl = parseUrl(actorId);
  if (!actorUrl) return refuse(400, 'The activity has no actor');
  if (!servers.federates(actorUrl.host)) return refuse(403, 'This server does not federate with yours');
  // Reports from a server whose reports are rejected are taken and dropped, as Mastodon does.
  if (type === 'Flag' && servers.rejectsReports(actorUrl.host)) return new Response(null, { status: 202 });
  if (id !== undefined && parseUrl(id)?.origin !== actorUrl.origin) return refuse(400, "The activity's id is not on its actor's server");
  // What an actor creates, changes, deletes or takes back must be its own.
  if (typeof type === 'string' && ['Create', 'Update', 'Delete', 'Undo'].includes(type)) {
    const objectId =
      typeof object === 'string' ? object : typeof object === 'object' && object !== null ? (object as { id?: unknown }).id : undefined;
    if (parseUrl(objectId)?.origin !== actorUrl.origin) return refuse(400, "The object's id is not on its actor's server");
  }
  return new Request(request.url, { method: 'POST', headers: request.headers, body });
}

const refuse = (status: number, error: string) => Response.json({ error }, { status });

/**
 * Whether the signature names the server it was meant for, so that it cannot be replayed to another: a
 * draft-cavage signature must list `host` (its default list is `date` alone), an RFC 9421 one `@authority`
 * or `@target-uri` (every one of its signatures).
 */
export function coversAuthority(headers: Headers): boolean {
  const input = headers.get('signature-input');
  if (input !== null) {
    const lists = [...input.matchAll(/=\(([^)]*)\)/g)].map((m) => m[1]!.split(/\s+/).map((c) => c.replace(/"/g, '').toLowerCase()));
    return lists.length > 0 && lists.every((list) => list.includes('@authority') || list.includes('@target-uri'));
  }
  const signature = headers.get('signature') ?? '';
  const covered = /(?:^|,)\s*headers\s*=\s*"([^"]*)"/i.exec(signature)?.[1];
  return covered !== undefined && covered.toLowerCase().split(/\s+/).includes('host');
}

/**
 * Remembers the signatures of accepted deliveries for as long as a signature is valid, so that a captured
 * request cannot be replayed within its window. Kept in this process (a bounded number of entries).
 */
export function replayGuard(clock: () => number, windowMs: number, capacity = 200_000) {
  const seen = new Map<string, number>();
  const keyOf = (headers: Headers) => `${headers.get('signature') ?? ''}\n${headers.get('signature-input') ?? ''}`;
  return {
    /** Whether this request's signature was already used for an accepted delivery within the window. */
    replayed(headers: Headers): boolean {
      const at = seen.get(keyOf(headers));
      return at !== undefined && clock() - at < windowMs;
    },
    remember(headers: Headers): void {
      const key = keyOf(headers);
      seen.delete(key);
      seen.set(key, clock());
      while (seen.size > capacity) seen.delete(seen.keys().next().value!);
      // Entries past the window are dropped from the oldest end.
      for (const [old, at] of seen) {
        if (clock() - at < windowMs) break;
        seen.delete(old);
      }
    },
  };
}

const SHAPE_KEYWORDS = new Set(['@graph', '@reverse', '@included']);

/** Whether `@graph`, `@reverse` or `@included` is used anywhere: as a key, or under another name a context gives it. */
function hasKeyword(value: unknown, depth: number): boolean {
  if (depth > 32) return true;
  if (Array.isArray(value)) return value.some((v) => hasKeyword(v, depth + 1));
  if (typeof value !== 'object' || value === null) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (SHAPE_KEYWORDS.has(key)) return true;
    if (key === '@context' && aliasesKeyword(inner, depth + 1)) return true;
    if (hasKeyword(inner, depth + 1)) return true;
  }
  return false;
}

/** Whether an inline context defines a term as one of those keywords (`"g": "@graph"`, `"r": {"@reverse": ...}`). */
function aliasesKeyword(context: unknown, depth: number): boolean {
  if (depth > 32) return true;
  if (Array.isArray(context)) return context.some((c) => aliasesKeyword(c, depth + 1));
  if (typeof context !== 'object' || context === null) return false;
  return Object.values(context).some((definition) => {
    if (typeof definition === 'string') return SHAPE_KEYWORDS.has(definition);
    if (typeof definition !== 'object' || definition === null) return false;
    const { '@id': id } = definition as { '@id'?: unknown };
    return (typeof id === 'string' && SHAPE_KEYWORDS.has(id)) || '@reverse' in definition || aliasesKeyword(definition, depth + 1);
  });
}

function parseUrl(value: unknown): URL | null {
  if (typeof value !== 'string') return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
