// `npm run build` (also run by `npm install`): builds the web client into web/dist with Vite, renders the
// app icons from the SVG, and prints the gzipped size of the JavaScript a signed-in member's first visit
// loads. It fails when that size is over the budget.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { build, type Manifest } from 'vite';

const BUDGET_BYTES = 150 * 1024;
const web = new URL('../web/', import.meta.url).pathname;
const dist = join(web, 'dist');

await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn', build: { manifest: 'manifest.json' } });

// Icons: the SVG for browsers that take it, PNGs for the others; the maskable one has room around the mark.
const svg = readFileSync(join(web, 'public/icons/icon.svg'));
mkdirSync(join(dist, 'icons'), { recursive: true });
for (const size of [192, 512])
  await sharp(svg, { density: 300 })
    .resize(size, size)
    .png()
    .toFile(join(dist, `icons/icon-${size}.png`));
const inner = await sharp(svg, { density: 300 }).resize(410, 410).png().toBuffer();
await sharp({ create: { width: 512, height: 512, channels: 4, background: '#1d4e89' } })
  .composite([{ input: inner, gravity: 'center' }])
  .png()
  .toFile(join(dist, 'icons/icon-maskable-512.png'));

// The initial JavaScript: the page's entry chunk and every chunk it imports statically (not lazy ones).
const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as Manifest;
const seen = new Set<string>();
const visit = (key: string) => {
  const chunk = manifest[key];
  if (!chunk || seen.has(key)) return;
  seen.add(key);
  for (const imported of chunk.imports ?? []) visit(imported);
};
visit('index.html');
const files = [...seen].map((key) => manifest[key]!.file).filter((file) => file.endsWith('.js'));
const css = manifest['index.html']?.css ?? [];
const gz = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const jsBytes = files.reduce((sum, file) => sum + gz(file), 0);
const cssBytes = css.reduce((sum, file) => sum + gz(file), 0);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const report = { initialJsGzipBytes: jsBytes, budgetBytes: BUDGET_BYTES, cssGzipBytes: cssBytes, files: [...files, ...css] };
writeFileSync(join(dist, 'size-report.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`web client built: initial JavaScript ${kb(jsBytes)} gzipped (budget ${kb(BUDGET_BYTES)}), CSS ${kb(cssBytes)} gzipped`);
if (jsBytes > BUDGET_BYTES) {
  console.error(`The initial JavaScript is over budget by ${kb(jsBytes - BUDGET_BYTES)}.`);
  process.exitCode = 1;
}
