// `npm test`: type-check, lint, check the formatting, then the whole suite on SQLite and, when STOA_TEST_DATABASE_URL names a
// PostgreSQL server, once more on PostgreSQL. Prints the count for each engine and the totals as
// `N passed, N failed` on the last line. In CI (CI=true) a missing PostgreSQL is a failure, never a skip.
import { spawn } from 'node:child_process';

const node = process.execPath;
const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const pgUrl = process.env.STOA_TEST_DATABASE_URL;
const args = process.argv.slice(2);
const files = args.length ? args : ['src/**/*.test.ts'];

interface Totals {
  passed: number;
  failed: number;
}

function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv, capture = false): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { env, stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

async function suite(engine: string, env: NodeJS.ProcessEnv): Promise<Totals> {
  console.log(`\n== Tests on ${engine}`);
  const { code, output } = await run(node, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], env, true);
  const count = (name: string) => sumOf(output, name);
  const totals = { passed: count('pass'), failed: count('fail') + count('cancelled') };
  if (code !== 0 && totals.failed === 0) totals.failed = 1; // the runner itself failed: never report green
  console.log(`${engine}: ${totals.passed} passed, ${totals.failed} failed`);
  return totals;
}

function sumOf(output: string, name: string): number {
  return [...output.matchAll(new RegExp(`^ℹ ${name} (\\d+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
}

const baseEnv = { ...process.env };
delete baseEnv.STOA_TEST_DATABASE_URL;
let checksFailed = 0;

if (!args.length) {
  console.log('== Type check');
  if ((await run(node, [bin('tsc'), '-p', '.'], baseEnv)).code !== 0) checksFailed++;
  if ((await run(node, [bin('tsc'), '-p', 'web'], baseEnv)).code !== 0) checksFailed++;
  console.log('== Lint');
  if ((await run(node, [bin('eslint'), '.'], baseEnv)).code !== 0) checksFailed++;
  console.log('== Formatting (prettier --check; `npm run format` fixes it)');
  if ((await run(node, [bin('prettier'), '--check', '--log-level', 'warn', '.'], baseEnv)).code !== 0) checksFailed++;
}

const results: Totals[] = [await suite('SQLite', baseEnv)];
if (pgUrl) {
  results.push(await suite('PostgreSQL', { ...baseEnv, STOA_TEST_DATABASE_URL: pgUrl }));
} else if (process.env.CI) {
  console.error('\nCI is set but STOA_TEST_DATABASE_URL is not: the PostgreSQL suite cannot be skipped in CI.');
  checksFailed++;
} else {
  console.log('\n(PostgreSQL suite not run: set STOA_TEST_DATABASE_URL, e.g. with scripts/test-postgres.sh start)');
}

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0) + checksFailed;
if (checksFailed) console.log(`${checksFailed} check(s) failed (type check, lint or setup).`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
