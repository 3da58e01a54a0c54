import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { readEnv } from '../config/index.ts';
import sharp from 'sharp';

/**
 * Media files that carry what must never be published: GPS positions, camera makes and models, XMP,
 * PNG text, container location atoms. Made here with sharp, exiftool and ffmpeg (Debian's packages
 * `libimage-exiftool-perl` and `ffmpeg`, which `.ci/run` installs).
 */
export const LEAKS = {
  make: 'LeakyMakeCo',
  model: 'LeakyModel9000',
  creator: 'SecretPhotographerName',
  pngText: 'secret-png-text-chunk',
  location: '+48.8584+002.2945',
  latitude: '48.8584',
} as const;

/** ffmpeg options that write the leaks as container tags (location, device, author). */
const DEVICE_TAGS = [
  ...['-metadata', `location=${LEAKS.location}/`, '-metadata', `make=${LEAKS.make}`],
  ...['-metadata', `model=${LEAKS.model}`, '-metadata', `artist=${LEAKS.creator}`],
];

/**
 * Why the media tests cannot run here (exiftool, ffmpeg or ffprobe missing), or null. Under CI they
 * must run: `.ci/run` installs the tools, and a missing one is an error there.
 */
export function mediaToolsMissing(): string | null {
  const env = readEnv();
  const missing = ['exiftool', 'ffmpeg', 'ffprobe'].filter(
    (tool) => !(env.PATH ?? '').split(delimiter).some((dir) => existsSync(join(dir, tool))),
  );
  if (!missing.length) return null;
  const reason = `${missing.join(', ')} not installed (Debian: apt-get install libimage-exiftool-perl ffmpeg)`;
  if (env.CI === 'true') throw new Error(`The media tests need ${reason}`);
  return reason;
}

const exiftool = (args: string[]) =>
  execFileSync('exiftool', ['-q', '-overwrite_original', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

/** Every tag exiftool finds in a file, as one flat object (`-G` groups in the names). */
export function readTags(path: string): Record<string, unknown> {
  return (JSON.parse(execFileSync('exiftool', ['-j', '-G', '-a', path]).toString()) as Record<string, unknown>[])[0]!;
}

/** ffprobe's view of a file: container and stream tags. */
export function probeTags(path: string): {
  format: { tags?: Record<string, string> };
  streams: { tags?: Record<string, string>; codec_type: string }[];
} {
  return JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-print_format', 'json', path]).toString(),
  ) as never;
}

/** A photo of 800x600 that says it must be turned a quarter (so it shows as 600x800), with GPS, make, model and XMP. */
export async function jpegWithLeaks(dir: string): Promise<string> {
  const path = join(dir, 'photo.jpg');
  const raw = Buffer.alloc(800 * 600 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + (i >> 9)) & 0xff;
  writeFileSync(
    path,
    await sharp(raw, { raw: { width: 800, height: 600, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
  exiftool([
    `-GPSLatitude=${LEAKS.latitude}`,
    '-GPSLatitudeRef=N',
    '-GPSLongitude=2.2945',
    '-GPSLongitudeRef=E',
    `-Make=${LEAKS.make}`,
    `-Model=${LEAKS.model}`,
    `-XMP-dc:Creator=${LEAKS.creator}`,
    '-Orientation#=6',
    path,
  ]);
  return path;
}

/** A PNG with text chunks naming its author and a comment. */
export async function pngWithText(dir: string): Promise<string> {
  const path = join(dir, 'drawing.png');
  writeFileSync(
    path,
    await sharp({ create: { width: 320, height: 200, channels: 4, background: { r: 10, g: 120, b: 200, alpha: 0.5 } } })
      .png()
      .toBuffer(),
  );
  exiftool([`-PNG:Comment=${LEAKS.pngText}`, `-PNG:Author=${LEAKS.creator}`, path]);
  return path;
}

/** An AVIF with EXIF make and model. */
export async function avifWithExif(dir: string): Promise<string> {
  const path = join(dir, 'picture.avif');
  writeFileSync(
    path,
    await sharp({ create: { width: 240, height: 160, channels: 3, background: '#884422' } })
      .withExif({ IFD0: { Make: LEAKS.make, Model: LEAKS.model } })
      .avif()
      .toBuffer(),
  );
  return path;
}

/** A HEIC photo (HEVC inside) with EXIF, made with libheif's encoder; null when `heif-enc` is not installed. */
export async function heicWithExif(dir: string): Promise<string | null> {
  const png = join(dir, 'for-heic.png');
  writeFileSync(
    png,
    await sharp({ create: { width: 256, height: 192, channels: 3, background: '#335577' } })
      .png()
      .toBuffer(),
  );
  const path = join(dir, 'photo.heic');
  try {
    execFileSync('heif-enc', ['-q', '60', '-o', path, png], { stdio: 'ignore' });
  } catch {
    return null;
  }
  exiftool([`-Make=${LEAKS.make}`, `-Model=${LEAKS.model}`, path]);
  return path;
}

/** Two seconds of video with sound, with a location atom and device tags, as MP4 or QuickTime. */
export function videoWithLeaks(dir: string, container: 'mp4' | 'mov', seconds = 2): string {
  const path = join(dir, `clip.${container}`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=25',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=44100',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    ...DEVICE_TAGS,
    '-movflags',
    'use_metadata_tags',
    path,
  ]);
  exiftool([
    `-UserData:GPSCoordinates=${LEAKS.latitude}, 2.2945`,
    `-UserData:Make=${LEAKS.make}`,
    `-UserData:Model=${LEAKS.model}`,
    `-Keys:Model=${LEAKS.model}`,
    path,
  ]);
  return path;
}

/** An animated GIF of five frames, with a comment. */
export function animatedGif(dir: string): string {
  const path = join(dir, 'moving.gif');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=96x64:rate=5',
    '-t',
    '1',
    '-metadata',
    `comment=${LEAKS.creator}`,
    path,
  ]);
  return path;
}

/** A WebM video (VP8 and Opus) with device and location tags. */
export function webmWithTags(dir: string): string {
  const path = join(dir, 'clip.webm');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=15',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=330:sample_rate=48000',
    '-t',
    '1',
    '-c:v',
    'libvpx',
    '-b:v',
    '200k',
    '-c:a',
    'libopus',
    ...DEVICE_TAGS,
    path,
  ]);
  return path;
}

/** Audio with tags naming its maker, as MP3 (ID3) or Ogg Vorbis (comments). */
export function audioWithTags(dir: string, container: 'mp3' | 'ogg'): string {
  const path = join(dir, `sound.${container}`);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=523:sample_rate=44100',
    '-t',
    '2',
    ...(container === 'mp3' ? ['-c:a', 'libmp3lame'] : ['-c:a', 'libvorbis']),
    '-metadata',
    `artist=${LEAKS.creator}`,
    '-metadata',
    `comment=${LEAKS.location}`,
    '-metadata',
    `encoded_by=${LEAKS.model}`,
    path,
  ]);
  return path;
}

/** Whether the bytes contain any of the leaked values (as text, in any case). */
export function leakedValues(bytes: Uint8Array): string[] {
  const text = Buffer.from(bytes).toString('latin1').toLowerCase();
  return Object.values(LEAKS).filter((v) => text.includes(v.toLowerCase()));
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
