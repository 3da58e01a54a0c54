import type { Db } from '../storage/db/database.ts';
import { until } from './until.ts';

/**
 * Waits until a queue channel holds no message (every job queued on it so far has been handled): the
 * sentinel for effects the workers bring about after a command commits.
 */
export async function drained(db: Db, channel: string, timeoutMs = 20_000): Promise<void> {
  await until(
    `the ${channel} queue to drain`,
    async () => (await db.read.selectFrom('queue_messages').select('id').where('channel', '=', channel).limit(1).execute()).length === 0,
    timeoutMs,
    50,
  );
}
