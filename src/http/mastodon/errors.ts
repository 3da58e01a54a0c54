import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../shared/app-env.ts';
import type { PublicError } from '../shared/error-response.ts';
import type { FieldProblem } from '../../domain/errors.ts';

/** Answers an error in the shape Mastodon clients read: `{"error": "...", "details"?: {...}}` (OAuth: `error_description`). */
export function mastodonError(c: Context<AppEnv>, error: PublicError): Response {
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
  c.header('Cache-Control', 'no-store');
  if (error.oauthCode) return c.json({ error: error.oauthCode, error_description: error.message }, error.status as ContentfulStatusCode);
  const hasDetails = error.details !== undefined && Object.keys(error.details).length > 0;
  const body: Record<string, unknown> = { error: hasDetails ? `Validation failed: ${summarize(error.details!)}` : error.message };
  if (hasDetails) body.details = error.details;
  return c.json(body, error.status as ContentfulStatusCode);
}

function summarize(details: Readonly<Record<string, readonly FieldProblem[]>>): string {
  return Object.entries(details)
    .map(([field, problems]) => `${field} ${problems.map((p) => p.description).join(', ')}`)
    .join('; ');
}
