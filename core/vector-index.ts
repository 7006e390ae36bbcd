// The shape of a nearest-neighbour index over fixed-length vectors (face descriptors here; image
// region descriptors in issue 22's vectors/ module). Callers see only this interface, so an exact
// index and an approximate on-disk one are interchangeable.

export interface VectorHit {
  id: string;
  /** Euclidean distance. */
  distance: number;
}

export interface VectorIndex {
  add(id: string, vector: ArrayLike<number>): Promise<void>;
  remove(id: string): Promise<void>;
  /** The `k` nearest vectors, nearest first, none farther than `maxDistance` when given. */
  search(vector: ArrayLike<number>, k: number, maxDistance?: number): Promise<VectorHit[]>;
  count(): Promise<number>;
}

export function euclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** Every vector in memory, searched exhaustively: for the eval and for small scopes. */
export class ExactVectorIndex implements VectorIndex {
  private readonly vectors = new Map<string, ArrayLike<number>>();

  async add(id: string, vector: ArrayLike<number>): Promise<void> {
    this.vectors.set(id, vector);
  }

  async remove(id: string): Promise<void> {
    this.vectors.delete(id);
  }

  async search(vector: ArrayLike<number>, k: number, maxDistance = Infinity): Promise<VectorHit[]> {
    const hits: VectorHit[] = [];
    for (const [id, v] of this.vectors) {
      const distance = euclidean(vector, v);
      if (distance <= maxDistance) hits.push({ id, distance });
    }
    return hits.sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id)).slice(0, k);
  }

  async count(): Promise<number> {
    return this.vectors.size;
  }
}
