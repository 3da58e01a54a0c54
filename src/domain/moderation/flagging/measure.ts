import { readdirSync, readFileSync } from 'node:fs';
import type { Flagger } from './flagger.ts';

/** Where the labelled sentences are: one `<language>.tsv` per language, `threat` or `ok`, a tab, the sentence. */
export const CORPUS_DIR = new URL('./corpus/', import.meta.url).pathname;

/** How the rules of one language did on its corpus. */
export interface CorpusFigures {
  readonly language: string;
  readonly threats: number;
  readonly benign: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly falsePositiveRate: number;
  readonly missed: string[];
  readonly wronglyFlagged: string[];
}

/** Runs the flagger over every sentence of each language's corpus, read in that language. */
export function measureCorpus(flagger: Flagger, dir = CORPUS_DIR): CorpusFigures[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tsv'))
    .sort()
    .map((file) => {
      const language = file.replace(/\.tsv$/, '');
      const lines = readFileSync(`${dir}${file}`, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'));
      const missed: string[] = [];
      const wronglyFlagged: string[] = [];
      let threats = 0;
      let benign = 0;
      let truePositives = 0;
      for (const line of lines) {
        const [label, sentence = ''] = line.split('\t');
        const flagged = flagger.match(sentence, language) !== null;
        if (label === 'threat') {
          threats++;
          if (flagged) truePositives++;
          else missed.push(sentence);
        } else {
          benign++;
          if (flagged) wronglyFlagged.push(sentence);
        }
      }
      const falsePositives = wronglyFlagged.length;
      return {
        language,
        threats,
        benign,
        truePositives,
        falsePositives,
        precision: truePositives + falsePositives ? truePositives / (truePositives + falsePositives) : 1,
        recall: threats ? truePositives / threats : 1,
        falsePositiveRate: benign ? falsePositives / benign : 0,
        missed,
        wronglyFlagged,
      };
    });
}
