// Near-duplicate lookup by index (multi-index hashing). A PDQ hash is 256 bits, cut into sixteen
// 16-bit chunks. Two hashes within Hamming distance 31 (Meta's match rule) differ by at most one
// bit in at least one chunk: were every chunk 2 bits apart or more, the distance would be 32 or
// more. So a stored hash is keyed by its chunks, and a query probes each chunk and its 16 one-bit
// neighbours: 272 index point lookups find every candidate, and the distance is checked exactly.

const CHUNKS = 16;

const key = (position: number, chunk: number) => `${position.toString(16)}${chunk.toString(16).padStart(4, '0')}`;

function chunks(hash: string): number[] {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a PDQ hash: ${hash}`);
  return Array.from({ length: CHUNKS }, (_, i) => parseInt(hash.slice(i * 4, i * 4 + 4), 16));
}

/** The keys a stored hash is indexed under. */
export function pdqKeys(hash: string): string[] {
  return chunks(hash).map((c, i) => key(i, c));
}

/** The keys a hash within distance 31 of `hash` must have at least one of. */
export function pdqProbes(hash: string): string[] {
  const out: string[] = [];
  for (const [i, c] of chunks(hash).entries()) {
    out.push(key(i, c));
    for (let bit = 0; bit < 16; bit++) out.push(key(i, c ^ (1 << bit)));
  }
  return out;
}
