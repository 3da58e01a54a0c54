import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFlagger, normalizeForFlagging, parseRuleSet, starterRules } from './flagger.ts';
import { measureCorpus } from './measure.ts';

describe('flagging threats of violence', () => {
  const flagger = createFlagger(starterRules());

  it('meets its targets on the labelled corpus of each language: recall at least 0.8, at most 3% false positives', () => {
    for (const figures of measureCorpus(flagger)) {
      assert.ok(
        figures.threats >= 50 && figures.threats + figures.benign >= 100,
        `${figures.language}: ${figures.threats + figures.benign} sentences`,
      );
      assert.ok(figures.recall >= 0.8, `${figures.language} recall ${figures.recall.toFixed(2)}; missed: ${figures.missed.join(' | ')}`);
      assert.ok(
        figures.falsePositiveRate <= 0.03,
        `${figures.language} false positives ${(figures.falsePositiveRate * 100).toFixed(1)}%: ${figures.wronglyFlagged.join(' | ')}`,
      );
    }
  });

  it('reads posts as HTML, in any case, with typographic apostrophes, and names the rule', () => {
    const match = flagger.match('<p>I&#39;m going to <strong>KILL</strong> you</p>', 'en');
    assert.equal(match?.rule.id, 'en.intent');
    assert.equal(flagger.match('<p>Je vais te tuer</p>', null)?.language, 'fr', 'a post without a language is read in every language');
    assert.equal(normalizeForFlagging('Je vais t’égorger'), "je vais t'égorger");
    assert.equal(flagger.match('<p>this game is killing me</p>', 'en'), null);
  });

  it('refuses a rule file that is not a rule set, naming the problem', () => {
    assert.throws(
      () => parseRuleSet('{"version": 1, "languages": {"en": [{"id": "x", "description": "y", "pattern": "(unclosed"}]}}', 'rules.json'),
      /rule x does not compile/,
    );
    assert.throws(() => parseRuleSet('[]', 'rules.json'), /must be \{"version": 1/);
    assert.throws(() => parseRuleSet('nope', 'rules.json'), /is not JSON/);
  });
});
