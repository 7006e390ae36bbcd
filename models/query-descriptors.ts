import { fileSha256 } from './file-hashes';
import type { ImageEmbedder } from './image-embedder';
import { decodeGray, decodeRgb, probeImage, type ImageSource } from './image-loader';
import type { LocalFeatures, OrbMatcher } from './local-features';
import type { PdqResult } from './pdq';
import { pdqFromFile } from './pdq-image';

export interface QueryDescriptors {
  sha256: string;
  pdq: PdqResult;
  embedding: number[];
  features: LocalFeatures;
}

/** Everything similarity search compares, for an image that need not be ingested (or a crop). */
export async function describeQuery(path: ImageSource, maxPixels: number, embedder: ImageEmbedder, matcher: OrbMatcher): Promise<QueryDescriptors> {
  await probeImage(path, maxPixels); // a clear InvalidImageError for a bad query image
  const [sha256, pdq, rgb, gray] = await Promise.all([
    fileSha256(path),
    pdqFromFile(path, maxPixels),
    decodeRgb(path, maxPixels, embedder.inputSide),
    decodeGray(path, maxPixels, matcher.inputSide),
  ]);
  return { sha256, pdq, embedding: await embedder.embed(rgb), features: matcher.extract(gray) };
}
