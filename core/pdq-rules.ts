// PDQ's match rule (Meta: distance ≤ 31 between hashes of quality ≥ 50), shared by the hasher,
// the store's near-duplicate index and known-hash matching. Pure code: the web may import it.

const POPCOUNT = (() => {
  const t = new Uint8Array(256);
  for (let i = 1; i < 256; i++) t[i] = (i & 1) + t[i >> 1]!;
  return t;
})();

/** Number of differing bits between two 64-hex-digit PDQ hashes. */
export function pdqDistance(a: string, b: string): number {
  if (a.length !== 64 || b.length !== 64) throw new Error('PDQ hashes are 64 hex digits');
  let d = 0;
  for (let i = 0; i < 64; i += 2) d += POPCOUNT[parseInt(a.slice(i, i + 2), 16) ^ parseInt(b.slice(i, i + 2), 16)]!;
  return d;
}

/** Meta's recommended match rule for PDQ. */
export const PDQ_MATCH_DISTANCE = 31;
export const PDQ_MIN_QUALITY = 50;
