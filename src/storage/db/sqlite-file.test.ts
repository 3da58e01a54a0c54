import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createLogger } from '../../lib/logger.ts';
import { openDatabase } from './database.ts';

const dir = mkdtempSync(join(tmpdir(), 'stoa-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the SQLite file', () => {
  it('is created readable by the server’s user alone, with its folder and write-ahead log', async () => {
    const path = join(dir, 'fresh', 'stoa.sqlite');
    const db = openDatabase({ engine: 'sqlite', path }, createLogger('silent'));
    try {
      await db.transaction((tx) => sql`create table t (x integer)`.execute(tx));
      assert.equal(modeOf(path), 0o600);
      assert.equal(modeOf(`${path}-wal`), 0o600);
      assert.equal(modeOf(join(dir, 'fresh')), 0o700);
    } finally {
      await db.close();
    }
  });

  it('is made private when it was readable by others', async () => {
    const path = join(dir, 'old.sqlite');
    writeFileSync(path, '', { mode: 0o644 });
    assert.equal(modeOf(path), 0o644);
    const db = openDatabase({ engine: 'sqlite', path }, createLogger('silent'));
    try {
      await db.transaction((tx) => sql`select 1`.execute(tx));
    } finally {
      await db.close();
    }
    assert.equal(modeOf(path), 0o600);
  });
});
