import { Binary, type Collection } from 'mongodb';
import type { Box } from '../core/clues';
import type { ClueDatabase, IndexSpec } from './database';

// Region descriptors of each image, the truth the vector index is derived from. Each save takes the
// next number of one counter in the same transaction as the write: two saves conflict on the
// counter, so the second commits after the first, and a reader that has seen number n has seen
// every number below it. An index holder replays from the last number it applied (region-index.ts).

export interface RegionSet {
  model: string;
  dims: number;
  /** One per region: `w`hole, `g`rid, `o`bject, `t`ext. */
  kinds: string;
  boxes: Box[];
  /** Rows of `dims` signed bytes (unit vectors x 127). */
  vectors: Int8Array;
}

export interface RegionVectorsDoc {
  _id: string;
  seq: number;
  at: Date;
  model: string;
  dims: number;
  kinds: string;
  /** x, y, w, h per region in 1/65535 of the image (uint16). */
  boxes: Binary;
  data: Binary;
}

interface CounterDoc {
  _id: string;
  seq: number;
}

const BOX_UNIT = 65535;

export function encodeBoxes(boxes: Box[]): Buffer {
  const out = Buffer.alloc(boxes.length * 8);
  boxes.forEach((b, i) => [b.x, b.y, b.w, b.h].forEach((v, j) => out.writeUInt16LE(Math.round(Math.max(0, Math.min(1, v)) * BOX_UNIT), i * 8 + j * 2)));
  return out;
}

export function decodeBoxes(bytes: Uint8Array): Box[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Box[] = [];
  for (let i = 0; i + 8 <= b.length; i += 8) out.push({ x: b.readUInt16LE(i) / BOX_UNIT, y: b.readUInt16LE(i + 2) / BOX_UNIT, w: b.readUInt16LE(i + 4) / BOX_UNIT, h: b.readUInt16LE(i + 6) / BOX_UNIT });
  return out;
}

const bytesOf = (b: Binary) => b.buffer.subarray(0, b.position);

export function regionSetOf(doc: RegionVectorsDoc): RegionSet {
  const data = bytesOf(doc.data);
  return { model: doc.model, dims: doc.dims, kinds: doc.kinds, boxes: decodeBoxes(bytesOf(doc.boxes)), vectors: new Int8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export class RegionVectorRepository {
  readonly vectors: Collection<RegionVectorsDoc>;
  private readonly counters: Collection<CounterDoc>;

  static readonly indexes: IndexSpec[] = [{ collection: 'vectors', index: { key: { seq: 1 }, name: 'seq' } }];

  constructor(private readonly db: ClueDatabase) {
    this.vectors = db.collection<RegionVectorsDoc>('vectors');
    this.counters = db.collection<CounterDoc>('counters');
  }

  /** Replaces an image's regions; returns the number of the change. */
  async save(sha256: string, set: RegionSet): Promise<number> {
    if (set.vectors.length !== set.boxes.length * set.dims || set.kinds.length !== set.boxes.length) throw new Error('region set: vectors, boxes and kinds disagree');
    return this.db.transaction(async (session) => {
      const counter = await this.counters.findOneAndUpdate({ _id: 'vectors' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after', session });
      const seq = counter!.seq;
      const doc: RegionVectorsDoc = {
        _id: sha256, seq, at: new Date(), model: set.model, dims: set.dims, kinds: set.kinds,
        boxes: new Binary(encodeBoxes(set.boxes)), data: new Binary(Buffer.from(set.vectors.buffer, set.vectors.byteOffset, set.vectors.byteLength)),
      };
      await this.vectors.replaceOne({ _id: sha256 }, doc, { upsert: true, session });
      return seq;
    });
  }

  /** Changes after `seq`, in order (index seq). */
  since(seq: number, limit: number): Promise<RegionVectorsDoc[]> {
    return this.vectors.find({ seq: { $gt: seq } }).sort({ seq: 1 }).limit(limit).toArray();
  }

  /** The number of the latest change (0 before any). */
  async lastSeq(): Promise<number> {
    return (await this.counters.findOne({ _id: 'vectors' }))?.seq ?? 0;
  }

  get(sha256: string): Promise<RegionVectorsDoc | null> {
    return this.vectors.findOne({ _id: sha256 });
  }

  /** Images that have regions. */
  count(): Promise<number> {
    return this.vectors.countDocuments({});
  }
}
