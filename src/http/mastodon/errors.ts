import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../shared/app-env.ts';
import type { PublicError } from '../shared/error-response.ts';

/** Answers an error in the shape Mastodon clients read: `{"error": "...", "details"?: {...}}`. */
export function mastodonError(c: Context<AppEnv>, error: PublicError): Response {
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
  c.header('Cache-Control', 'no-store');
  const body: Record<string, unknown> = { error: error.details && Object.keys(error.details).length ? `Validation failed: ${summarize(error.details)}` : error.message };
  if (error.details && Object.keys(error.details).length) body.details = error.details;
  return c.json(body, error.status as ContentfulStatusCode);
}

function summarize(details: Readonly<Record<string, string[]>>): string {
  return Object.entries(details)
    .map(([field, problems]) => `${field} ${problems.join(', ')}`)
    .join('; ');
}
