import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Where ffmpeg and ffprobe are found: the configured path, the system's on the PATH, or the packaged ones. */
export interface MediaTools {
  readonly ffmpeg: string;
  readonly ffprobe: string;
  readonly source: 'configured' | 'system' | 'packaged';
}

/** Finds a program on the PATH. */
function onPath(name: string, path: string): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Chooses ffmpeg and ffprobe: the configured paths, else the system's (Debian's `ffmpeg` package), else
 * the static builds shipped inside `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe`.
 */
export function findMediaTools(configured: { ffmpegPath: string | null; ffprobePath: string | null }, path: string): MediaTools {
  const system = { ffmpeg: onPath('ffmpeg', path), ffprobe: onPath('ffprobe', path) };
  const found =
    system.ffmpeg && system.ffprobe
      ? { ffmpeg: system.ffmpeg, ffprobe: system.ffprobe, source: 'system' as const }
      : {
          ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
          ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path,
          source: 'packaged' as const,
        };
  if (!configured.ffmpegPath && !configured.ffprobePath) return found;
  return { ffmpeg: configured.ffmpegPath ?? found.ffmpeg, ffprobe: configured.ffprobePath ?? found.ffprobe, source: 'configured' };
}

/** The HEIC decoder from Debian's `libheif-examples`, when installed. */
export function findHeifDecoder(path: string): string | null {
  return onPath('heif-dec', path) ?? onPath('heif-convert', path);
}
