import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encode as encodeBlurhash } from 'blurhash';
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { Invalid } from '../errors.ts';
import type { BlobExtension } from '../../storage/blobs/blob-store.ts';
import type { Sniffed } from './sniff.ts';

const run = promisify(execFile);

// One image at a time in libvips' own threads, so that processing leaves a core for requests; no cache
// of decoded images, so that memory returns after each upload.
sharp.concurrency(1);
sharp.cache(false);

/** A made file, ready to store: its bytes, what it is and how large it is. */
export interface MadeFile {
  readonly bytes: Uint8Array;
  readonly extension: BlobExtension;
  readonly width: number;
  readonly height: number;
}

export interface ImageLimits {
  /** Pixels of one frame, and of all frames of an animation together. */
  readonly maxPixels: number;
  /** libheif's command-line decoder for HEIC photos, if the server has one. */
  readonly heifDecoder: string | null;
}

/**
 * How an image is used: attachments are bounded, avatars and headers cropped to their shapes, custom
 * emoji bounded to a small square (and, like attachments, may be animated), link preview images to 640
 * pixels, still.
 */
export type ImagePurpose = 'attachment' | 'avatar' | 'header' | 'emoji' | 'card';

const BOUNDS: Record<ImagePurpose, { width: number; height: number; fit: 'inside' | 'cover' }> = {
  attachment: { width: 1920, height: 1920, fit: 'inside' },
  avatar: { width: 400, height: 400, fit: 'cover' },
  header: { width: 1500, height: 500, fit: 'cover' },
  emoji: { width: 128, height: 128, fit: 'inside' },
  card: { width: 640, height: 640, fit: 'inside' },
};
const PREVIEW = 640;
const MAX_FRAMES = 500;

const refuse = (description: string): never => {
  throw new Invalid(`Validation failed: ${description}`, { file: [{ error: 'ERR_INVALID', description }] });
};

/** The formats sharp names in `metadata().format` for each sniffed image format. */
const SHARP_FORMATS: Record<Extract<Sniffed, { kind: 'image' }>['format'], string[]> = {
  jpeg: ['jpeg'],
  png: ['png'],
  gif: ['gif'],
  webp: ['webp'],
  avif: ['heif'],
  heic: ['heif'],
};

/**
 * Decodes an image, applies its EXIF orientation and re-encodes it with no metadata at all (EXIF, XMP,
 * IPTC, comments, PNG text chunks; colour converted to sRGB and no ICC profile kept), bounded in size,
 * with a preview and a blurhash. The pixel count is checked from the header before anything is decoded.
 */
export async function processImage(
  input: Uint8Array,
  format: Extract<Sniffed, { kind: 'image' }>['format'],
  limits: ImageLimits,
  purpose: ImagePurpose = 'attachment',
) {
  if (format === 'heic') return processImage(await decodeHeic(input, limits), 'png', limits, purpose);
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    return refuse('the file could not be read as an image');
  }
  if (!meta.format || !SHARP_FORMATS[format].includes(meta.format)) refuse('the file is not the image it starts like');
  const frames = purpose === 'attachment' || purpose === 'emoji' ? Math.max(1, meta.pages ?? 1) : 1;
  const frameHeight = meta.pageHeight ?? meta.height ?? 0;
  const width = meta.width ?? 0;
  if (width <= 0 || frameHeight <= 0) refuse('the image has no size');
  if (width * frameHeight > limits.maxPixels)
    refuse(`the image is too large (${width}x${frameHeight}; at most ${limits.maxPixels} pixels)`);
  if (frames > MAX_FRAMES || width * frameHeight * frames > limits.maxPixels)
    refuse(`the animation is too large (${frames} frames of ${width}x${frameHeight})`);

  const animated = frames > 1;
  const bounds = BOUNDS[purpose];
  let pipeline: Sharp;
  try {
    pipeline = sharp(input, { limitInputPixels: limits.maxPixels, animated, failOn: 'error' })
      .autoOrient()
      .resize({ width: bounds.width, height: bounds.height, fit: bounds.fit, withoutEnlargement: bounds.fit === 'inside' })
      .toColourspace('srgb');
  } catch {
    return refuse('the image could not be decoded');
  }
  const alpha = meta.hasAlpha === true;
  const [extension, encoded] =
    animated || alpha
      ? (['webp', pipeline.webp({ quality: 86, effort: 3 })] as const)
      : (['jpg', pipeline.jpeg({ quality: 84, mozjpeg: true })] as const);
  let output: { data: Buffer; info: OutputInfo };
  try {
    output = await encoded.toBuffer({ resolveWithObject: true });
  } catch {
    return refuse('the image could not be decoded');
  }
  const height = animated ? (output.info.pageHeight ?? output.info.height) : output.info.height;
  const file: MadeFile = { bytes: output.data, extension, width: output.info.width, height };
  const preview = await makePreview(output.data);
  return { file, preview: preview.file, blurhash: preview.blurhash };
}

/** A still preview (the first frame) bounded to 640 pixels, and its blurhash, from an already clean image. */
export async function makePreview(clean: Uint8Array): Promise<{ file: MadeFile; blurhash: string }> {
  const preview = await sharp(clean, { animated: false })
    .resize({ width: PREVIEW, height: PREVIEW, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  const small = await sharp(preview.data)
    .resize({ width: 32, height: 32, fit: 'inside' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const blurhash = encodeBlurhash(new Uint8ClampedArray(small.data), small.info.width, small.info.height, 4, 3);
  return { file: { bytes: preview.data, extension: 'webp', width: preview.info.width, height: preview.info.height }, blurhash };
}

/** HEIC photos (HEVC inside) are decoded by libheif's command-line decoder, when the server has it. */
async function decodeHeic(input: Uint8Array, limits: ImageLimits): Promise<Uint8Array> {
  if (!limits.heifDecoder) refuse('this server cannot read HEIC images; send JPEG, PNG, WebP or AVIF');
  try {
    const meta = await sharp(input, { limitInputPixels: false }).metadata();
    if ((meta.width ?? 0) * (meta.height ?? 0) > limits.maxPixels)
      refuse(`the image is too large (${meta.width}x${meta.height}; at most ${limits.maxPixels} pixels)`);
  } catch (error) {
    if (error instanceof Invalid) throw error;
    // libvips could not read the header: the decoder below decides.
  }
  const dir = await mkdtemp(join(tmpdir(), 'stoa-heic-'));
  try {
    await writeFile(join(dir, 'in.heic'), input, { mode: 0o600 });
    await run(limits.heifDecoder!, [join(dir, 'in.heic'), join(dir, 'out.png')], { timeout: 60_000, maxBuffer: 1024 * 1024 });
    return await readFile(join(dir, 'out.png'));
  } catch {
    return refuse('the HEIC image could not be decoded');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
