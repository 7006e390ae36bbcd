import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { failureReason } from '../core/failures';
import { connectClient } from '../client/temporal-client';
import type { Config } from '../core/config';
import { fileSha256 } from '../models/file-hashes';
import type { Store } from '../store';
import { exportCaseFaces } from '../usecases/faces-export';
import type { FaceQueryResult } from '../usecases/faces';
import { listPeople, purgeCaseFaces, searchByFace, type FaceSearchHit } from '../usecases/faces';

const actor = () => `cli:${userInfo().username}`;

function format(r: FaceQueryResult): string {
  const lines = r.faces.map(
    (f) =>
      `face ${f.index} at ${f.box.x},${f.box.y} ${f.box.w}x${f.box.h}: ${f.matchable ? 'matchable' : `not matchable (${f.notMatchable ?? 'no descriptor'})`}`,
  );
  if (r.searched === undefined)
    lines.push(r.faces.length ? 'no matchable face to search with' : 'no face found');
  else {
    lines.push(`searched with face ${r.searched}: ${r.hits.length} image(s)`);
    for (const h of r.hits)
      lines.push(
        `  ${h.distance.toFixed(3)}  ${h.sha256.slice(0, 12)}…  face ${h.face}${h.person ? `  ${h.label ?? h.person}` : ''}  ${h.path}`,
      );
  }
  return lines.join('\n');
}

/**
 * `clues faces <image|sha256> [--face N] [--case ID] [--limit N] [--json]`: every image with the
 * person whose face this is, best first, with the distance. A stored image is searched with its
 * stored descriptors; any other photo goes to a worker, which finds and describes its faces.
 */
export async function facesCommand(
  cfg: Config,
  store: Store,
  arg: string,
  opts: { face?: number; caseId?: string; limit: number; json: boolean },
): Promise<void> {
  const sha256 = /^[0-9a-f]{64}$/.test(arg)
    ? arg
    : existsSync(arg)
      ? await fileSha256(resolve(arg))
      : undefined;
  if (!sha256) throw new Error(`usage: clues faces <image|sha256>: ${arg} is neither a file nor a SHA-256`);
  const stored = await store.faces.ofImage(sha256);
  let result: FaceQueryResult;
  if (stored.length || !existsSync(arg)) {
    if (!stored.length && !(await store.images.get(sha256)))
      throw new Error(`no image ${sha256} in the store`);
    const chosen = opts.face ? stored.find((f) => f.index === opts.face) : stored.find((f) => f.descriptor);
    let hits: FaceSearchHit[] = [];
    if (chosen?.descriptor) {
      hits = (
        await searchByFace(store, chosen.descriptor, {
          limit: opts.limit + 1,
          source: chosen._id,
          excludeFace: chosen._id,
          actor: actor(),
          ...(opts.caseId ? { caseId: opts.caseId } : {}),
        })
      )
        .filter((h) => h.sha256 !== sha256)
        .slice(0, opts.limit);
    }
    result = {
      faces: stored.map((f) => ({
        index: f.index,
        box: f.box,
        matchable: !!f.descriptor,
        ...(f.quality.reasons.length ? { notMatchable: f.quality.reasons.join('; ') } : {}),
      })),
      ...(chosen?.descriptor ? { searched: chosen.index } : {}),
      hits,
    };
  } else {
    const client = await connectClient(cfg);
    try {
      result = await client.workflow.execute<(input: unknown) => Promise<FaceQueryResult>>('faceSearch', {
        workflowId: `faces-${sha256.slice(0, 16)}-${randomUUID()}`,
        taskQueue: cfg.taskQueues.io,
        args: [
          {
            path: resolve(arg),
            limit: opts.limit,
            actor: actor(),
            ...(opts.face ? { face: opts.face } : {}),
            ...(opts.caseId ? { caseId: opts.caseId } : {}),
          },
        ],
      });
    } catch (err) {
      throw new Error(`${arg}: ${failureReason(err)}`, { cause: err });
    } finally {
      await client.connection.close();
    }
  }
  console.log(opts.json ? JSON.stringify(result, null, 2) : format(result));
}

/** `clues people [--case ID] [--json]`: the people (grouped faces) of a case, largest first. */
export async function peopleCommand(store: Store, opts: { caseId?: string; json: boolean }): Promise<void> {
  const people = await listPeople(store, opts.caseId, { actor: actor() });
  if (opts.json) console.log(JSON.stringify(people, null, 2));
  else
    console.log(
      people
        .map(
          (p) =>
            `${p._id}  ${String(p.faces).padStart(4)} face(s)  ${p.confirmed ? 'confirmed' : 'grouped'}  ${p.label ?? ''}  cases: ${p.cases.join(', ')}`,
        )
        .join('\n') || 'no people',
    );
}

/** `clues case purge-faces <case>`: the case's descriptors and groups, deleted (audited). */
export async function purgeFacesCommand(store: Store, caseId: string): Promise<void> {
  const { faces, people } = await purgeCaseFaces(store, caseId, { actor: actor() });
  console.log(
    `case ${caseId}: ${faces} face(s) and ${people} person group(s) deleted; face boxes stay as clues (no biometric data)`,
  );
}

/** `clues export faces --case ID [--out FILE]`: the one export that holds descriptors, asked for by name. */
export async function exportFacesCommand(store: Store, caseId: string, out?: string): Promise<void> {
  const { json, faces, people } = await exportCaseFaces(store, caseId);
  await store.audit.write({
    actor: actor(),
    action: 'export-faces',
    target: caseId,
    detail: { faces, people, ...(out ? { out: resolve(out) } : {}) },
  });
  if (out) {
    await writeFile(resolve(out), json, { mode: 0o600 });
    console.error(
      `wrote ${faces} face(s) and ${people} person group(s) of case ${caseId} to ${resolve(out)} (biometric data)`,
    );
  } else console.log(json);
}
