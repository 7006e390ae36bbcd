import { randomBytes } from 'node:crypto';
import type { ClueInput, StageOutcome } from '../core/clues';
import { uniqueTokens } from '../core/tokens';
import type { Store } from '../store';
import { VOCAB } from './synthetic-store';

// The store's own time per image, as saveClues spends it at the end of every workflow: the
// image record, its clues and its search terms, in the store as it is (empty, or 100,000 images).

function outcome(i: number): StageOutcome[] {
  const word = () => VOCAB[Math.floor(Math.random() * 5000)]!;
  const text: ClueInput[] = Array.from({ length: 6 }, () => {
    const value = `${word()} ${word()}`.toUpperCase();
    return { type: 'text', value, tokens: uniqueTokens(value, 2), score: 0.9, box: { x: 1, y: 2, w: 30, h: 10 } };
  });
  const objects: ClueInput[] = ['person', 'chair', 'cup'].map((l) => ({ type: 'object', value: l, tokens: [l], score: 0.5 + (i % 50) / 100, box: { x: 5, y: 5, w: 50, h: 50 } }));
  return [
    { stage: 'hashes', status: 'ok', clues: [], data: { md5: 'm', sha1: 's', pdq: { hash: randomBytes(32).toString('hex'), quality: 80 } } },
    { stage: 'text', status: 'ok', model: { name: 'bench', version: '1' }, clues: text },
    { stage: 'objects', status: 'ok', model: { name: 'bench', version: '1' }, clues: objects },
    { stage: 'scene', status: 'ok', model: { name: 'bench', version: '1' }, clues: [{ type: 'scene', value: 'kitchen', tokens: ['kitchen'], score: 0.7 }] },
  ];
}

/** Milliseconds per saved image (median of `n` saves, one after another). */
export async function saveTimePerImage(store: Store, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const sha256 = randomBytes(32).toString('hex');
    const t = performance.now();
    await store.images.save({ sha256, path: `/bench/${sha256}.jpg`, caseId: `case-${i % 50}`, info: { width: 640, height: 480, format: 'jpeg', bytes: 100_000 }, stages: outcome(i) });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(n / 2)]! * 10) / 10;
}
