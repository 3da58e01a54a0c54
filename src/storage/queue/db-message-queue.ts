import type { MessageQueue, MessageQueueDepth, MessageQueueEnqueueOptions, MessageQueueListenOptions } from '@fedify/fedify';
import { sql } from 'kysely';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbWriter } from '../db/database.ts';
import { durationMs } from '../cache/db-kv-store.ts';

export interface DbMessageQueueOptions {
  /** How often an idle listener looks for messages enqueued by other processes (or delayed ones). */
  readonly pollMs?: number;
  /** How many messages one listener handles at once. */
  readonly concurrency?: number;
  /** How long a claimed message stays invisible to other workers; a worker that dies releases it then. */
  readonly leaseMs?: number;
  readonly logger?: Logger;
  /** Which of the queues sharing the table this one is (default `fedify`). */
  readonly channel?: string;
}

/**
 * Fedify's message queue over Stoa's database, so that the embedded setup needs no broker and several
 * processes on PostgreSQL share one queue. Fedify retries failed work itself (`nativeRetrial` false), so a
 * handled message is removed whether its handler succeeded or not. Messages with an ordering key are
 * handled one at a time, in the order they were enqueued; others in parallel.
 */
export class DbMessageQueue implements MessageQueue {
  readonly nativeRetrial = false;
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #logger: Logger | undefined;
  readonly #channel: string;
  #lastId = '';
  /** Wakes this process's listeners when it enqueues, so local work does not wait for the next poll. */
  readonly #wake = new EventTarget();

  constructor(db: Db, clock: Clock, options: DbMessageQueueOptions = {}) {
    this.#db = db;
    this.#clock = clock;
    this.#pollMs = options.pollMs ?? 1000;
    this.#concurrency = options.concurrency ?? 4;
    this.#leaseMs = options.leaseMs ?? 10 * 60_000;
    this.#logger = options.logger;
    this.#channel = options.channel ?? 'fedify';
  }

  enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.enqueueMany([message], options);
  }

  enqueueMany = async (messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> => {
    if (messages.length === 0) return;
    const delayMs = options?.delay ? Math.max(0, durationMs(options.delay)) : 0;
    const rows = messages.map((message) => ({
      id: this.#nextId(),
      payload: JSON.stringify(message),
      ordering_key: options?.orderingKey ?? null,
      available_at: isoAt(this.#clock, delayMs),
      locked_until: null,
      created_at: isoAt(this.#clock),
      channel: this.#channel,
    }));
    await this.#db.transaction((tx) => tx.insertInto('queue_messages').values(rows).execute());
    const wake = () => this.#wake.dispatchEvent(new Event('enqueued'));
    if (delayMs > 0) setTimeout(wake, delayMs).unref();
    else wake();
  };

  /**
   * Removes the messages of this channel with exactly this payload that no worker has claimed: repeated
   * requests for the same work, once one run of it covers them all.
   */
  async discard(message: unknown): Promise<void> {
    const payload = JSON.stringify(message);
    await this.#db.transaction((tx) =>
      tx
        .deleteFrom('queue_messages')
        .where('channel', '=', this.#channel)
        .where('payload', '=', payload)
        .where('locked_until', 'is', null)
        .execute(),
    );
  }

  /** Tells this process's listener that messages were added by someone else (another queue object). */
  wake(): void {
    this.#wake.dispatchEvent(new Event('enqueued'));
  }

  async listen(handler: (message: unknown) => Promise<void> | void, options: MessageQueueListenOptions = {}): Promise<void> {
    const { signal } = options;
    const running = new Set<Promise<void>>();
    while (!signal?.aborted) {
      const claimed = await this.#claim(this.#concurrency - running.size).catch((error: unknown) => {
        this.#logger?.error({ err: error }, 'queue: claiming messages failed');
        return [];
      });
      for (const row of claimed) {
        const job = this.#handle(row, handler).finally(() => running.delete(job));
        running.add(job);
      }
      if (claimed.length > 0 && running.size < this.#concurrency) continue;
      await this.#idle(signal, running);
    }
    await Promise.all(running);
  }

  async getDepth(): Promise<MessageQueueDepth> {
    const now = isoAt(this.#clock);
    const row = await this.#db.read
      .selectFrom('queue_messages')
      .select((eb) => [
        eb.fn.countAll<number>().as('queued'),
        eb.fn.sum<number>(eb.case().when('available_at', '<=', now).then(1).else(0).end()).as('ready'),
      ])
      .where('channel', '=', this.#channel)
      .executeTakeFirstOrThrow();
    const queued = Number(row.queued);
    const ready = Number(row.ready ?? 0);
    return { queued, ready, delayed: queued - ready };
  }

  async #handle(row: { id: string; payload: string }, handler: (message: unknown) => Promise<void> | void): Promise<void> {
    try {
      await handler(JSON.parse(row.payload));
    } catch (error) {
      this.#logger?.warn({ err: error, messageId: row.id }, 'queue: handler failed');
    }
    await this.#db
      .transaction((tx) => tx.deleteFrom('queue_messages').where('id', '=', row.id).execute())
      .catch((error: unknown) => {
        this.#logger?.error({ err: error, messageId: row.id }, 'queue: removing a handled message failed');
      });
  }

  /** A new id, greater than every id this queue made before: uuid7 alone is random within a millisecond. */
  #nextId(): string {
    let id = uuid7(this.#clock());
    if (id <= this.#lastId) {
      const tail = (BigInt(`0x${this.#lastId.slice(-12)}`) + 1n).toString(16).padStart(12, '0');
      id = `${this.#lastId.slice(0, -12)}${tail}`;
    }
    this.#lastId = id;
    return id;
  }

  /** Claims up to `limit` messages that are due, unclaimed and first in their ordering key. */
  async #claim(limit: number): Promise<{ id: string; payload: string }[]> {
    if (limit <= 0) return [];
    const now = isoAt(this.#clock);
    return this.#db.transaction(async (tx) => {
      let due = tx
        .selectFrom('queue_messages as q')
        .select('q.id')
        .where('q.channel', '=', this.#channel)
        .where('q.available_at', '<=', now)
        .where((eb) => eb.or([eb('q.locked_until', 'is', null), eb('q.locked_until', '<=', now)]))
        .where((eb) =>
          eb.or([
            eb('q.ordering_key', 'is', null),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('queue_messages as p')
                  .select(sql.lit(1).as('one'))
                  .whereRef('p.ordering_key', '=', 'q.ordering_key')
                  .whereRef('p.id', '<', 'q.id'),
              ),
            ),
          ]),
        )
        .orderBy('q.available_at')
        .limit(limit);
      if (this.#db.engine === 'postgres') due = due.forUpdate().skipLocked();
      const ids = (await due.execute()).map((row) => row.id);
      if (ids.length === 0) return [];
      return tx
        .updateTable('queue_messages')
        .set({ locked_until: isoAt(this.#clock, this.#leaseMs) })
        .where('id', 'in', ids)
        .returning(['id', 'payload'])
        .execute();
    });
  }

  /** Waits for a local enqueue, a free slot, the poll interval or the end of listening, whichever is first. */
  #idle(signal: AbortSignal | undefined, running: Set<Promise<void>>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake.removeEventListener('enqueued', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.#pollMs);
      this.#wake.addEventListener('enqueued', done);
      signal?.addEventListener('abort', done);
      if (running.size >= this.#concurrency) void Promise.race(running).then(done);
    });
  }
}

/**
 * Queues a message inside a caller's transaction (a transactional outbox): it exists if and only if the
 * transaction commits. A listener of `channel` in another process finds it at its next poll; with
 * `availableAt`, not before then.
 */
export async function enqueueInTransaction(
  tx: DbWriter,
  message: { channel: string; payload: unknown; orderingKey?: string | null; now: string; availableAt?: string | undefined },
): Promise<void> {
  await tx
    .insertInto('queue_messages')
    .values({
      id: uuid7(Date.parse(message.now)),
      payload: JSON.stringify(message.payload),
      ordering_key: message.orderingKey ?? null,
      available_at: message.availableAt ?? message.now,
      locked_until: null,
      created_at: message.now,
      channel: message.channel,
    })
    .execute();
}
