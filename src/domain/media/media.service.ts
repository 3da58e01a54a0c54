import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../../config/index.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { serialQueue } from '../../lib/serial-queue.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import { BLOB_CONTENT_TYPES, newBlobKey, type BlobStore } from '../../storage/blobs/blob-store.ts';
import type { Db } from '../../storage/db/database.ts';
import type { RateLimiter } from '../../storage/cache/rate-limiter.ts';
import { DomainError, Invalid, NotFound, RateLimited, TooLarge } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { RunCommand } from '../unit-of-work.ts';
import type { ImagePurpose } from './image-pipeline.ts';
import { mediaProcessor, type ProcessorResult, type WrittenFile } from './media-processor.ts';
import {
  deleteQueuedBlobs,
  findMedia,
  forgetMedia,
  insertMedia,
  staleMediaIds,
  updateMedia,
  processingMedia,
  type MediaRow,
} from './media.repo.ts';
import { sniff, type Sniffed } from './sniff.ts';
import { findHeifDecoder, findMediaTools, type MediaTools } from './tools.ts';

/** Alt text may be this long (Mastodon's limit). */
const MAX_DESCRIPTION = LIMITS.mediaDescriptionCharacters;
/** Uploads never attached to a status are removed after this long. */
export const UNATTACHED_TTL_MS = 24 * 60 * 60 * 1000;

/** The largest custom emoji image taken, before re-encoding. */
export const EMOJI_MAX_BYTES = 256 * 1024;
const UPLOADS_PER_WINDOW = { limit: 60, windowMs: 30 * 60 * 1000 };

export interface MediaEdits {
  description?: string | null | undefined;
  focus?: readonly [number, number] | undefined;
}

/** What a processed attachment's `meta` holds (Mastodon's shape, without `focus`). */
interface StoredMeta {
  original: Record<string, number | string>;
  small?: Record<string, number | string>;
}

const dimensions = (f: Pick<WrittenFile, 'width' | 'height'>) => ({
  width: f.width,
  height: f.height,
  size: `${f.width}x${f.height}`,
  aspect: f.height ? f.width / f.height : 0,
});

/**
 * Uploads: every file is decoded and re-encoded off the request path (one image and one audio or video
 * job at a time), stored under a random key, and forgotten for real with its status or account.
 */
export function createMediaService(deps: {
  db: Db;
  clock: Clock;
  config: Config;
  blobs: BlobStore;
  limiter: RateLimiter;
  logger: Logger;
  run: RunCommand;
}) {
  const { db, clock, config, blobs, run } = deps;
  const log = deps.logger.child({ category: 'media' });
  const uploadsDir = join(config.dataDir, 'uploads');
  const queues = { image: serialQueue(), av: serialQueue() };
  let tools: MediaTools | null = null;
  const mediaTools = () => (tools ??= findMediaTools(config.media, config.media.searchPath));
  const heifDecoder = findHeifDecoder(config.media.searchPath);
  const uploadPath = (id: string) => join(uploadsDir, id);
  /** Removes a kept upload and whatever the media process wrote beside it. */
  const removeUpload = (path: string) => Promise.all([path, `${path}.file`, `${path}.preview`].map((p) => rm(p, { force: true })));

  const find = async (accountId: string, id: string) => {
    const row = await findMedia(db.read, accountId, id);
    if (!row) throw new NotFound();
    return row;
  };

  const processors = { image: mediaProcessor(), av: mediaProcessor() };
  const imageLimits = () => ({ maxPixels: config.media.maxPixels, heifDecoder });

  /** Stores a file the media process wrote, under a new key, and removes it from the uploads folder. */
  const store = async (file: WrittenFile) => {
    const key = newBlobKey(file.extension);
    try {
      await blobs.put(key, await readFile(file.path), BLOB_CONTENT_TYPES[file.extension]);
    } finally {
      await rm(file.path, { force: true });
    }
    return key;
  };

  /** Decodes and re-encodes the upload kept at `path`, in the media process. */
  const make = (path: string, sniffed: Sniffed, purpose: ImagePurpose = 'attachment'): Promise<ProcessorResult> =>
    sniffed.kind === 'image'
      ? processors.image.run({ op: 'image', input: path, format: sniffed.format, limits: imageLimits(), purpose })
      : processors.av.run({
          op: 'av',
          input: path,
          demuxer: sniffed.demuxer,
          limits: { maxPixels: config.media.maxPixels, maxSeconds: config.media.maxSeconds },
          tools: mediaTools(),
        });

  /** Turns the kept upload into stored files; the upload itself is removed either way. */
  async function process(id: string, sniffed: Sniffed): Promise<void> {
    const path = uploadPath(id);
    const made: string[] = [];
    try {
      const result = await make(path, sniffed);
      const fileKey = await store(result.file);
      made.push(fileKey);
      const previewKey = result.preview ? await store(result.preview) : null;
      if (previewKey) made.push(previewKey);
      const meta: StoredMeta =
        result.type === 'image' || !result.meta
          ? { original: dimensions(result.file), ...(result.preview ? { small: dimensions(result.preview) } : {}) }
          : {
              original: {
                ...(result.type === 'video' ? dimensions(result.file) : {}),
                ...(result.meta.frameRate ? { frame_rate: `${Math.round(result.meta.frameRate * 100) / 100}/1` } : {}),
                duration: Math.round(result.meta.duration * 1000) / 1000,
                bitrate: Math.round((result.file.size * 8) / Math.max(result.meta.duration, 0.001)),
              },
              ...(result.preview ? { small: dimensions(result.preview) } : {}),
            };
      const processed = { type: result.type, file_size: result.file.size, blurhash: result.blurhash };
      const updated = await run((unit) =>
        updateMedia(
          unit,
          id,
          { state: 'ready', ...processed, file_key: fileKey, preview_key: previewKey, meta: JSON.stringify(meta) },
          'processing',
        ),
      );
      // Deleted while it was being processed: its new files go too.
      if (!updated) await Promise.all(made.map((key) => blobs.delete(key)));
    } catch (error) {
      await Promise.all(made.map((key) => blobs.delete(key).catch(() => undefined)));
      const reason = error instanceof Invalid ? error.publicMessage : 'the file could not be processed';
      if (!(error instanceof Invalid))
        log.error({ media: id, err: error instanceof Error ? error.message : String(error) }, 'media processing failed');
      await run((unit) => updateMedia(unit, id, { state: 'failed', error: reason }));
      throw error;
    } finally {
      await removeUpload(path);
    }
  }

  const enqueue = (id: string, sniffed: Sniffed) => queues[sniffed.kind === 'image' ? 'image' : 'av'].push(() => process(id, sniffed));

  /** Which kind an upload is and whether its size is allowed, before anything else is done with it. */
  function admit(bytes: Uint8Array): Sniffed {
    const sniffed = sniff(bytes);
    if (!sniffed)
      throw new Invalid('Validation failed: File content type is invalid', {
        file: [
          {
            error: 'ERR_INVALID',
            description: 'is not a supported image, video or audio file (JPEG, PNG, GIF, WebP, AVIF, HEIC; MP4, MOV, WebM; MP3, OGG, M4A)',
          },
        ],
      });
    const max = sniffed.kind === 'image' ? config.media.maxImageBytes : config.media.maxVideoBytes;
    if (bytes.byteLength > max)
      throw new TooLarge(`File is too large (at most ${max} bytes for ${sniffed.kind === 'image' ? 'images' : 'audio and video'})`);
    return sniffed;
  }

  const validated = (edits: MediaEdits) => {
    if (typeof edits.description === 'string' && [...edits.description].length > MAX_DESCRIPTION) {
      throw new Invalid('Validation failed: Description is too long', {
        description: [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${MAX_DESCRIPTION} characters)` }],
      });
    }
    return {
      ...(edits.description !== undefined ? { description: edits.description?.trim() ? edits.description : null } : {}),
      ...(edits.focus ? { focus_x: edits.focus[0], focus_y: edits.focus[1] } : {}),
    };
  };

  /** Deletes an upload not (or no longer) attached to a status, with its files. */
  async function remove(accountId: string, id: string): Promise<void> {
    const row = await find(accountId, id);
    if (row.status_id !== null) throw new Invalid('Media attachment is currently used by a status');
    await run((unit) => forgetMedia(unit, { ids: [id] }));
  }

  /** Removes queued files from the blob store (see `deleteQueuedBlobs`). */
  const deleteBlobs = (keys?: readonly string[]) => deleteQueuedBlobs(db, blobs, log, keys);

  return {
    /**
     * Accepts an upload: refused at once if it is no supported type or too large; otherwise kept aside and
     * processed in the background. With `wait`, answers once processing is over (and refuses what failed).
     */
    async upload(
      accountId: string,
      bytes: Uint8Array,
      edits: MediaEdits,
      options: { wait: boolean; /** Not counted against the member's upload rate (an archive's files). */ imported?: boolean },
    ): Promise<MediaRow> {
      if (!options.imported) {
        const rate = await deps.limiter.hit(`media:${accountId}`, UPLOADS_PER_WINDOW.limit, UPLOADS_PER_WINDOW.windowMs);
        if (!rate.allowed) throw new RateLimited(rate.retryAfterSeconds, 'Too many uploads; try again later');
      }
      const sniffed = admit(bytes);
      const fields = validated(edits);
      const id = uuid7(clock());
      await mkdir(uploadsDir, { recursive: true, mode: 0o700 });
      await writeFile(uploadPath(id), bytes, { mode: 0o600 });
      await run((unit) =>
        insertMedia(unit, [{ id, account_id: accountId, status_id: null, type: sniffed.kind === 'image' ? 'image' : 'video', ...fields }]),
      );
      const job = enqueue(id, sniffed);
      if (!options.wait) {
        job.catch(() => undefined);
        return find(accountId, id);
      }
      try {
        await job;
      } catch (error) {
        await remove(accountId, id).catch(() => undefined);
        throw error;
      }
      return find(accountId, id);
    },

    /** The account's own upload (another account's is not found). */
    get: find,

    async update(accountId: string, id: string, edits: MediaEdits): Promise<MediaRow> {
      const row = await find(accountId, id);
      const fields = validated(edits);
      if (Object.keys(fields).length) await run((unit) => updateMedia(unit, row.id, fields));
      return find(accountId, id);
    },

    remove,

    /**
     * Processes a file fetched from another server for the attachment row `id` (made in the state
     * `processing`), through the same pipeline as uploads: re-encoded, stripped, limited alike. A file
     * that is refused leaves the row `failed`, shown as unknown media.
     */
    async ingest(id: string, bytes: Uint8Array): Promise<void> {
      let sniffed: Sniffed;
      try {
        sniffed = admit(bytes);
      } catch (error) {
        const reason = error instanceof DomainError ? error.publicMessage : 'the file could not be processed';
        await run((unit) => updateMedia(unit, id, { state: 'failed', error: reason }));
        return;
      }
      await mkdir(uploadsDir, { recursive: true, mode: 0o700 });
      await writeFile(uploadPath(id), bytes, { mode: 0o600 });
      await enqueue(id, sniffed).catch(() => undefined);
    },

    /** Marks a remote attachment whose file could not be fetched (shown as unknown media). */
    async fetchFailed(id: string): Promise<void> {
      await run((unit) => updateMedia(unit, id, { state: 'failed', error: 'the file could not be fetched' }, 'processing'));
    },

    /** Processes an avatar or header image now and stores it; returns its key. */
    async profileImage(bytes: Uint8Array, purpose: Exclude<ImagePurpose, 'attachment'>): Promise<string> {
      const sniffed = admit(bytes);
      if (sniffed.kind !== 'image')
        throw new Invalid(`Validation failed: ${purpose} must be an image`, {
          [purpose]: [{ error: 'ERR_INVALID', description: 'must be an image' }],
        });
      const path = uploadPath(`${purpose}-${uuid7(clock())}`);
      await mkdir(uploadsDir, { recursive: true, mode: 0o700 });
      await writeFile(path, bytes, { mode: 0o600 });
      try {
        const made = await queues.image.push(() => make(path, sniffed, purpose));
        if (made.preview) await rm(made.preview.path, { force: true });
        return await store(made.file);
      } finally {
        await removeUpload(path);
      }
    },

    /**
     * A custom emoji's image (at most 256 KB, as Mastodon allows): re-encoded within 128 pixels, animated
     * or not, with a still first frame. Returns the keys of both stored files.
     */
    async emojiImage(bytes: Uint8Array): Promise<{ imageKey: string; staticKey: string }> {
      const sniffed = admit(bytes);
      if (sniffed.kind !== 'image')
        throw new Invalid('Validation failed: an emoji must be an image', {
          image: [{ error: 'ERR_INVALID', description: 'must be an image' }],
        });
      if (bytes.byteLength > EMOJI_MAX_BYTES)
        throw new Invalid('Validation failed: the emoji image is too large', {
          image: [{ error: 'ERR_TOO_LARGE', description: `must be at most ${EMOJI_MAX_BYTES / 1024} KB` }],
        });
      const path = uploadPath(`emoji-${uuid7(clock())}`);
      await mkdir(uploadsDir, { recursive: true, mode: 0o700 });
      await writeFile(path, bytes, { mode: 0o600 });
      try {
        const made = await queues.image.push(() => make(path, sniffed, 'emoji'));
        const imageKey = await store(made.file);
        const staticKey = made.preview ? await store(made.preview) : imageKey;
        return { imageKey, staticKey };
      } finally {
        await removeUpload(path);
      }
    },

    /** A link preview's image, re-encoded within 640 pixels (its first frame): its key, size and blurhash. */
    async cardImage(bytes: Uint8Array): Promise<{ key: string; width: number; height: number; blurhash: string | null }> {
      const sniffed = admit(bytes);
      if (sniffed.kind !== 'image')
        throw new Invalid('Validation failed: not an image', { image: [{ error: 'ERR_INVALID', description: 'must be an image' }] });
      const path = uploadPath(`card-${uuid7(clock())}`);
      await mkdir(uploadsDir, { recursive: true, mode: 0o700 });
      await writeFile(path, bytes, { mode: 0o600 });
      try {
        const made = await queues.image.push(() => make(path, sniffed, 'card'));
        if (made.preview) await rm(made.preview.path, { force: true });
        return { key: await store(made.file), width: made.file.width, height: made.file.height, blurhash: made.blurhash };
      } finally {
        await removeUpload(path);
      }
    },

    deleteBlobs,

    /**
     * Removes uploads never attached within a day, failed uploads, and leftovers of interrupted
     * processing; retries files that could not be removed before. Returns how many uploads went.
     */
    async cleanup(): Promise<number> {
      const cutoff = isoAt(clock, -UNATTACHED_TTL_MS);
      const stale = await staleMediaIds(db.read, cutoff);
      const removed = stale.length ? await run((unit) => forgetMedia(unit, { ids: stale })) : 0;
      await deleteBlobs();
      return removed;
    },

    /** After a restart: uploads whose processing was cut short are processed again (or marked failed). */
    async recover(): Promise<void> {
      const pending = await processingMedia(db.read);
      for (const row of pending) {
        const bytes = await readFile(uploadPath(row.id)).catch(() => null);
        const sniffed = bytes && sniff(bytes);
        if (sniffed) enqueue(row.id, sniffed).catch(() => undefined);
        else await run((unit) => updateMedia(unit, row.id, { state: 'failed', error: 'the upload was interrupted' }));
      }
      const known = new Set(pending.map((r) => r.id));
      for (const name of await readdir(uploadsDir).catch(() => [] as string[])) {
        if (!known.has(name) && (await stat(join(uploadsDir, name))).mtimeMs < clock() - UNATTACHED_TTL_MS)
          await rm(join(uploadsDir, name), { force: true });
      }
    },

    /** Resolves when no upload is being processed. */
    async idle(): Promise<void> {
      await Promise.all([queues.image.idle(), queues.av.idle()]);
    },

    /** Stops the media processes (uploads still waiting are picked up again after a restart). */
    close(): void {
      processors.image.close();
      processors.av.close();
    },
  };
}

export type MediaService = ReturnType<typeof createMediaService>;
