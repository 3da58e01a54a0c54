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
  if (configured.ffmpegPath && configured.ffprobePath) return { ffmpeg: configured.ffmpegPath, ffprobe: configured.ffprobePath, source: 'configured' };
  const systemFfmpeg = onPath('ffmpeg', path);
  const systemFfprobe = onPath('ffprobe', path);
  const packaged = () => ({ ffmpeg: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path, ffprobe: (require('@ffprobe-installer/ffprobe') as { path: string }).path });
  if (systemFfmpeg && systemFfprobe) return { ffmpeg: configured.ffmpegPath ?? systemFfmpeg, ffprobe: configured.ffprobePath ?? systemFfprobe, source: configured.ffmpegPath || configured.ffprobePath ? 'configured' : 'system' };
  const fallback = packaged();
  return { ffmpeg: configured.ffmpegPath ?? fallback.ffmpeg, ffprobe: configured.ffprobePath ?? fallback.ffprobe, source: configured.ffmpegPath || configured.ffprobePath ? 'configured' : 'packaged' };
}

/** The HEIC decoder from Debian's `libheif-examples`, when installed. */
export function findHeifDecoder(path: string): string | null {
  return onPath('heif-dec', path) ?? onPath('heif-convert', path);
}
