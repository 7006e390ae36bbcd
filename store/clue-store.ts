import { createHash } from 'node:crypto';
import { MongoClient, type AnyBulkWriteOperation, type Collection, type Db, type IndexDescription } from 'mongodb';
import type { ClueInput, ClueStage, ImageInfo, ModelRef, StageName, StageOutcome, StageStatus } from '../core/clues';
import type { VicsDocument } from '../hashsets/vics';
import { hashCollections, importHashSet, knownHashMatches, type HashSetDoc, type KnownHashMatch } from './hash-sets';
import { findSeries, linkedImages, type LinkedImage, type Series } from './links';
import { createToken, findToken, revokeTokens, type Principal, type Role, type TokenDoc } from './tokens';
import {
  addCrowdTag,
  aggregateAnswers,
  cropCollections,
  cropsOfImage,
  cropTags,
  defaultQuestion,
  listPublicCrops,
  publishCrop,
  publishedCrop,
  recordAcceptance,
  voteForTag,
  type AnswerGroup,
  type CrowdTagDoc,
  type PublicCrop,
  type PublicCropDoc,
} from './crops';
import { uniqueTokens } from '../core/tokens';
import { SearchIndex } from './search-index';
import { SearchDocs } from './search-docs';
import { encodeClue, SearchLog, type NewLogEntry } from './search-log';
import { searchClues, type SearchHit, type SearchPage, type SearchQuery } from './search';

export type { ClueMatch, SearchHit, SearchPage, SearchQuery, TextMode } from './search';
export { ROLES, type Principal, type Role } from './tokens';
export type { HashSetDoc, KnownHashMatch } from './hash-sets';
export type { LinkedImage, LinkReason, Series } from './links';
export type { AnswerGroup, CrowdTagDoc, PublicCrop, PublicCropDoc } from './crops';

/** Per-user choices of the web views. */
export interface UserSettings {
  /** Analysts see thumbnails blurred until clicked unless they chose otherwise. */
  unblurThumbnails: boolean;
}
export const DEFAULT_SETTINGS: UserSettings = { unblurThumbnails: false };

/** A published crop as reviewers see it: its answers grouped and counted. */
export interface ReviewItem {
  crop: PublicCropDoc;
  answers: AnswerGroup[];
}

/** What people said about one image: analysts' tags and each published crop's story. */
export interface TagHistory {
  tags: ClueDoc[];
  crops: (ReviewItem & { submissions: Omit<CrowdTagDoc, 'by'>[] })[];
}

// The one module that talks to MongoDB. It sticks to what both FerretDB v1 and MongoDB support:
// no $text, no $lookup, no transactions. Writes are idempotent upserts keyed by content, so a
// retried or re-run stage converges on the same documents.

export interface StageRecord {
  status: StageStatus;
  reason?: string;
  model?: ModelRef;
  durationMs?: number;
  clueCount: number;
  at: Date;
}

export interface ImageDoc {
  _id: string; // sha256
  sha256: string;
  md5?: string;
  sha1?: string;
  pdq?: { hash: string; quality: number };
  paths: string[];
  cases: string[];
  info?: ImageInfo;
  exif?: Record<string, unknown>;
  embedding?: number[];
  featuresPath?: string;
  /** Ids of the image's clues per stage: reads and re-saves go by id, never by scan. */
  clueIds?: Partial<Record<ClueStage, string[]>>;
  stages?: Partial<Record<StageName, StageRecord>>;
  status: 'processed' | 'failed';
  failure?: { code: string; reason: string; at: Date };
  createdAt: Date;
  updatedAt: Date;
}

/** A stored clue: what the stage produced, plus where it came from. */
export interface ClueDoc extends ClueInput {
  _id: string;
  sha256: string;
  stage: ClueStage;
  model?: ModelRef;
  createdAt: Date;
}

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
  from?: string;
}

export interface PlaceDoc {
  _id: string; // sha256 of the reference image
  name: string;
  path: string;
  embedding: number[];
  featuresPath: string;
  createdAt: Date;
}

/** What similarity ranking needs of each stored image. */
export interface SimilarityCandidate {
  sha256: string;
  path: string;
  pdq?: { hash: string; quality: number };
  embedding?: number[];
  featuresPath?: string;
}

export interface SaveImageInput {
  sha256: string;
  path: string;
  caseId?: string;
  info: ImageInfo;
  stages: StageOutcome[];
}

function clueId(sha256: string, stage: ClueStage, c: ClueInput): string {
  const digest = createHash('sha1').update(JSON.stringify([c.type, c.value, c.box ?? null, c.detail?.field ?? null])).digest('hex');
  return `${sha256}:${stage}:${digest.slice(0, 16)}`;
}

// `cases` must exist as an array even when no case was given, so that case filters behave.
// (`$each: []` creates it; FerretDB 1.24 drops an empty array given to `$setOnInsert`.)
const sources = (path: string, caseId?: string) => ({ $addToSet: { paths: path, cases: { $each: caseId ? [caseId] : [] } } });

const indexed = (c: ClueInput): string =>
  encodeClue({
    type: c.type,
    tokens: c.tokens,
    // Metadata clues are searched by field (a camera serial is not a lens serial); others are not.
    ...(c.type === 'metadata' && typeof c.detail?.field === 'string' ? { field: c.detail.field } : {}),
    ...(c.score !== undefined ? { score: c.score } : {}),
  });

/** Groups stored clues into search-log entries, one per image, a stage list each. */
function addToEntry(entries: Map<string, NewLogEntry>, c: ClueDoc): void {
  const e = entries.get(c.sha256) ?? { sha256: c.sha256, stages: [], cases: [] };
  let s = e.stages.find((x) => x.stage === c.stage);
  if (!s) e.stages.push((s = { stage: c.stage, clues: [] }));
  s.clues.push(indexed(c));
  entries.set(c.sha256, e);
}

export class MongoClueStore {
  private readonly log: SearchLog;
  private readonly searchDocs: SearchDocs;
  private index: SearchIndex | null = null;
  /** Refreshes of the index run one at a time: each reads the log from where the last stopped. */
  private indexReady: Promise<SearchIndex> | null = null;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {
    this.log = SearchLog.of(db);
    this.searchDocs = new SearchDocs(db);
  }

  static async connect(uri: string, dbName: string): Promise<MongoClueStore> {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 20 });
    await client.connect();
    const store = new MongoClueStore(client, client.db(dbName));
    await store.ensureIndexes();
    return store;
  }

  get images(): Collection<ImageDoc> {
    return this.db.collection<ImageDoc>('images');
  }
  get clues(): Collection<ClueDoc> {
    return this.db.collection<ClueDoc>('clues');
  }
  get places(): Collection<PlaceDoc> {
    return this.db.collection<PlaceDoc>('places');
  }
  private get auditLog(): Collection<AuditEntry & { at: Date }> {
    return this.db.collection('audit');
  }

  async ensureIndexes(): Promise<void> {
    const wanted: [string, IndexDescription][] = [
      ['images', { key: { status: 1 }, name: 'status' }],
      ['images', { key: { md5: 1 }, name: 'md5' }],
      ['images', { key: { sha1: 1 }, name: 'sha1' }],
      ['images', { key: { cases: 1 }, name: 'cases' }],
      ['clues', { key: { sha256: 1, stage: 1 }, name: 'image_stage' }],
      ['clues', { key: { type: 1, tokens: 1 }, name: 'type_tokens' }],
      ['clues', { key: { type: 1, value: 1 }, name: 'type_value' }],
      ['audit', { key: { at: 1 }, name: 'at' }],
      ['places', { key: { name: 1 }, name: 'name' }],
      ['tokens', { key: { name: 1 }, name: 'name' }],
      ['hash_entries', { key: { md5: 1 }, name: 'md5' }],
      ['hash_entries', { key: { sha1: 1 }, name: 'sha1' }],
      ['hash_entries', { key: { setId: 1 }, name: 'set' }],
      ['public_crops', { key: { clueId: 1 }, name: 'clue' }],
      ['public_crops', { key: { sha256: 1 }, name: 'image' }],
      ['crowd_tags', { key: { cropId: 1 }, name: 'crop' }],
    ];
    // One index per command: FerretDB 1.24 drops the connection when a multi-index
    // createIndexes names indexes that already exist.
    for (const [name, index] of wanted) await this.db.collection(name).createIndexes([index]);
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  async getImage(sha256: string): Promise<ImageDoc | null> {
    return this.images.findOne({ _id: sha256 });
  }

  /** An image's clues, fetched by id (see saveImage); images saved before ids were kept are scanned for. */
  async cluesOf(sha256: string): Promise<ClueDoc[]> {
    const img = await this.images.findOne({ _id: sha256 }, { projection: { clueIds: 1 } });
    if (!img?.clueIds) return this.clues.find({ sha256 }).sort({ stage: 1, _id: 1 }).toArray();
    const ids = Object.values(img.clueIds).flat();
    const docs = await Promise.all(ids.map((_id) => this.clues.findOne({ _id })));
    return docs.filter((d): d is ClueDoc => d !== null).sort((a, b) => a.stage.localeCompare(b.stage) || a._id.localeCompare(b._id));
  }

  /** Records another path (and case) under which an already-known image was found. */
  async addImageSource(sha256: string, path: string, caseId?: string): Promise<void> {
    await this.images.updateOne(
      { _id: sha256 },
      { ...sources(path, caseId), $set: { updatedAt: new Date() } },
    );
    await this.searchDocs.addPath(sha256, path);
    if (caseId) await this.log.append({ sha256, stages: [], cases: [caseId] });
  }

  /** Idempotent: the image record and, per successful stage, exactly the clues it produced. */
  async saveImage(input: SaveImageInput): Promise<number> {
    const now = new Date();
    // FerretDB 1.24 (SQLite) pushes only `_id` equality down to SQLite (any other filter is
    // evaluated on every document), so the image keeps the ids of its clues per stage: saving
    // and reading an image never filter the clues by image.
    const before = await this.images.findOne({ _id: input.sha256 }, { projection: { clueIds: 1 } });
    const set: Record<string, unknown> = { sha256: input.sha256, info: input.info, status: 'processed', updatedAt: now };
    const writes: AnyBulkWriteOperation<ClueDoc>[] = [];
    const logged: NewLogEntry['stages'] = [];
    const shown: { stage: ClueStage; clues: ClueInput[] }[] = [];
    let total = 0;
    for (const s of input.stages) {
      const record: StageRecord = { status: s.status, clueCount: s.clues.length, at: now };
      if (s.reason) record.reason = s.reason;
      if (s.model) record.model = s.model;
      if (s.durationMs !== undefined) record.durationMs = s.durationMs;
      set[`stages.${s.stage}`] = record;
      // A failed or unavailable stage keeps whatever an earlier successful run stored.
      if (s.status !== 'ok') continue;
      if (s.stage === 'hashes' && s.data) Object.assign(set, s.data);
      if (s.stage === 'metadata' && s.data) set.exif = s.data;
      if (s.stage === 'features' && s.data) Object.assign(set, { embedding: s.data.embedding, featuresPath: s.data.featuresPath });
      const docs = new Map<string, ClueDoc>();
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
      for (const d of docs.values()) writes.push({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } });
      for (const stale of before?.clueIds?.[s.stage] ?? []) if (!docs.has(stale)) writes.push({ deleteOne: { filter: { _id: stale } } });
      set[`clueIds.${s.stage}`] = [...docs.keys()];
      logged.push({ stage: s.stage, clues: [...docs.values()].map(indexed) });
      shown.push({ stage: s.stage, clues: [...docs.values()] });
      total += docs.size;
    }
    // Clues first, then the image that points at them: a crash between leaves no dangling ids.
    if (writes.length) await this.clues.bulkWrite(writes, { ordered: false });
    await this.images.updateOne(
      { _id: input.sha256 },
      {
        $set: set,
        $unset: { failure: '' },
        $setOnInsert: { createdAt: now },
        ...sources(input.path, input.caseId),
      },
      { upsert: true },
    );
    await this.searchDocs.setStages(input.sha256, shown, input.path);
    // Last: once the log says so, searches see the new clues, which are already stored.
    await this.log.append({ sha256: input.sha256, stages: logged, cases: input.caseId ? [input.caseId] : [] });
    return total;
  }

  /** An image that could not be processed, with the reason, so that nothing goes missing silently. */
  async recordFailure(input: { sha256: string; path: string; caseId?: string; code: string; reason: string }): Promise<void> {
    const now = new Date();
    // Filters are `_id` alone: the one filter FerretDB 1.24 pushes down to SQLite (and stops at
    // the row found). One workflow per SHA-256 means nothing else writes this image meanwhile.
    if ((await this.images.findOne({ _id: input.sha256 }, { projection: { status: 1 } }))?.status === 'processed') {
      return this.addImageSource(input.sha256, input.path, input.caseId);
    }
    await this.images.updateOne(
      { _id: input.sha256 },
      {
        $set: { sha256: input.sha256, status: 'failed', failure: { code: input.code, reason: input.reason, at: now }, updatedAt: now },
        $setOnInsert: { createdAt: now },
        ...sources(input.path, input.caseId),
      },
      { upsert: true },
    );
  }

  /** Clue search (exact, prefix or fuzzy text; objects, scene, location, serial; case), one page. */
  async searchPage(q: SearchQuery): Promise<SearchPage> {
    const index = await this.searchIndex();
    return searchClues(index, async (sha256) => {
      const doc = await this.searchDocs.get(sha256);
      if (doc) return doc;
      const img = await this.images.findOne({ _id: sha256 }, { projection: { paths: 1 } });
      return img ? { paths: img.paths, clues: await this.cluesOf(sha256) } : null;
    }, q);
  }

  /** The in-memory search index, brought up to date with the search log. */
  searchIndex(): Promise<SearchIndex> {
    const previous = this.indexReady ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(async () => {
      if (!this.index) {
        await this.logExistingClues();
        this.index = new SearchIndex(this.log);
      }
      await this.index.refresh();
      return this.index;
    });
    this.indexReady = next;
    return next;
  }

  /**
   * Stores from before the search log or its current format: log and describe every image once
   * (one scan of each), then drop the older derived collections, whose number alone slows every
   * query on FerretDB.
   */
  private async logExistingClues(): Promise<void> {
    if ((await this.log.end()) > 0 || (await this.clues.estimatedDocumentCount()) === 0) return;
    const images = await this.images.find({ status: 'processed' }, { projection: { paths: 1, cases: 1 } }).toArray();
    await this.writeDerived(images, await this.clues.find({}).toArray());
    const obsolete = /^(search_log_\d{6}|search_docs_[0-9a-f]{3})$/;
    for (const { name } of await this.db.listCollections({}, { nameOnly: true }).toArray()) if (obsolete.test(name)) await this.db.dropCollection(name);
  }

  /** The search log entries and search documents of whole images (bulk loads and migration). */
  private async writeDerived(images: Pick<ImageDoc, '_id' | 'paths' | 'cases'>[], clues: ClueDoc[]): Promise<void> {
    const entries = new Map<string, NewLogEntry>();
    const byImage = new Map<string, ClueDoc[]>();
    for (const img of images) entries.set(img._id, { sha256: img._id, stages: [], cases: img.cases ?? [] });
    for (const c of clues) {
      addToEntry(entries, c);
      const list = byImage.get(c.sha256);
      if (list) list.push(c);
      else byImage.set(c.sha256, [c]);
    }
    await this.searchDocs.insertMany(images.map((img) => ({ sha256: img._id, paths: img.paths, clues: byImage.get(img._id) ?? [] })));
    const list = [...entries.values()];
    for (let i = 0; i < list.length; i += 1000) await this.log.appendMany(list.slice(i, i + 1000));
  }

  async search(q: SearchQuery): Promise<SearchHit[]> {
    return (await this.searchPage(q)).hits;
  }

  /** Every processed image's hashes and descriptors, for similarity ranking (a linear scan). */
  async similarityCandidates(caseId?: string): Promise<SimilarityCandidate[]> {
    const filter: Record<string, unknown> = { status: 'processed' };
    if (caseId) filter.cases = caseId;
    const docs = await this.images.find(filter, { projection: { paths: 1, pdq: 1, embedding: 1, featuresPath: 1 } }).toArray();
    return docs.map((d) => ({
      sha256: d._id,
      path: d.paths[0] ?? '',
      ...(d.pdq ? { pdq: d.pdq } : {}),
      ...(d.embedding ? { embedding: d.embedding } : {}),
      ...(d.featuresPath ? { featuresPath: d.featuresPath } : {}),
    }));
  }

  /** A reference image of a known place (hotel room, school corridor...); idempotent by image. */
  async addPlace(place: Omit<PlaceDoc, 'createdAt'>): Promise<void> {
    await this.places.updateOne(
      { _id: place._id },
      { $set: { name: place.name, path: place.path, embedding: place.embedding, featuresPath: place.featuresPath }, $setOnInsert: { createdAt: new Date() } },
      { upsert: true },
    );
  }

  /** One more candidate location for a stored image (idempotent: the id comes from the content). */
  async addLocationClue(sha256: string, clue: ClueInput, model: ModelRef): Promise<void> {
    await this.addClue(sha256, 'places', clue, model);
  }

  /** A clue added after processing (a place match, a tag); idempotent, the id comes from the content. */
  async addClue(sha256: string, stage: ClueStage, clue: ClueInput, model?: ModelRef): Promise<string> {
    return (await this.addClues(sha256, stage, [clue], model))[0]!;
  }

  /** Several clues added to one stage at once: one read of the stage and one search-log entry. */
  async addClues(sha256: string, stage: ClueStage, clues: ClueInput[], model?: ModelRef): Promise<string[]> {
    const now = new Date();
    const docs = clues.map((c): ClueDoc => ({ ...c, _id: clueId(sha256, stage, c), sha256, stage, ...(model ? { model } : {}), createdAt: now }));
    if (docs.length) await this.clues.bulkWrite(docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })), { ordered: false });
    await this.images.updateOne({ _id: sha256 }, { $addToSet: { [`clueIds.${stage}`]: { $each: docs.map((d) => d._id) } } });
    // The log replaces a stage's clues as a whole: log the stage as it now stands.
    const ids = (await this.images.findOne({ _id: sha256 }, { projection: { clueIds: 1 } }))?.clueIds?.[stage] ?? docs.map((d) => d._id);
    const current = (await Promise.all(ids.map((_id) => this.clues.findOne({ _id })))).filter((d): d is ClueDoc => d !== null);
    await this.searchDocs.setStages(sha256, [{ stage, clues: current }]);
    await this.log.append({ sha256, stages: [{ stage, clues: current.map(indexed) }], cases: [] });
    return docs.map((d) => d._id);
  }

  async getClue(id: string): Promise<ClueDoc | null> {
    return this.clues.findOne({ _id: id });
  }

  async listPlaces(): Promise<PlaceDoc[]> {
    return this.places.find({}).sort({ name: 1 }).toArray();
  }

  private get tokens(): Collection<TokenDoc> {
    return this.db.collection<TokenDoc>('tokens');
  }

  createToken(name: string, role: Role): Promise<string> {
    return createToken(this.tokens, name, role);
  }

  /** The holder of a bearer token, or null for an unknown or revoked one. */
  principal(token: string): Promise<Principal | null> {
    return findToken(this.tokens, token);
  }

  revokeTokens(name: string): Promise<number> {
    return revokeTokens(this.tokens, name);
  }

  async listTokens(): Promise<Omit<TokenDoc, '_id'>[]> {
    return this.tokens.find({}, { projection: { _id: 0 } }).sort({ createdAt: 1 }).toArray();
  }

  importHashSet(name: string, format: 'vics' | 'csv', doc: VicsDocument, rejected: number): Promise<HashSetDoc> {
    return importHashSet(this.db, name, format, doc, rejected);
  }

  async listHashSets(): Promise<HashSetDoc[]> {
    return hashCollections(this.db).sets.find({}).sort({ name: 1 }).toArray();
  }

  /** Known-hash flags of one image: exact (MD5/SHA-1) and near (PDQ) kept apart. */
  knownHashMatches(image: Pick<ImageDoc, 'md5' | 'sha1' | 'pdq'>): Promise<KnownHashMatch[]> {
    return knownHashMatches(this.db, image);
  }

  /** Images sharing a clue with this one, strongest first, each with its reasons. */
  linkedImages(sha256: string, minStrength = 0): Promise<LinkedImage[]> {
    return linkedImages(this.clues, this.images, sha256, minStrength);
  }

  /** Groups of images linked at `minStrength` or more (connected components). */
  series(minStrength: number, caseId?: string): Promise<Series[]> {
    return findSeries(this.clues, this.images, minStrength, caseId);
  }

  /** Publishes an object crop for crowd tagging (screening is the caller's job); idempotent per clue. */
  publishCrop(input: { clueId: string; sha256: string; label: string; cropBox: PublicCropDoc['cropBox']; file: string; publishedBy: string; question?: string }) {
    const { question, ...rest } = input;
    return publishCrop(this.db, { ...rest, question: question ?? defaultQuestion(input.label) });
  }

  async setCropFile(id: string, file: string): Promise<void> {
    await cropCollections(this.db).crops.updateOne({ _id: id }, { $set: { file } });
  }

  async withdrawCrop(id: string): Promise<boolean> {
    const res = await cropCollections(this.db).crops.updateOne({ _id: id }, { $set: { status: 'withdrawn' } });
    return res.matchedCount === 1;
  }

  listPublicCrops(): Promise<PublicCrop[]> {
    return listPublicCrops(this.db);
  }

  /** A crop the public may see, or null when it was never published or has been withdrawn. */
  publishedCrop(id: string): Promise<PublicCropDoc | null> {
    return publishedCrop(this.db, id);
  }

  addCrowdTag(tag: { cropId: string; what: string; where?: string; brand?: string; by: string }): Promise<CrowdTagDoc> {
    return addCrowdTag(this.db, tag);
  }

  voteForTag(cropId: string, tagId: string, by: string) {
    return voteForTag(this.db, cropId, tagId, by);
  }

  async reviewQueue(): Promise<ReviewItem[]> {
    const crops = await cropCollections(this.db).crops.find({ status: 'published' }).sort({ publishedAt: -1 }).toArray();
    return Promise.all(crops.map(async (crop) => ({ crop, answers: aggregateAnswers(await cropTags(this.db, crop._id), crop.accepted) })));
  }

  /**
   * A reviewer accepts one grouped answer: it becomes a tag clue on the source image (and a
   * location clue when the crowd said where), with its provenance. Null if no such answer.
   */
  async acceptAnswer(cropId: string, key: string, reviewer: string): Promise<{ clueIds: string[]; answer: AnswerGroup } | null> {
    const crop = await cropCollections(this.db).crops.findOne({ _id: cropId });
    if (!crop) return null;
    const answer = aggregateAnswers(await cropTags(this.db, cropId)).find((a) => a.key === key);
    if (!answer) return null;
    const at = new Date();
    const provenance = { source: 'crowd', cropId, count: answer.count, submissions: answer.submissions, votes: answer.votes, reviewer, acceptedAt: at.toISOString(), label: crop.label };
    const where = answer.where[0]?.value;
    const brand = answer.brand[0]?.value;
    const clues: ClueInput[] = [
      { type: 'tag', value: answer.answer, tokens: uniqueTokens(answer.answer), box: crop.cropBox, detail: { ...provenance, ...(brand ? { brand } : {}), ...(where ? { where } : {}) } },
    ];
    if (brand) clues.push({ type: 'tag', value: brand, tokens: uniqueTokens(brand), box: crop.cropBox, detail: { ...provenance, field: 'brand' } });
    if (where) clues.push({ type: 'location', value: where, tokens: uniqueTokens(where), detail: provenance });
    const clueIds = await this.addClues(crop.sha256, 'tags', clues);
    await recordAcceptance(this.db, cropId, { answer: answer.answer, key, count: answer.count, ...(where ? { where } : {}), ...(brand ? { brand } : {}), by: reviewer, at, clueIds });
    return { clueIds, answer: { ...answer, accepted: true } };
  }

  /** An analyst's own name for something in the image. */
  addAnalystTag(sha256: string, value: string, by: string): Promise<string> {
    return this.addClue(sha256, 'tags', { type: 'tag', value, tokens: uniqueTokens(value), detail: { source: 'analyst', by, at: new Date().toISOString() } });
  }

  async tagHistory(sha256: string): Promise<TagHistory> {
    const tags = (await this.cluesOf(sha256)).filter((c) => c.stage === 'tags');
    const crops = await cropsOfImage(cropCollections(this.db).crops, sha256);
    return {
      tags,
      crops: await Promise.all(
        crops.map(async (crop) => {
          const list = await cropTags(this.db, crop._id);
          // Who tagged stays with the reviewers' tools, not in the evidence view.
          return { crop, answers: aggregateAnswers(list, crop.accepted), submissions: list.map(({ by: _by, ...t }) => t) };
        }),
      ),
    };
  }

  async userSettings(name: string): Promise<UserSettings> {
    const doc = await this.db.collection<{ _id: string } & Partial<UserSettings>>('user_settings').findOne({ _id: name });
    return { ...DEFAULT_SETTINGS, ...(doc?.unblurThumbnails !== undefined ? { unblurThumbnails: doc.unblurThumbnails } : {}) };
  }

  async saveUserSettings(name: string, settings: UserSettings): Promise<void> {
    await this.db.collection<{ _id: string } & UserSettings>('user_settings').updateOne({ _id: name }, { $set: settings }, { upsert: true });
  }

  async caseImages(caseId: string): Promise<ImageDoc[]> {
    return this.images.find({ cases: caseId, status: 'processed' }).sort({ _id: 1 }).toArray();
  }

  /**
   * Loads prepared documents as they are (benchmarks and migrations): no per-stage logic, just
   * unordered batch inserts, and one search-log entry per image (no other writer may run meanwhile).
   */
  async bulkInsert(images: ImageDoc[], clues: ClueDoc[]): Promise<void> {
    if (images.length) await this.images.insertMany(images, { ordered: false });
    if (clues.length) await this.clues.insertMany(clues, { ordered: false });
    await this.writeDerived(images, clues);
  }

  /** Append-only: nothing in this module updates or deletes audit records. */
  async audit(entry: AuditEntry): Promise<void> {
    await this.auditLog.insertOne({ ...entry, at: new Date() });
  }

  async recentAudit(limit = 50): Promise<(AuditEntry & { at: Date })[]> {
    return this.auditLog.find({}, { projection: { _id: 0 } }).sort({ at: -1 }).limit(limit).toArray();
  }

  async countImages(): Promise<{ processed: number; failed: number; clues: number }> {
    const [processed, failed, clues] = await Promise.all([
      this.images.countDocuments({ status: 'processed' }),
      this.images.countDocuments({ status: 'failed' }),
      this.clues.countDocuments({}),
    ]);
    return { processed, failed, clues };
  }
}
