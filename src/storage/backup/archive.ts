import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { Decrypter, Encrypter } from 'age-encryption';

/** Format version of a backup archive. */
export const BACKUP_FORMAT_VERSION = 1;

/**
 * What an archive holds, one JSON record per line: a manifest, the server secret, each table (its columns,
 * then its rows in batches, then links deferred to after the rows, then its count), each media file (its
 * size and SHA-256, then its bytes in chunks), and a trailer with the counts and the SHA-256 of every line
 * before it.
 */
export type BackupRecord =
  | {
      readonly kind: 'manifest';
      readonly format: 'stoa-backup';
      readonly version: number;
      readonly stoa: string;
      readonly engine: string;
      readonly domain: string;
      readonly migrations: readonly string[];
      readonly createdAt: string;
    }
  | { readonly kind: 'secret'; readonly value: string }
  | { readonly kind: 'table'; readonly name: string; readonly columns: readonly string[]; readonly deferred: readonly string[] }
  | { readonly kind: 'rows'; readonly rows: readonly (readonly unknown[])[] }
  | { readonly kind: 'links'; readonly column: string; readonly key: readonly string[]; readonly pairs: readonly (readonly unknown[])[] }
  | { readonly kind: 'table-end'; readonly name: string; readonly count: number }
  | { readonly kind: 'blob'; readonly key: string; readonly size: number; readonly sha256: string }
  | { readonly kind: 'chunk'; readonly data: string }
  | BackupTrailer;

/** The last record: what the archive holds, and the SHA-256 of every line before it. */
export interface BackupTrailer {
  readonly kind: 'end';
  readonly tables: Readonly<Record<string, number>>;
  readonly blobs: number;
  readonly blobBytes: number;
  readonly sha256: string;
}

/** Raised for an archive that cannot be read: a wrong passphrase, a truncated or altered file. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

const AGE_HEADER = 'age-encryption.org/v1\n';

/** Writes records to `out`: JSON lines, gzip, then age encryption with the passphrase (unless null). */
export function backupWriter(out: Writable, passphrase: string | null) {
  const lines = new PassThrough();
  const hash = createHash('sha256');
  const gzipped = lines.pipe(createGzip());
  let done: Promise<void>;
  if (passphrase === null) {
    done = pipeline(gzipped, out);
  } else {
    const encrypter = new Encrypter();
    encrypter.setPassphrase(passphrase);
    done = encrypter
      .encrypt(Readable.toWeb(gzipped) as unknown as ReadableStream<Uint8Array>)
      .then((encrypted) => pipeline(Readable.fromWeb(encrypted as unknown as WebReadableStream<Uint8Array>), out));
  }
  // A failure of the output is reported by finish(); until then writes must not hang on it.
  done.catch(() => lines.destroy());
  const put = async (record: BackupRecord) => {
    const line = `${JSON.stringify(record)}\n`;
    if (record.kind !== 'end') hash.update(line);
    if (!lines.write(line)) await Promise.race([once(lines, 'drain'), done]);
  };
  return {
    write: put,
    /** Writes the trailer and waits until everything has reached `out`. */
    async finish(trailer: Omit<BackupTrailer, 'kind' | 'sha256'>): Promise<void> {
      await put({ kind: 'end', ...trailer, sha256: hash.digest('hex') });
      lines.end();
      await done;
    },
  };
}

/** Whether the archive's first bytes are age's header (it is encrypted). */
function isEncrypted(head: Buffer): boolean {
  return head.subarray(0, AGE_HEADER.length).toString('latin1') === AGE_HEADER;
}

/**
 * Reads an archive's records, checking as it goes: the passphrase (an encrypted archive is refused without
 * the right one before any record is read), age's authentication of every chunk, gzip's checksum, and at the
 * end the trailer's hash of every line. A file cut short has no trailer and is refused.
 */
export async function* readBackup(input: Readable, passphrase: string | null): AsyncGenerator<BackupRecord> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  if (first.done) throw new BackupError('the backup is empty');
  const head = Buffer.from(first.value);
  const whole = Readable.from(
    (async function* () {
      yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    })(),
  );
  let compressed: Readable = whole;
  if (isEncrypted(head)) {
    if (passphrase === null)
      throw new BackupError('the backup is encrypted: give its passphrase (STOA_BACKUP_PASSPHRASE or --passphrase-file)');
    const decrypter = new Decrypter();
    decrypter.addPassphrase(passphrase);
    let plain: ReadableStream<Uint8Array>;
    try {
      plain = await decrypter.decrypt(Readable.toWeb(whole) as unknown as ReadableStream<Uint8Array>);
    } catch (error) {
      throw new BackupError(`the passphrase does not open this backup (${(error as Error).message})`);
    }
    compressed = Readable.fromWeb(plain);
  }
  const gunzip = createGunzip();
  compressed.on('error', (error) => gunzip.destroy(error));
  const lines = linesOf(compressed.pipe(gunzip));
  const hash = createHash('sha256');
  let trailer: BackupTrailer | null = null;
  try {
    for await (const line of lines) {
      if (trailer) throw new BackupError('the backup has data after its end');
      let record: BackupRecord;
      try {
        record = JSON.parse(line) as BackupRecord;
      } catch {
        throw new BackupError('the backup is damaged (a record is not JSON)');
      }
      if (record.kind === 'end') {
        if (record.sha256 !== hash.digest('hex')) throw new BackupError('the backup was altered: its checksum does not match');
        trailer = record;
      } else hash.update(`${line}\n`);
      yield record;
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`the backup is damaged or cut short (${(error as Error).message})`);
  }
  if (!trailer) throw new BackupError('the backup is cut short: it has no end');
}

/**
 * The lines of a text stream, read a chunk at a time as they are consumed: the stream waits while the
 * consumer (a restore writing rows) is slower than the reading, so memory holds a chunk and a line.
 */
async function* linesOf(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of input as AsyncIterable<Buffer>) {
    pending += decoder.write(chunk);
    let end = pending.indexOf('\n');
    if (end === -1) continue;
    let start = 0;
    while (end !== -1) {
      yield pending.slice(start, end);
      start = end + 1;
      end = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }
  pending += decoder.end();
  if (pending) yield pending;
}
