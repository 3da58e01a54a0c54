import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from '../shared/app-env.ts';
import { html, type SafeHtml } from '../shared/html.ts';
import { PAGE_CSP, renderPage } from '../shared/page-layout.ts';
import { requestLocale, type PageText } from './i18n/index.ts';

/** Answers with a full page of the web surface in the request's language: no caching (pages carry CSRF tokens), the page CSP. */
export function sendPage(
  c: Context<AppEnv>,
  site: string,
  title: string,
  body: SafeHtml,
  options: { status?: number; scripts?: string[] } = {},
): Response {
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('Cache-Control', 'no-store');
  return c.html(
    renderPage({ title: `${title} - ${site}`, siteName: site, body, lang: requestLocale(c), scripts: options.scripts }),
    (options.status ?? 200) as ContentfulStatusCode,
  );
}

/** A message box for a form: errors are announced to screen readers. */
export function notice(message: string | undefined, kind: 'error' | 'info' = 'error'): SafeHtml {
  if (!message) return html``;
  return kind === 'error' ? html`<p class="error" role="alert">${message}</p>` : html`<p class="info" role="status">${message}</p>`;
}

/** A labelled input. */
export function field(options: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  error?: string;
}): SafeHtml {
  const id = `f-${options.name}`;
  return html`<p class="field"><label for="${id}">${options.label}</label>
<input id="${id}" name="${options.name}" type="${options.type ?? 'text'}" value="${options.value ?? ''}"${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''}${options.required === false ? '' : html` required`}${options.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
${options.hint ? html`<small>${options.hint}</small>` : ''}${options.error ? html`<small class="error" id="${id}-error">${options.error}</small>` : ''}</p>`;
}

/** The hidden CSRF field every form carries. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

/** A path on this server to go back to after signing in; anything else (other sites, `//host`) becomes `/`. */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) && !/[\r\n]/.test(value) ? value : '/';
}

/** The passkey script's messages in the page's language, as attributes of its button. */
export function passkeyMessages(t: PageText['t']): SafeHtml {
  return html` data-msg-unsupported="${t('passkey.unsupported')}" data-msg-failed="${t('passkey.failed')}"`;
}
