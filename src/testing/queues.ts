import type { Db } from '../storage/db/database.ts';
import { until } from './until.ts';

/**
 * Waits until a queue channel holds no message that is due (every message queued on it so far has been
 * handled; retries waiting for their time do not count): the sentinel for effects the workers bring about
 * after a command commits, and for showing that something did not happen once they had their chance.
 */
export async function drained(db: Db, channel: string, timeoutMs = 20_000): Promise<void> {
  await until(
    `the ${channel} queue to drain`,
    async () =>
      (
        await db.read
          .selectFrom('queue_messages')
          .select('id')
          .where('channel', '=', channel)
          .where('available_at', '<=', new Date().toISOString())
          .limit(1)
          .execute()
      ).length === 0,
    timeoutMs,
    50,
  );
}
