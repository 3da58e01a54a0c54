// `npm run bench:web`: does a timeline of 1,000 loaded posts scroll smoothly in the web client?
// A server with one reader following one author who posted BENCH_POSTS (1,000) posts; Debian's chromium
// signs the reader in, loads the whole timeline page by page, then scrolls it from top to bottom, one step
// per frame, and records each frame's time. The same scroll is measured again with posts out of view left
// out of layout (`content-visibility: auto`), side by side: the alternative to laying out every post.
import { createTestAccounts } from '../src/testing/accounts.ts';
import { launchChromium } from '../src/testing/chromium.ts';
import { startFederatedServer } from '../src/testing/test-app.ts';

const POSTS = Number(process.env.BENCH_POSTS ?? 1000);
const STEP_PX = 120;
const log = (line: string) => process.stderr.write(`${line}\n`);

// Served at its own loopback address, over http, as a browser can sign in to it.
const server = await startFederatedServer('127.0.0.11', []);
const [reader, author] = await createTestAccounts(server, ['reader', 'author']);
await reader!.client.v1.accounts.$select(author!.id).follow();
log(`posting ${POSTS} posts…`);
const lorem =
  'Stoa is a microblogging network a community runs itself, with #hashtags, links like https://example.org/some/path and mentions of @reader';
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < POSTS) {
      const i = next++;
      await author!.client.v1.statuses.create({
        status: `${i}: ${lorem}. ${'More words to make it longer. '.repeat(i % 5)}`,
        ...(i % 7 === 0 ? { spoilerText: 'a content warning' } : {}),
      });
    }
  }),
);

const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
context.setDefaultTimeout(60_000);
const page = await context.newPage();
await page.goto(`${server.url}/auth/sign_in`);
await page.getByLabel('Email address or username').fill('reader');
await page.getByLabel('Password').fill('reader uses a long password');
await page.getByRole('button', { name: 'Sign in', exact: true }).click();
await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();

log('loading the whole timeline…');
const loadStarted = performance.now();
const articles = page.locator('article.status');
// As a reader would: scroll to the end, and the next page loads as it comes into view.
while ((await articles.count()) < POSTS) {
  const before = await articles.count();
  if (before % 200 === 0) log(`  ${before} posts loaded`);
  await page.evaluate(() => {
    const w = globalThis as unknown as {
      scrollTo(o: { top: number; behavior: 'instant' }): void;
      document: { documentElement: { scrollHeight: number } };
    };
    w.scrollTo({ top: w.document.documentElement.scrollHeight, behavior: 'instant' });
  });
  await page.waitForFunction(
    (n) =>
      (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll(
        'article.status',
      ).length > n,
    before,
  );
}
const loadSeconds = (performance.now() - loadStarted) / 1000;

interface ScrollFigures {
  frames: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  slowFrames: number;
}

/** Scrolls from top to bottom, one step per animation frame, and returns the frame times in ms. */
async function scrollOnce(): Promise<ScrollFigures> {
  const times = await page.evaluate(async (step) => {
    const w = globalThis as unknown as {
      scrollTo(o: { top: number; behavior: 'instant' }): void;
      scrollBy(o: { top: number; behavior: 'instant' }): void;
      scrollY: number;
      innerHeight: number;
      requestAnimationFrame(f: (t: number) => void): void;
      document: { documentElement: { scrollHeight: number } };
    };
    // Instant steps: the page scrolls smoothly by default, which would blur the frames measured.
    w.scrollTo({ top: 0, behavior: 'instant' });
    const frames: number[] = [];
    await new Promise<void>((done) => {
      let last = 0;
      const tick = (now: number) => {
        if (last) frames.push(now - last);
        last = now;
        if (w.scrollY + w.innerHeight >= w.document.documentElement.scrollHeight - 2) return done();
        w.scrollBy({ top: step, behavior: 'instant' });
        w.requestAnimationFrame(tick);
      };
      w.requestAnimationFrame(tick);
    });
    return frames;
  }, STEP_PX);
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    frames: times.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.at(-1)!,
    slowFrames: times.filter((t) => t > 50).length,
  };
}

await scrollOnce(); // warm-up: images, fonts, first layout
const shipped = await scrollOnce();
// Through the stylesheet's CSSOM: the page's CSP (rightly) refuses an inline style element.
await page.evaluate(() =>
  (globalThis as unknown as { document: { styleSheets: { insertRule(rule: string): void }[] } }).document.styleSheets[0]!.insertRule(
    '.status, .notification { content-visibility: auto; contain-intrinsic-size: auto 180px; }',
  ),
);
await scrollOnce();
const skipping = await scrollOnce();
const heapMb = await page.evaluate(
  () =>
    ((globalThis as unknown as { performance: { memory?: { usedJSHeapSize: number } } }).performance.memory?.usedJSHeapSize ?? 0) / 1048576,
);

const row = (name: string, f: ScrollFigures) =>
  `| ${name} | ${f.frames} | ${f.p50.toFixed(1)} | ${f.p95.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.max.toFixed(1)} | ${f.slowFrames} |`;
console.log(`\nWeb client: ${POSTS} posts loaded in ${loadSeconds.toFixed(1)} s (pages of 20), JS heap ${heapMb.toFixed(0)} MB\n`);
console.log('| scroll, top to bottom | frames | p50 ms | p95 ms | p99 ms | max ms | frames > 50 ms |');
console.log('|---|---|---|---|---|---|---|');
console.log(row('every post laid out (as shipped)', shipped));
console.log(row('posts out of view skipped (content-visibility)', skipping));
console.log(`\np99 frame time, as shipped / with content-visibility: ${(shipped.p99 / skipping.p99).toFixed(2)}`);

await browser.close();
await server.close();
