import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../../testing/chromium.ts';
import { XSS_CORPUS } from '../../testing/xss-corpus.ts';
import { sanitizeHtml } from './sanitize-html.ts';

// The sanitizer's output for every vector of the hostile corpus, parsed by a real browser (Debian's
// chromium) as a page would show it, without a Content-Security-Policy to fall back on: nothing runs, and
// the document the browser builds (where mutation tricks would show) holds nothing that could run.

const missing = chromiumMissing();
let browser: Browser;

before(async () => {
  if (!missing) browser = await launchChromium();
});
after(() => browser?.close());

describe('sanitized HTML in a browser', { skip: missing ?? false }, () => {
  it('runs nothing and builds no element, attribute or link that could', async () => {
    const page = await browser.newPage({ javaScriptEnabled: true });
    try {
      const body = XSS_CORPUS.map((vector, i) => `<article data-vector="${i}">${sanitizeHtml(vector)}</article>`).join('\n');
      await page.setContent(
        `<!doctype html><html><head><title>corpus</title><script>window.ran = 0; window.alert = () => { window.ran += 1; };</script></head><body>${body}</body></html>`,
        { waitUntil: 'load' },
      );
      const found = await page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: {
              querySelectorAll(s: string): ArrayLike<{ tagName: string; attributes: ArrayLike<{ name: string; value: string }> }>;
            };
          }
        ).document;
        const problems: string[] = [];
        const dangerous =
          /^(SCRIPT|IFRAME|OBJECT|EMBED|SVG|MATH|STYLE|IMG|FORM|INPUT|META|LINK|BASE|VIDEO|AUDIO|SOURCE|TEMPLATE|DETAILS|TEXTAREA|SELECT|BUTTON)$/;
        for (const element of Array.from(doc.querySelectorAll('article *'))) {
          if (dangerous.test(element.tagName.toUpperCase())) problems.push(`<${element.tagName}>`);
          for (const attribute of Array.from(element.attributes)) {
            if (
              /^on/i.test(attribute.name) ||
              attribute.name === 'style' ||
              attribute.name === 'src' ||
              attribute.name === 'id' ||
              attribute.name === 'name'
            ) {
              problems.push(`${attribute.name} on <${element.tagName}>`);
            }
            if (attribute.name === 'href' && !/^(https?|mailto|xmpp|magnet|gemini):/i.test(attribute.value))
              problems.push(`href ${attribute.value}`);
          }
        }
        return { problems, ran: (globalThis as unknown as { ran: number }).ran };
      });
      assert.deepEqual(found.problems, []);
      // The page's own script ran (so scripts were on), and nothing of the corpus did.
      assert.equal(found.ran, 0, 'a vector ran');
    } finally {
      await page.close();
    }
  });
});
