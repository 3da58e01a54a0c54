import type { NotificationRow } from './notifications.views.ts';

/** The types grouped unless a client asks otherwise (Mastodon's defaults). */
export const DEFAULT_GROUPED_TYPES: readonly string[] = ['favourite', 'follow', 'reblog'];
/** The types that can be grouped at all. */
export const GROUPABLE_TYPES: ReadonlySet<string> = new Set(['favourite', 'follow', 'reblog']);
/** A group spans at most this long: likes of one post a week apart are two groups. */
const GROUP_SPAN_MS = 12 * 3600_000;
/** Accounts named in a group, at most (the most recent first). */
const SAMPLE_ACCOUNTS = 8;

/**
 * The group a notification belongs to: likes (or reposts) of one post, or follows, within the same span
 * of time, when their type is grouped; else a group of its own. Mastodon's `group_key`, computed the same
 * way on every read.
 */
export function groupKeyOf(row: Pick<NotificationRow, 'id' | 'type' | 'status_id' | 'created_at'>, grouped = GROUPABLE_TYPES): string {
  if (!grouped.has(row.type) || !GROUPABLE_TYPES.has(row.type)) return `ungrouped-${row.id}`;
  const span = Math.floor(Date.parse(String(row.created_at)) / GROUP_SPAN_MS);
  return row.type === 'follow' ? `follow-${span}` : `${row.type}-${row.status_id}-${span}`;
}

/** Which notifications a group key names, to find them again (dismissing a group, listing its accounts). */
export function parseGroupKey(key: string): { id: string } | { type: string; statusId: string | null; from: string; until: string } | null {
  const ungrouped = /^ungrouped-(.+)$/.exec(key);
  if (ungrouped) return { id: ungrouped[1]! };
  const grouped = /^(favourite|reblog)-(.+)-(\d+)$/.exec(key) ?? /^(follow)-()(\d+)$/.exec(key);
  if (!grouped) return null;
  const span = Number(grouped[3]);
  return {
    type: grouped[1]!,
    statusId: grouped[2] || null,
    from: new Date(span * GROUP_SPAN_MS).toISOString(),
    until: new Date((span + 1) * GROUP_SPAN_MS).toISOString(),
  };
}

/** A group of notifications in one page. */
export interface NotificationGroup {
  readonly key: string;
  readonly type: string;
  /** The newest notification of the group in the page: its status, report, warning. */
  readonly latest: NotificationRow;
  readonly count: number;
  readonly sampleAccountIds: readonly string[];
  readonly pageMinId: string;
  readonly pageMaxId: string;
}

/**
 * Groups a page of notifications (newest first) into at most `limit` groups, in the order of each group's
 * newest notification; the notifications after the last group that fits are left for the next page.
 * Returns the groups and the ids the page spans (for its `Link` header).
 */
export function groupPage(
  rows: readonly NotificationRow[],
  limit: number,
  grouped: ReadonlySet<string>,
): { groups: NotificationGroup[]; minId: string | null; maxId: string | null } {
  const groups = new Map<string, { latest: NotificationRow; rows: NotificationRow[] }>();
  let minId: string | null = null;
  for (const row of rows) {
    const key = groupKeyOf(row, grouped);
    const group = groups.get(key);
    if (group) group.rows.push(row);
    else if (groups.size < limit) groups.set(key, { latest: row, rows: [row] });
    else break;
    minId = row.id;
  }
  return {
    groups: [...groups].map(([key, group]) => ({
      key,
      type: group.latest.type,
      latest: group.latest,
      count: group.rows.length,
      sampleAccountIds: [...new Set(group.rows.map((r) => r.from_account_id))].slice(0, SAMPLE_ACCOUNTS),
      pageMinId: group.rows.at(-1)!.id,
      pageMaxId: group.latest.id,
    })),
    minId,
    maxId: rows[0]?.id ?? null,
  };
}
