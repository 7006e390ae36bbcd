import type { Collection } from 'mongodb';
import type { LinkedImage, LinkKind, LinkReason, Series } from '../core/api-types';
import { pdqDistance, PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY } from '../core/pdq-rules';
import type { ClueDoc, ImageDoc, TermDoc } from './documents';
import type { FaceDoc, PersonDoc } from './faces';
import { pdqKeys, pdqProbes } from './pdq-index';
import type { SearchTerms } from './search-terms';

// Images linked by what they share: a distinctive word, a camera serial, a known place, or a
// near-duplicate copy. Each link says why, and how strong it is (0..1, noisy-or of its reasons).
// Every lookup is an index read: words through the search terms (and their counts, so a common
// word is skipped unread), places and serials through clues by value, copies by PDQ keys.

export type { LinkedImage, LinkKind, LinkReason, Series } from '../core/api-types';

/** A word found in more images than this says little about where an image was taken. */
const MAX_WORD_IMAGES = 50;
const MIN_WORD_LENGTH = 4;

/**
 * A face of each image grouped as one person links them more weakly than a shared place (whose
 * weight is its verified match score, usually 0.7-1) or a camera serial (0.95): a look-alike is
 * possible, a confirmed group less so. Above where's MIN_LINK (0.5), so that it passes on
 * inherited evidence, at half weight as every link does.
 */
export const PERSON_LINK_WEIGHT = { grouped: 0.55, confirmed: 0.65 } as const;

const strength = (reasons: LinkReason[]) => Math.round((1 - reasons.reduce((p, r) => p * (1 - r.weight), 1)) * 1000) / 1000;

/** Rarer words weigh more: 0.9 when shared by two images, falling towards 0.3 at fifty. */
const wordWeight = (images: number) => Math.round((0.3 + 0.6 / Math.max(1, Math.log2(images))) * 1000) / 1000;

/** What an image shares with others: its serials and places by value, its distinctive words. */
function keysOf(clues: Pick<ClueDoc, 'type' | 'value' | 'detail'>[], words: string[]): { kind: LinkKind; value: string }[] {
  const keys = new Map<string, { kind: LinkKind; value: string }>();
  for (const c of clues) {
    if (c.type === 'metadata' && c.detail?.field === 'serial') keys.set(`serial:${c.value}`, { kind: 'serial', value: c.value });
    else if (c.type === 'location') keys.set(`location:${c.value}`, { kind: 'location', value: c.value });
  }
  for (const t of words) if (distinctive(t)) keys.set(`text:${t}`, { kind: 'text', value: t });
  return [...keys.values()];
}

const distinctive = (t: string) => t.length >= MIN_WORD_LENGTH && !/^\d+$/.test(t);

export class LinkRepository {
  constructor(
    private readonly images: Collection<ImageDoc>,
    private readonly clues: Collection<ClueDoc>,
    private readonly terms: SearchTerms,
    private readonly faces: Collection<FaceDoc>,
    private readonly people: Collection<Pick<PersonDoc, '_id' | 'confirmed'>>,
  ) {}

  /** Person links (`people`: only for analysts, admins and the pipeline: biometric grouping). */
  private async personLinks(sha256: string, note: (other: string, r: LinkReason) => void): Promise<void> {
    const own = await this.faces.find({ sha256, person: { $exists: true } }, { projection: { person: 1 } }).toArray();
    const people = [...new Set(own.map((f) => f.person!))];
    if (!people.length) return;
    const confirmed = new Set((await this.people.find({ _id: { $in: people }, confirmed: true }, { projection: { _id: 1 } }).toArray()).map((p) => p._id));
    for (const f of await this.faces.find({ person: { $in: people }, sha256: { $ne: sha256 } }, { projection: { sha256: 1, person: 1 } }).limit(MAX_WORD_IMAGES * 4).toArray()) {
      note(f.sha256, { kind: 'person', value: f.person!, weight: confirmed.has(f.person!) ? PERSON_LINK_WEIGHT.confirmed : PERSON_LINK_WEIGHT.grouped });
    }
  }

  /** Images sharing a clue with this one, strongest first, each with its reasons. */
  async linked(sha256: string, minStrength = 0, opts: { people?: boolean } = {}): Promise<LinkedImage[]> {
    const self = await this.images.findOne({ _id: sha256 }, { projection: { pdq: 1 } });
    if (!self) return [];
    const links = new Map<string, LinkReason[]>();
    const note = (other: string, r: LinkReason) => {
      if (other !== sha256) links.set(other, [...(links.get(other) ?? []), r]);
    };
    const [own, words] = await Promise.all([
      this.clues.find({ sha256, type: { $in: ['metadata', 'location'] } }, { projection: { type: 1, value: 1, score: 1, detail: 1 } }).toArray(),
      this.terms.terms.find({ img: sha256, k: 'word' }, { projection: { t: 1 } }).toArray(),
    ]);
    const keys = keysOf(own, words.map((w) => w.t));
    const textKeys = keys.filter((k) => k.kind === 'text');
    const counts = textKeys.length ? await this.terms.counts('word', textKeys.map((k) => k.value)) : new Map();
    for (const key of keys) {
      if (key.kind === 'text') {
        const n = counts.get(key.value)?.n ?? 0;
        if (n < 2 || n > MAX_WORD_IMAGES) continue; // shared by no one, or by too many to say anything
        for (const d of await this.terms.find('word', [key.value])) note(d.img, { kind: 'text', value: key.value, weight: wordWeight(n) });
        continue;
      }
      const filter = key.kind === 'serial' ? { type: 'metadata' as const, value: key.value, 'detail.field': 'serial' } : { type: 'location' as const, value: key.value };
      const mine = own.find((c) => c.type === filter.type && c.value === key.value);
      const best = new Map<string, number>();
      for (const c of await this.clues.find(filter, { projection: { sha256: 1, score: 1 } }).limit(MAX_WORD_IMAGES * 4).toArray()) {
        best.set(c.sha256, Math.max(best.get(c.sha256) ?? 0, c.score ?? 0.5));
      }
      for (const [other, score] of best) note(other, { kind: key.kind, value: key.value, weight: key.kind === 'serial' ? 0.95 : Math.min(mine?.score ?? 0.5, score) });
    }
    if (opts.people) await this.personLinks(sha256, note);
    if (self.pdq && self.pdq.quality >= PDQ_MIN_QUALITY) {
      for (const img of await this.images.find({ pdqKeys: { $in: pdqProbes(self.pdq.hash) } }, { projection: { pdq: 1 } }).toArray()) {
        const d = pdqDistance(self.pdq.hash, img.pdq!.hash);
        if (d <= PDQ_MATCH_DISTANCE) note(img._id, { kind: 'near-duplicate', value: `PDQ distance ${d}`, weight: 1 - d / 128 });
      }
    }
    const docs = links.size ? await this.images.find({ _id: { $in: [...links.keys()] } }, { projection: { paths: 1, cases: 1 } }).toArray() : [];
    return docs
      .map((d) => {
        const reasons = dedupe(links.get(d._id)!).sort((a, b) => b.weight - a.weight);
        return { sha256: d._id, path: d.paths[0] ?? '', cases: d.cases ?? [], strength: strength(reasons), reasons };
      })
      .filter((l) => l.strength >= minStrength)
      .sort((a, b) => b.strength - a.strength || a.sha256.localeCompare(b.sha256));
  }

  /**
   * Series: connected components of the images linked at `minStrength` or more, by serial,
   * place, distinctive words and near-duplicates, within a case (its images by index, their terms
   * and clues by image) or, without one, the whole store (a scan: for batch use).
   */
  async series(minStrength: number, caseId?: string, opts: { people?: boolean } = {}): Promise<Series[]> {
    const filter: Record<string, unknown> = { status: 'processed' };
    if (caseId) filter.cases = caseId;
    const imgs = await this.images.find(filter, { projection: { paths: 1, pdq: 1 } }).toArray();
    const groups = new Map<string, { kind: LinkKind; value: string; images: Map<string, number> }>();
    const add = (kind: LinkKind, value: string, img: string, score: number) => {
      const id = `${kind}:${value}`;
      const g = groups.get(id) ?? { kind, value, images: new Map<string, number>() };
      g.images.set(img, Math.max(g.images.get(img) ?? 0, score));
      groups.set(id, g);
    };
    for (let i = 0; i < imgs.length; i += 1000) {
      const chunk = imgs.slice(i, i + 1000).map((x) => x._id);
      const [clues, words] = await Promise.all([
        this.clues.find({ sha256: { $in: chunk }, type: { $in: ['metadata', 'location'] } }, { projection: { sha256: 1, type: 1, value: 1, score: 1, detail: 1 } }).toArray(),
        this.terms.terms.find({ img: { $in: chunk }, k: 'word' }, { projection: { img: 1, t: 1 } }).toArray() as Promise<Pick<TermDoc, 'img' | 't'>[]>,
      ]);
      for (const c of clues) for (const k of keysOf([c], [])) add(k.kind, k.value, c.sha256, c.score ?? 0.5);
      for (const w of words) if (distinctive(w.t)) add('text', w.t, w.img, 0.5);
      if (opts.people) {
        const faces = await this.faces.find({ sha256: { $in: chunk }, person: { $exists: true } }, { projection: { sha256: 1, person: 1 } }).toArray();
        for (const f of faces) add('person', f.person!, f.sha256, 1);
      }
    }
    const confirmed = opts.people ? new Set((await this.people.find({ _id: { $in: [...groups.values()].filter((g) => g.kind === 'person').map((g) => g.value) }, confirmed: true }, { projection: { _id: 1 } }).toArray()).map((p) => p._id)) : new Set<string>();
    const pairs = new Map<string, LinkReason[]>();
    const link = (a: string, b: string, r: LinkReason) => {
      const id = a < b ? `${a}|${b}` : `${b}|${a}`;
      pairs.set(id, [...(pairs.get(id) ?? []), r]);
    };
    for (const g of groups.values()) {
      const members = [...g.images.keys()];
      if (members.length < 2 || (g.kind === 'text' && members.length > MAX_WORD_IMAGES)) continue;
      const weight = g.kind === 'serial' ? 0.95 : g.kind === 'text' ? wordWeight(members.length) : g.kind === 'person' ? (confirmed.has(g.value) ? PERSON_LINK_WEIGHT.confirmed : PERSON_LINK_WEIGHT.grouped) : 0;
      for (let i = 0; i < members.length; i++) {
        for (let j = i + 1; j < members.length; j++) {
          const w = g.kind === 'location' ? Math.min(g.images.get(members[i]!)!, g.images.get(members[j]!)!) : weight;
          link(members[i]!, members[j]!, { kind: g.kind, value: g.value, weight: w });
        }
      }
    }
    // Near-duplicates: the same multi-index keys, in memory, over the images in scope.
    const hashed = imgs.filter((i) => i.pdq && i.pdq.quality >= PDQ_MIN_QUALITY);
    const byKey = new Map<string, number[]>();
    hashed.forEach((img, n) => {
      for (const k of pdqKeys(img.pdq!.hash)) byKey.set(k, [...(byKey.get(k) ?? []), n]);
    });
    hashed.forEach((img, n) => {
      const seen = new Set<number>();
      for (const k of pdqProbes(img.pdq!.hash)) {
        for (const m of byKey.get(k) ?? []) {
          if (m <= n || seen.has(m)) continue;
          seen.add(m);
          const d = pdqDistance(img.pdq!.hash, hashed[m]!.pdq!.hash);
          if (d <= PDQ_MATCH_DISTANCE) link(img._id, hashed[m]!._id, { kind: 'near-duplicate', value: `PDQ distance ${d}`, weight: 1 - d / 128 });
        }
      }
    });
    return components(pairs, minStrength, new Map(imgs.map((i) => [i._id, i.paths[0] ?? ''])));
  }
}

function dedupe(reasons: LinkReason[]): LinkReason[] {
  const best = new Map<string, LinkReason>();
  for (const r of reasons) {
    const k = `${r.kind}:${r.value}`;
    if ((best.get(k)?.weight ?? -1) < r.weight) best.set(k, r);
  }
  return [...best.values()];
}

/** Connected components of the pairs linked strongly enough, with their strongest reasons. */
function components(pairs: Map<string, LinkReason[]>, minStrength: number, paths: Map<string, string>): Series[] {
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
  const groups = new Map<string, Set<string>>();
  for (const x of parent.keys()) groups.set(find(x), (groups.get(find(x)) ?? new Set()).add(x));
  return [...groups.values()]
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
