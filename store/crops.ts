import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Box } from '../core/clues';
import { uniqueTokens } from '../core/tokens';

// Trace-an-Object crops: what a reviewer published, what the public answered, and what a reviewer
// accepted. The public side sees a crop id and a question, never the image's hash or path.

export type CropStatus = 'published' | 'withdrawn';

export interface PublicCropDoc {
  _id: string; // TAO-…, random: it must not reveal the source image
  clueId: string;
  sha256: string;
  label: string;
  /** The padded box that was published, in the oriented image's pixels. */
  cropBox: Box;
  /** JPEG under the data folder, re-encoded without metadata. */
  file: string;
  question: string;
  status: CropStatus;
  publishedBy: string;
  publishedAt: Date;
  accepted: AcceptedAnswer[];
}

export interface AcceptedAnswer {
  answer: string;
  key: string;
  count: number;
  where?: string;
  brand?: string;
  by: string;
  at: Date;
  clueIds: string[];
}

export interface CrowdTagDoc {
  _id: string;
  cropId: string;
  what: string;
  where?: string;
  brand?: string;
  /** Normalised answer: answers that differ only in case, accents or punctuation count together. */
  key: string;
  by: string;
  at: Date;
  votes: number;
}

/** The public view of a crop: nothing that leads back to the evidence. */
export interface PublicCrop {
  id: string;
  label: string;
  question: string;
  answers: { id: string; what: string; where?: string; brand?: string; votes: number }[];
}

/** Answers to one crop grouped by their normalised form, most supported first. */
export interface AnswerGroup {
  key: string;
  answer: string;
  /** Submissions plus votes. */
  count: number;
  submissions: number;
  votes: number;
  variants: string[];
  where: { value: string; count: number }[];
  brand: { value: string; count: number }[];
  accepted: boolean;
}

export const answerKey = (what: string) => uniqueTokens(what).join(' ');

export function cropCollections(db: Db) {
  return {
    crops: db.collection<PublicCropDoc>('public_crops'),
    tags: db.collection<CrowdTagDoc>('crowd_tags'),
    votes: db.collection<{ _id: string; tagId: string; by: string; at: Date }>('tag_votes'),
  };
}

const newCropId = () => `TAO-${randomBytes(5).toString('hex').toUpperCase()}`;

export function defaultQuestion(label: string): string {
  return `Do you recognise this ${label}? What is it, and where could it be from?`;
}

export async function publishCrop(db: Db, crop: Omit<PublicCropDoc, '_id' | 'publishedAt' | 'accepted' | 'status'>): Promise<{ doc: PublicCropDoc; created: boolean }> {
  const { crops } = cropCollections(db);
  const existing = await crops.findOne({ clueId: crop.clueId });
  if (existing) {
    if (existing.status !== 'published') await crops.updateOne({ _id: existing._id }, { $set: { status: 'published' } });
    return { doc: { ...existing, status: 'published' }, created: false };
  }
  const doc: PublicCropDoc = { ...crop, _id: newCropId(), status: 'published', publishedAt: new Date(), accepted: [] };
  await crops.insertOne(doc);
  return { doc, created: true };
}

function toPublic(c: PublicCropDoc, tags: CrowdTagDoc[]): PublicCrop {
  return {
    id: c._id,
    label: c.label,
    question: c.question,
    answers: tags
      .filter((t) => t.cropId === c._id)
      .sort((a, b) => b.votes - a.votes || a.at.getTime() - b.at.getTime())
      .map((t) => ({ id: t._id, what: t.what, ...(t.where ? { where: t.where } : {}), ...(t.brand ? { brand: t.brand } : {}), votes: t.votes })),
  };
}

export async function listPublicCrops(db: Db): Promise<PublicCrop[]> {
  const { crops, tags } = cropCollections(db);
  const published = await crops.find({ status: 'published' }).sort({ publishedAt: -1 }).toArray();
  const all = published.length ? await tags.find({ cropId: { $in: published.map((c) => c._id) } }).toArray() : [];
  return published.map((c) => toPublic(c, all));
}

export async function publishedCrop(db: Db, id: string): Promise<PublicCropDoc | null> {
  return cropCollections(db).crops.findOne({ _id: id, status: 'published' });
}

export async function addCrowdTag(db: Db, tag: Omit<CrowdTagDoc, '_id' | 'key' | 'at' | 'votes'>): Promise<CrowdTagDoc> {
  const doc: CrowdTagDoc = { ...tag, _id: randomBytes(8).toString('hex'), key: answerKey(tag.what), at: new Date(), votes: 0 };
  await cropCollections(db).tags.insertOne(doc);
  return doc;
}

/** One vote per voter and answer: the vote record's id is the pair, so a second one is refused. */
export async function voteForTag(db: Db, cropId: string, tagId: string, by: string): Promise<'counted' | 'already' | 'own' | 'unknown'> {
  const { tags, votes } = cropCollections(db);
  const tag = await tags.findOne({ _id: tagId });
  if (!tag || tag.cropId !== cropId) return 'unknown';
  if (tag.by === by) return 'own';
  try {
    await votes.insertOne({ _id: `${tagId}:${by}`, tagId, by, at: new Date() });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return 'already';
    throw err;
  }
  await tags.updateOne({ _id: tagId }, { $inc: { votes: 1 } });
  return 'counted';
}

function tally(values: (string | undefined)[]): { value: string; count: number }[] {
  const counts = new Map<string, { value: string; count: number }>();
  for (const v of values) {
    const trimmed = v?.trim();
    if (!trimmed) continue;
    const k = answerKey(trimmed) || trimmed.toLowerCase();
    const e = counts.get(k) ?? { value: trimmed, count: 0 };
    e.count++;
    counts.set(k, e);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

export function aggregateAnswers(tags: CrowdTagDoc[], accepted: AcceptedAnswer[] = []): AnswerGroup[] {
  const groups = new Map<string, CrowdTagDoc[]>();
  for (const t of tags) groups.set(t.key, [...(groups.get(t.key) ?? []), t]);
  return [...groups.entries()]
    .map(([key, list]) => {
      const variants = tally(list.map((t) => t.what));
      const votes = list.reduce((n, t) => n + t.votes, 0);
      return {
        key,
        answer: variants[0]!.value,
        count: list.length + votes,
        submissions: list.length,
        votes,
        variants: variants.map((v) => v.value),
        where: tally(list.map((t) => t.where)),
        brand: tally(list.map((t) => t.brand)),
        accepted: accepted.some((a) => a.key === key),
      };
    })
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

export async function cropTags(db: Db, cropId: string): Promise<CrowdTagDoc[]> {
  return cropCollections(db).tags.find({ cropId }).sort({ at: 1 }).toArray();
}

export async function recordAcceptance(db: Db, cropId: string, accepted: AcceptedAnswer): Promise<void> {
  const { crops } = cropCollections(db);
  const crop = await crops.findOne({ _id: cropId });
  if (!crop) return;
  // Accepting the same answer again replaces the earlier record instead of piling up copies.
  const rest = crop.accepted.filter((a) => a.key !== accepted.key);
  await crops.updateOne({ _id: cropId }, { $set: { accepted: [...rest, accepted] } });
}

export async function cropsOfImage(crops: Collection<PublicCropDoc>, sha256: string): Promise<PublicCropDoc[]> {
  return crops.find({ sha256 }).sort({ publishedAt: 1 }).toArray();
}
