import type { ClueInput, StageOutcome } from '../core/clues';
import { windowWords } from '../core/periods';
import { uniqueTokens } from '../core/tokens';
import type { Store } from '../store';
import { ownEvidence, whereAndWhen, WHERE_VERSION, type LinkedInput, type WhereResult } from '../where';
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

type LocateStore = Pick<Store, 'images' | 'links'>;

/**
 * An image's own evidence as its clues and EXIF are now. Its stored answer's own part serves when
 * it was weighed after the newest of those (cached by version); otherwise it is weighed again
 * here: a linked image may not have been weighed yet, or before a clue of its arrived.
 */
async function ownOf(store: LocateStore, sha256: string) {
  const image = await store.images.get(sha256);
  const clues = (await store.images.cluesOf(sha256)).filter((c) => c.stage !== 'where').map((c) => ({ ...c, id: c._id }));
  const where = image?.where as (WhereResult & { weighedFrom?: string }) | undefined;
  const newest = Math.max(0, ...clues.map((c) => new Date(c.createdAt).getTime()), new Date(image?.stages?.metadata?.at ?? 0).getTime());
  if (where?.weighedFrom && Date.parse(where.weighedFrom) >= newest && where.version === WHERE_VERSION) {
    return { image, clues, own: { evidence: where.evidence.filter((e) => !e.inherited) } };
  }
  return { image, clues, own: await ownEvidence({ clues, ...(image?.exif ? { exif: image.exif } : {}), sha256 }) };
}

/**
 * Weighs one image and saves it as its `where` stage, unless an answer weighed from a later start
 * was saved meanwhile (a neighbour's re-weighing, which saw at least as much). Returns the
 * outcome and the images it is linked to.
 */
async function weigh(store: LocateStore, sha256: string): Promise<{ outcome: StageOutcome; linked: string[]; ownEvidence: number }> {
  const startedAt = new Date();
  const image = await store.images.get(sha256);
  const clues = (await store.images.cluesOf(sha256)).filter((c) => c.stage !== 'where').map((c) => ({ ...c, id: c._id }));
  const linked: LinkedInput[] = [];
  const links = (await store.links.linked(sha256, MIN_LINK, { people: true })).slice(0, MAX_LINKED);
  for (const l of links) {
    // The linked image's evidence is read from its clues, not from its stored answer, which may
    // not exist yet or be older: the answer does not depend on which image was weighed first.
    const { own } = await ownOf(store, l.sha256);
    // A person link says only that: which person is for analysts (api/face-routes.ts).
    const reason = l.reasons.map((r) => (r.kind === 'person' ? 'the same person' : `${r.kind} ${r.value}`)).join(', ');
    if (own.evidence.length) linked.push({ sha256: l.sha256, strength: l.strength, reason, evidence: own.evidence });
  }
  const result = await whereAndWhen({ clues, ...(image?.exif ? { exif: image.exif } : {}), linked, sha256 });
  const outcome: StageOutcome = {
    stage: 'where',
    status: 'ok',
    model: { name: 'where', version: WHERE_VERSION },
    clues: whereClues(result),
    data: { where: { ...result, weighedFrom: startedAt.toISOString() } as unknown as Record<string, unknown> },
    ...(result.noEvidence ? { reason: 'no evidence of where the image was taken' } : {}),
    durationMs: Date.now() - startedAt.getTime(),
  };
  const saved = (await store.images.get(sha256))?.where as { weighedFrom?: string } | undefined;
  if (!saved?.weighedFrom || saved.weighedFrom <= startedAt.toISOString()) await store.images.saveStage(sha256, outcome);
  return { outcome, linked: links.map((l) => l.sha256), ownEvidence: result.evidence.filter((e) => !e.inherited).length };
}

/**
 * Where and when an image was taken, weighed from everything it holds now (its clues, tags and
 * EXIF) and from the images linked to it (weaker, marked inherited); saved as its `where` stage.
 * It runs after the image's other stages are saved, and again when its clues or links change.
 * Then the images it is linked to are weighed again: a link that appears with this image changes
 * their answers too, whichever of them was processed first (issue 20, item 3). One level is
 * enough: what an image passes on is its own evidence, which its neighbours' answers do not change.
 */
export const locateImage: StageDefinition<'where'> = {
  ownModel: { name: 'where', version: WHERE_VERSION },
  async run({ ref, deps: { store } }) {
    const { outcome, linked, ownEvidence: own } = await weigh(store, ref.sha256);
    // Its neighbours' answers change through its own evidence only: none, nothing to pass on.
    if (own > 0) for (const other of linked) await weigh(store, other);
    // Saved by weigh(), unless a later answer was saved meanwhile.
    return { clues: outcome.clues, ...(outcome.reason ? { reason: outcome.reason } : {}), saved: true };
  },
};
