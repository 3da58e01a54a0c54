import type { HttpBindings } from '@hono/node-server';
import type { Logger } from '../../lib/logger.ts';
import type { ParsedBody } from './body.ts';
import type { ApiAuth } from './route-table.ts';
import type { BrowserSession } from './browser-session.ts';

/** Values every request carries through the middleware chain. */
export interface RequestVariables {
  /** Random id, echoed as `X-Request-Id` and in every log line of the request. */
  requestId: string;
  /** The client's address: the socket's, or `X-Forwarded-For`'s when the socket is a trusted proxy. */
  clientIp: string;
  /** The request's logger (category `http`, with the request id). */
  log: Logger;
  /** The parsed request body (JSON, form or multipart), `{}` when there was none. */
  body: ParsedBody;
  /** The caller of an API route, when it sent a valid bearer token. */
  auth: ApiAuth | null;
  /** The signed-in browser on page routes (sign-in, consent, settings), if any. */
  session: BrowserSession | null;
}

/** Hono's environment for Stoa: Node's request bindings and the variables above. */
export interface AppEnv {
  Bindings: Partial<HttpBindings>;
  Variables: RequestVariables;
}
