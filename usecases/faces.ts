import type { Store } from '../store';
import type { FaceDoc, PersonDoc } from '../store/faces';
import { newPersonId } from '../store/faces';
import { euclidean } from '../core/vector-index';
import { assignFace, FACE_MATCH_DISTANCE, GROUPING_VERSION } from './face-grouping';

// Faces as people: grouping an image's faces once it is saved, search by face, the analysts'
// decisions on groups, and purging a case's face data. Every search and every group change is
// audited; only analysts and admins reach these (api/auth.ts CAN.readFaces).

/** A face search shows faces up to this far: a little past the grouping's threshold, ranked. */
export const FACE_SEARCH_DISTANCE = 0.5;

type FaceStore = Pick<Store, 'faces' | 'images' | 'audit'>;
export interface Actor {
  actor: string;
  from?: string;
}

/**
 * Puts an image's matchable faces into people (the stage that runs once the image is saved, so
 * that its cases are known). A face an analyst placed stays where it is. Returns how many faces
 * joined a person already known, and how many started a new one.
 */
export async function groupImageFaces(
  store: FaceStore,
  sha256: string,
): Promise<{ joined: number; created: number; faces: number }> {
  const image = await store.images.get(sha256);
  const cases = image?.cases ?? [];
  await store.faces.setCases(sha256, cases);
  const faces = (await store.faces.ofImage(sha256)).filter((f) => f.descriptor && !f.pinned);
  const index = store.faces.index();
  let joined = 0,
    created = 0;
  for (const f of faces) {
    const a = await assignFace(
      { id: f._id, image: sha256, descriptor: f.descriptor! },
      index,
      lookup(store),
      newPersonId,
    );
    await store.faces.assign(
      f._id,
      a.person,
      {
        by: 'grouping',
        version: GROUPING_VERSION,
        at: new Date(),
        ...(a.via ? { via: a.via.face, distance: a.via.distance, meanDistance: a.via.meanDistance } : {}),
      },
      a.alsoNear ? { alsoNear: a.alsoNear } : {},
    );
    if (a.created) created++;
    else joined++;
  }
  if (faces.length)
    await store.audit.write({
      actor: 'pipeline',
      action: 'faces-grouped',
      target: sha256,
      detail: { joined, created },
    });
  return { joined, created, faces: faces.length };
}

const lookup = (store: FaceStore) => async (ids: string[]) =>
  new Map(
    (await store.faces.byIds(ids)).map((f) => [
      f._id,
      { id: f._id, image: f.sha256, ...(f.person ? { person: f.person } : {}) },
    ]),
  );

export interface FaceSearchHit {
  sha256: string;
  path: string;
  /** The nearest face of that image to the query, and how far. */
  face: number;
  distance: number;
  person?: string;
  label?: string;
}

/**
 * Every image with a face near the given descriptor, best first, each with its distance. Audited,
 * with what was searched from (an image's face, or an uploaded photo).
 */
export async function searchByFace(
  store: FaceStore,
  descriptor: ArrayLike<number>,
  opts: { caseId?: string; limit?: number; source: string; excludeFace?: string } & Actor,
): Promise<FaceSearchHit[]> {
  const hits = await store.faces.index(opts.caseId).search(descriptor, 500, FACE_SEARCH_DISTANCE);
  const faces = new Map((await store.faces.byIds(hits.map((h) => h.id))).map((f) => [f._id, f]));
  const best = new Map<string, FaceSearchHit>();
  for (const h of hits) {
    const f = faces.get(h.id);
    if (!f || h.id === opts.excludeFace || best.has(f.sha256)) continue;
    best.set(f.sha256, {
      sha256: f.sha256,
      path: '',
      face: f.index,
      distance: Math.round(h.distance * 1000) / 1000,
      ...(f.person ? { person: f.person } : {}),
    });
  }
  const out = [...best.values()].slice(0, opts.limit ?? 50);
  const people = new Map(
    (
      await Promise.all(
        [...new Set(out.flatMap((h) => (h.person ? [h.person] : [])))].map((p) => store.faces.person(p)),
      )
    ).flatMap((p) => (p ? [[p._id, p] as const] : [])),
  );
  for (const h of out) {
    h.path = (await store.images.get(h.sha256))?.paths[0] ?? '';
    const label = h.person ? people.get(h.person)?.label : undefined;
    if (label) h.label = label;
  }
  await store.audit.write({
    actor: opts.actor,
    action: 'face-search',
    target: opts.source,
    detail: { results: out.length, ...(opts.caseId ? { caseId: opts.caseId } : {}) },
    ...(opts.from ? { from: opts.from } : {}),
  });
  return out;
}

/** The stored face `index` (1-based) of an image, with its descriptor, or why it cannot be searched. */
export async function faceOf(store: FaceStore, sha256: string, index: number): Promise<FaceDoc> {
  const face = (await store.faces.ofImage(sha256)).find((f) => f.index === index);
  if (!face) throw new FaceError(404, `image ${sha256.slice(0, 12)}… has no face ${index}`);
  if (!face.descriptor)
    throw new FaceError(
      422,
      `face ${index} is not matchable: ${face.quality.reasons.join('; ') || 'no descriptor'}`,
    );
  return face;
}

export class FaceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PersonView extends PersonDoc {
  faceList: (Omit<FaceDoc, 'descriptor'> & { path: string })[];
}

export async function personView(store: FaceStore, id: string, who: Actor): Promise<PersonView> {
  const person = await store.faces.person(id);
  if (!person) throw new FaceError(404, `no person ${id}`);
  const faces = await store.faces.ofPerson(id);
  const faceList = [];
  for (const f of faces) faceList.push({ ...f, path: (await store.images.get(f.sha256))?.paths[0] ?? '' });
  await store.audit.write({
    actor: who.actor,
    action: 'view-person',
    target: id,
    ...(who.from ? { from: who.from } : {}),
  });
  return { ...person, faceList };
}

async function changed(
  store: FaceStore,
  who: Actor,
  action: string,
  target: string,
  detail: Record<string, unknown>,
) {
  await store.audit.write({
    actor: who.actor,
    action,
    target,
    detail,
    ...(who.from ? { from: who.from } : {}),
  });
}

/** An analyst confirms a group: its faces are pinned and stay together through regrouping. */
export async function confirmPerson(store: FaceStore, id: string, who: Actor): Promise<void> {
  if (!(await store.faces.person(id))) throw new FaceError(404, `no person ${id}`);
  await store.faces.updatePerson(id, { confirmed: true });
  await store.faces.pinPerson(id);
  await changed(store, who, 'person-confirmed', id, {});
}

/** An identifier for a group: a victim or case reference, not necessarily a name. */
export async function labelPerson(store: FaceStore, id: string, label: string, who: Actor): Promise<void> {
  const clean = label.trim();
  if (!clean || clean.length > 100) throw new FaceError(400, 'a label is 1 to 100 characters');
  if (!(await store.faces.person(id))) throw new FaceError(404, `no person ${id}`);
  await store.faces.updatePerson(id, { label: clean });
  await changed(store, who, 'person-labelled', id, { label: clean });
}

/** Merges `from` into `into` (an analyst's decision, with the distance between their nearest faces). */
export async function mergePeople(
  store: FaceStore,
  into: string,
  from: string,
  who: Actor,
): Promise<{ moved: number; distance: number | null }> {
  if (into === from) throw new FaceError(400, 'a person cannot be merged into itself');
  const [a, b] = await Promise.all([store.faces.person(into), store.faces.person(from)]);
  if (!a || !b) throw new FaceError(404, `no person ${!a ? into : from}`);
  const [fa, fb] = await Promise.all([
    store.faces.faces.find({ person: into }).toArray(),
    store.faces.faces.find({ person: from }).toArray(),
  ]);
  let distance: number | null = null;
  for (const x of fa)
    for (const y of fb)
      if (x.descriptor && y.descriptor)
        distance = Math.min(distance ?? Infinity, euclidean(x.descriptor, y.descriptor));
  distance = distance === null ? null : Math.round(distance * 1000) / 1000;
  for (const f of fb)
    await store.faces.assign(
      f._id,
      into,
      { by: 'analyst', actor: who.actor, ...(distance !== null ? { distance } : {}), at: new Date() },
      { pinned: true },
    );
  if (b.label && !a.label) await store.faces.updatePerson(into, { label: b.label });
  await changed(store, who, 'people-merged', into, { from, moved: fb.length, nearestDistance: distance });
  return { moved: fb.length, distance };
}

/** Splits faces out of a person into a new one (pinned: the grouping will not put them back). */
export async function splitPerson(
  store: FaceStore,
  id: string,
  faceIds: string[],
  who: Actor,
): Promise<{ person: string }> {
  const faces = await store.faces.byIds(faceIds);
  if (!faceIds.length || faces.length !== faceIds.length || faces.some((f) => f.person !== id))
    throw new FaceError(400, `every face to split off must belong to ${id}`);
  const person = newPersonId();
  for (const f of faces)
    await store.faces.assign(
      f._id,
      person,
      { by: 'analyst', actor: who.actor, at: new Date() },
      { pinned: true },
    );
  await store.faces.pinPerson(id);
  await changed(store, who, 'person-split', id, { into: person, faces: faceIds });
  return { person };
}

/** `clues case purge-faces <case>`: a case's descriptors and groups, gone; audited. */
export async function purgeCaseFaces(
  store: FaceStore,
  caseId: string,
  who: Actor,
): Promise<{ faces: number; people: number }> {
  const res = await store.faces.purgeCase(caseId);
  await changed(store, who, 'faces-purged', caseId, res);
  return res;
}

/** The people of a case (or of every case), largest first. Audited as a view. */
export async function listPeople(
  store: FaceStore,
  caseId: string | undefined,
  who: Actor,
): Promise<PersonDoc[]> {
  const people = await store.faces.peopleOfCase(caseId);
  await store.audit.write({
    actor: who.actor,
    action: 'list-people',
    target: caseId ?? '*',
    detail: { people: people.length },
    ...(who.from ? { from: who.from } : {}),
  });
  return people;
}

export { FACE_MATCH_DISTANCE };

/** Search by face from a photo (an upload, a file on the command line), done in the worker. */
export interface FaceQueryInput {
  path: string;
  /** 1-based face of the photo (its faces best first); the first matchable one when absent. */
  face?: number;
  caseId?: string;
  limit: number;
  actor: string;
}

export interface FaceQueryResult {
  /** The photo's faces: where they are, and whether each could be searched (never a descriptor). */
  faces: {
    index: number;
    box: { x: number; y: number; w: number; h: number };
    matchable: boolean;
    notMatchable?: string;
  }[];
  searched?: number;
  hits: FaceSearchHit[];
}
