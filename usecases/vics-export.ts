import { basename } from 'node:path';
import { writeVics, type VicsMedia } from '../hashsets/vics';
import type { Store } from '../store';

/**
 * A case as VICS JSON: every processed image with its hashes (PDQ as an alternative hash), its
 * file paths, and the category, series and tags of the first exact known-hash match.
 */
export async function exportCaseVics(store: Pick<Store, 'images' | 'hashSets'>, caseId: string): Promise<{ json: string; count: number }> {
  const media: VicsMedia[] = [];
  for (const img of await store.images.caseImages(caseId)) {
    const exact = (await store.hashSets.matches(img)).find((m) => m.kind === 'exact');
    media.push({
      ...(img.md5 ? { md5: img.md5 } : {}),
      ...(img.sha1 ? { sha1: img.sha1 } : {}),
      ...(exact?.category !== undefined ? { category: exact.category } : {}),
      ...(exact?.series !== undefined ? { series: exact.series } : {}),
      ...(exact?.victimIdentified !== undefined ? { victimIdentified: exact.victimIdentified } : {}),
      tags: exact?.tags ?? [],
      alternativeHashes: img.pdq ? { PDQ: img.pdq.hash } : {},
      files: img.paths.map((p) => ({ name: basename(p), path: p })),
      raw: { MediaSize: img.info?.bytes, SHA256: img.sha256.toUpperCase() },
    });
  }
  return { json: writeVics({ caseId, media }), count: media.length };
}
