import type { VectorIndex } from '../core/vector-index';

// How faces become people. A false merge (two people as one) is worse than a missed one (one
// person as two groups an analyst can merge), so a face joins a person only when it is close to
// that person's faces, not merely to one of them, and never joins a person already in its image.

/**
 * Two faces closer than this may be one person (Euclidean distance between descriptors). dlib's
 * authors use 0.6; this is stricter: the eval's tune half (eval/face-identities.ts) has its nearest
 * two different people at 0.494 (JPEG-30 views), and this keeps a margin below it.
 */
export const FACE_MATCH_DISTANCE = 0.45;
/** The mean distance to the person's faces among the nearest must also be under this. */
export const FACE_GROUP_MEAN_DISTANCE = 0.5;
/** Neighbours looked at for one face. */
const NEIGHBOURS = 12;
/** What a version of these rules is recorded as: a change regroups faces no analyst confirmed. */
export const GROUPING_VERSION = `d${FACE_MATCH_DISTANCE}-m${FACE_GROUP_MEAN_DISTANCE}`;

export interface GroupedFace {
  id: string;
  image: string;
  person?: string;
}

/** Why a face joined its person: the face it matched and how far apart they are. */
export interface Assignment {
  person: string;
  /** A new person: no one was close enough. */
  created: boolean;
  via?: { face: string; distance: number; meanDistance: number };
  /** Another person also close enough, not merged (an analyst may): for review. */
  alsoNear?: { person: string; distance: number };
}

/**
 * Assigns one face (already added to `index`) to a person: the nearest person whose faces near
 * it are within FACE_MATCH_DISTANCE (nearest) and FACE_GROUP_MEAN_DISTANCE (mean), or a new one.
 * `lookup` gives the stored faces' image and person; `newPerson` makes an id.
 */
export async function assignFace(
  face: { id: string; image: string; descriptor: ArrayLike<number> },
  index: VectorIndex,
  lookup: (ids: string[]) => Promise<Map<string, GroupedFace>>,
  newPerson: () => string,
): Promise<Assignment> {
  const hits = (await index.search(face.descriptor, NEIGHBOURS + 1, FACE_GROUP_MEAN_DISTANCE * 1.5)).filter(
    (h) => h.id !== face.id,
  );
  const known = await lookup(hits.map((h) => h.id));
  const byPerson = new Map<
    string,
    { nearest: { face: string; distance: number }; distances: number[]; sameImage: boolean }
  >();
  for (const h of hits) {
    const other = known.get(h.id);
    if (!other?.person) continue;
    const p = byPerson.get(other.person) ?? {
      nearest: { face: h.id, distance: h.distance },
      distances: [],
      sameImage: false,
    };
    p.distances.push(h.distance);
    if (other.image === face.image) p.sameImage = true;
    byPerson.set(other.person, p);
  }
  const candidates = [...byPerson.entries()]
    .filter(([, p]) => !p.sameImage && p.nearest.distance <= FACE_MATCH_DISTANCE)
    .map(([person, p]) => ({
      person,
      nearest: p.nearest,
      mean: p.distances.reduce((s, d) => s + d, 0) / p.distances.length,
    }))
    .filter((c) => c.mean <= FACE_GROUP_MEAN_DISTANCE)
    .sort((a, b) => a.nearest.distance - b.nearest.distance);
  const best = candidates[0];
  if (!best) return { person: newPerson(), created: true };
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    person: best.person,
    created: false,
    via: { face: best.nearest.face, distance: round(best.nearest.distance), meanDistance: round(best.mean) },
    ...(candidates[1]
      ? { alsoNear: { person: candidates[1].person, distance: round(candidates[1].nearest.distance) } }
      : {}),
  };
}

/** Pairwise precision and recall of a grouping against the truth (pairs of faces put together). */
export function pairwiseScores(faces: { person: string; truth: string }[]): {
  precision: number;
  recall: number;
  pairs: { predicted: number; true: number; both: number };
} {
  let predicted = 0,
    truePairs = 0,
    both = 0;
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      const p = faces[i]!.person === faces[j]!.person;
      const t = faces[i]!.truth === faces[j]!.truth;
      if (p) predicted++;
      if (t) truePairs++;
      if (p && t) both++;
    }
  }
  return {
    precision: predicted ? both / predicted : 1,
    recall: truePairs ? both / truePairs : 1,
    pairs: { predicted, true: truePairs, both },
  };
}
