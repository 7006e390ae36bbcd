import type { StorageConfig } from '../core/config';
import { FileBlobStore, type BlobStore } from './blob-store';
import { S3BlobStore } from './s3-blob-store';

/** The configured store; processes call `check()` on it at start-up. */
export function openBlobStore(cfg: StorageConfig): BlobStore {
  return cfg.kind === 'file' ? new FileBlobStore(cfg.root) : new S3BlobStore(cfg);
}
