import type { Collection } from 'mongodb';
import type { ClueDatabase, IndexSpec } from './database';
import type { PlaceDoc } from './documents';

/** The library of known places (hotel rooms, school corridors...), each with its descriptors. */
export class PlaceRepository {
  private readonly places: Collection<PlaceDoc>;
  static readonly indexes: IndexSpec[] = [{ collection: 'places', index: { key: { name: 1 }, name: 'name' } }];

  constructor(db: ClueDatabase) {
    this.places = db.collection<PlaceDoc>('places');
  }

  /** Idempotent by reference image. */
  async add(place: Omit<PlaceDoc, 'createdAt'>): Promise<void> {
    await this.places.updateOne(
      { _id: place._id },
      { $set: { name: place.name, path: place.path, embedding: place.embedding, featuresPath: place.featuresPath }, $setOnInsert: { createdAt: new Date() } },
      { upsert: true },
    );
  }

  list(): Promise<PlaceDoc[]> {
    return this.places.find({}).sort({ name: 1 }).toArray();
  }
}
