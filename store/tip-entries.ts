import type { TipEntry, TipView } from '../core/api-types';
import { uniqueTokens } from '../core/tokens';
import type { CrowdTagDoc } from './documents';

// Tips merged for triage. Two tips are near-identical when their answer, place and brand are the
// same once normalised (case, accents, punctuation and spacing dropped): "Enamel mug, Poland" and
// "enamel  MUG!, poland" are one entry with a merged count of 2. A note does not keep tips apart.

const norm = (text: string | undefined) => uniqueTokens(text ?? '').join(' ');

/** What near-identical tips share. */
export const mergeKey = (t: Pick<CrowdTagDoc, 'what' | 'where' | 'brand'>) => [norm(t.what), norm(t.where), norm(t.brand)].join('|');

export interface MergeOptions {
  /** Contact details by tip id: given only when a reviewer reads. */
  contacts?: Map<string, string>;
  blocked?: Set<string>;
}

const time = (d: Date) => d.getTime();

/** The tips of one object merged into entries, their tips grouped per tagger; new entries first. */
export function mergeTips(tips: CrowdTagDoc[], opts: MergeOptions = {}): TipEntry[] {
  const perTagger = new Map<string, number>();
  for (const t of tips) perTagger.set(`${t.cropId}\n${t.by}`, (perTagger.get(`${t.cropId}\n${t.by}`) ?? 0) + 1);
  const groups = new Map<string, CrowdTagDoc[]>();
  for (const t of [...tips].sort((a, b) => time(a.at) - time(b.at) || a._id.localeCompare(b._id))) {
    const k = `${t.cropId}\n${mergeKey(t)}`;
    groups.set(k, [...(groups.get(k) ?? []), t]);
  }
  return sortQueue([...groups.values()].map((list) => entryOf(list, opts, perTagger)));
}

function entryOf(list: CrowdTagDoc[], opts: MergeOptions, perTagger: Map<string, number>): TipEntry {
  const first = list[0]!;
  const byTagger = new Map<string, TipView[]>();
  for (const t of list) {
    const contact = opts.contacts?.get(t._id);
    const view: TipView = { id: t._id, at: t.at, ...(t.note ? { note: t.note } : {}), hasContact: t.hasContact === true, ...(contact ? { contact } : {}) };
    byTagger.set(t.by, [...(byTagger.get(t.by) ?? []), view]);
  }
  // The entry's verdict is the latest a reviewer gave; a tip that arrived since makes it new again.
  const triaged = list.filter((t) => t.triage).sort((a, b) => time(b.triage!.at) - time(a.triage!.at));
  return {
    id: first._id,
    cropId: first.cropId,
    answer: first.what,
    ...(first.where ? { where: first.where } : {}),
    ...(first.brand ? { brand: first.brand } : {}),
    merged: list.length,
    votes: list.reduce((n, t) => n + t.votes, 0),
    taggers: [...byTagger].map(([tagger, tips]) => ({ tagger, blocked: opts.blocked?.has(tagger) ?? false, onObject: perTagger.get(`${first.cropId}\n${tagger}`) ?? tips.length, tips })),
    new: list.some((t) => !t.triage),
    ...(triaged[0] ? { triage: triaged[0].triage! } : {}),
    firstAt: first.at,
    lastAt: list[list.length - 1]!.at,
  };
}

const rank = (e: TipEntry) => (e.new ? 0 : e.triage?.verdict === 'follow-up' ? 1 : 2);

/** The triage order: new entries first, then those needing follow-up, then the rest; newest first within each. */
export function sortQueue<T extends TipEntry>(entries: T[]): T[] {
  return entries.sort((a, b) => rank(a) - rank(b) || time(b.lastAt) - time(a.lastAt) || a.id.localeCompare(b.id));
}

/** One object's tips grouped per tagger: who sent how many, in which entries; most first. */
export function tipsPerTagger(entries: TipEntry[]): { tagger: string; blocked: boolean; tips: number; entries: string[] }[] {
  const out = new Map<string, { tagger: string; blocked: boolean; tips: number; entries: string[] }>();
  for (const e of entries) {
    for (const t of e.taggers) {
      const g = out.get(t.tagger) ?? { tagger: t.tagger, blocked: t.blocked, tips: 0, entries: [] };
      g.tips += t.tips.length;
      g.entries.push(e.id);
      out.set(t.tagger, g);
    }
  }
  return [...out.values()].sort((a, b) => b.tips - a.tips || a.tagger.localeCompare(b.tagger));
}

/** The tips of an entry, found again from any of its tips' ids. */
export function entryTips(tips: CrowdTagDoc[], tipId: string): CrowdTagDoc[] {
  const tip = tips.find((t) => t._id === tipId);
  if (!tip) return [];
  const key = mergeKey(tip);
  return tips.filter((t) => mergeKey(t) === key);
}
