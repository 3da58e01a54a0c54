import { readFileSync } from 'node:fs';
import { uuid7 } from '../../../lib/uuid7.ts';
import { insertReport } from '../../reports/reports.repo.ts';
import { tellModerators } from '../../reports/reports.service.ts';
import type { RunCommand, Unit } from '../../unit-of-work.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { appendAudit, lastAuditEntry } from '../audit-log.ts';
import { createFlagger, parseRuleSet, starterRules, type Flagger } from './flagger.ts';

/** The flagger for the configured rules, or null when flagging is off. */
export function configuredFlagger(rules: 'starter' | 'off' | { readonly file: string }): Flagger | null {
  if (rules === 'off') return null;
  if (rules === 'starter') return createFlagger(starterRules());
  return createFlagger(parseRuleSet(readFileSync(rules.file, 'utf8'), rules.file));
}

/** What a status is screened on. */
export interface ScreenedStatus {
  readonly id: string;
  readonly account_id: string;
  readonly content: string;
  readonly spoiler_text: string;
  readonly language: string | null;
}

/**
 * Screens a post (new or edited, local or from another server) in its command's unit: one that matches a
 * rule becomes a report from the server itself in the moderators' queue (category `violation`, the comment
 * naming the rule), once per post. Nothing is hidden or removed: people decide.
 */
export async function flagStatus(unit: Unit, flagger: Flagger, publicUrl: string, status: ScreenedStatus): Promise<boolean> {
  const match = flagger.match(`${status.spoiler_text}\n${status.content}`, status.language);
  if (!match) return false;
  const id = uuid7(unit.clock());
  const filed = await insertReport(unit, {
    id,
    account_id: null,
    origin_domain: null,
    uri: `${publicUrl}/reports/flags/${status.id}`,
    target_account_id: status.account_id,
    status_ids: JSON.stringify([status.id]),
    comment: `Flagged automatically by rule ${match.rule.id} (${match.language}): ${match.rule.description}.`,
    category: 'violation',
    created_at: unit.now,
    action_taken_at: null,
  });
  if (filed) await tellModerators(unit, id, status.account_id);
  return filed;
}

/**
 * Puts the rules in force on the record: when they differ from the last ones recorded (an operator edited
 * the file, or turned flagging on or off), an entry with their digest and source joins the audit log.
 */
export async function recordFlagRules(run: RunCommand, read: DbReader, flagger: Flagger | null, source: string): Promise<boolean> {
  const digest = flagger?.digest ?? 'off';
  const last = await lastAuditEntry(read, 'flag_rules');
  if (last && (JSON.parse(last.detail) as { digest?: string }).digest === digest) return false;
  const rules = flagger ? Object.values(flagger.rules.languages).reduce((n, list) => n + list.length, 0) : 0;
  await run((unit) =>
    appendAudit(unit, {
      accountId: null,
      actor: 'system',
      action: 'flag_rules',
      targetType: 'flag_rules',
      targetId: source,
      detail: { digest, rules },
    }),
  );
  return true;
}
