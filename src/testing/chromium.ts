import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { readEnv } from '../config/index.ts';

/** Debian's chromium (installed by `.ci/run`); nothing is downloaded. `CHROMIUM_PATH` points elsewhere. */
const env = readEnv();
const CANDIDATES = [env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
  (p): p is string => !!p,
);

/** Why browser tests cannot run here, or null when they can. Under CI they must run (`.ci/run` installs chromium). */
export function chromiumMissing(): string | null {
  if (CANDIDATES.some((p) => existsSync(p))) return null;
  const reason = `no chromium at ${CANDIDATES.join(' or ')} (Debian: apt-get install chromium)`;
  if (env.CI === 'true') throw new Error(`The browser tests need ${reason}`);
  return reason;
}

/** Starts the system's chromium, headless. */
export function launchChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find((p) => existsSync(p));
  if (!executablePath) throw new Error(chromiumMissing()!);
  // Root in a container has no user namespaces for chromium's sandbox.
  return chromium.launch({ executablePath, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}

/** Where screenshots of the main screens are kept (`test-artifacts/screenshots`, ignored by git). */
export function screenshotPath(name: string): string {
  const dir = join(process.cwd(), 'test-artifacts', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core on the page (which must allow the injected script: a context with `bypassCSP`) and
 * returns its serious and critical violations, described one per line.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
