import type { BlobConfig } from '../../config/index.ts';
import type { BlobStore } from './blob-store.ts';
import { localBlobStore } from './local-blob-store.ts';
import { s3BlobStore } from './s3-blob-store.ts';

/** The blob store the configuration names. */
export function createBlobStore(config: BlobConfig): BlobStore {
  return config.kind === 'local' ? localBlobStore(config.directory) : s3BlobStore(config);
}
