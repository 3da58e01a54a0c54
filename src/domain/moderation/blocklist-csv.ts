import type { DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { DomainBlockSeverity } from '../../storage/db/schema.ts';
import { Invalid } from '../errors.ts';
import { allDomainBlocks } from './moderation.repo.ts';

/** The severities of a domain block, as Mastodon names them. */
export const DOMAIN_BLOCK_SEVERITIES: readonly DomainBlockSeverity[] = ['silence', 'suspend', 'noop'];

/** What a domain block says (Mastodon's admin API fields). */
export interface DomainBlockInput {
  readonly severity?: DomainBlockSeverity | undefined;
  readonly rejectMedia?: boolean | undefined;
  readonly rejectReports?: boolean | undefined;
  readonly privateComment?: string | undefined;
  readonly publicComment?: string | undefined;
  readonly obfuscate?: boolean | undefined;
}

/** Rows one import may carry. */
export const IMPORT_MAX_ROWS = 10_000;

/** What an import did, row by row. */
export interface ImportResult {
  readonly created: string[];
  readonly skipped: string[];
  readonly invalid: { readonly line: number; readonly reason: string }[];
}

/** Every domain block in Mastodon's CSV (`#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate`). */
export async function exportDomainBlocks(db: DbReader): Promise<string> {
  const lines = ['#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate'];
  for (const b of await allDomainBlocks(db)) {
    const cells = [
      b.domain,
      b.severity,
      String(toBool(b.reject_media)),
      String(toBool(b.reject_reports)),
      b.public_comment ?? '',
      String(toBool(b.obfuscate)),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Reads Mastodon's blocklist CSV into rows to block (with their line), and the lines that are not valid. */
export function parseBlocklist(csv: string): {
  rows: { line: number; domain: string; input: DomainBlockInput }[];
  invalid: ImportResult['invalid'];
} {
  const cells = parseCsv(csv);
  if (cells.length > IMPORT_MAX_ROWS + 1)
    throw new Invalid('Validation failed', { data: [{ error: 'ERR_TOO_LONG', description: `at most ${IMPORT_MAX_ROWS} rows` }] });
  const header = (cells[0] ?? []).map((h) => h.trim().replace(/^#/, '').toLowerCase());
  const hasHeader = header.includes('domain');
  const columns = hasHeader ? header : ['domain', 'severity', 'reject_media', 'reject_reports', 'public_comment', 'obfuscate'];
  const rows: { line: number; domain: string; input: DomainBlockInput }[] = [];
  const invalid: ImportResult['invalid'] = [];
  for (const [index, row] of cells.entries()) {
    if (hasHeader && index === 0) continue;
    if (row.every((cell) => !cell.trim())) continue;
    const value = (name: string) => row[columns.indexOf(name)]?.trim() ?? '';
    const severity = (value('severity') || 'suspend') as DomainBlockSeverity;
    if (!DOMAIN_BLOCK_SEVERITIES.includes(severity)) {
      invalid.push({ line: index + 1, reason: `unknown severity ${severity}` });
      continue;
    }
    rows.push({
      line: index + 1,
      domain: value('domain'),
      input: {
        severity,
        rejectMedia: value('reject_media') === 'true',
        rejectReports: value('reject_reports') === 'true',
        publicComment: value('public_comment') || undefined,
        obfuscate: value('obfuscate') === 'true',
      },
    });
  }
  return { rows, invalid };
}

/** Reads CSV (quoted cells with doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
