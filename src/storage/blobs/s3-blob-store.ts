import { AwsClient } from 'aws4fetch';
import type { BlobConfig } from '../../config/index.ts';
import { assertBlobKey, type BlobStore } from './blob-store.ts';

type S3Config = Extract<BlobConfig, { kind: 's3' }>;

const TIMEOUT_MS = 30_000;

/**
 * Media files in an S3-compatible bucket (AWS, MinIO, Garage, Ceph, R2, ...), signed with AWS Signature
 * Version 4. Objects carry their content type and a long cache lifetime, so that a bucket or CDN serving
 * them directly (`STOA_MEDIA_URL`) answers as Stoa would.
 */
export function s3BlobStore(config: S3Config, fetchImpl: typeof fetch = fetch): BlobStore {
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
  const objectUrl = (key: string) => {
    assertBlobKey(key);
    return `${bucketUrl}/${key}`;
  };
  const send = async (url: string, init: RequestInit) => {
    const request = await client.sign(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    return fetchImpl(request);
  };
  const fail = async (what: string, response: Response): Promise<never> => {
    const detail = (await response.text().catch(() => '')).match(/<Code>([^<]+)<\/Code>/)?.[1] ?? '';
    throw new Error(`S3 ${what} failed: ${response.status} ${detail}`.trim());
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
    async list() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const query = new URLSearchParams({ 'list-type': '2', ...(token ? { 'continuation-token': token } : {}) });
        const response = await send(`${bucketUrl}?${query.toString()}`, { method: 'GET' });
        if (!response.ok) await fail('listing', response);
        const xml = await response.text();
        for (const match of xml.matchAll(/<Key>([^<]+)<\/Key>/g)) keys.push(decodeXml(match[1]!));
        token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
          ? decodeXml(xml.match(/<NextContinuationToken>([^<]+)<\/NextContinuationToken>/)?.[1] ?? '') || undefined
          : undefined;
      } while (token);
      return keys;
    },
  };
}

function decodeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[name]!);
}
