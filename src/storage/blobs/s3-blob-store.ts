import { open } from 'node:fs/promises';
import { AwsClient } from 'aws4fetch';
import type { BlobConfig } from '../../config/index.ts';
import { assertBlobKey, type BlobStore } from './blob-store.ts';

type S3Config = Extract<BlobConfig, { kind: 's3' }>;

const TIMEOUT_MS = 30_000;

/** A signed connection to one bucket: requests, errors read from S3's answers, and the bucket's URL. */
function s3Connection(config: S3Config, fetchImpl: typeof fetch) {
  const client = new AwsClient({
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    service: 's3',
    region: config.region,
    retries: 2,
  });
  const endpoint = new URL(config.endpoint);
  const bucketUrl = config.pathStyle
    ? `${endpoint.origin}${endpoint.pathname.replace(/\/$/, '')}/${config.bucket}`
    : `${endpoint.protocol}//${config.bucket}.${endpoint.host}${endpoint.pathname.replace(/\/$/, '')}`;
  const send = async (url: string, init: RequestInit, timeoutMs = TIMEOUT_MS) => {
    const request = await client.sign(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return fetchImpl(request);
  };
  const fail = async (what: string, response: Response): Promise<never> => {
    const detail = (await response.text().catch(() => '')).match(/<Code>([^<]+)<\/Code>/)?.[1] ?? '';
    throw new Error(`S3 ${what} failed: ${response.status} ${detail}`.trim());
  };
  /** The keys in the bucket that start with `prefix` (ListObjectsV2, page after page). */
  const listKeys = async (prefix = ''): Promise<string[]> => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({
        'list-type': '2',
        ...(prefix ? { prefix } : {}),
        ...(token ? { 'continuation-token': token } : {}),
      });
      const response = await send(`${bucketUrl}?${query.toString()}`, { method: 'GET' });
      if (!response.ok) await fail('listing', response);
      const xml = await response.text();
      for (const match of xml.matchAll(/<Key>([^<]+)<\/Key>/g)) keys.push(decodeXml(match[1]!));
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? decodeXml(xml.match(/<NextContinuationToken>([^<]+)<\/NextContinuationToken>/)?.[1] ?? '') || undefined
        : undefined;
    } while (token);
    return keys;
  };
  return { send, fail, bucketUrl, listKeys };
}

/** The size of each part of a multipart upload (S3 wants at least 5 MiB, but the last). */
const PART_BYTES = 16 * 1024 * 1024;

/**
 * Large files (backups) in a bucket of their own: uploaded from disk in parts (S3's multipart upload, one
 * part in memory at a time), listed and removed by name.
 */
export function s3FileBucket(config: S3Config, options: { partBytes?: number; fetch?: typeof fetch } = {}) {
  const partBytes = options.partBytes ?? PART_BYTES;
  const { send, fail, bucketUrl, listKeys } = s3Connection(config, options.fetch ?? fetch);
  const objectUrl = (name: string) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(name)) throw new RangeError('not a file name');
    return `${bucketUrl}/${name}`;
  };
  return {
    /** Uploads the file at `path` as `name`; nothing is kept under the name unless every part arrived. */
    async upload(name: string, path: string): Promise<void> {
      const started = await send(`${objectUrl(name)}?uploads`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } });
      if (!started.ok) await fail('starting an upload', started);
      const uploadId = decodeXml((await started.text()).match(/<UploadId>([^<]+)<\/UploadId>/)?.[1] ?? '');
      if (!uploadId) throw new Error('S3 starting an upload failed: no UploadId');
      const parts: string[] = [];
      try {
        const file = await open(path, 'r');
        try {
          const buffer = Buffer.alloc(partBytes);
          for (let number = 1; ; number++) {
            const { bytesRead } = await file.read(buffer, 0, partBytes, null);
            if (bytesRead === 0 && number > 1) break;
            const body = buffer.subarray(0, bytesRead);
            const query = new URLSearchParams({ partNumber: String(number), uploadId });
            const part = await send(
              `${objectUrl(name)}?${query.toString()}`,
              { method: 'PUT', body, headers: { 'content-length': String(bytesRead) } },
              300_000,
            );
            if (!part.ok) await fail(`uploading part ${number}`, part);
            await part.body?.cancel();
            parts.push(part.headers.get('etag') ?? '');
            if (bytesRead < partBytes) break;
          }
        } finally {
          await file.close();
        }
        const xml = `<CompleteMultipartUpload>${parts.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
        const done = await send(
          `${objectUrl(name)}?uploadId=${encodeURIComponent(uploadId)}`,
          { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' } },
          300_000,
        );
        const answer = await done.text();
        if (!done.ok || /<Error>/.test(answer))
          throw new Error(`S3 finishing an upload failed: ${done.status} ${answer.match(/<Code>([^<]+)<\/Code>/)?.[1] ?? ''}`.trim());
      } catch (error) {
        const aborted = await send(`${objectUrl(name)}?uploadId=${encodeURIComponent(uploadId)}`, { method: 'DELETE' }).catch(() => null);
        await aborted?.body?.cancel();
        throw error;
      }
    },
    /** The names in the bucket that start with `prefix`, in name order. */
    async list(prefix: string): Promise<string[]> {
      return (await listKeys(prefix)).sort();
    },
    async remove(name: string): Promise<void> {
      const response = await send(objectUrl(name), { method: 'DELETE' });
      if (!response.ok && response.status !== 404) await fail('delete', response);
      await response.body?.cancel();
    },
    /** The object's bytes as a stream, or null when there is none by that name. */
    async download(name: string): Promise<ReadableStream<Uint8Array> | null> {
      const response = await send(objectUrl(name), { method: 'GET' }, 300_000);
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok || !response.body) await fail('download', response);
      return response.body;
    },
  };
}

export type S3FileBucket = ReturnType<typeof s3FileBucket>;

/**
 * Media files in an S3-compatible bucket (AWS, MinIO, Garage, Ceph, R2, ...), signed with AWS Signature
 * Version 4. Objects carry their content type and a long cache lifetime, so that a bucket or CDN serving
 * them directly (`STOA_MEDIA_URL`) answers as Stoa would.
 */
export function s3BlobStore(config: S3Config, fetchImpl: typeof fetch = fetch): BlobStore {
  const { send, fail, bucketUrl, listKeys } = s3Connection(config, fetchImpl);
  const objectUrl = (key: string) => {
    assertBlobKey(key);
    return `${bucketUrl}/${key}`;
  };
  return {
    kind: 's3',
    async put(key, bytes, contentType) {
      const response = await send(objectUrl(key), {
        method: 'PUT',
        body: bytes,
        headers: {
          'content-type': contentType,
          'cache-control': 'public, max-age=31536000, immutable',
          'content-length': String(bytes.byteLength),
        },
      });
      if (!response.ok) await fail('upload', response);
      await response.body?.cancel();
    },
    async get(key, range) {
      const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end ?? ''}` } : {};
      const response = await send(objectUrl(key), { method: 'GET', headers });
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (response.status === 416) {
        await response.body?.cancel();
        const stated = response.headers.get('content-range')?.match(/\/(\d+)$/)?.[1];
        if (stated) return { kind: 'unsatisfiable', size: Number(stated) };
        // Some servers do not say the size when refusing a range: ask for it.
        const head = await send(objectUrl(key), { method: 'HEAD' });
        return { kind: 'unsatisfiable', size: Number(head.headers.get('content-length') ?? 0) };
      }
      if (!response.ok || !response.body) await fail('download', response);
      const contentRange = response.headers.get('content-range')?.match(/^bytes (\d+)-(\d+)\/(\d+)$/);
      const length = Number(response.headers.get('content-length') ?? 0);
      const [start, end, size] =
        response.status === 206 && contentRange
          ? [Number(contentRange[1]), Number(contentRange[2]), Number(contentRange[3])]
          : [0, length - 1, length];
      return { kind: 'found', body: response.body!, size, start, end };
    },
    async delete(key) {
      const response = await send(objectUrl(key), { method: 'DELETE' });
      if (!response.ok && response.status !== 404) await fail('delete', response);
      await response.body?.cancel();
    },
    list: () => listKeys(),
  };
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[name]!);
}
