import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { assertBlobKey, isBlobKey, type BlobStore } from './blob-store.ts';

/** Media files under one folder (`<data dir>/media` by default), written atomically, readable by the owner only. */
export function localBlobStore(directory: string): BlobStore {
  const pathOf = (key: string) => {
    assertBlobKey(key);
    return join(directory, key);
  };
  return {
    kind: 'local',
    async put(key, bytes) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = `${path}.${randomBytes(6).toString('hex')}.partial`;
      await writeFile(temporary, bytes, { mode: 0o600 });
      await rename(temporary, path);
    },
    async get(key, range) {
      const path = pathOf(key);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch {
        return null;
      }
      const start = range?.start ?? 0;
      const end = Math.min(range?.end ?? size - 1, size - 1);
      if (range && (start >= size || start > end)) return { kind: 'unsatisfiable', size };
      const body = Readable.toWeb(createReadStream(path, { start, end: Math.max(end, 0) })) as ReadableStream<Uint8Array>;
      return { kind: 'found', body, size, start, end };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async list() {
      let entries: string[];
      try {
        entries = await readdir(directory, { recursive: true });
      } catch {
        return [];
      }
      return entries.map((e) => relative(directory, join(directory, e)).split('\\').join('/')).filter(isBlobKey);
    },
  };
}
