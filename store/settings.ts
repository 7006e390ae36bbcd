import type { Collection } from 'mongodb';
import type { ClueDatabase } from './database';
import { DEFAULT_SETTINGS, type UserSettings } from './documents';

/** Per-user choices of the web views, by token name. */
export class SettingsRepository {
  private readonly settings: Collection<{ _id: string } & Partial<UserSettings>>;

  constructor(db: ClueDatabase) {
    this.settings = db.collection('user_settings');
  }

  async of(name: string): Promise<UserSettings> {
    const doc = await this.settings.findOne({ _id: name });
    return { ...DEFAULT_SETTINGS, ...(doc?.unblurThumbnails !== undefined ? { unblurThumbnails: doc.unblurThumbnails } : {}) };
  }

  async save(name: string, settings: UserSettings): Promise<void> {
    await this.settings.updateOne({ _id: name }, { $set: settings }, { upsert: true });
  }
}
