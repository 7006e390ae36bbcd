import type { Express } from 'express';
import { z } from 'zod';
import type { Store } from '../store';
import { actorOf as actor, requireRole } from './auth';
import { jsonBody } from './uploads';

const settingsBody = z.strictObject({ unblurThumbnails: z.boolean() });

/** Who the token belongs to, and that person's own settings of the web views. */
export function meRoutes(app: Express, store: Store): void {
  const anyone = requireRole(store, ['analyst', 'reviewer', 'tagger', 'admin']);

  app.get('/api/me', anyone, async (req, res) => {
    const { name, role } = req.principal!;
    res.json({ name, role, settings: await store.settings.of(name) });
  });

  app.put('/api/me/settings', anyone, jsonBody, async (req, res) => {
    const settings = settingsBody.parse(req.body);
    await store.settings.save(req.principal!.name, settings);
    await store.audit.write({ actor: actor(req), action: 'change-settings', detail: settings, from: req.ip ?? '' });
    res.json(settings);
  });
}
