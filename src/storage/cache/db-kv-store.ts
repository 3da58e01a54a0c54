import { isDeepStrictEqual } from 'node:util';
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from '@fedify/fedify';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { Db } from '../db/database.ts';

/**
 * Fedify's key-value store over Stoa's database (SQLite or PostgreSQL): remote documents and keys it has
 * fetched, idempotence records of inbox activities, circuit-breaker state. Keys are stored as JSON
 * arrays, so that a prefix of the key is a prefix of its text; expired entries read as absent.
 */
export class DbKvStore implements KvStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const row = await this.#db.read
      .selectFrom('kv_entries')
      .select(['value', 'expires_at'])
      .where('key', '=', encodeKey(key))
      .executeTakeFirst();
    if (row === undefined || isExpired(row.expires_at, this.#clock)) return undefined;
    return JSON.parse(row.value) as T;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const row = { key: encodeKey(key), value: JSON.stringify(value), expires_at: expiry(options, this.#clock) };
    await this.#db.transaction((tx) =>
      tx
        .insertInto('kv_entries')
        .values(row)
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, expires_at: row.expires_at }))
        .execute(),
    );
  }

  async delete(key: KvKey): Promise<void> {
    await this.#db.transaction((tx) => tx.deleteFrom('kv_entries').where('key', '=', encodeKey(key)).execute());
  }

  /** Compare-and-swap: sets `newValue` only if the current value equals `expectedValue` (absent as undefined). */
  cas = async (key: KvKey, expectedValue: unknown, newValue: unknown, options?: KvStoreSetOptions): Promise<boolean> =>
    this.#db.transaction(async (tx) => {
      const k = encodeKey(key);
      let query = tx.selectFrom('kv_entries').select(['value', 'expires_at']).where('key', '=', k);
      if (this.#db.engine === 'postgres') query = query.forUpdate();
      const row = await query.executeTakeFirst();
      const current = row === undefined || isExpired(row.expires_at, this.#clock) ? undefined : (JSON.parse(row.value) as unknown);
      // Compared as values, not as text: the expected value may list its keys in another order.
      if (!isDeepStrictEqual(current, normalized(expectedValue))) return false;
      // Swapping in `undefined` removes the entry.
      if (newValue === undefined) {
        if (row !== undefined) await tx.deleteFrom('kv_entries').where('key', '=', k).execute();
        return true;
      }
      const values = { key: k, value: JSON.stringify(newValue), expires_at: expiry(options, this.#clock) };
      // With PostgreSQL, two first writers of a key both see it absent: the conflict decides, as a failed swap.
      const result = await tx
        .insertInto('kv_entries')
        .values(values)
        .onConflict((oc) =>
          row === undefined
            ? oc.column('key').doNothing()
            : oc.column('key').doUpdateSet({ value: values.value, expires_at: values.expires_at }),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    });

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    const exact = prefix ? encodeKey(prefix) : undefined;
    let query = this.#db.read.selectFrom('kv_entries').select(['key', 'value', 'expires_at']).orderBy('key');
    if (exact !== undefined) {
      // `["a","b"]` lists itself and every key that starts `["a","b",` (compared as text, not by collation).
      const start = `${exact.slice(0, -1)},`;
      query = query.where((eb) =>
        eb.or([eb('key', '=', exact), eb(eb.fn<string>('substr', ['key', eb.val(1), eb.val(start.length)]), '=', start)]),
      );
    }
    for (const row of await query.execute()) {
      if (isExpired(row.expires_at, this.#clock)) continue;
      yield { key: JSON.parse(row.key) as KvKey, value: JSON.parse(row.value) as unknown };
    }
  }

  /** Removes expired entries; the cleanup job calls it. Returns how many went. */
  async sweep(): Promise<number> {
    const result = await this.#db.transaction((tx) =>
      tx.deleteFrom('kv_entries').where('expires_at', '<=', isoAt(this.#clock)).executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}

/** Milliseconds in a Temporal duration (typed here: the runtime's Temporal types are not in scope). */
export function durationMs(duration: unknown): number {
  return (duration as { total(options: { unit: 'millisecond' }): number }).total({ unit: 'millisecond' });
}

function encodeKey(key: KvKey): string {
  return JSON.stringify(key);
}

function expiry(options: KvStoreSetOptions | undefined, clock: Clock): string | null {
  return options?.ttl ? isoAt(clock, durationMs(options.ttl)) : null;
}

function isExpired(expiresAt: string | null, clock: Clock): boolean {
  return expiresAt !== null && Date.parse(expiresAt) <= clock();
}

/** A value as it reads back after a round trip through JSON (undefined fields gone, dates as strings). */
function normalized(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}
