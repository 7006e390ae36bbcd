import type { Store } from '../store';
import { whereAndWhenSeries, type WhereResult } from '../where';

/** A series is followed link by link up to this many images. */
const MAX_SERIES = 200;

/**
 * Where and when for the series an image belongs to: the images linked to it at `minStrength`
 * or more, and theirs, in turn (the connected component, by index reads), their evidence added up.
 */
export function locateSeries(store: Pick<Store, 'images' | 'links'>) {
  return async (input: { sha256: string; minStrength: number }): Promise<WhereResult & { series: string[] }> => {
    const members = [input.sha256];
    const seen = new Set(members);
    for (let i = 0; i < members.length && members.length < MAX_SERIES; i++) {
      for (const l of await store.links.linked(members[i]!, input.minStrength, { people: true })) {
        if (seen.has(l.sha256) || members.length >= MAX_SERIES) continue;
        seen.add(l.sha256);
        members.push(l.sha256);
      }
    }
    const images = await Promise.all(
      members.map(async (sha256) => {
        const image = await store.images.get(sha256);
        const clues = (await store.images.cluesOf(sha256)).filter((c) => c.stage !== 'where').map((c) => ({ ...c, id: c._id }));
        return { sha256, clues, ...(image?.exif ? { exif: image.exif } : {}) };
      }),
    );
    return { ...(await whereAndWhenSeries(images)), series: members };
  };
}
