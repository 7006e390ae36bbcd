import type { Evaluation } from './evaluation';
import { evaluateFaces, writeReferenceChips } from './face-identities';

/**
 * Faces as identities (issue 23): verification at FAR 1e-3, grouping's pairwise precision and
 * recall, the port against dlib's reference, and what describing costs (eval/face-identities.ts).
 */
export const identities: Evaluation = {
  name: 'identities',
  figures: [
    'face_tar_at_far_1e3',
    'face_pairs_genuine',
    'face_pairs_impostor',
    'face_false_matches',
    'face_cluster_precision',
    'face_cluster_recall',
    'face_cluster_recall_all_views',
    'face_reference_max_distance',
    'faces_ms_per_image',
    'faces_describe_ms_per_image',
  ],
  engine: true,
  async run({ set, engine }) {
    const { face_pairs, ...rest } = await evaluateFaces(engine, set.dir, set.faces.map((f) => f.path));
    return { ...rest, face_pairs_genuine: face_pairs.genuine, face_pairs_impostor: face_pairs.impostor };
  },
};

/**
 * `--face-chips=<dir>`: writes the aligned chips of the identity photos for dlib to describe
 * (scripts/dev/face-reference.sh); run with `--only=face-chips`.
 */
export const faceChips: Evaluation = {
  name: 'face-chips',
  option: 'face-chips',
  figures: [],
  engine: true,
  async run({ engine, option }) {
    await writeReferenceChips(engine, option('face-chips')!);
    return {};
  },
};
