import type { Collection } from 'mongodb';
import { pdqDistance, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../models/pdq';
import type { ClueDoc, ImageDoc } from './clue-store';

// Images linked by what they share: a distinctive word, a camera serial, a known place, or a
// near-duplicate copy. Each link says why, and how strong it is (0..1, noisy-or of its reasons).

export type LinkKind = 'near-duplicate' | 'serial' | 'location' | 'text';

export interface LinkReason {
  kind: LinkKind;
  value: string;
  weight: number;
}

export interface LinkedImage {
  sha256: string;
  path: string;
  strength: number;
  reasons: LinkReason[];
}

export interface Series {
  images: { sha256: string; path: string }[];
  /** The strongest reasons that hold the series together. */
  reasons: LinkReason[];
}

/** A word found in more images than this says little about where an image was taken. */
const MAX_WORD_IMAGES = 50;
const MIN_WORD_LENGTH = 4;

const strength = (reasons: LinkReason[]) => Math.round((1 - reasons.reduce((p, r) => p * (1 - r.weight), 1)) * 1000) / 1000;

/** Rarer words weigh more: 0.9 when shared by two images, falling towards 0.3 at fifty. */
const wordWeight = (images: number) => Math.round((0.3 + 0.6 / Math.max(1, Math.log2(images))) * 1000) / 1000;

interface Keyed {
  kind: LinkKind;
  value: string;
  filter: Record<string, unknown>;
  weight: (imagesSharing: number, clue: ClueDoc) => number;
}

function keysOf(clues: ClueDoc[]): Keyed[] {
  const keys: Keyed[] = [];
  const seen = new Set<string>();
  const add = (k: Keyed) => {
    const id = `${k.kind}:${k.value}`;
    if (!seen.has(id)) {
      seen.add(id);
      keys.push(k);
    }
  };
  for (const c of clues) {
    if (c.type === 'metadata' && c.detail?.field === 'serial') {
      add({ kind: 'serial', value: c.value, filter: { type: 'metadata', 'detail.field': 'serial', value: c.value }, weight: () => 0.95 });
    } else if (c.type === 'location') {
      add({ kind: 'location', value: c.value, filter: { type: 'location', value: c.value }, weight: (_n, other) => Math.min(c.score ?? 0.5, other.score ?? 0.5) });
    } else if (c.type === 'text') {
      for (const t of c.tokens) {
        if (t.length >= MIN_WORD_LENGTH && !/^\d+$/.test(t)) add({ kind: 'text', value: t, filter: { type: 'text', tokens: t }, weight: (n) => wordWeight(n) });
      }
    }
  }
  return keys;
}

export async function linkedImages(clues: Collection<ClueDoc>, images: Collection<ImageDoc>, sha256: string, minStrength = 0): Promise<LinkedImage[]> {
  const self = await images.findOne({ _id: sha256 }, { projection: { pdq: 1 } });
  if (!self) return [];
  const links = new Map<string, LinkReason[]>();
  const note = (other: string, r: LinkReason) => {
    if (other !== sha256) links.set(other, [...(links.get(other) ?? []), r]);
  };
  for (const key of keysOf(await clues.find({ sha256 }).toArray())) {
    const sharing = await clues.find(key.filter, { projection: { sha256: 1, score: 1 } }).limit(MAX_WORD_IMAGES * 4).toArray();
    const imagesSharing = new Set(sharing.map((c) => c.sha256));
    if (key.kind === 'text' && imagesSharing.size > MAX_WORD_IMAGES) continue;
    const best = new Map<string, ClueDoc>();
    for (const c of sharing) if (!best.has(c.sha256) || (c.score ?? 0) > (best.get(c.sha256)!.score ?? 0)) best.set(c.sha256, c as ClueDoc);
    for (const [other, c] of best) note(other, { kind: key.kind, value: key.value, weight: key.weight(imagesSharing.size, c) });
  }
  if (self.pdq && self.pdq.quality >= PDQ_MIN_QUALITY) {
    for await (const img of images.find({ status: 'processed', 'pdq.quality': { $gte: PDQ_MIN_QUALITY } }, { projection: { pdq: 1 } })) {
      const d = pdqDistance(self.pdq.hash, img.pdq!.hash);
      if (d <= PDQ_MATCH_DISTANCE) note(img._id, { kind: 'near-duplicate', value: `PDQ distance ${d}`, weight: 1 - d / 128 });
    }
  }
  const docs = await images.find({ _id: { $in: [...links.keys()] } }, { projection: { paths: 1 } }).toArray();
  return docs
    .map((d) => {
      const reasons = links.get(d._id)!.sort((a, b) => b.weight - a.weight);
      return { sha256: d._id, path: d.paths[0] ?? '', strength: strength(reasons), reasons };
    })
    .filter((l) => l.strength >= minStrength)
    .sort((a, b) => b.strength - a.strength || a.sha256.localeCompare(b.sha256));
}

/**
 * Series: connected components of the images linked at `minStrength` or more, by serial,
 * place, distinctive words and near-duplicates. A scan of every clue: fine for a case, slow for
 * a national collection (batch it there).
 */
export async function findSeries(clues: Collection<ClueDoc>, images: Collection<ImageDoc>, minStrength: number, caseId?: string): Promise<Series[]> {
  const imageFilter: Record<string, unknown> = { status: 'processed' };
  if (caseId) imageFilter.cases = caseId;
  const imgs = await images.find(imageFilter, { projection: { paths: 1, pdq: 1 } }).toArray();
  const inScope = new Set(imgs.map((i) => i._id));
  const groups = new Map<string, { kind: LinkKind; value: string; images: Map<string, number> }>();
  const cursor = clues.find({ type: { $in: ['text', 'location', 'metadata'] } }, { projection: { sha256: 1, type: 1, value: 1, tokens: 1, score: 1, detail: 1 } });
  for await (const c of cursor) {
    if (!inScope.has(c.sha256)) continue;
    for (const k of keysOf([c as ClueDoc])) {
      const id = `${k.kind}:${k.value}`;
      const g = groups.get(id) ?? { kind: k.kind, value: k.value, images: new Map<string, number>() };
      g.images.set(c.sha256, Math.max(g.images.get(c.sha256) ?? 0, c.score ?? 0.5));
      groups.set(id, g);
    }
  }
  const pairs = new Map<string, LinkReason[]>();
  const link = (a: string, b: string, r: LinkReason) => {
    const id = a < b ? `${a}|${b}` : `${b}|${a}`;
    pairs.set(id, [...(pairs.get(id) ?? []), r]);
  };
  for (const g of groups.values()) {
    const members = [...g.images.keys()];
    if (members.length < 2 || (g.kind === 'text' && members.length > MAX_WORD_IMAGES)) continue;
    const weight = g.kind === 'serial' ? 0.95 : g.kind === 'text' ? wordWeight(members.length) : 0;
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const w = g.kind === 'location' ? Math.min(g.images.get(members[i]!)!, g.images.get(members[j]!)!) : weight;
        link(members[i]!, members[j]!, { kind: g.kind, value: g.value, weight: w });
      }
    }
  }
  const hashed = imgs.filter((i) => i.pdq && i.pdq.quality >= PDQ_MIN_QUALITY);
  for (let i = 0; i < hashed.length; i++) {
    for (let j = i + 1; j < hashed.length; j++) {
      const d = pdqDistance(hashed[i]!.pdq!.hash, hashed[j]!.pdq!.hash);
      if (d <= PDQ_MATCH_DISTANCE) link(hashed[i]!._id, hashed[j]!._id, { kind: 'near-duplicate', value: `PDQ distance ${d}`, weight: 1 - d / 128 });
    }
  }
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    while (parent.get(x) !== undefined && parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  const reasonsOf = new Map<string, LinkReason[]>();
  for (const [id, reasons] of pairs) {
    if (strength(reasons) < minStrength) continue;
    const [a, b] = id.split('|') as [string, string];
    parent.set(a, find(a));
    parent.set(b, find(b));
    parent.set(find(a), find(b));
    reasonsOf.set(id, reasons);
  }
  const components = new Map<string, Set<string>>();
  for (const x of parent.keys()) components.set(find(x), (components.get(find(x)) ?? new Set()).add(x));
  const paths = new Map(imgs.map((i) => [i._id, i.paths[0] ?? '']));
  return [...components.values()]
    .map((members) => {
      const reasons = new Map<string, LinkReason>();
      for (const [id, rs] of reasonsOf) {
        if (!members.has(id.split('|')[0]!)) continue;
        for (const r of rs) {
          const key = `${r.kind}:${r.value}`;
          if (!reasons.has(key) || reasons.get(key)!.weight < r.weight) reasons.set(key, r);
        }
      }
      return {
        images: [...members].sort().map((sha256) => ({ sha256, path: paths.get(sha256) ?? '' })),
        reasons: [...reasons.values()].sort((a, b) => b.weight - a.weight).slice(0, 10),
      };
    })
    .sort((a, b) => b.images.length - a.images.length);
}
