// One approximate-nearest-neighbour index per descriptor space (image regions here; faces use the
// same interface), with the library behind it. Keys are 64-bit; vectors are unit length and compared
// by cosine. An index is derived data: the database holds the descriptors, and the index can always
// be rebuilt from them (region-index.ts keeps it in step).

export interface VectorHit {
  key: bigint;
  /** Cosine similarity, -1..1. */
  similarity: number;
}

export interface VectorIndex {
  readonly dims: number;
  /** Adds vectors (rows of `dims` numbers, unit length) under their keys. */
  add(keys: bigint[], vectors: Float32Array): void;
  /** Removes what is there of these keys; returns how many were. */
  remove(keys: bigint[]): number;
  contains(key: bigint): boolean;
  /** The `k` nearest of each query (rows of `dims`), best first. */
  search(queries: Float32Array, k: number): VectorHit[][];
  /** Vectors held. */
  size(): number;
  /** Writes the whole index to a file (the caller makes the write atomic). */
  save(path: string): void;
  /** Memory it holds, in bytes, as far as the library says. */
  bytes(): number;
}

export interface VectorIndexOptions {
  dims: number;
  /** Neighbours per node in the graph (HNSW's M). */
  connectivity?: number;
  /** Search breadth (HNSW's ef): recall against time. */
  expansion?: number;
}
