import { sql, type SqlBool } from 'kysely';
import type { Db, DbReader } from '../../storage/db/database.ts';
import type { TrendKind } from '../../storage/db/schema.ts';
import type { StatusRow } from '../statuses/statuses.repo.ts';
import { notMutedBy, visibleTo } from '../statuses/visibility-policy.ts';
import { appendAudit } from '../moderation/audit-log.ts';
import { auditBy, type Staff } from '../moderation/staff.ts';
import { NotFound } from '../errors.ts';
import type { RunCommand } from '../unit-of-work.ts';

/**
 * What trends is read from recent public posts: a hashtag or a link shared by at least `minAccounts`
 * different people within `windowMs`, a post favourited or reposted by people within it. History is by
 * UTC day, the newest first.
 */
export const TRENDS = { windowMs: 48 * 3600_000, minAccounts: 2, historyDays: 7 } as const;

/** One day of a hashtag's or link's use: its start (Unix seconds), the posts, the people. */
export interface TrendDay {
  readonly day: number;
  readonly uses: number;
  readonly accounts: number;
}

/** A hashtag or link that trends (or would, once approved), with its review and its last days. */
export interface Trend {
  readonly id: string;
  readonly score: number;
  /** The moderators' review: approved, rejected, or not yet (null). */
  readonly trendable: boolean | null;
  readonly history: readonly TrendDay[];
}

/** Which trends a read lists: what the public sees (approved, or for posts not rejected) or everything, for review. */
export type TrendAudience = 'public' | 'review';

/** Posts that count towards trends: public, original, recent, by accounts in good standing. */
function counted(since: string) {
  return sql<SqlBool>`s.visibility = 'public' and s.reblog_of_id is null and s.created_at > ${since}
    and a.suspended_at is null and a.silenced_at is null`;
}

function reviewFilter(kind: TrendKind, audience: TrendAudience, column: string) {
  const review = sql`(select r.trendable from trend_reviews r where r.kind = ${kind} and r.target_id = ${sql.ref(column)})`;
  if (audience === 'review') return sql<SqlBool>`1 = 1`;
  // Hashtags and links trend once approved; posts unless rejected.
  return kind === 'status' ? sql<SqlBool>`coalesce(${review}, ${true}) = ${true}` : sql<SqlBool>`${review} = ${true}`;
}

async function reviewsOf(db: DbReader, kind: TrendKind, ids: readonly string[]): Promise<Map<string, boolean>> {
  if (!ids.length) return new Map();
  const rows = await db
    .selectFrom('trend_reviews')
    .select(['target_id', 'trendable'])
    .where('kind', '=', kind)
    .where('target_id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.target_id, Boolean(r.trendable)]));
}

/** The last days' uses of hashtags or links (by the rows of who used them when). */
function historyOf(
  rows: readonly { key: string; account_id: string; created_at: string }[],
  keys: readonly string[],
  now: string,
): Map<string, TrendDay[]> {
  const today = Math.floor(Date.parse(now) / 86_400_000) * 86_400;
  const out = new Map<string, TrendDay[]>();
  for (const key of keys) {
    const days = Array.from({ length: TRENDS.historyDays }, (_, i) => ({ day: today - i * 86_400, uses: 0, people: new Set<string>() }));
    for (const row of rows) {
      if (row.key !== key) continue;
      const index = (today - Math.floor(Date.parse(row.created_at) / 86_400_000) * 86_400) / 86_400;
      const day = days[index];
      if (!day) continue;
      day.uses += 1;
      day.people.add(row.account_id);
    }
    out.set(
      key,
      days.map((d) => ({ day: d.day, uses: d.uses, accounts: d.people.size })),
    );
  }
  return out;
}

/** The hashtags used by the most people in recent public posts. */
export async function trendingTags(
  db: DbReader,
  now: string,
  q: { audience: TrendAudience; limit: number; offset: number },
): Promise<(Trend & { name: string })[]> {
  const since = new Date(Date.parse(now) - TRENDS.windowMs).toISOString();
  const rows = await db
    .selectFrom('status_tags as st')
    .innerJoin('statuses as s', 's.id', 'st.status_id')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .innerJoin('tags as t', 't.id', 'st.tag_id')
    .select(['t.id', 't.name', sql<number>`count(distinct s.account_id)`.as('n')])
    .where(counted(since))
    .where(reviewFilter('tag', q.audience, 't.id'))
    .groupBy(['t.id', 't.name'])
    .having(sql`count(distinct s.account_id)`, '>=', TRENDS.minAccounts)
    .orderBy('n', 'desc')
    .orderBy('t.name')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  const ids = rows.map((r) => r.id);
  const weekAgo = new Date(Date.parse(now) - TRENDS.historyDays * 86_400_000).toISOString();
  const uses = ids.length
    ? await db
        .selectFrom('status_tags as st')
        .innerJoin('statuses as s', 's.id', 'st.status_id')
        .innerJoin('accounts as a', 'a.id', 's.account_id')
        .select(['st.tag_id as key', 's.account_id', 's.created_at'])
        .where(counted(weekAgo))
        .where('st.tag_id', 'in', ids)
        .limit(50_000)
        .execute()
    : [];
  const history = historyOf(uses, ids, now);
  const reviews = await reviewsOf(db, 'tag', ids);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    score: Number(r.n),
    trendable: reviews.get(r.id) ?? null,
    history: history.get(r.id)!,
  }));
}

/** The links (preview cards) shared by the most people in recent public posts. */
export async function trendingLinks(
  db: DbReader,
  now: string,
  q: { audience: TrendAudience; limit: number; offset: number },
): Promise<Trend[]> {
  const since = new Date(Date.parse(now) - TRENDS.windowMs).toISOString();
  const rows = await db
    .selectFrom('status_cards as sc')
    .innerJoin('statuses as s', 's.id', 'sc.status_id')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .select(['sc.card_id as id', sql<number>`count(distinct s.account_id)`.as('n')])
    .where(counted(since))
    .where(reviewFilter('link', q.audience, 'sc.card_id'))
    .groupBy('sc.card_id')
    .having(sql`count(distinct s.account_id)`, '>=', TRENDS.minAccounts)
    .orderBy('n', 'desc')
    .orderBy('sc.card_id')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  const ids = rows.map((r) => r.id);
  const weekAgo = new Date(Date.parse(now) - TRENDS.historyDays * 86_400_000).toISOString();
  const uses = ids.length
    ? await db
        .selectFrom('status_cards as sc')
        .innerJoin('statuses as s', 's.id', 'sc.status_id')
        .innerJoin('accounts as a', 'a.id', 's.account_id')
        .select(['sc.card_id as key', 's.account_id', 's.created_at'])
        .where(counted(weekAgo))
        .where('sc.card_id', 'in', ids)
        .limit(50_000)
        .execute()
    : [];
  const history = historyOf(uses, ids, now);
  const reviews = await reviewsOf(db, 'link', ids);
  return rows.map((r) => ({ id: r.id, score: Number(r.n), trendable: reviews.get(r.id) ?? null, history: history.get(r.id)! }));
}

/**
 * Recent public posts favourited or reposted by the most people, by discoverable authors, as the viewer
 * may see them (never one they block, mute or are blocked by).
 */
export async function trendingStatuses(
  db: DbReader,
  viewerId: string | null,
  now: string,
  q: { audience: TrendAudience; limit: number; offset: number },
): Promise<{ status: StatusRow; score: number; trendable: boolean | null }[]> {
  const since = new Date(Date.parse(now) - TRENDS.windowMs).toISOString();
  const score = sql<number>`((select count(*) from favourites f where f.status_id = s.id) + (select count(*) from statuses rb where rb.reblog_of_id = s.id))`;
  let query = db
    .selectFrom('statuses as s')
    .innerJoin('accounts as a', 'a.id', 's.account_id')
    .selectAll('s')
    .select(score.as('score'))
    .where(counted(since))
    .where('a.discoverable', '=', true)
    .where(sql<SqlBool>`${score} > 0`)
    .where(reviewFilter('status', q.audience, 's.id'));
  if (q.audience === 'public') query = query.where(visibleTo(viewerId, 's')).where(notMutedBy(viewerId, now, 's'));
  const rows = await query.orderBy('score', 'desc').orderBy('s.id', 'desc').limit(q.limit).offset(q.offset).execute();
  const reviews = await reviewsOf(
    db,
    'status',
    rows.map((r) => r.id),
  );
  return rows.map(({ score: n, ...status }) => ({
    status: status,
    score: Number(n),
    trendable: reviews.get(status.id) ?? null,
  }));
}

/** Moderators' reviews of trends (each on the audit log). */
export function trendCommands(deps: { db: Db; run: RunCommand }) {
  const { run } = deps;
  const table = { tag: 'tags', status: 'statuses', link: 'preview_cards' } as const;
  return {
    /** Approves (it may trend) or rejects (it never trends) a hashtag, post or link. */
    async review(staff: Staff, kind: TrendKind, id: string, trendable: boolean): Promise<void> {
      await run(async (unit) => {
        const exists = await unit.tx.selectFrom(table[kind]).select('id').where('id', '=', id).executeTakeFirst();
        if (!exists) throw new NotFound();
        await unit.tx
          .insertInto('trend_reviews')
          .values({ kind, target_id: id, trendable, reviewed_at: unit.now })
          .onConflict((oc) => oc.columns(['kind', 'target_id']).doUpdateSet({ trendable, reviewed_at: unit.now }))
          .execute();
        await appendAudit(unit, {
          ...auditBy(staff),
          action: trendable ? 'approve_trend' : 'reject_trend',
          targetType: 'trend',
          targetId: id,
          detail: { kind },
        });
      });
    },
  };
}

export type TrendCommands = ReturnType<typeof trendCommands>;
