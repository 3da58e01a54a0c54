// Measures the flagging rules on the labelled corpus: precision, recall and false positives per language.
// `npm run flag:measure` (the starter rules), or `npm run flag:measure -- path/to/rules.json` (yours).
import { readFileSync } from 'node:fs';
import { createFlagger, parseRuleSet, starterRules } from '../src/domain/moderation/flagging/flagger.ts';
import { CORPUS_DIR, measureCorpus } from '../src/domain/moderation/flagging/measure.ts';

const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
const flagger = createFlagger(file ? parseRuleSet(readFileSync(file, 'utf8'), file) : starterRules());
const verbose = process.argv.includes('--verbose');
console.log('| set | language | sentences (threats / benign) | precision | recall | false positives |');
console.log('|---|---|---|---|---|---|');
for (const [set, dir] of [
  ['tuning', CORPUS_DIR],
  ['held out', `${CORPUS_DIR}holdout/`],
] as const) {
  for (const f of measureCorpus(flagger, dir)) {
    console.log(
      `| ${set} | ${f.language} | ${f.threats + f.benign} (${f.threats} / ${f.benign}) | ${f.precision.toFixed(2)} | ${f.recall.toFixed(2)} | ${(f.falsePositiveRate * 100).toFixed(1)}% (${f.falsePositives}) |`,
    );
    if (verbose) {
      for (const s of f.missed) console.log(`  missed: ${s}`);
      for (const s of f.wronglyFlagged) console.log(`  wrongly flagged: ${s}`);
    }
  }
}
