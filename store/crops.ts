import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { AnswerGroup, CropState, CropStateChange, PublicCrop, PublicSummary, TipTriage } from '../core/api-types';
import { uniqueTokens } from '../core/tokens';
import type { ClueDatabase, IndexSpec } from './database';
import type { AcceptedAnswer, CropStatus, CrowdTagDoc, PublicCropDoc } from './documents';
import { mergeKey } from './tip-entries';

// Trace-an-Object crops: what a reviewer published, what the public answered, and what a reviewer
// accepted. The public side sees a crop id and a question, never the image's hash or path.

export type { AnswerGroup, PublicCrop } from '../core/api-types';
export type { AcceptedAnswer, CropStatus, CrowdTagDoc, PublicCropDoc } from './documents';

/** What the public sees and may tip on: everything but located and withdrawn objects. */
export const PUBLIC_STATES: CropStatus[] = ['published', 'open', 'under-review', 'worldwide', 'unresolved'];
/** Objects that are closed: their contact details are gone. */
export const CLOSED_STATES: CropState[] = ['located', 'withdrawn'];

/** An object's state; `published` was written before objects had a life, and is `open`. */
export const stateOf = (c: Pick<PublicCropDoc, 'status'>): CropState => (c.status === 'published' ? 'open' : c.status);

/** Hidden from the public's list of answers: what a reviewer judged not useful or a duplicate. */
const hiddenVerdict = (t: CrowdTagDoc) => t.triage?.verdict === 'not-useful' || t.triage?.verdict === 'duplicate';

export const answerKey = (what: string) => uniqueTokens(what).join(' ');

const newCropId = () => `TAO-${randomBytes(5).toString('hex').toUpperCase()}`;

export function defaultQuestion(label: string): string {
  return `Do you recognise this ${label}? What is it, and where could it be from?`;
}

/** Near-identical answers shown once, with how many there were; nothing else about the tips. */
function toPublic(c: PublicCropDoc, tags: CrowdTagDoc[]): PublicCrop {
  const entries = new Map<string, PublicCrop['answers'][number]>();
  for (const t of tags.filter((t) => t.cropId === c._id && !hiddenVerdict(t)).sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const k = mergeKey(t);
    const e = entries.get(k);
    if (e) {
      e.votes += t.votes;
      e.count++;
    } else {
      entries.set(k, { id: t._id, what: t.what, ...(t.where ? { where: t.where } : {}), ...(t.brand ? { brand: t.brand } : {}), votes: t.votes, count: 1 });
    }
  }
  return { id: c._id, label: c.label, question: c.question, state: stateOf(c), answers: [...entries.values()].sort((a, b) => b.votes + b.count - (a.votes + a.count)) };
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

/** Published crops, the public's tips and votes, reviewers' triage, acceptances and states. */
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

  /**
   * Publishes an object crop (screening is the caller's job); idempotent per clue. A withdrawn
   * object published again is open again; an object in any other state keeps it.
   */
  async publish(input: Omit<PublicCropDoc, '_id' | 'publishedAt' | 'accepted' | 'status' | 'question'> & { question?: string }): Promise<{ doc: PublicCropDoc; created: boolean }> {
    const crop = { ...input, question: input.question ?? defaultQuestion(input.label) };
    const existing = await this.crops.findOne({ clueId: crop.clueId });
    if (existing) {
      if (existing.status !== 'withdrawn') return { doc: existing, created: false };
      const change: CropStateChange = { from: 'withdrawn', to: 'open', reason: 'published again', by: input.publishedBy, at: new Date() };
      await this.crops.updateOne({ _id: existing._id, status: 'withdrawn' }, { $set: { status: 'open' }, $push: { history: change } });
      return { doc: { ...existing, status: 'open', history: [...(existing.history ?? []), change] }, created: false };
    }
    const doc: PublicCropDoc = { ...crop, _id: newCropId(), status: 'open', publishedAt: new Date(), accepted: [], history: [] };
    await this.crops.insertOne(doc);
    return { doc, created: true };
  }

  async setFile(id: string, file: string): Promise<void> {
    await this.crops.updateOne({ _id: id }, { $set: { file } });
  }

  /**
   * Moves an object from the state it was read in to another, recording the change; false when
   * someone changed it meanwhile (the filter holds the status as read).
   */
  async changeState(crop: PublicCropDoc, change: CropStateChange, set: Partial<Pick<PublicCropDoc, 'country' | 'countryCode' | 'solvedWithPublicHelp'>> = {}): Promise<boolean> {
    const res = await this.crops.updateOne({ _id: crop._id, status: crop.status }, { $set: { status: change.to, ...set }, $push: { history: change } });
    return res.modifiedCount === 1;
  }

  get(id: string): Promise<PublicCropDoc | null> {
    return this.crops.findOne({ _id: id });
  }

  /** A crop the public may see and tip on, or null when it was never published, is located or withdrawn. */
  published(id: string): Promise<PublicCropDoc | null> {
    return this.crops.findOne({ _id: id, status: { $in: PUBLIC_STATES } });
  }

  /** What the public sees: nothing that leads back to the evidence. */
  async listPublic(): Promise<PublicCrop[]> {
    const visible = await this.crops.find({ status: { $in: PUBLIC_STATES } }).sort({ publishedAt: -1 }).toArray();
    const all = visible.length ? await this.tags.find({ cropId: { $in: visible.map((c) => c._id) } }).toArray() : [];
    return visible.map((c) => toPublic(c, all));
  }

  /** Counts for the public page: never which object or case. */
  async summary(): Promise<PublicSummary> {
    const [needHelp, solvedWithPublicHelp] = await Promise.all([this.crops.countDocuments({ status: { $in: PUBLIC_STATES } }), this.crops.countDocuments({ status: 'located', solvedWithPublicHelp: true })]);
    return { needHelp, solvedWithPublicHelp };
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

  /** The tips of several objects (index crop). */
  tagsOfCrops(cropIds: string[]): Promise<CrowdTagDoc[]> {
    return cropIds.length ? this.tags.find({ cropId: { $in: cropIds } }).sort({ at: 1 }).toArray() : Promise.resolve([]);
  }

  /** A reviewer's verdict on the tips of one merged entry. */
  async triage(cropId: string, tipIds: string[], triage: TipTriage): Promise<void> {
    await this.tags.updateMany({ cropId, _id: { $in: tipIds } }, { $set: { triage } });
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

  /** The objects published from any of these images (index image). */
  ofImages(sha256s: string[]): Promise<PublicCropDoc[]> {
    return sha256s.length ? this.crops.find({ sha256: { $in: sha256s } }).sort({ publishedAt: 1 }).toArray() : Promise.resolve([]);
  }

  /** The objects reviewers work on: all but closed ones, unless asked; newest first. */
  forReview(includeClosed = false): Promise<PublicCropDoc[]> {
    const statuses: CropStatus[] = includeClosed ? [...PUBLIC_STATES, ...CLOSED_STATES] : PUBLIC_STATES;
    return this.crops.find({ status: { $in: statuses } }).sort({ publishedAt: -1 }).toArray();
  }
}
