// The child process that decodes and re-encodes uploads (see media-processor.ts). It reads the upload
// from a file, writes what it makes next to it, and answers over IPC; it holds no database, no secret.
import { readFile, writeFile } from 'node:fs/promises';
import { DomainError, Invalid } from '../errors.ts';
import { processAv } from './av-pipeline.ts';
import { processImage, type MadeFile } from './image-pipeline.ts';
import type { ProcessorJob, ProcessorReply, WrittenFile } from './media-processor.ts';

async function written(file: MadeFile, path: string): Promise<WrittenFile> {
  await writeFile(path, file.bytes, { mode: 0o600 });
  return { path, extension: file.extension, width: file.width, height: file.height, size: file.bytes.byteLength };
}

async function run(job: ProcessorJob): Promise<ProcessorReply> {
  try {
    if (job.op === 'image') {
      const made = await processImage(await readFile(job.input), job.format, job.limits, job.purpose);
      return {
        id: job.id,
        ok: true,
        type: 'image',
        file: await written(made.file, `${job.input}.file`),
        preview: await written(made.preview, `${job.input}.preview`),
        blurhash: made.blurhash,
        meta: null,
      };
    }
    const made = await processAv(job.tools, job.demuxer, job.input, job.limits);
    return {
      id: job.id,
      ok: true,
      type: made.type,
      file: await written(made.file, `${job.input}.file`),
      preview: made.preview ? await written(made.preview, `${job.input}.preview`) : null,
      blurhash: made.blurhash,
      meta: made.meta,
    };
  } catch (error) {
    if (error instanceof Invalid) return { id: job.id, ok: false, invalid: { message: error.publicMessage, details: error.details } };
    return {
      id: job.id,
      ok: false,
      invalid: null,
      reason: error instanceof DomainError ? error.publicMessage : error instanceof Error ? error.message : String(error),
    };
  }
}

process.on('message', (job: ProcessorJob) => {
  void run(job).then((reply) => process.send!(reply));
});
process.on('disconnect', () => process.exit(0));
