// Compact forms of descriptors, for the database and the index: never arrays of BSON doubles
// (1,280 doubles took 17 KB a image). Node 20 has no Float16Array, hence the conversions here.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 half precision, round to nearest even; enough for L2-normalised embeddings (error < 5e-4). */
export function toF16(values: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(values.length * 2);
  for (let i = 0; i < values.length; i++) out.writeUInt16LE(halfBits(values[i]!), i * 2);
  return out;
}

export function fromF16(buf: Uint8Array): Float32Array {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Float32Array(b.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = halfValue(b.readUInt16LE(i * 2));
  return out;
}

function halfBits(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa rounds up into the exponent, as it should.
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Unit vectors as signed bytes: x * 127, the cast the index makes itself (usearch's i8), so that
 * what the database holds and what the index holds are the same numbers.
 */
export function toInt8(v: ArrayLike<number>): Int8Array {
  const out = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.max(-127, Math.min(127, Math.round(v[i]! * 127)));
  return out;
}

export function fromInt8(v: Int8Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / 127;
  return out;
}

/** An embedding as stored: f16 bytes (BSON Binary) or, from before, an array of doubles. */
export function readEmbedding(stored: unknown): number[] | undefined {
  if (Array.isArray(stored)) return stored as number[];
  const bytes = binaryBytes(stored);
  return bytes ? Array.from(fromF16(bytes)) : undefined;
}

/** The bytes of a BSON Binary as the driver returns it (or a Buffer / Uint8Array). */
export function binaryBytes(stored: unknown): Uint8Array | undefined {
  if (stored instanceof Uint8Array) return stored;
  if (stored && typeof stored === 'object' && 'buffer' in stored && (stored as { buffer: unknown }).buffer instanceof Uint8Array) {
    const b = stored as { buffer: Uint8Array; position?: number };
    return b.buffer.subarray(0, b.position ?? b.buffer.length);
  }
  return undefined;
}
