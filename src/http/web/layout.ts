import { escapeHtml } from '../../lib/html.ts';

/** The policy for server-rendered pages: our own stylesheet and images, no script at all. */
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** A complete HTML document around `body` (already-escaped HTML), with the page's title and language. */
export function renderPage(options: { title: string; siteName: string; body: string; lang?: string }): string {
  return `<!doctype html>
<html lang="${escapeHtml(options.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="/static/stoa.css">
</head>
<body>
<header><a class="site" href="/">${escapeHtml(options.siteName)}</a></header>
<main>
${options.body}
</main>
<footer>Stoa</footer>
</body>
</html>
`;
}
