import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser } from 'htmlparser2';
import { XSS_CORPUS } from '../../testing/xss-corpus.ts';
import { sanitizeHtml } from './sanitize-html.ts';

// What the sanitizer lets through is checked element by element against what it allows, for every vector of
// a hostile corpus (src/testing/xss-corpus.ts); its output, sanitized again, does not change.

const ELEMENTS = new Set([
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
const CLASSES = new Set(['h-card', 'u-url', 'mention', 'hashtag', 'invisible', 'ellipsis', 'quote-inline', 'mention-hashtag']);
const SCHEMES = new Set(['http:', 'https:', 'mailto:', 'xmpp:', 'magnet:', 'gemini:']);

/** Every element and attribute of `html` that the allow-list does not permit. */
function violations(html: string): string[] {
  const found: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (!ELEMENTS.has(name)) found.push(`element <${name}>`);
        for (const [attribute, value] of Object.entries(attributes)) {
          if (attribute === 'class') {
            for (const c of value.split(/\s+/)) if (!CLASSES.has(c)) found.push(`class ${c}`);
          } else if (attribute === 'href' && name === 'a') {
            const url = URL.canParse(value) ? new URL(value) : null;
            if (!url || !SCHEMES.has(url.protocol)) found.push(`href ${value}`);
          } else if (attribute === 'rel' && name === 'a') {
            if (value !== 'nofollow noopener noreferrer') found.push(`rel ${value}`);
          } else if (attribute === 'target' && name === 'a') {
            if (value !== '_blank') found.push(`target ${value}`);
          } else if (attribute === 'start' && name === 'ol') {
            if (!/^\d{1,6}$/.test(value)) found.push(`start ${value}`);
          } else {
            found.push(`attribute ${attribute} on <${name}>`);
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

describe('the HTML sanitizer against a hostile corpus', () => {
  it('has a corpus of more than a hundred vectors', () => {
    assert.ok(XSS_CORPUS.length >= 100, `${XSS_CORPUS.length} vectors`);
    assert.equal(new Set(XSS_CORPUS).size, XSS_CORPUS.length, 'each vector once');
  });

  it('lets through only allowed elements, attributes, classes and link schemes, for every vector', () => {
    for (const vector of XSS_CORPUS) {
      const output = sanitizeHtml(vector);
      assert.deepEqual(violations(output), [], `${JSON.stringify(vector)} gave ${JSON.stringify(output)}`);
      assert.doesNotMatch(output, /<(script|iframe|object|embed|svg|math|style|img|form|input|meta|link|base)\b/i, JSON.stringify(vector));
      assert.equal(sanitizeHtml(output), output, `sanitizing ${JSON.stringify(vector)} again changes it`);
    }
  });

  it('keeps what is allowed as it was meant', () => {
    assert.equal(
      sanitizeHtml('<p>a <a href="https://ok.example/x" class="u-url mention">@x</a></p>'),
      '<p>a <a class="u-url mention" href="https://ok.example/x" rel="nofollow noopener noreferrer" target="_blank">@x</a></p>',
    );
    assert.equal(sanitizeHtml('&lt;script&gt;alert(1)&lt;/script&gt;'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
