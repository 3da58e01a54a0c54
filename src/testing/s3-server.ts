import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no type declarations
import S3rver from 's3rver';
import type { RawEnv } from '../config/index.ts';

/** An S3-compatible server (s3rver) on a free loopback port with one empty bucket, for the S3 tests. */
export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** The variables that point Stoa at it. */
  readonly env: RawEnv;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

export async function startTestS3(): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'stoa-s3-'));
  const bucket = 'stoa-media';
  const server = new (S3rver as new (options: object) => S3rverInstance)({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      STOA_S3_ENDPOINT: endpoint,
      STOA_S3_BUCKET: bucket,
      STOA_S3_ACCESS_KEY_ID: 'S3RVER',
      STOA_S3_SECRET_ACCESS_KEY: 'S3RVER',
      STOA_S3_PATH_STYLE: 'true',
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
