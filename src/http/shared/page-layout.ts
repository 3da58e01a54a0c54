import { escapeHtml } from '../../lib/html.ts';
import type { SafeHtml } from './html.ts';

/** The policy for server-rendered pages: only our own files (scripts, styles, images); nothing inline. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The page policy, also allowing images, audio and video from the media origin (when it is another). */
export function pageCsp(mediaOrigin: string): string {
  return PAGE_CSP.replace("img-src 'self' data:", `img-src 'self' data: ${mediaOrigin}; media-src 'self' ${mediaOrigin}`);
}

/** A complete HTML document around `body` (already-escaped HTML), with the page's title and language. */
export function renderPage(options: {
  title: string;
  siteName: string;
  body: string | SafeHtml;
  lang?: string;
  scripts?: readonly string[];
  head?: string | SafeHtml;
}): string {
  return `<!doctype html>
<html lang="${escapeHtml(options.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="/static/stoa.css">
${String(options.head ?? '')}
${(options.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('\n')}
</head>
<body>
<header><a class="site" href="/">${escapeHtml(options.siteName)}</a></header>
<main>
${String(options.body)}
</main>
<footer>Stoa</footer>
</body>
</html>
`;
}
