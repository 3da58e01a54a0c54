import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Invalid, type FieldProblem } from '../errors.ts';
import type { BlobExtension } from '../../storage/blobs/blob-store.ts';
import type { AvLimits } from './av-pipeline.ts';
import type { ImageLimits, ImagePurpose } from './image-pipeline.ts';
import type { Sniffed } from './sniff.ts';
import type { MediaTools } from './tools.ts';

/** A job for the media child process: a file to turn into clean files next to it. */
export type ProcessorJob =
  | {
      id: number;
      op: 'image';
      input: string;
      format: Extract<Sniffed, { kind: 'image' }>['format'];
      limits: ImageLimits;
      purpose: ImagePurpose;
    }
  | { id: number; op: 'av'; input: string; demuxer: Extract<Sniffed, { kind: 'av' }>['demuxer']; limits: AvLimits; tools: MediaTools };

/** A file the child wrote. */
export interface WrittenFile {
  path: string;
  extension: BlobExtension;
  width: number;
  height: number;
  size: number;
}

export type ProcessorReply =
  | {
      id: number;
      ok: true;
      type: 'image' | 'video' | 'audio';
      file: WrittenFile;
      preview: WrittenFile | null;
      blurhash: string | null;
      meta: { duration: number; frameRate: number; width: number; height: number } | null;
    }
  | { id: number; ok: false; invalid: { message: string; details: Record<string, readonly FieldProblem[]> } | null; reason?: string };

export type ProcessorResult = Extract<ProcessorReply, { ok: true }>;

/** A job as callers give it: the id is the processor's. */
export type JobInput = ProcessorJob extends infer J ? (J extends ProcessorJob ? Omit<J, 'id'> : never) : never;

const JOB_TIMEOUT_MS = 15 * 60 * 1000;
/** The niceness of the media process: the lowest priority. */
const BACKGROUND_PRIORITY = 19;
const IDLE_EXIT_MS = 30_000;
const JOBS_PER_CHILD = 200;

/**
 * Runs the decoders in a child process of their own: a decoder bug met by a hostile file cannot take
 * the server down, a stuck job is killed, and the memory image libraries hold on to is returned to the
 * system when the idle child exits. One job at a time per processor.
 */
export function mediaProcessor(): { run(job: JobInput): Promise<ProcessorResult>; close(): void } {
  let child: ChildProcess | null = null;
  let jobs = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (r: ProcessorResult) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  const failAll = (why: string) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
      pending.delete(id);
    }
  };
  const start = () => {
    const worker = fork(fileURLToPath(new URL('./media-worker.ts', import.meta.url)), [], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    // Background work: requests come first when the cores are busy (ffmpeg, its child, inherits this).
    try {
      if (worker.pid !== undefined) setPriority(worker.pid, BACKGROUND_PRIORITY);
    } catch {
      // Not allowed here (some containers): the process runs at normal priority.
    }
    worker.on('message', (reply: ProcessorReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      clearTimeout(p.timer);
      if (reply.ok) p.resolve(reply);
      else
        p.reject(
          reply.invalid ? new Invalid(reply.invalid.message, reply.invalid.details) : new Error(reply.reason ?? 'media processing failed'),
        );
    });
    worker.on('exit', (code, signal) => {
      if (child === worker) child = null;
      failAll(`the media process stopped (${signal ?? code})`);
    });
    jobs = 0;
    return worker;
  };
  const retire = () => {
    const old = child;
    child = null;
    old?.disconnect();
  };

  return {
    run(job) {
      clearTimeout(idleTimer);
      if (!child || jobs >= JOBS_PER_CHILD) {
        if (child && pending.size === 0) retire();
        child ??= start();
      }
      const worker = child;
      jobs += 1;
      const id = nextId++;
      return new Promise<ProcessorResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('media processing took too long'));
          worker.kill('SIGKILL');
        }, JOB_TIMEOUT_MS);
        pending.set(id, { resolve, reject, timer });
        worker.send({ ...job, id });
      }).finally(() => {
        if (pending.size === 0) {
          idleTimer = setTimeout(retire, IDLE_EXIT_MS);
          idleTimer.unref();
        }
      });
    },
    close() {
      clearTimeout(idleTimer);
      failAll('the server is stopping');
      child?.kill('SIGTERM');
      child = null;
    },
  };
}
