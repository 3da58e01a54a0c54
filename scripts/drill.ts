// The drill (scripts/drill.sh): a server moved to a new host, engine and domain, step by step, with the
// time each step took. The same story runs in the test suite (src/storage/backup/drill.integration.test.ts).
import { runDrill } from '../src/testing/drill.ts';

const started = performance.now();
const steps = await runDrill((line) => console.log(`  ${line}`));
const total = Math.round(performance.now() - started);
console.log(`The drill passed: ${steps.length} steps in ${(total / 1000).toFixed(1)} s.`);
