import { Binary } from 'mongodb';
import type { Store } from '../store';
import type { RegionVectorsDoc } from '../store/region-vectors';
import { toInt8 } from '../core/compact-vectors';

// --descriptors-only: N images' region descriptors without pixels or image records, made from the
// real distractors' descriptors perturbed (Gaussian noise, then renormalised), numbered after the
// store's last change as saves number them. For the index's latency and memory at 1,000,000.

const BATCH = 2000;
const NOISE = 0.25;

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r());
}

/** 'f' and the number in its first 14 hex digits (the index key), so that keys differ. */
const idOf = (i: number) => `f${i.toString(16).padStart(13, '0')}${'0'.repeat(50)}`;

export async function addDescriptorsOnly(store: Store, n: number, progress: (done: number) => void): Promise<void> {
  const have = await store.regions.vectors.countDocuments({ _id: { $gte: idOf(0), $lt: `f${'1'.padStart(7, '0')}` } });
  if (have >= n) return;
  const real = await store.regions.vectors.find({}, { limit: 5000 }).toArray();
  if (!real.length) throw new Error('no real descriptors to perturb');
  let seed = 7;
  const r = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const counters = store.raw('counters');
  for (let i = have; i < n; i += BATCH) {
    const docs: RegionVectorsDoc[] = [];
    const count = Math.min(BATCH, n - i);
    const after = await counters.findOneAndUpdate({ _id: 'vectors' as never }, { $inc: { seq: count } }, { upsert: true, returnDocument: 'after' });
    const first = (after!.seq as number) - count + 1;
    for (let j = 0; j < count; j++) {
      const base = real[(i + j) % real.length]!;
      const data = new Int8Array(base.data.buffer.buffer, base.data.buffer.byteOffset, base.data.position);
      const out = new Int8Array(data.length);
      for (let row = 0; row < data.length / base.dims; row++) {
        const v = new Float32Array(base.dims);
        let norm = 0;
        for (let d = 0; d < base.dims; d++) {
          v[d] = data[row * base.dims + d]! / 127 + (NOISE / Math.sqrt(base.dims)) * gauss(r);
          norm += v[d]! * v[d]!;
        }
        norm = Math.sqrt(norm);
        out.set(toInt8(v.map((x) => x / norm)), row * base.dims);
      }
      const id = idOf(i + j);
      docs.push({ _id: id, seq: first + j, at: new Date(), model: base.model, dims: base.dims, kinds: base.kinds, boxes: base.boxes, data: new Binary(Buffer.from(out.buffer)) });
    }
    await store.regions.vectors.insertMany(docs, { ordered: false });
    progress(i + count);
  }
}
