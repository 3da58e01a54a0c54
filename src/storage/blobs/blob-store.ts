import { randomBytes } from 'node:crypto';

/** What a read of a stored file returns: the requested bytes and where they sit in the whole file. */
export type BlobRead =
  | {
      readonly kind: 'found';
      readonly body: ReadableStream<Uint8Array>;
      readonly size: number;
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: 'unsatisfiable'; readonly size: number };

/** A byte range as HTTP asks for it: from `start` to `end` inclusive (the end of the file if absent). */
export interface ByteRange {
  readonly start: number;
  readonly end?: number | undefined;
}

/**
 * Where media files live: local files or an S3-compatible bucket, behind one contract
 * (`blob-store.contract.test.ts` runs the same suite on both). Keys are made by `newBlobKey` only.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The file (or a range of it), or null if there is no such file. */
  get(key: string, range?: ByteRange): Promise<BlobRead | null>;
  /** Removes the file; removing a missing file is not an error. */
  delete(key: string): Promise<void>;
  /** Every key, for audits and tests. */
  list(): Promise<string[]>;
}

/** The file types Stoa stores and serves, by the extension its keys end with. */
export const BLOB_CONTENT_TYPES = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
} as const;

export type BlobExtension = keyof typeof BLOB_CONTENT_TYPES;

const KEY = new RegExp(`^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}\\.(${Object.keys(BLOB_CONTENT_TYPES).join('|')})$`);

/** A new key: 128 random bits, two folder levels, and the extension of the stored type; never a user's name. */
export function newBlobKey(extension: BlobExtension): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}.${extension}`;
}

/** Whether `key` is one Stoa could have made (so it can name no other path). */
export function isBlobKey(key: string): boolean {
  return KEY.test(key);
}

/** Refuses any key that `newBlobKey` could not have made. */
export function assertBlobKey(key: string): void {
  if (!isBlobKey(key)) throw new RangeError('not a blob key');
}

/** The content type of a stored file, from its key's extension. */
export function blobContentType(key: string): string {
  return BLOB_CONTENT_TYPES[key.slice(key.lastIndexOf('.') + 1) as BlobExtension];
}
