import sharp from 'sharp';
import type { Box } from '../core/clues';
import { screenCrop, textInCrop, type CropTextLine } from '../core/crop-screening';
import type { Store } from '../store';
import type { BlobStore } from '../blobs/blob-store';

export type PublishOutcome =
  | { ok: true; id: string; question: string; label: string; created: boolean; text: CropTextLine[] }
  | { ok: false; status: 404 | 422; reason: string; text?: CropTextLine[] };

const words = (d: Record<string, unknown> | undefined) =>
  Array.isArray(d?.words) ? (d.words as { text?: unknown; box?: Box }[]).flatMap((w) => (typeof w.text === 'string' && w.box ? [{ text: w.text, box: w.box }] : [])) : [];

/**
 * A reviewer publishes one object's crop for the public: screened first (no person or face,
 * nothing that covers most of the image, no text that reads like a name or an address unless the
 * reviewer confirms it; any text inside is returned for the reviewer to see), then re-encoded without any metadata under a random
 * TAO- id. Idempotent per clue.
 */
export async function publishCrop(
  store: Pick<Store, 'images' | 'crops'>,
  blobs: BlobStore,
  req: { clueId: string; question?: string; by: string; /** The reviewer read the text inside and publishes it anyway. */ confirmText?: boolean },
): Promise<PublishOutcome> {
  const clue = await store.images.getClue(req.clueId);
  if (!clue || clue.type !== 'object' || typeof clue.detail?.crop !== 'string') return { ok: false, status: 404, reason: 'no such object clue with a crop' };
  const image = await store.images.get(clue.sha256);
  if (!image?.info) return { ok: false, status: 404, reason: "the clue's image is not processed" };
  const cropBox = (clue.detail.cropBox as Box | undefined) ?? clue.box!;
  // Faces were looked for, or nothing of this image is published: a face not looked for is not absent.
  const faces = image.stages?.faces;
  if (faces?.status !== 'ok') return { ok: false, status: 422, reason: `refused by screening: faces were not checked on this image (faces stage ${faces?.status ?? 'not run'}${faces?.reason ? `: ${faces.reason}` : ''}); re-run it first` };
  const clues = await store.images.cluesOf(clue.sha256);
  const others = clues.filter((c) => (c.type === 'object' || c.type === 'face') && c._id !== clue._id && c.box).map((c) => ({ label: c.value, box: c.box! }));
  const screening = screenCrop({ label: clue.value, cropBox, image: image.info, others });
  if (!screening.ok) return { ok: false, status: 422, reason: `refused by screening: ${screening.reason}` };
  const text = textInCrop(cropBox, clues.filter((c) => c.type === 'text').map((c) => ({ text: c.value, ...(c.box ? { box: c.box } : {}), words: words(c.detail) })));
  const sensitive = text.filter((t) => t.sensitive);
  if (sensitive.length && !req.confirmText) {
    const lines = sensitive.map((t) => `"${t.line}" (${t.sensitive === 'name' ? 'reads like a name' : 'reads like an address'}; inside the crop: "${t.inside}")`).join('; ');
    return { ok: false, status: 422, reason: `refused by screening: the crop shows text: ${lines}. Publish it anyway only if it cannot lead to a person or a place (confirmText: true)`, text };
  }
  const pending = await store.crops.publish({ clueId: clue._id, sha256: clue.sha256, label: clue.value, cropBox, file: '', publishedBy: req.by, ...(req.question ? { question: req.question } : {}) });
  if (pending.created || !pending.doc.file) {
    const file = `public-crops/${pending.doc._id}.jpg`;
    // Re-encoded: no EXIF, GPS or other metadata of the evidence goes public.
    await blobs.put(file, await sharp(await blobs.get(clue.detail.crop)).jpeg({ quality: 88 }).toBuffer(), 'image/jpeg');
    await store.crops.setFile(pending.doc._id, file);
  }
  return { ok: true, id: pending.doc._id, question: pending.doc.question, label: clue.value, created: pending.created, text };
}
