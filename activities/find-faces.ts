import type { ImageEngine } from '../engine/image-engine';
import type { Store } from '../store';
import type { BlobStore } from '../blobs/blob-store';
import { searchByFace, type FaceQueryInput, type FaceQueryResult } from '../usecases/faces';
import { asActivityError } from './errors';
import { engineInput, imageSource } from './image-source';
import { withHeartbeat } from './heartbeat';

/**
 * Search by face from a photo that need not be ingested (an upload, a file on the command line):
 * its faces are found and described in the worker's engine, and searched there, so that no
 * descriptor leaves the worker or enters the workflow's history.
 */
export function findFaces(d: {
  store: Pick<Store, 'faces' | 'images' | 'audit'>;
  engine: ImageEngine;
  blobs: BlobStore;
}) {
  return (input: FaceQueryInput): Promise<FaceQueryResult> =>
    asActivityError(async () => {
      if (!d.engine.models.faces.ok) throw new Error(`no face detector: ${d.engine.models.faces.reason}`);
      if (!d.engine.models.faceDescriber.ok)
        throw new Error(`no face describer: ${d.engine.models.faceDescriber.reason}`);
      const { faces } = await withHeartbeat(async () =>
        d.engine.faces(engineInput(await imageSource(d.blobs, input.path))),
      );
      const listed = faces.map((f, i) => ({
        index: i + 1,
        box: f.box,
        matchable: !!f.descriptor,
        ...(f.quality.reasons.length ? { notMatchable: f.quality.reasons.join('; ') } : {}),
      }));
      const chosen = input.face ? faces[input.face - 1] : faces.find((f) => f.descriptor);
      if (!chosen?.descriptor) return { faces: listed, hits: [] };
      const hits = await searchByFace(d.store, chosen.descriptor, {
        limit: input.limit,
        source: `upload:${input.path.split('/').pop()}`,
        actor: input.actor,
        ...(input.caseId ? { caseId: input.caseId } : {}),
      });
      return { faces: listed, searched: faces.indexOf(chosen) + 1, hits };
    });
}
