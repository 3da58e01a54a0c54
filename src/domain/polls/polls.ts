import type { Selectable } from 'kysely';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import { toBool } from '../../storage/db/db-errors.ts';
import type { PollsTable } from '../../storage/db/schema.ts';
import { isLocal, type Actor } from '../actor.ts';
import { recordActivity } from '../activity-queue.ts';
import { Forbidden, Invalid, NotFound } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { queueJob } from '../jobs.ts';
import { notify } from '../notifications/notify.ts';
import { visibleStatus } from '../statuses/visibility-policy.ts';
import type { RunCommand, Unit } from '../unit-of-work.ts';

/** What a local poll may be (the Instance entity advertises the same limits). */
const POLL_LIMITS = {
  options: LIMITS.pollOptions,
  optionLength: LIMITS.pollOptionCharacters,
  minExpiry: LIMITS.pollMinSeconds,
  maxExpiry: LIMITS.pollMaxSeconds,
} as const;
/** How long a local poll's new votes wait before its counts are told to other servers (votes come in bursts). */
const TALLY_DELAY_MS = 60_000;
/** What is kept of a remote poll at most. */
const REMOTE_OPTIONS = 20;

export type PollRow = Selectable<PollsTable>;

/** A poll as a local author sends it with a new post. */
export interface PollInput {
  readonly options: readonly string[];
  /** Seconds from posting. */
  readonly expiresIn: number;
  readonly multiple?: boolean | undefined;
  readonly hideTotals?: boolean | undefined;
}

/** A remote poll as its server tells it (a Question's options and counts). */
export interface RemotePoll {
  readonly options: readonly { readonly title: string; readonly votes: number }[];
  readonly multiple: boolean;
  readonly expiresAt: string | null;
  readonly votersCount: number | null;
}

const invalid = (field: string, description: string) =>
  new Invalid(`Validation failed: ${description}`, { [field]: [{ error: 'ERR_INVALID', description }] });

/** Checks a local poll against the limits; returns its options, trimmed. */
export function checkPoll(poll: PollInput): string[] {
  const options = poll.options.map((o) => o.trim());
  if (options.length < 2) throw invalid('poll[options]', 'a poll needs at least 2 options');
  if (options.length > POLL_LIMITS.options) throw invalid('poll[options]', `a poll has at most ${POLL_LIMITS.options} options`);
  if (options.some((o) => !o)) throw invalid('poll[options]', 'an option cannot be blank');
  if (options.some((o) => [...o].length > POLL_LIMITS.optionLength))
    throw invalid('poll[options]', `an option has at most ${POLL_LIMITS.optionLength} characters`);
  if (new Set(options).size !== options.length) throw invalid('poll[options]', 'options must differ');
  if (!Number.isInteger(poll.expiresIn) || poll.expiresIn < POLL_LIMITS.minExpiry || poll.expiresIn > POLL_LIMITS.maxExpiry)
    throw invalid('poll[expires_in]', `must be between ${POLL_LIMITS.minExpiry} and ${POLL_LIMITS.maxExpiry} seconds`);
  return options;
}

/** Adds a local author's poll to their new post, in its command; its end is queued for the workers. */
export async function insertLocalPoll(unit: Unit, statusId: string, accountId: string, poll: PollInput): Promise<void> {
  const expiresAt = new Date(Date.parse(unit.now) + poll.expiresIn * 1000).toISOString();
  const id = uuid7(unit.clock());
  await unit.tx
    .insertInto('polls')
    .values({
      id,
      status_id: statusId,
      account_id: accountId,
      options: JSON.stringify(checkPoll(poll)),
      tallies: null,
      voters_count: null,
      multiple: poll.multiple ?? false,
      hide_totals: poll.hideTotals ?? false,
      expires_at: expiresAt,
      tally_due: false,
      created_at: unit.now,
      updated_at: unit.now,
    })
    .execute();
  await queueJob(unit, { kind: 'poll-ended', pollId: id }, expiresAt);
}

/**
 * Keeps what a remote post's server says of its poll (a new post, or an update of its counts). Options
 * that changed start a new poll: the votes cast from here on the old ones are dropped.
 */
export async function saveRemotePoll(unit: Unit, statusId: string, accountId: string, remote: RemotePoll): Promise<void> {
  const options = remote.options.slice(0, REMOTE_OPTIONS);
  const titles = JSON.stringify(options.map((o) => o.title));
  const values = {
    options: titles,
    tallies: JSON.stringify(options.map((o) => Math.max(0, Math.floor(o.votes)))),
    voters_count: remote.votersCount === null ? null : Math.max(0, Math.floor(remote.votersCount)),
    multiple: remote.multiple,
    expires_at: remote.expiresAt,
    updated_at: unit.now,
  };
  const existing = await unit.tx
    .selectFrom('polls')
    .select(['id', 'options', 'expires_at'])
    .where('status_id', '=', statusId)
    .executeTakeFirst();
  if (existing) {
    if (existing.options !== titles) await unit.tx.deleteFrom('poll_votes').where('poll_id', '=', existing.id).execute();
    await unit.tx.updateTable('polls').set(values).where('id', '=', existing.id).execute();
  } else {
    const id = uuid7(unit.clock());
    await unit.tx
      .insertInto('polls')
      .values({ id, status_id: statusId, account_id: accountId, hide_totals: false, tally_due: false, created_at: unit.now, ...values })
      .execute();
    // Voters here are told when it ends.
    if (remote.expiresAt) await queueJob(unit, { kind: 'poll-ended', pollId: id }, remote.expiresAt);
  }
  unit.changed({ kind: 'statuses', ids: [statusId] });
}

/** A poll as one viewer sees it: its counts, and the viewer's own votes. */
export interface PollView {
  readonly poll: PollRow;
  readonly titles: readonly string[];
  readonly tallies: readonly number[];
  readonly votes: number;
  readonly voters: number;
  readonly expired: boolean;
  /** The options the viewer chose; null for an anonymous viewer. */
  readonly ownVotes: readonly number[] | null;
  readonly viewerIsAuthor: boolean;
}

/** The polls of these statuses as the viewer sees them, by status id (three queries for a whole page). */
export async function loadPolls(
  db: DbReader,
  statusIds: readonly string[],
  viewerId: string | null,
  now: number,
): Promise<Map<string, PollView>> {
  const views = new Map<string, PollView>();
  if (!statusIds.length) return views;
  const polls = await db
    .selectFrom('polls')
    .selectAll()
    .where('status_id', 'in', [...statusIds])
    .execute();
  if (!polls.length) return views;
  const ids = polls.map((p) => p.id);
  const votes = await db.selectFrom('poll_votes').select(['poll_id', 'account_id', 'choice']).where('poll_id', 'in', ids).execute();
  for (const poll of polls) {
    const titles = JSON.parse(poll.options) as string[];
    const cast = votes.filter((v) => v.poll_id === poll.id);
    // A remote poll's counts are its server's (with the votes cast here since added); a local one counts.
    const remote = poll.tallies !== null;
    const stored = remote ? (JSON.parse(poll.tallies!) as number[]) : [];
    const tallies = titles.map((_, i) => (remote ? (stored[i] ?? 0) : cast.filter((v) => v.choice === i).length));
    const voters = remote
      ? (poll.voters_count ?? (toBool(poll.multiple) ? 0 : tallies.reduce((a, b) => a + b, 0)))
      : new Set(cast.map((v) => v.account_id)).size;
    views.set(poll.status_id, {
      poll,
      titles,
      tallies,
      votes: tallies.reduce((a, b) => a + b, 0),
      voters,
      expired: poll.expires_at !== null && Date.parse(String(poll.expires_at)) <= now,
      ownVotes: viewerId === null ? null : cast.filter((v) => v.account_id === viewerId).map((v) => v.choice),
      viewerIsAuthor: viewerId === poll.account_id,
    });
  }
  return views;
}

/** A poll by id, with its status's visibility checked for the viewer. */
export async function findVisiblePoll(db: DbReader, viewerId: string | null, pollId: string): Promise<PollRow> {
  const poll = await db.selectFrom('polls').selectAll().where('id', '=', pollId).executeTakeFirst();
  if (!poll) throw new NotFound();
  await visibleStatus(db, viewerId, poll.status_id);
  return poll;
}

/** The poll of a local post at `statusUri` and the number of its option titled `title` (a remote vote), or null. */
export async function localPollVote(db: DbReader, statusUri: string, title: string): Promise<{ pollId: string; choice: number } | null> {
  const poll = await db
    .selectFrom('polls')
    .innerJoin('statuses', 'statuses.id', 'polls.status_id')
    .select(['polls.id', 'polls.options'])
    .where('statuses.uri', '=', statusUri)
    .where('statuses.domain', 'is', null)
    .executeTakeFirst();
  if (!poll) return null;
  const choice = (JSON.parse(poll.options) as string[]).indexOf(title);
  return choice < 0 ? null : { pollId: poll.id, choice };
}

/** Voting in polls, local and remote, and what happens when a poll ends. */
export function pollCommands(deps: { db: Db; run: RunCommand }) {
  const { db, run } = deps;
  return {
    /**
     * Casts the actor's votes: a local member through the API (once per poll), or a remote voter's vote
     * that their server sent (one choice per activity). A vote in a remote poll is sent to its server.
     */
    async vote(actor: Actor, pollId: string, choices: readonly number[], remote?: { uri: string }): Promise<void> {
      const voter = actor.account;
      if (isLocal(voter) === (remote !== undefined)) throw new Forbidden('A vote is cast through its own server');
      const poll = await findVisiblePoll(db.read, voter.id, pollId);
      const titles = JSON.parse(poll.options) as string[];
      const multiple = toBool(poll.multiple);
      const wanted = [...new Set(choices)];
      if (!wanted.length || wanted.length !== choices.length || wanted.some((c) => !Number.isInteger(c) || c < 0 || c >= titles.length))
        throw invalid('choices', 'must be the numbers of options in this poll, each once');
      if (!multiple && wanted.length > 1) throw invalid('choices', 'this poll takes one choice');
      if (poll.expires_at !== null && Date.parse(String(poll.expires_at)) <= Date.now())
        throw invalid('base', 'The poll has already ended');
      await run(async (unit) => {
        if (poll.expires_at !== null && String(poll.expires_at) <= unit.now) throw invalid('base', 'The poll has already ended');
        const before = await unit.tx
          .selectFrom('poll_votes')
          .select('choice')
          .where('poll_id', '=', poll.id)
          .where('account_id', '=', voter.id)
          .execute();
        // A member votes once; a remote voter's server sends one activity per choice of a multiple poll.
        if (remote ? !multiple && before.length > 0 : before.length > 0) throw invalid('base', 'You have already voted on this poll');
        if (remote && before.some((b) => wanted.includes(b.choice))) return;
        const ids: string[] = [];
        for (const choice of wanted) {
          const id = uuid7(unit.clock());
          ids.push(id);
          await unit.tx
            .insertInto('poll_votes')
            .values({ id, poll_id: poll.id, account_id: voter.id, choice, uri: remote?.uri ?? null, created_at: unit.now })
            .execute();
        }
        unit.changed({ kind: 'statuses', ids: [poll.status_id] });
        unit.changed({ kind: 'viewers', ids: [voter.id] });
        const local = poll.tallies === null;
        if (!local && isLocal(voter)) {
          // Counted here at once, until its server tells the counts again.
          const fresh = await unit.tx
            .selectFrom('polls')
            .select(['tallies', 'voters_count'])
            .where('id', '=', poll.id)
            .executeTakeFirstOrThrow();
          const tallies = JSON.parse(fresh.tallies ?? '[]') as number[];
          for (const choice of wanted) tallies[choice] = (tallies[choice] ?? 0) + 1;
          await unit.tx
            .updateTable('polls')
            .set({ tallies: JSON.stringify(tallies), voters_count: fresh.voters_count === null ? null : fresh.voters_count + 1 })
            .where('id', '=', poll.id)
            .execute();
          await recordActivity(unit, voter, { type: 'poll-voted', accountId: voter.id, pollId: poll.id, voteIds: ids });
          return;
        }
        // Other servers hear the new counts of a local poll once a burst of votes is over.
        if (local) {
          const marked = await unit.tx
            .updateTable('polls')
            .set({ tally_due: true })
            .where('id', '=', poll.id)
            .where('tally_due', '=', false)
            .returning('id')
            .execute();
          if (marked.length)
            await queueJob(unit, { kind: 'poll-tally', pollId: poll.id }, new Date(Date.parse(unit.now) + TALLY_DELAY_MS).toISOString());
        }
      });
    },

    /** Tells other servers a local poll's new counts (the worker, a minute after a burst of votes). */
    async sendTally(pollId: string): Promise<void> {
      await run(async (unit) => {
        const cleared = await unit.tx
          .updateTable('polls')
          .set({ tally_due: false })
          .where('id', '=', pollId)
          .where('tally_due', '=', true)
          .returning(['status_id', 'account_id'])
          .executeTakeFirst();
        if (cleared)
          await recordActivity(
            unit,
            { domain: null },
            { type: 'status-updated', accountId: cleared.account_id, statusId: cleared.status_id },
          );
      });
    },

    /**
     * Handles a poll's end, once (the worker, at its time): its author and the voters here are notified, and
     * a local poll's final counts go to other servers.
     */
    async end(pollId: string): Promise<void> {
      await run(async (unit) => {
        const poll = await unit.tx.selectFrom('polls').selectAll().where('id', '=', pollId).executeTakeFirst();
        if (!poll || poll.ended_at !== null || poll.expires_at === null || String(poll.expires_at) > unit.now) return;
        await unit.tx.updateTable('polls').set({ ended_at: unit.now, tally_due: false }).where('id', '=', pollId).execute();
        const status = await unit.tx
          .selectFrom('statuses')
          .select(['id', 'domain', 'thread_id'])
          .where('id', '=', poll.status_id)
          .executeTakeFirst();
        if (!status) return;
        const voters = await unit.tx
          .selectFrom('poll_votes')
          .innerJoin('accounts', 'accounts.id', 'poll_votes.account_id')
          .select('accounts.id')
          .distinct()
          .where('poll_votes.poll_id', '=', pollId)
          .where('accounts.domain', 'is', null)
          .execute();
        const local = status.domain === null;
        for (const id of [...(local ? [poll.account_id] : []), ...voters.map((v) => v.id)])
          await notify(unit, {
            accountId: id,
            fromAccountId: poll.account_id,
            type: 'poll',
            statusId: status.id,
            threadId: status.thread_id,
            evenToSelf: true,
          });
        unit.changed({ kind: 'statuses', ids: [status.id] });
        if (local)
          await recordActivity(unit, { domain: null }, { type: 'status-updated', accountId: poll.account_id, statusId: status.id });
      });
    },
  };
}

export type PollCommands = ReturnType<typeof pollCommands>;
