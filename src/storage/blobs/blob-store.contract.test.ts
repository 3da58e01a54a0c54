import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestS3, type TestS3 } from '../../testing/s3-server.ts';
import { newBlobKey, type BlobRead, type BlobStore } from './blob-store.ts';
import { localBlobStore } from './local-blob-store.ts';
import { s3BlobStore } from './s3-blob-store.ts';

async function text(read: BlobRead | null): Promise<string> {
  assert.ok(read && read.kind === 'found');
  return new Response(read.body).text();
}

/** The one contract every blob store keeps. */
function contract(name: string, open: () => BlobStore) {
  describe(`blob store contract: ${name}`, () => {
    it('stores, reads whole and in ranges, lists and deletes', async () => {
      const store = open();
      const key = newBlobKey('mp4');
      await store.put(key, new TextEncoder().encode('0123456789'), 'video/mp4');
      assert.ok((await store.list()).includes(key));
      const whole = await store.get(key);
      assert.ok(whole?.kind === 'found');
      assert.deepEqual([whole.size, whole.start, whole.end], [10, 0, 9]);
      assert.equal(await text(whole), '0123456789');
      const middle = await store.get(key, { start: 2, end: 5 });
      assert.ok(middle?.kind === 'found');
      assert.deepEqual([middle.size, middle.start, middle.end], [10, 2, 5]);
      assert.equal(await text(middle), '2345');
      const tail = await store.get(key, { start: 7 });
      assert.equal(await text(tail), '789');
      assert.deepEqual(await store.get(key, { start: 10 }), { kind: 'unsatisfiable', size: 10 });
      await store.delete(key);
      assert.equal(await store.get(key), null);
      assert.ok(!(await store.list()).includes(key));
      await store.delete(key); // deleting twice is fine
    });

    it('answers null for a file that was never stored and refuses keys it did not make', async () => {
      const store = open();
      assert.equal(await store.get(newBlobKey('jpg')), null);
      for (const bad of [
        '../secret.jpg',
        'ab/cd/../../etc/passwd',
        'ab/cd/0123456789abcdef0123456789abcdef.html',
        '/etc/passwd',
        'AB/CD/0123456789ABCDEF0123456789ABCDEF.jpg',
      ]) {
        await assert.rejects(store.put(bad, new Uint8Array(1), 'image/jpeg'), RangeError);
        await assert.rejects(store.get(bad), RangeError);
        await assert.rejects(store.delete(bad), RangeError);
      }
    });

    it('makes keys that never repeat and carry nothing of the upload', () => {
      const keys = new Set(Array.from({ length: 1000 }, () => newBlobKey('jpg')));
      assert.equal(keys.size, 1000);
      for (const key of keys) assert.match(key, /^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{32}\.jpg$/);
    });
  });
}

const directory = mkdtempSync(join(tmpdir(), 'stoa-blobs-'));
after(() => rmSync(directory, { recursive: true, force: true }));
contract('local files', () => localBlobStore(directory));

let s3: TestS3;
before(async () => {
  s3 = await startTestS3();
});
after(() => s3.close());
contract('S3-compatible (s3rver on loopback)', () =>
  s3BlobStore({
    kind: 's3',
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    pathStyle: true,
  }),
);

describe('local blob store files', () => {
  it('are readable by the server only and leave no partial files behind', async () => {
    const store = localBlobStore(directory);
    const key = newBlobKey('png');
    await store.put(key, new Uint8Array([1, 2, 3]), 'image/png');
    assert.equal(statSync(join(directory, key)).mode & 0o777, 0o600);
    assert.deepEqual(
      readdirSync(join(directory, key, '..')).filter((f) => f.endsWith('.partial')),
      [],
    );
  });
});
