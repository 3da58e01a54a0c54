import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** One rule: a pattern (a regular expression over normalized text), with what it catches. */
export interface FlagRule {
  readonly id: string;
  readonly description: string;
  readonly pattern: string;
  /** A pattern that, found anywhere in the text, keeps the rule from firing (a game, a pest, a film). */
  readonly unless?: string;
}

/** Rules by language (`en`, `de`, `fr`...), as the starter file and an operator's file write them. */
export interface FlagRuleSet {
  readonly version: 1;
  readonly languages: Readonly<Record<string, readonly FlagRule[]>>;
}

/** What a text matched: the rule, to be named in the report. */
export interface FlagMatch {
  readonly language: string;
  readonly rule: FlagRule;
}

/** The rules Stoa ships, for English, German and French. */
export const STARTER_RULES_PATH = new URL('./starter-rules.json', import.meta.url).pathname;

/** The starter rules. */
export function starterRules(): FlagRuleSet {
  return parseRuleSet(readFileSync(STARTER_RULES_PATH, 'utf8'), STARTER_RULES_PATH);
}

/** Limits on an operator's file. */
const MAX_RULES = 200;
const MAX_PATTERN = 4000;

/**
 * Reads and checks a rule set (JSON): every rule has an id, a description and a pattern that compiles.
 * Throws an Error naming every problem.
 */
export function parseRuleSet(text: string, source: string): FlagRuleSet {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const problems: string[] = [];
  const set = data as Partial<FlagRuleSet> | null;
  if (!set || typeof set !== 'object' || set.version !== 1 || !set.languages || typeof set.languages !== 'object')
    throw new Error(`${source} must be {"version": 1, "languages": {"en": [rules...]}}`);
  let count = 0;
  for (const [language, rules] of Object.entries(set.languages)) {
    if (!/^[a-z]{2,3}$/.test(language)) problems.push(`"${language}" is not a language code`);
    if (!Array.isArray(rules)) {
      problems.push(`the rules of ${language} are not a list`);
      continue;
    }
    for (const rule of rules as Partial<FlagRule>[]) {
      count++;
      if (typeof rule.id !== 'string' || !rule.id || typeof rule.description !== 'string' || typeof rule.pattern !== 'string') {
        problems.push(`a rule of ${language} needs a string id, description and pattern`);
        continue;
      }
      if (rule.pattern.length > MAX_PATTERN) problems.push(`rule ${rule.id} is longer than ${MAX_PATTERN} characters`);
      if (rule.unless !== undefined && typeof rule.unless !== 'string') problems.push(`rule ${rule.id}: unless must be a pattern`);
      try {
        compile(rule.pattern);
        if (typeof rule.unless === 'string') compile(rule.unless);
      } catch (error) {
        problems.push(`rule ${rule.id} does not compile: ${(error as Error).message}`);
      }
    }
  }
  if (count > MAX_RULES) problems.push(`${count} rules; at most ${MAX_RULES}`);
  if (problems.length) throw new Error(`${source}: ${problems.join('; ')}`);
  return set as FlagRuleSet;
}

// Rules are written with \w and \b as for ASCII; they are compiled to cover every letter (é, ö, ß...).
const LETTER = String.raw`[\p{L}\p{N}_']`;
const NOT_LETTER = String.raw`[^\p{L}\p{N}_']`;

function compile(pattern: string): RegExp {
  const unicode = pattern
    .replace(/\\b/g, `(?:(?<=${LETTER})(?!${LETTER})|(?<!${LETTER})(?=${LETTER}))`)
    .replace(/\\w/g, LETTER)
    .replace(/\\W/g, NOT_LETTER);
  return new RegExp(unicode, 'iu');
}

/** Text as the rules read it: no markup, lower case, one kind of apostrophe, single spaces. */
export function normalizeForFlagging(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(
      /&(amp|lt|gt|quot|#39|apos|nbsp);/g,
      (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' })[e]!,
    )
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The rules, compiled, and the one question asked of them. */
export interface Flagger {
  /** The first rule a text matches, in its language (or in every language when it has none we know), or null. */
  match(html: string, language: string | null): FlagMatch | null;
  /** A hash of the rules in force (what the audit log records when they change). */
  readonly digest: string;
  readonly rules: FlagRuleSet;
}

/** Compiles a rule set. */
export function createFlagger(rules: FlagRuleSet): Flagger {
  const compiled = Object.entries(rules.languages).map(
    ([language, list]) =>
      [language, list.map((rule) => ({ rule, regex: compile(rule.pattern), unless: rule.unless ? compile(rule.unless) : null }))] as const,
  );
  const byLanguage = new Map(compiled);
  return {
    rules,
    digest: createHash('sha256').update(JSON.stringify(rules)).digest('hex'),
    match(html, language) {
      const text = normalizeForFlagging(html);
      if (!text) return null;
      const base = language?.toLowerCase().split(/[-_]/)[0];
      const languages = base && byLanguage.has(base) ? [[base, byLanguage.get(base)!] as const] : compiled;
      for (const [lang, list] of languages) {
        for (const { rule, regex, unless } of list) if (regex.test(text) && !unless?.test(text)) return { language: lang, rule };
      }
      return null;
    },
  };
}
