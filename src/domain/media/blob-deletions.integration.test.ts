import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../lib/logger.ts';
import { newBlobKey } from '../../storage/blobs/blob-store.ts';
import { localBlobStore } from '../../storage/blobs/local-blob-store.ts';
import { s3BlobStore } from '../../storage/blobs/s3-blob-store.ts';
import { openDatabase, type Db } from '../../storage/db/database.ts';
import { migrateToLatest } from '../../storage/db/migrate.ts';
import { freePort } from '../../testing/free-port.ts';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.ts';
import { changeFeed } from '../changes.ts';
import { commandRunner } from '../unit-of-work.ts';
import { deleteQueuedBlobs, pendingBlobDeletions, scheduleBlobDeletion } from './media.repo.ts';

// Files of deleted media are removed after the deleting command commits; a blob store that fails then
// (an S3 service that is down) leaves the file queued for the cleanup to try again, and says so in the log.

let database: TestDatabase;
let db: Db;
let folder: string;

before(async () => {
  database = await createTestDatabase();
  db = openDatabase(database.config, createLogger('silent'));
  await migrateToLatest(db);
  folder = mkdtempSync(join(tmpdir(), 'stoa-blobs-'));
});

after(async () => {
  await db.close();
  await database.drop();
  rmSync(folder, { recursive: true, force: true });
});

describe('removing the files of deleted media', () => {
  it('logs a file the blob store cannot remove, keeps it queued, and removes it once the store answers', async () => {
    const run = commandRunner(db, Date.now, changeFeed());
    const local = localBlobStore(folder);
    const key = newBlobKey('jpg');
    await local.put(key, new Uint8Array([1, 2, 3]), 'image/jpeg');
    await run((unit) => scheduleBlobDeletion(unit, [key]));

    const lines: string[] = [];
    const log = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const down = s3BlobStore({
      kind: 's3',
      endpoint: `http://127.0.0.1:${await freePort('127.0.0.1')}`,
      bucket: 'media',
      region: 'us-east-1',
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      pathStyle: true,
    });
    assert.equal(await deleteQueuedBlobs(db, down, log, [key]), 0);
    const logged = lines.map((line) => JSON.parse(line) as { level: string; key?: string; msg: string });
    assert.ok(
      logged.some((entry) => entry.key === key && entry.level === 'warn' && /could not be removed/.test(entry.msg)),
      `no warning for ${key} in ${JSON.stringify(logged)}`,
    );
    assert.deepEqual(await pendingBlobDeletions(db.read, { keys: [key], limit: 10 }), [key], 'the file is still queued');

    assert.equal(await deleteQueuedBlobs(db, local, log), 1);
    assert.deepEqual(await pendingBlobDeletions(db.read, { keys: [key], limit: 10 }), []);
    assert.equal(await local.get(key), null);
  });
});
