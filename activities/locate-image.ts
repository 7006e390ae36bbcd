import type { ClueInput } from '../core/clues';
import { windowWords } from '../core/periods';
import { uniqueTokens } from '../core/tokens';
import { whereAndWhen, WHERE_VERSION, type LinkedInput, type WhereResult } from '../where';
import type { StageDefinition } from './stage';

/** Countries and regions kept as clues: the strongest few (the whole ranking is kept with the image). */
const TOP = 5;
/** Linked images whose evidence is inherited: the strongest links only. */
const MIN_LINK = 0.5;
const MAX_LINKED = 20;

/** The clues a ranking becomes: countries, regions and the time window, searchable. */
export function whereClues(result: WhereResult): ClueInput[] {
  const clues: ClueInput[] = [];
  for (const [rank, c] of result.countries.slice(0, TOP).entries()) {
    clues.push({ type: 'country', value: c.country, tokens: [...new Set([c.country.toLowerCase(), ...uniqueTokens(c.name)])], score: Math.round(c.probability * 1000) / 1000, detail: { name: c.name, rank: rank + 1 } });
  }
  for (const r of result.regions.slice(0, TOP)) {
    clues.push({ type: 'region', value: r.name, tokens: uniqueTokens(r.name), score: Math.round((1 / (1 + Math.exp(-r.score))) * 1000) / 1000, detail: { ...(r.country ? { country: r.country } : {}) } });
  }
  if (result.time) {
    const { from, to } = result.time.window;
    clues.push({ type: 'time', value: `${from.slice(0, 10)} – ${to.slice(0, 10)}`, tokens: windowWords(from, to), detail: { from, to, days: result.time.days } });
  }
  return clues;
}

/**
 * Where and when an image was taken, weighed from everything it holds now (its clues, tags and
 * EXIF) and from the images linked to it (weaker, marked inherited); saved as its `where` stage.
 * It runs after the image's other stages are saved, and again when its clues or links change.
 */
export const locateImage: StageDefinition<'where'> = {
  ownModel: { name: 'where', version: WHERE_VERSION },
  async run({ ref, deps: { store } }) {
    const image = await store.images.get(ref.sha256);
    const clues = (await store.images.cluesOf(ref.sha256)).filter((c) => c.stage !== 'where').map((c) => ({ ...c, id: c._id }));
    const linked: LinkedInput[] = [];
    for (const l of (await store.links.linked(ref.sha256, MIN_LINK, { people: true })).slice(0, MAX_LINKED)) {
      const other = await store.images.get(l.sha256);
      const own = (other?.where?.evidence ?? []).filter((e) => !e.inherited);
      // A person link says only that: which person is for analysts (api/face-routes.ts).
      const reason = l.reasons.map((r) => (r.kind === 'person' ? 'the same person' : `${r.kind} ${r.value}`)).join(', ');
      if (own.length) linked.push({ sha256: l.sha256, strength: l.strength, reason, evidence: own });
    }
    const result = await whereAndWhen({ clues, ...(image?.exif ? { exif: image.exif } : {}), linked, sha256: ref.sha256 });
    return {
      clues: whereClues(result),
      data: { where: result as unknown as Record<string, unknown> },
      ...(result.noEvidence ? { reason: 'no evidence of where the image was taken' } : {}),
    };
  },
};
