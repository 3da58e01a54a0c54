import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { escapeHtml } from '../../lib/html.ts';
import type { AppEnv } from '../shared/app-env.ts';
import type { PublicError } from '../shared/error-response.ts';
import { PAGE_CSP, renderPage } from '../shared/page-layout.ts';

const HEADINGS: Record<number, string> = {
  404: 'Page not found',
  413: 'Too much data',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

/** Answers an error to a browser with a readable page instead of JSON. */
export function webErrorPage(c: Context<AppEnv>, error: PublicError, siteName: string): Response {
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('Cache-Control', 'no-store');
  const heading = HEADINGS[error.status] ?? 'This request cannot be answered';
  const body = `<h1>${escapeHtml(heading)}</h1>\n<p>${escapeHtml(error.message)}</p>\n<p><a href="/">Back to the start page</a></p>`;
  return c.html(renderPage({ title: `${heading} - ${siteName}`, siteName, body }), error.status as ContentfulStatusCode);
}
