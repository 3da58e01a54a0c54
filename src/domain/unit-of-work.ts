import { isoAt, type Clock } from '../lib/clock.ts';
import type { Db, DbWriter } from '../storage/db/database.ts';
import { enqueueInTransaction } from '../storage/queue/db-message-queue.ts';
import { ChangeSet, type Change, type Changes } from './changes.ts';

/**
 * One command's transaction and the record of what it changed. Repository writes take a unit and record
 * their own changes as they write, so that a command cannot forget to: "every write is told" holds by
 * construction. After the commit the unit tells the change feed once, in one batch; a command that rolls
 * back tells nothing.
 */
export interface Unit {
  readonly tx: DbWriter;
  /** The command's time, ISO-8601. */
  readonly now: string;
  /** The clock the command runs on (for ids). */
  readonly clock: Clock;
  /** Records a change, told after the commit. */
  changed(change: Change): void;
  /**
   * Queues a message on a channel of the queue, in this transaction (it exists if and only if the command
   * commits); the channel's listeners in this process are woken after the commit.
   */
  enqueue(channel: string, payload: unknown, orderingKey?: string | null, availableAt?: string): Promise<void>;
}

/** Runs a command: `work` inside one transaction, then its changes told. */
export type RunCommand = <T>(work: (unit: Unit) => Promise<T>) => Promise<T>;

/** The way every domain command writes: through a unit over `db`, telling `changes` after each commit. */
export function commandRunner(db: Db, clock: Clock, changes: Changes): RunCommand {
  return async (work) => {
    const set = new ChangeSet();
    const result = await db.transaction(async (tx) => {
      const now = isoAt(clock);
      return work({
        tx,
        now,
        clock,
        changed: (change) => set.add(change),
        async enqueue(channel, payload, orderingKey = null, availableAt) {
          await enqueueInTransaction(tx, { channel, payload, orderingKey, now, availableAt });
          set.add({ kind: 'queued', channels: [channel] });
        },
      });
    });
    changes.emit(set.batch());
    return result;
  };
}
