import { randomBytes } from 'node:crypto';
import type { Collection, Filter } from 'mongodb';
import type { Box, ModelRef } from '../core/clues';
import { euclidean, type VectorHit, type VectorIndex } from '../core/vector-index';
import type { ClueDatabase, IndexSpec } from './database';

// Biometric data: face descriptors and the people they are grouped into. Nothing outside the
// analyst-only routes, the faces stage and the grouping reads these collections, and no export
// includes them unless it asks (docs/SECURITY.md). Face crops are never cut or stored.

/** How a face came to be in its person: the face it matched and how far apart they are. */
export interface FaceJoin {
  by: 'grouping' | 'analyst';
  /** The face it matched (grouping), and the distances that allowed it. */
  via?: string;
  distance?: number;
  meanDistance?: number;
  /** Who decided (an analyst's split or merge). */
  actor?: string;
  /** The grouping rules' version (usecases/face-grouping.ts GROUPING_VERSION). */
  version?: string;
  at: Date;
}

export interface FaceDoc {
  _id: string; // `${sha256}:${index}`
  sha256: string;
  /** 1-based, as the face clue's detail.index. */
  index: number;
  box: Box;
  score: number;
  quality: { ok: boolean; reasons: string[] };
  /** Absent for a face the quality gate kept out of matching. */
  descriptor?: number[];
  model: ModelRef;
  /** The image's cases (set by the grouping stage, which runs once the image is saved). */
  cases: string[];
  person?: string;
  joined?: FaceJoin;
  /** Another person also close enough, not merged: for an analyst to look at. */
  alsoNear?: { person: string; distance: number };
  /** An analyst put it where it is: regrouping (a new threshold or model) leaves it there. */
  pinned?: boolean;
  createdAt: Date;
}

export interface PersonDoc {
  _id: string; // P-xxxxxxxxxx
  /** An identifier an analyst gives (a victim or case reference, not necessarily a name). */
  label?: string;
  /** An analyst confirmed the group: its faces stay together whatever the thresholds or model. */
  confirmed: boolean;
  cases: string[];
  faces: number;
  createdAt: Date;
  updatedAt: Date;
}

export const newPersonId = () => `P-${randomBytes(5).toString('hex')}`;

export class FaceRepository {
  readonly faces: Collection<FaceDoc>;
  readonly people: Collection<PersonDoc>;
  static readonly indexes: IndexSpec[] = [
    { collection: 'faces', index: { key: { sha256: 1 }, name: 'sha256' } },
    { collection: 'faces', index: { key: { person: 1 }, name: 'person' } },
    { collection: 'faces', index: { key: { cases: 1 }, name: 'cases' } },
    { collection: 'people', index: { key: { cases: 1 }, name: 'cases' } },
  ];

  constructor(db: ClueDatabase) {
    this.faces = db.collection('faces');
    this.people = db.collection('people');
  }

  /**
   * The faces stage's faces of an image, replacing those of an earlier run; a face found again at
   * the same place keeps its person when an analyst put it there.
   */
  async saveImageFaces(
    sha256: string,
    faces: Omit<FaceDoc, '_id' | 'sha256' | 'cases' | 'createdAt'>[],
  ): Promise<void> {
    const before = await this.faces.find({ sha256 }).toArray();
    const now = new Date();
    const docs: FaceDoc[] = faces.map((f) => {
      const old = before.find(
        (b) =>
          b.index === f.index &&
          Math.abs(b.box.x - f.box.x) < f.box.w / 4 &&
          Math.abs(b.box.y - f.box.y) < f.box.h / 4,
      );
      const kept =
        old?.pinned && old.person
          ? { person: old.person, pinned: true, ...(old.joined ? { joined: old.joined } : {}) }
          : {};
      return { ...f, ...kept, _id: `${sha256}:${f.index}`, sha256, cases: old?.cases ?? [], createdAt: now };
    });
    await this.faces.deleteMany({ sha256 });
    if (docs.length) await this.faces.insertMany(docs);
    await this.recount(before.flatMap((b) => (b.person ? [b.person] : [])));
  }

  ofImage(sha256: string): Promise<FaceDoc[]> {
    return this.faces.find({ sha256 }).sort({ index: 1 }).toArray();
  }

  byIds(ids: string[]): Promise<FaceDoc[]> {
    return ids.length
      ? this.faces.find({ _id: { $in: ids } }, { projection: { descriptor: 0 } }).toArray()
      : Promise.resolve([]);
  }

  ofPerson(person: string): Promise<FaceDoc[]> {
    return this.faces
      .find({ person }, { projection: { descriptor: 0 } })
      .sort({ sha256: 1, index: 1 })
      .toArray();
  }

  async setCases(sha256: string, cases: string[]): Promise<void> {
    await this.faces.updateMany({ sha256 }, { $set: { cases } });
  }

  async assign(
    faceId: string,
    person: string,
    joined: FaceJoin,
    extra: { pinned?: boolean; alsoNear?: FaceDoc['alsoNear'] } = {},
  ): Promise<void> {
    const face = await this.faces.findOne({ _id: faceId }, { projection: { person: 1, cases: 1 } });
    if (!face) throw new Error(`no face ${faceId}`);
    const set: Record<string, unknown> = { person, joined };
    if (extra.pinned) set.pinned = true;
    const unset: Record<string, ''> = {};
    if (extra.alsoNear) set.alsoNear = extra.alsoNear;
    else unset.alsoNear = '';
    await this.faces.updateOne(
      { _id: faceId },
      { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
    );
    const now = new Date();
    await this.people.updateOne(
      { _id: person },
      { $setOnInsert: { confirmed: false, createdAt: now }, $set: { updatedAt: now } },
      { upsert: true },
    );
    await this.recount([person, ...(face.person && face.person !== person ? [face.person] : [])]);
  }

  /** A person's face count and cases from its faces; a person left with none is deleted. */
  async recount(people: string[]): Promise<void> {
    for (const id of new Set(people)) {
      const faces = await this.faces.find({ person: id }, { projection: { cases: 1 } }).toArray();
      if (!faces.length) await this.people.deleteOne({ _id: id });
      else
        await this.people.updateOne(
          { _id: id },
          {
            $set: {
              faces: faces.length,
              cases: [...new Set(faces.flatMap((f) => f.cases))].sort(),
              updatedAt: new Date(),
            },
          },
        );
    }
  }

  person(id: string): Promise<PersonDoc | null> {
    return this.people.findOne({ _id: id });
  }

  peopleOfCase(caseId: string | undefined, limit = 200): Promise<PersonDoc[]> {
    return this.people
      .find(caseId ? { cases: caseId } : {})
      .sort({ faces: -1, _id: 1 })
      .limit(limit)
      .toArray();
  }

  async updatePerson(id: string, set: Partial<Pick<PersonDoc, 'label' | 'confirmed'>>): Promise<void> {
    await this.people.updateOne({ _id: id }, { $set: { ...set, updatedAt: new Date() } });
  }

  /** Pins every face of a person where it is (a confirmed group survives regrouping). */
  async pinPerson(id: string): Promise<void> {
    await this.faces.updateMany({ person: id }, { $set: { pinned: true } });
  }

  /**
   * Deletes a case's face data: its faces (descriptors) and, where a face's image is in other
   * cases too, only the case from it; people left without faces go. Returns what was deleted.
   */
  async purgeCase(caseId: string): Promise<{ faces: number; people: number }> {
    const touched = await this.faces.find({ cases: caseId }, { projection: { person: 1 } }).toArray();
    const deleted = await this.faces.deleteMany({ cases: caseId, 'cases.1': { $exists: false } });
    await this.faces.updateMany({ cases: caseId }, { $pull: { cases: caseId } });
    const before = await this.people.countDocuments({
      _id: { $in: [...new Set(touched.flatMap((f) => (f.person ? [f.person] : [])))] },
    });
    await this.recount(touched.flatMap((f) => (f.person ? [f.person] : [])));
    const after = await this.people.countDocuments({
      _id: { $in: [...new Set(touched.flatMap((f) => (f.person ? [f.person] : [])))] },
    });
    return { faces: deleted.deletedCount, people: before - after };
  }

  /** Faces (matchable ones) other than `sha256`'s that share a person with its faces. */
  async samePerson(
    sha256: string,
  ): Promise<{ sha256: string; person: string; label?: string; confirmed: boolean }[]> {
    const own = await this.faces
      .find({ sha256, person: { $exists: true } }, { projection: { person: 1 } })
      .toArray();
    const people = [...new Set(own.map((f) => f.person!))];
    if (!people.length) return [];
    const [others, docs] = await Promise.all([
      this.faces
        .find({ person: { $in: people }, sha256: { $ne: sha256 } }, { projection: { sha256: 1, person: 1 } })
        .limit(500)
        .toArray(),
      this.people.find({ _id: { $in: people } }).toArray(),
    ]);
    const byId = new Map(docs.map((p) => [p._id, p]));
    return others.map((o) => ({
      sha256: o.sha256,
      person: o.person!,
      ...(byId.get(o.person!)?.label ? { label: byId.get(o.person!)!.label! } : {}),
      confirmed: byId.get(o.person!)?.confirmed ?? false,
    }));
  }

  /** The person of each face of these images (series: images linked through a person). */
  personsOf(images: string[]): Promise<Pick<FaceDoc, 'sha256' | 'person'>[]> {
    return this.faces
      .find({ sha256: { $in: images }, person: { $exists: true } }, { projection: { sha256: 1, person: 1 } })
      .toArray();
  }

  /**
   * The descriptors in a scope as a vector index: a case's faces, or every face when no case is
   * given. Exact: each search reads the scope's descriptors (through the `cases` index for a
   * case). Fine at a case's scale (10^4 faces, about 12 MB read); across the whole store it is a
   * scan until the ANN index of issue 22 (vectors/) takes its place behind the same interface.
   */
  index(caseId?: string): VectorIndex {
    const scope: Filter<FaceDoc> = { descriptor: { $exists: true }, ...(caseId ? { cases: caseId } : {}) };
    const faces = this.faces;
    return {
      async add() {
        // The face document is the index entry: saved by saveImageFaces.
      },
      async remove() {
        // Likewise deleted with its face.
      },
      async search(vector, k, maxDistance = Infinity) {
        const hits: VectorHit[] = [];
        for await (const f of faces.find(scope, { projection: { descriptor: 1 } })) {
          const distance = euclidean(vector, f.descriptor!);
          if (distance <= maxDistance) hits.push({ id: f._id, distance });
        }
        return hits.sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id)).slice(0, k);
      },
      count: () => faces.countDocuments(scope),
    };
  }
}
