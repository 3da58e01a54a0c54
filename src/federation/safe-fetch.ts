import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy.ts';

/** Why an outgoing request was not made, or was cut short. */
export class RefusedFetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedFetchError';
  }
}

export interface SafeFetchOptions {
  readonly policy: AddressPolicy;
  /** Whether `http:` URLs may be fetched at all (only for test networks; HTTPS otherwise). */
  readonly allowHttp: boolean;
  /** Largest response body read, in bytes; a longer one fails the request. */
  readonly maxBytes?: number;
  /** Time for the whole exchange, redirects included. */
  readonly timeoutMs?: number;
  readonly maxRedirects?: number;
  readonly userAgent: string;
  /** The name resolver (tests give one that answers what they need). */
  readonly lookup?: typeof dnsLookup;
  /** Whether this server may fetch from a host at all (domain blocks); every redirect is asked too. */
  readonly hostAllowed?: (host: string) => boolean;
}

/** `fetch`, for URLs that came from the network. */
export type SafeFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The one way Stoa makes requests to URLs it was given by others (federation, remote media, link
 * previews). Before connecting, the host name is resolved and every address it resolves to must be
 * public; the connection then goes to exactly the address that was checked, so a name cannot resolve
 * to something else between the check and the use. Redirects are followed by hand and checked again,
 * bodies are capped and the whole exchange has a deadline.
 */
export function createSafeFetch(options: SafeFetchOptions): SafeFetch {
  const maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const resolve = options.lookup ?? dnsLookup;

  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname, { all: true, family: lookupOptions.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses;
      const refused = list.find((a) => !options.policy.allows(a.address));
      if (list.length === 0 || refused) {
        return callback(new RefusedFetchError(`${hostname} resolves to ${refused?.address ?? 'nothing'}, which may not be fetched`), '', 0);
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };

  return async (input, init = {}) => {
    if (!(input instanceof Request)) checkUrl(new URL(input), options);
    const request = input instanceof Request ? input : new Request(input, init);
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : []), request.signal]);
    const manual = (init.redirect ?? request.redirect) === 'manual';
    let url = new URL(request.url);
    let method = request.method;
    let body: Buffer | null = method === 'GET' || method === 'HEAD' ? null : Buffer.from(await request.arrayBuffer());
    const headers = new Headers(request.headers);
    if (!headers.has('user-agent')) headers.set('user-agent', options.userAgent);
    for (let hop = 0; ; hop++) {
      checkUrl(url, options);
      const response = await exchange(url, method, headers, body, { signal, lookup: guardedLookup, maxBytes });
      if (!REDIRECTS.has(response.status) || manual) return withUrl(response, url);
      if (hop >= maxRedirects) throw new RefusedFetchError(`more than ${maxRedirects} redirects from ${request.url}`);
      const location = response.headers.get('location');
      if (!location) return withUrl(response, url);
      const next = new URL(location, url);
      // Credentials never follow a request to another origin.
      if (next.origin !== url.origin) {
        headers.delete('authorization');
        headers.delete('cookie');
        headers.delete('signature');
        headers.delete('signature-input');
      }
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = null;
        headers.delete('content-type');
        headers.delete('digest');
        headers.delete('content-digest');
      }
      url = next;
    }
  };
}

function checkUrl(url: URL, options: SafeFetchOptions): void {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowHttp)) {
    throw new RefusedFetchError(`${url.protocol} URLs may not be fetched`);
  }
  if (url.username || url.password) throw new RefusedFetchError('URLs with credentials may not be fetched');
  if (options.hostAllowed && !options.hostAllowed(url.host)) throw new RefusedFetchError(`${url.host} is blocked by this server`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !options.policy.allows(host)) throw new RefusedFetchError(`${host} may not be fetched`);
  if (isIP(host) === 0 && !/^[a-z0-9.-]+$/i.test(host)) throw new RefusedFetchError(`${host} is not a host name`);
}

interface ExchangeOptions {
  readonly signal: AbortSignal;
  readonly lookup: LookupFunction;
  readonly maxBytes: number;
}

/** One request and its whole (capped) response, over a connection to a checked address. */
function exchange(url: URL, method: string, headers: Headers, body: Buffer | null, options: ExchangeOptions): Promise<Response> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing: Record<string, string> = {};
    headers.forEach((value, name) => (outgoing[name] = value));
    if (body !== null) outgoing['content-length'] = String(body.length);
    delete outgoing['accept-encoding'];
    const req = send(
      url,
      { method, headers: outgoing, lookup: options.lookup, signal: options.signal, agent: false },
      (res: IncomingMessage) => {
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > options.maxBytes) {
          res.destroy();
          return reject(new RefusedFetchError(`the response from ${url.host} is larger than ${options.maxBytes} bytes`));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            res.destroy();
            reject(new RefusedFetchError(`the response from ${url.host} is larger than ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined) continue;
            for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
          }
          const status = res.statusCode ?? 502;
          const noBody = status === 204 || status === 304 || method === 'HEAD' || status < 200;
          resolve(
            new Response(noBody ? null : Buffer.concat(chunks), {
              status: status < 200 ? 502 : status,
              statusText: res.statusMessage,
              headers: responseHeaders,
            }),
          );
        });
      },
    );
    req.on('error', (error) => reject(options.signal.aborted ? new RefusedFetchError(`${url.host} did not answer in time`) : error));
    req.end(body ?? undefined);
  });
}

/** A Response knows the URL it finally came from, as `fetch`'s do. */
function withUrl(response: Response, url: URL): Response {
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}
