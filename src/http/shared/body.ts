import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { nestFormFields, type FieldValue } from './form-fields.ts';
import { HttpError } from './http-error.ts';
import { containsNul, NUL_REFUSED } from './nul.ts';

/** A request body after parsing: field names to values, whatever the content type was. */
export type ParsedBody = Record<string, FieldValue>;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads and parses the body of API requests once, as Mastodon clients send it (JSON, URL-encoded form or
 * multipart form), refusing more than `maxBytes` (413) and malformed input (400) before any handler runs.
 */
export function parseBody(limit: number | ((path: string) => number)): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('body', {});
    if (!METHODS_WITH_BODY.has(c.req.method)) return next();
    const maxBytes = typeof limit === 'number' ? limit : limit(c.req.path);
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    const bytes = await readLimited(c.req.raw.body, maxBytes);
    if (bytes.byteLength === 0) return next();
    const body = await parse(bytes, c.req.header('content-type') ?? '');
    if (containsNul(body)) throw new HttpError(400, NUL_REFUSED);
    c.set('body', body);
    return next();
  };
}

async function parse(bytes: Uint8Array<ArrayBuffer>, contentType: string): Promise<ParsedBody> {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return parseJson(bytes);
  if (type === 'application/x-www-form-urlencoded') {
    return nestForm(new URLSearchParams(new TextDecoder().decode(bytes)).entries());
  }
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw new HttpError(400, 'The request body is not a valid multipart form');
    }
    return nestForm(form.entries());
  }
  throw new HttpError(415, 'Send the request body as application/json, application/x-www-form-urlencoded or multipart/form-data');
}

function parseJson(bytes: Uint8Array): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'The request body must be a JSON object');
  }
  return value as ParsedBody;
}

function nestForm(entries: Iterable<[string, string | File]>): ParsedBody {
  try {
    return nestFormFields(entries);
  } catch (error) {
    throw new HttpError(
      400,
      error instanceof RangeError ? `The request body is too complex: ${error.message}` : 'The request body is malformed',
    );
  }
}

/** Reads a body stream, stopping (413) as soon as it passes the limit instead of buffering all of it. */
async function readLimited(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  if (!stream) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      throw new HttpError(400, 'The request body was not received completely');
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `The request body is larger than the limit of ${maxBytes} bytes`);
}
