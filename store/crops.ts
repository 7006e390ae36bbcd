import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { AnswerGroup, PublicCrop } from '../core/api-types';
import { uniqueTokens } from '../core/tokens';
import type { ClueDatabase, IndexSpec } from './database';
import type { AcceptedAnswer, CrowdTagDoc, PublicCropDoc } from './documents';

// Trace-an-Object crops: what a reviewer published, what the public answered, and what a reviewer
// accepted. The public side sees a crop id and a question, never the image's hash or path.







export type { AnswerGroup, PublicCrop } from '../core/api-types';
export type { AcceptedAnswer, CropStatus, CrowdTagDoc, PublicCropDoc } from './documents';

export const answerKey = (what: string) => uniqueTokens(what).join(' ');

const newCropId = () => `TAO-${randomBytes(5).toString('hex').toUpperCase()}`;

export function defaultQuestion(label: string): string {
  return `Do you recognise this ${label}? What is it, and where could it be from?`;
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

/** A published crop as reviewers see it: its answers grouped and counted. */
export interface ReviewItem {
  crop: PublicCropDoc;
  answers: AnswerGroup[];
}

/** Published crops, the public's answers and votes, and what reviewers accepted. */
export class CropRepository {
  private readonly crops: Collection<PublicCropDoc>;
  private readonly tags: Collection<CrowdTagDoc>;
  private readonly votes: Collection<{ _id: string; tagId: string; by: string; at: Date }>;
  static readonly indexes: IndexSpec[] = [
    { collection: 'public_crops', index: { key: { clueId: 1 }, name: 'clue' } },
    { collection: 'public_crops', index: { key: { sha256: 1 }, name: 'image' } },
    { collection: 'public_crops', index: { key: { status: 1, publishedAt: -1 }, name: 'status_time' } },
    { collection: 'crowd_tags', index: { key: { cropId: 1, at: 1 }, name: 'crop' } },
  ];

  constructor(db: ClueDatabase) {
    this.crops = db.collection<PublicCropDoc>('public_crops');
    this.tags = db.collection<CrowdTagDoc>('crowd_tags');
    this.votes = db.collection('tag_votes');
  }

  /** Publishes an object crop (screening is the caller's job); idempotent per clue. */
  async publish(input: Omit<PublicCropDoc, '_id' | 'publishedAt' | 'accepted' | 'status' | 'question'> & { question?: string }): Promise<{ doc: PublicCropDoc; created: boolean }> {
    const crop = { ...input, question: input.question ?? defaultQuestion(input.label) };
    const existing = await this.crops.findOne({ clueId: crop.clueId });
    if (existing) {
      if (existing.status !== 'published') await this.crops.updateOne({ _id: existing._id }, { $set: { status: 'published' } });
      return { doc: { ...existing, status: 'published' }, created: false };
    }
    const doc: PublicCropDoc = { ...crop, _id: newCropId(), status: 'published', publishedAt: new Date(), accepted: [] };
    await this.crops.insertOne(doc);
    return { doc, created: true };
  }

  async setFile(id: string, file: string): Promise<void> {
    await this.crops.updateOne({ _id: id }, { $set: { file } });
  }

  async withdraw(id: string): Promise<boolean> {
    const res = await this.crops.updateOne({ _id: id }, { $set: { status: 'withdrawn' } });
    return res.matchedCount === 1;
  }

  get(id: string): Promise<PublicCropDoc | null> {
    return this.crops.findOne({ _id: id });
  }

  /** A crop the public may see, or null when it was never published or has been withdrawn. */
  published(id: string): Promise<PublicCropDoc | null> {
    return this.crops.findOne({ _id: id, status: 'published' });
  }

  /** What the public sees: nothing that leads back to the evidence. */
  async listPublic(): Promise<PublicCrop[]> {
    const published = await this.crops.find({ status: 'published' }).sort({ publishedAt: -1 }).toArray();
    const all = published.length ? await this.tags.find({ cropId: { $in: published.map((c) => c._id) } }).toArray() : [];
    return published.map((c) => toPublic(c, all));
  }

  async addTag(tag: Omit<CrowdTagDoc, '_id' | 'key' | 'at' | 'votes'>): Promise<CrowdTagDoc> {
    const doc: CrowdTagDoc = { ...tag, _id: randomBytes(8).toString('hex'), key: answerKey(tag.what), at: new Date(), votes: 0 };
    await this.tags.insertOne(doc);
    return doc;
  }

  /** One vote per voter and answer: the vote record's id is the pair, so a second one is refused. */
  async vote(cropId: string, tagId: string, by: string): Promise<'counted' | 'already' | 'own' | 'unknown'> {
    const tag = await this.tags.findOne({ _id: tagId });
    if (!tag || tag.cropId !== cropId) return 'unknown';
    if (tag.by === by) return 'own';
    try {
      await this.votes.insertOne({ _id: `${tagId}:${by}`, tagId, by, at: new Date() });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return 'already';
      throw err;
    }
    await this.tags.updateOne({ _id: tagId }, { $inc: { votes: 1 } });
    return 'counted';
  }

  tagsOf(cropId: string): Promise<CrowdTagDoc[]> {
    return this.tags.find({ cropId }).sort({ at: 1 }).toArray();
  }

  async recordAcceptance(cropId: string, accepted: AcceptedAnswer): Promise<void> {
    const crop = await this.crops.findOne({ _id: cropId });
    if (!crop) return;
    // Accepting the same answer again replaces the earlier record instead of piling up copies.
    const rest = crop.accepted.filter((a) => a.key !== accepted.key);
    await this.crops.updateOne({ _id: cropId }, { $set: { accepted: [...rest, accepted] } });
  }

  ofImage(sha256: string): Promise<PublicCropDoc[]> {
    return this.crops.find({ sha256 }).sort({ publishedAt: 1 }).toArray();
  }

  async reviewQueue(): Promise<ReviewItem[]> {
    const crops = await this.crops.find({ status: 'published' }).sort({ publishedAt: -1 }).toArray();
    return Promise.all(crops.map(async (crop) => ({ crop, answers: aggregateAnswers(await this.tagsOf(crop._id), crop.accepted) })));
  }
}
