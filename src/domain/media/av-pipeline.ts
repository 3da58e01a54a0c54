import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Invalid } from '../errors.ts';
import { makePreview, type MadeFile } from './image-pipeline.ts';
import type { Sniffed } from './sniff.ts';
import type { MediaTools } from './tools.ts';

const run = promisify(execFile);

export interface AvLimits {
  readonly maxPixels: number;
  readonly maxSeconds: number;
}

interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  disposition?: { attached_pic?: number };
}

const refuse = (description: string): never => {
  throw new Invalid(`Validation failed: ${description}`, { file: [{ error: 'ERR_INVALID', description }] });
};

/** Only local files, through the demuxer the bytes were recognised as: no playlists, no network, no other files. */
const inputArgs = (demuxer: string, path: string) => ['-protocol_whitelist', 'file', '-f', demuxer, '-i', `file:${path}`];

const MAX_LONG_SIDE = 1280;
const MAX_FRAME_RATE = 120;

/** What ffprobe says about a file, read through the recognised demuxer only. */
async function probe(tools: MediaTools, demuxer: string, path: string) {
  try {
    const { stdout } = await run(
      tools.ffprobe,
      ['-v', 'error', ...inputArgs(demuxer, path), '-show_format', '-show_streams', '-print_format', 'json'],
      { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
    );
    return JSON.parse(stdout) as { format?: { duration?: string; format_name?: string }; streams?: ProbeStream[] };
  } catch {
    return refuse('the file could not be read as audio or video');
  }
}

const frameRate = (text: string | undefined) => {
  const [n, d] = (text ?? '0/1').split('/').map(Number);
  return d ? n! / d : 0;
};

/**
 * Transcodes audio or video to web formats (H.264 and AAC in MP4 with the index at the start; MP3 for
 * audio) with every container and stream tag, chapter, data and subtitle stream dropped and the encoder
 * writing no version strings; makes a preview frame for video. Duration, frame size and frame rate are
 * checked before transcoding.
 */
export async function processAv(tools: MediaTools, demuxer: Extract<Sniffed, { kind: 'av' }>['demuxer'], path: string, limits: AvLimits) {
  const info = await probe(tools, demuxer, path);
  const streams = info.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video && !audio) refuse('the file has neither audio nor video');
  const duration = Number(info.format?.duration ?? 0);
  if (!(duration > 0)) refuse('the file has no duration');
  if (duration > limits.maxSeconds) refuse(`the file is too long (${Math.round(duration)} s; at most ${limits.maxSeconds} s)`);
  const common = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    ...inputArgs(demuxer, path),
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    '-dn',
    '-sn',
    '-t',
    String(limits.maxSeconds),
    '-fflags',
    '+bitexact',
    '-threads',
    '2',
  ];
  const out = `${path}.out`;
  try {
    if (video) {
      const width = video.width ?? 0;
      const height = video.height ?? 0;
      if (width <= 0 || height <= 0) refuse('the video has no frame size');
      if (width * height > limits.maxPixels) refuse(`the video frames are too large (${width}x${height})`);
      if (frameRate(video.avg_frame_rate) > MAX_FRAME_RATE) refuse(`the frame rate is above ${MAX_FRAME_RATE}`);
      const scale = `scale='if(gte(iw,ih),trunc(min(${MAX_LONG_SIDE},iw)/2)*2,-2)':'if(gte(iw,ih),-2,trunc(min(${MAX_LONG_SIDE},ih)/2)*2)'`;
      await transcode(tools, [
        ...common,
        '-map',
        `0:${video.index}`,
        ...(audio ? ['-map', `0:${audio.index}`] : []),
        '-vf',
        scale,
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        '23',
        '-pix_fmt',
        'yuv420p',
        '-flags:v',
        '+bitexact',
        ...(audio ? ['-c:a', 'aac', '-b:a', '128k', '-flags:a', '+bitexact'] : []),
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        `file:${out}`,
      ]);
      const after = await probe(tools, 'mov', out);
      const made = after.streams?.find((s) => s.codec_type === 'video');
      const frame = await previewFrame(tools, out, Math.min(1, duration / 2));
      const preview = await makePreview(frame);
      const file: MadeFile = { bytes: await readFile(out), extension: 'mp4', width: made?.width ?? 0, height: made?.height ?? 0 };
      return {
        type: 'video' as const,
        file,
        preview: preview.file,
        blurhash: preview.blurhash,
        meta: {
          duration: Number(after.format?.duration ?? duration),
          frameRate: frameRate(made?.avg_frame_rate),
          width: file.width,
          height: file.height,
        },
      };
    }
    await transcode(tools, [
      ...common,
      '-map',
      `0:${audio!.index}`,
      '-vn',
      '-c:a',
      'libmp3lame',
      '-q:a',
      '4',
      '-flags:a',
      '+bitexact',
      '-id3v2_version',
      '0',
      '-write_id3v1',
      '0',
      '-f',
      'mp3',
      `file:${out}`,
    ]);
    const after = await probe(tools, 'mp3', out);
    return {
      type: 'audio' as const,
      file: { bytes: await readFile(out), extension: 'mp3', width: 0, height: 0 } satisfies MadeFile,
      preview: null,
      blurhash: null,
      meta: { duration: Number(after.format?.duration ?? duration), frameRate: 0, width: 0, height: 0 },
    };
  } finally {
    await rm(out, { force: true });
  }
}

async function transcode(tools: MediaTools, args: string[]): Promise<void> {
  try {
    await run(tools.ffmpeg, args, { timeout: 10 * 60_000, maxBuffer: 4 * 1024 * 1024 });
  } catch {
    refuse('the file could not be transcoded');
  }
}

/** One frame of the (already clean) video, as PNG. */
async function previewFrame(tools: MediaTools, path: string, at: number): Promise<Uint8Array> {
  const frame = `${path}.png`;
  try {
    await transcode(tools, [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-ss',
      at.toFixed(2),
      ...inputArgs('mov', path),
      '-frames:v',
      '1',
      '-map_metadata',
      '-1',
      '-f',
      'image2',
      '-c:v',
      'png',
      `file:${frame}`,
    ]);
    return await readFile(frame);
  } finally {
    await rm(frame, { force: true });
  }
}
