import { AuditRepository } from './audit';
import { CropRepository } from './crops';
import { FaceRepository } from './faces';
import { ClueDatabase } from './database';
import { DerivedDataRepository } from './derived-data';
import { HashSetRepository } from './hash-sets';
import { ImageRepository } from './images';
import { LinkRepository } from './links';
import { PlaceRepository } from './places';
import { RegionVectorRepository } from './region-vectors';
import { RateLimitRepository } from './rate-limits';
import { RunItemRepository } from './run-items';
import { SearchRepository } from './search';
import { SEARCH_TERMS_VERSION, SearchTerms } from './search-terms';
import { SettingsRepository } from './settings';
import { TaggerBlockRepository } from './tagger-blocks';
import { TipContactRepository } from './tip-contacts';
import { TokenRepository } from './api-tokens';

// The store: small repositories over one database handle. Rules that span them (accepting a
// crowd answer, ranking similar images, exporting a case) are use cases, in usecases/.

export type { AuditEntry, ClueDoc, ImageDoc, PlaceDoc, SimilarityCandidate, StageRecord, UserSettings } from './documents';
export { DEFAULT_SETTINGS } from './documents';
export type { SaveImageInput } from './images';
export type { ClueMatch, SearchHit, SearchPage, SearchQuery } from './search';
export { ROLES, type Principal, type Role } from './api-tokens';
export type { HashSetDoc, KnownHashMatch } from './hash-sets';
export type { RunItemPage } from './run-items';
export type { LinkedImage, LinkReason, Series } from './links';
export type { AnswerGroup, CrowdTagDoc, PublicCrop, PublicCropDoc } from './crops';

export interface Store {
  images: ImageRepository;
  /** Region descriptors of each image: what the vector index is derived from (vectors/region-index.ts). */
  regions: RegionVectorRepository;
  search: SearchRepository;
  terms: SearchTerms;
  links: LinkRepository;
  places: PlaceRepository;
  crops: CropRepository;
  /** Taggers' contact details: reviewers only, until the object closes or they expire. */
  tipContacts: TipContactRepository;
  taggerBlocks: TaggerBlockRepository;
  /** Request counters shared by every API process. */
  rateLimits: RateLimitRepository;
  tokens: TokenRepository;
  hashSets: HashSetRepository;
  audit: AuditRepository;
  /** Which version of each kind of derived data (search terms...) the store holds; reindex checkpoints. */
  derived: DerivedDataRepository;
  /** Every failed, partial and skipped file of each batch run, with its reason. */
  runItems: RunItemRepository;
  settings: SettingsRepository;
  /** Face descriptors and people: biometric data, analysts and admins only. */
  faces: FaceRepository;
  /** A collection by name, for copying whole stores (usecases/copy-store.ts) and nothing else. */
  raw(name: string): import('mongodb').Collection<import('mongodb').Document>;
  ping(): Promise<void>;
  /** The server's plan for a read command, as `explain` gives it (tests check that indexes serve every query). */
  explain(command: import('mongodb').Document): Promise<import('mongodb').Document>;
  close(): Promise<void>;
}

const INDEXES = [
  ...ImageRepository.indexes,
  ...RegionVectorRepository.indexes,
  ...SearchTerms.indexes,
  ...PlaceRepository.indexes,
  ...CropRepository.indexes,
  ...TipContactRepository.indexes,
  ...RateLimitRepository.indexes,
  ...TokenRepository.indexes,
  ...HashSetRepository.indexes,
  ...AuditRepository.indexes,
  ...FaceRepository.indexes,
  ...RunItemRepository.indexes,
];

/** Connects, creates what indexes are missing, and hands out the repositories. */
export async function openStore(uri: string, dbName: string, opts: { observe?: (command: import('mongodb').Document) => void } = {}): Promise<Store> {
  const db = await ClueDatabase.connect(uri, dbName, opts.observe);
  try {
    await db.ensureIndexes(INDEXES);
  } catch (err) {
    await db.close();
    throw err;
  }
  const images = db.collection<import('./documents').ImageDoc>('images');
  const clues = db.collection<import('./documents').ClueDoc>('clues');
  const terms = new SearchTerms(db, images, clues);
  const regions = new RegionVectorRepository(db);
  const derived = new DerivedDataRepository(db);
  // A new, empty store is built with today's search terms from its first image on.
  await derived.initVersion('search-terms', SEARCH_TERMS_VERSION, (await images.estimatedDocumentCount()) === 0);
  return {
    images: new ImageRepository(db, terms, regions),
    regions,
    search: new SearchRepository(terms, images, clues),
    terms,
    links: new LinkRepository(images, clues, terms, db.collection('faces'), db.collection('people')),
    places: new PlaceRepository(db),
    crops: new CropRepository(db),
    tipContacts: new TipContactRepository(db),
    taggerBlocks: new TaggerBlockRepository(db),
    rateLimits: new RateLimitRepository(db),
    tokens: new TokenRepository(db),
    hashSets: new HashSetRepository(db),
    audit: new AuditRepository(db),
    runItems: new RunItemRepository(db),
    derived,
    settings: new SettingsRepository(db),
    faces: new FaceRepository(db),
    raw: (name) => db.collection(name),
    ping: () => db.ping(),
    explain: (command) => db.db.command({ explain: command, verbosity: 'queryPlanner' }),
    close: () => db.close(),
  };
}
