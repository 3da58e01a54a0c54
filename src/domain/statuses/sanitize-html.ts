import { Parser } from 'htmlparser2';
import { escapeHtml } from '../../lib/html.ts';

/** Elements kept from remote HTML; everything else is dropped, its text kept (unless it is script-like). */
const ALLOWED = new Set([
  'p',
  'br',
  'span',
  'a',
  'del',
  's',
  'pre',
  'blockquote',
  'code',
  'b',
  'strong',
  'u',
  'i',
  'em',
  'ul',
  'ol',
  'li',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'sup',
  'sub',
]);
/** Elements whose content is dropped with them. */
const DROPPED_WITH_CONTENT = new Set([
  'script',
  'style',
  'template',
  'iframe',
  'object',
  'embed',
  'noscript',
  'svg',
  'math',
  'head',
  'title',
  'textarea',
  'select',
]);
const VOID = new Set(['br']);
/** Classes Mastodon's client understands; any other class is removed. */
const CLASSES = /^(h-card|u-url|mention|hashtag|invisible|ellipsis|quote-inline|mention-hashtag)$/;
const MAX_LENGTH = 50_000;

function safeHref(href: string): string | null {
  if (!URL.canParse(href)) return null;
  const url = new URL(href);
  return ['http:', 'https:', 'mailto:', 'xmpp:', 'magnet:', 'gemini:'].includes(url.protocol) ? url.toString() : null;
}

/**
 * Cleans HTML from other servers to an allow-list of tags, attributes and link schemes, as Mastodon does.
 * Links get `rel="nofollow noopener noreferrer"`; unknown classes, styles and event handlers are dropped.
 */
export function sanitizeHtml(input: string): string {
  let out = '';
  const open: string[] = [];
  let dropDepth = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (dropDepth > 0 || DROPPED_WITH_CONTENT.has(name)) {
          if (!VOID.has(name)) dropDepth++;
          return;
        }
        if (!ALLOWED.has(name)) return;
        const kept: string[] = [];
        const classes = (attributes.class ?? '').split(/\s+/).filter((c) => CLASSES.test(c));
        if (classes.length) kept.push(`class="${escapeHtml(classes.join(' '))}"`);
        if (name === 'a') {
          const href = attributes.href ? safeHref(attributes.href) : null;
          if (href) kept.push(`href="${escapeHtml(href)}"`, 'rel="nofollow noopener noreferrer"', 'target="_blank"');
        }
        if (name === 'ol' && attributes.start && /^\d{1,6}$/.test(attributes.start)) kept.push(`start="${attributes.start}"`);
        out += `<${name}${kept.length ? ` ${kept.join(' ')}` : ''}>`;
        if (!VOID.has(name)) open.push(name);
      },
      ontext(text) {
        if (dropDepth === 0) out += escapeHtml(text);
      },
      onclosetag(name) {
        if (dropDepth > 0) {
          if (!VOID.has(name)) dropDepth--;
          return;
        }
        if (!ALLOWED.has(name) || VOID.has(name)) return;
        const index = open.lastIndexOf(name);
        if (index < 0) return;
        while (open.length > index) out += `</${open.pop()!}>`;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(input.slice(0, MAX_LENGTH));
  parser.end();
  while (open.length) out += `</${open.pop()!}>`;
  return out;
}
