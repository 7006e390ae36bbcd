import { createHash } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Box, ClueInput, ClueStage, FrameOf, FramesSummary, ImageInfo, ModelRef, StageOutcome } from '../core/clues';
import { PDQ_MIN_QUALITY } from '../core/pdq-rules';
import type { ClueDatabase, IndexSpec } from './database';
import type { ClueDoc, ImageDoc, SimilarityCandidate, StageRecord } from './documents';
import { Binary } from 'mongodb';
import { readEmbedding, toF16 } from '../core/compact-vectors';
import { pdqKeys, pdqProbes } from './pdq-index';
import type { RegionSet, RegionVectorRepository } from './region-vectors';
import type { SearchTerms } from './search-terms';

// Images and their clues. Writes are idempotent upserts keyed by content: a retried or re-run
// stage converges on the same documents. Every change to what an image holds is followed by
// SearchTerms.reindex, which keeps search in step.

export interface SaveImageInput {
  sha256: string;
  path: string;
  caseId?: string;
  info: ImageInfo;
  stages: StageOutcome[];
  /** This image is a frame of a multi-page file. */
  frameOf?: FrameOf;
  /** This file holds several frames: what became of them. */
  frames?: FramesSummary;
}

export function clueId(sha256: string, stage: ClueStage, c: Pick<ClueInput, 'type' | 'value' | 'box' | 'detail'>): string {
  const digest = createHash('sha1').update(JSON.stringify([c.type, c.value, c.box ?? null, c.detail?.field ?? null])).digest('hex');
  return `${sha256}:${stage}:${digest.slice(0, 16)}`;
}

/** Another path (and case) of an image; upserted, so a path seen before the image is saved is kept. */
const sources = (path: string, caseId?: string) => ({ $addToSet: { paths: path, cases: { $each: caseId ? [caseId] : [] } } });

const SIMILARITY_FIELDS = { paths: 1, pdq: 1, embedding: 1, featuresPath: 1, cases: 1 } as const;

function candidateOf(d: Pick<ImageDoc, '_id' | 'paths' | 'pdq' | 'embedding' | 'featuresPath' | 'cases'>): SimilarityCandidate {
  const embedding = readEmbedding(d.embedding);
  return {
    sha256: d._id,
    path: d.paths?.[0] ?? '',
    ...(d.pdq ? { pdq: d.pdq } : {}),
    ...(embedding ? { embedding } : {}),
    ...(d.featuresPath ? { featuresPath: d.featuresPath } : {}),
    ...(d.cases ? { cases: d.cases } : {}),
  };
}

/** The regions stage's data (activities/describe-regions.ts) as the store keeps it. */
function regionSetOf(data: Record<string, unknown>, model?: ModelRef): RegionSet {
  const d = data as { dims: number; kinds: string; boxes: Box[]; vectors: string };
  const bytes = Buffer.from(d.vectors, 'base64');
  return { model: model?.name ?? 'unknown', dims: d.dims, kinds: d.kinds, boxes: d.boxes, vectors: new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

export class ImageRepository {
  readonly images: Collection<ImageDoc>;
  readonly clues: Collection<ClueDoc>;

  static readonly indexes: IndexSpec[] = [
    { collection: 'images', index: { key: { status: 1 }, name: 'status' } },
    { collection: 'images', index: { key: { md5: 1 }, name: 'md5' } },
    { collection: 'images', index: { key: { sha1: 1 }, name: 'sha1' } },
    { collection: 'images', index: { key: { cases: 1, status: 1 }, name: 'case_status' } },
    { collection: 'images', index: { key: { pdqKeys: 1 }, name: 'pdq_keys' } },
    { collection: 'clues', index: { key: { sha256: 1, stage: 1 }, name: 'image_stage' } },
    // Links: the images sharing a place or a camera serial.
    { collection: 'clues', index: { key: { type: 1, value: 1 }, name: 'type_value' } },
  ];

  constructor(
    private readonly db: ClueDatabase,
    private readonly terms: SearchTerms,
    private readonly regions?: RegionVectorRepository,
  ) {
    this.images = db.collection<ImageDoc>('images');
    this.clues = db.collection<ClueDoc>('clues');
  }

  get(sha256: string): Promise<ImageDoc | null> {
    return this.images.findOne({ _id: sha256 });
  }

  /** An image's clues, by stage (index image_stage). */
  cluesOf(sha256: string): Promise<ClueDoc[]> {
    return this.clues.find({ sha256 }).sort({ stage: 1, _id: 1 }).toArray();
  }

  getClue(id: string): Promise<ClueDoc | null> {
    return this.clues.findOne({ _id: id });
  }

  /**
   * Records another path (and case) under which an image was found. The record is created if the
   * image's own workflow has not made it yet: two names of the same bytes in one run keep both.
   */
  async addSource(sha256: string, path: string, caseId?: string): Promise<void> {
    const now = new Date();
    const res = await this.images.updateOne(
      { _id: sha256 },
      { ...sources(path, caseId), $set: { updatedAt: now }, $setOnInsert: { sha256, status: 'pending', createdAt: now } },
      { upsert: true },
    );
    if (caseId && (res.modifiedCount || res.upsertedCount)) await this.terms.reindex(sha256); // the case is on every term
  }

  /** Idempotent: the image record and, per successful stage, exactly the clues it produced. */
  async save(input: SaveImageInput): Promise<number> {
    const set: Record<string, unknown> = { sha256: input.sha256, info: input.info, status: 'processed' };
    if (input.frameOf) set.frameOf = input.frameOf;
    if (input.frames) set.frames = input.frames;
    return this.writeStages(input.sha256, input.stages, set, sources(input.path, input.caseId));
  }

  /**
   * One stage run again on an image already saved (where and when, after its clues or links
   * changed): its record and its clues, nothing else of the image.
   */
  async saveStage(sha256: string, outcome: StageOutcome): Promise<number> {
    return this.writeStages(sha256, [outcome], {}, {});
  }

  private async writeStages(sha256: string, stages: StageOutcome[], fields: Record<string, unknown>, also: Record<string, unknown>): Promise<number> {
    const input = { sha256 };
    const now = new Date();
    const set: Record<string, unknown> = { ...fields, updatedAt: now };
    const docs = new Map<string, ClueDoc>();
    const saved: ClueStage[] = [];
    for (const s of stages) {
      const record: StageRecord = { status: s.status, clueCount: s.clues.length, at: now };
      if (s.reason) record.reason = s.reason;
      if (s.model) record.model = s.model;
      if (s.durationMs !== undefined) record.durationMs = s.durationMs;
      set[`stages.${s.stage}`] = record;
      // A failed or unavailable stage keeps whatever an earlier successful run stored.
      if (s.status !== 'ok') continue;
      if (s.stage === 'hashes' && s.data) {
        Object.assign(set, s.data);
        const pdq = s.data.pdq as ImageDoc['pdq'];
        set.pdqKeys = pdq && pdq.quality >= PDQ_MIN_QUALITY ? pdqKeys(pdq.hash) : [];
      }
      if (s.stage === 'metadata' && s.data) set.exif = s.data;
      if (s.stage === 'features' && s.data) Object.assign(set, { embedding: new Binary(toF16(s.data.embedding as number[])), featuresPath: s.data.featuresPath });
      if (s.stage === 'regions' && s.data && this.regions) await this.regions.save(sha256, regionSetOf(s.data, s.model));
      if (s.stage === 'where' && s.data) set.where = s.data.where;
      saved.push(s.stage);
      for (const c of s.clues) {
        const id = clueId(input.sha256, s.stage, c);
        docs.set(id, {
          _id: id,
          sha256: input.sha256,
          stage: s.stage,
          type: c.type,
          value: c.value,
          tokens: c.tokens,
          ...(c.box ? { box: c.box } : {}),
          ...(c.score !== undefined ? { score: c.score } : {}),
          ...(c.detail ? { detail: c.detail } : {}),
          ...(s.model ? { model: s.model } : {}),
          createdAt: now,
        });
      }
    }
    // One transaction for the clues, the record and the search terms: two writers of one image
    // (a re-run beside a retry) serialise, and neither can delete the other's new clues as stale.
    const newWords = await this.db.transaction(async (session) => {
      const writes: AnyBulkWriteOperation<ClueDoc>[] = [...docs.values()].map((d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } }));
      // A re-saved stage replaces its clues as a whole.
      const stale = saved.length ? await this.clues.find({ sha256: input.sha256, stage: { $in: saved } }, { projection: { _id: 1 }, session }).toArray() : [];
      for (const { _id } of stale) if (!docs.has(_id)) writes.push({ deleteOne: { filter: { _id } } });
      if (writes.length) await this.clues.bulkWrite(writes, { ordered: true, session });
      await this.images.updateOne(
        { _id: input.sha256 },
        { $set: set, ...('status' in fields ? { $unset: { failure: '' }, $setOnInsert: { createdAt: now } } : {}), ...also },
        { upsert: 'status' in fields, session },
      );
      return this.terms.reindexIn(session, input.sha256);
    });
    await this.terms.addNewWords(newWords);
    return docs.size;
  }

  /** An image that could not be processed, with the reason, so that nothing goes missing silently. */
  async recordFailure(input: { sha256: string; path: string; caseId?: string; code: string; reason: string }): Promise<void> {
    const now = new Date();
    const res = await this.images.updateOne(
      { _id: input.sha256, status: { $ne: 'processed' } },
      {
        $set: { sha256: input.sha256, status: 'failed', failure: { code: input.code, reason: input.reason, at: now }, updatedAt: now },
        $setOnInsert: { createdAt: now },
        ...sources(input.path, input.caseId),
      },
      { upsert: true },
    ).catch((err: unknown) => {
      // Processed already (the filter missed and the upsert hit its _id): only the path is new.
      if ((err as { code?: number }).code === 11000) return null;
      throw err;
    });
    if (!res) await this.addSource(input.sha256, input.path, input.caseId);
  }

  /** Clues added after processing (a place match, a tag); idempotent, the ids come from the content. */
  async addClues(sha256: string, stage: ClueStage, clues: ClueInput[], model?: ModelRef): Promise<string[]> {
    const now = new Date();
    const docs = clues.map((c): ClueDoc => ({ ...c, _id: clueId(sha256, stage, c), sha256, stage, ...(model ? { model } : {}), createdAt: now }));
    if (docs.length) await this.clues.bulkWrite(docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })), { ordered: false });
    await this.terms.reindex(sha256);
    return docs.map((d) => d._id);
  }

  caseImages(caseId: string): Promise<ImageDoc[]> {
    return this.images.find({ cases: caseId, status: 'processed' }).sort({ _id: 1 }).toArray();
  }

  /**
   * What similarity ranking reads of the images whose SHA-256 starts with one of these prefixes
   * (the vector index's keys): one range of the _id index each, so a query reads only the images
   * it shortlisted, whatever the store's size.
   */
  async candidatesByPrefix(prefixes: string[], caseId?: string): Promise<SimilarityCandidate[]> {
    if (!prefixes.length) return [];
    const filter: Record<string, unknown> = { $or: prefixes.map((p) => ({ _id: { $gte: p, $lt: `${p}g` } })), status: 'processed' };
    if (caseId) filter.cases = caseId;
    const docs = await this.images.find(filter, { projection: SIMILARITY_FIELDS }).toArray();
    return docs.map(candidateOf);
  }

  /** Images within PDQ distance 31 of `hash` can only be among these (multi-index hashing, index pdq_keys). */
  async pdqCandidates(hash: string, caseId?: string, limit = 1000): Promise<SimilarityCandidate[]> {
    const filter: Record<string, unknown> = { pdqKeys: { $in: pdqProbes(hash) }, status: 'processed' };
    if (caseId) filter.cases = caseId;
    const docs = await this.images.find(filter, { projection: SIMILARITY_FIELDS }).limit(limit).toArray();
    return docs.map(candidateOf);
  }

  async counts(): Promise<{ processed: number; failed: number; clues: number }> {
    const [processed, failed, clues] = await Promise.all([
      this.images.countDocuments({ status: 'processed' }),
      this.images.countDocuments({ status: 'failed' }),
      this.clues.estimatedDocumentCount(),
    ]);
    return { processed, failed, clues };
  }

  /**
   * Loads prepared documents as they are (benchmarks and migrations): unordered batch inserts,
   * then their search terms in bulk. No other writer may run meanwhile.
   */
  async bulkInsert(images: ImageDoc[], clues: ClueDoc[]): Promise<void> {
    const keyed = images.map((i) => (i.pdq && i.pdq.quality >= PDQ_MIN_QUALITY && !i.pdqKeys ? { ...i, pdqKeys: pdqKeys(i.pdq.hash) } : i));
    if (keyed.length) await this.images.insertMany(keyed, { ordered: false });
    if (clues.length) await this.clues.insertMany(clues, { ordered: false });
    await this.terms.addFresh(images, clues);
  }
}
