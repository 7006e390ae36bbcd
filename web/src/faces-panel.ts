// The "Faces" panel of the image page, for analysts and admins (the API refuses anyone else, and
// the panel then says so and shows nothing): each face with whether it can be matched and why not,
// the person it was grouped into and how (the face it matched, the distance), "Find this person"
// (every image with that person, best first, with the distance), and a search from an uploaded
// photo. Results are thumbnails, blurred until clicked, like every other result.

import { api, ApiError, h, token } from './common';

interface StoredFace {
  _id: string;
  index: number;
  box: { x: number; y: number; w: number; h: number };
  score: number;
  quality: { ok: boolean; reasons: string[] };
  matchable: boolean;
  person?: string;
  joined?: { by: string; distance?: number; via?: string; actor?: string };
  alsoNear?: { person: string; distance: number };
  pinned?: boolean;
}

interface FaceHit {
  sha256: string;
  path: string;
  face: number;
  distance: number;
  person?: string;
  label?: string;
}

export interface FacesPanelOptions {
  /** A blurred-until-clicked thumbnail of an image. */
  thumbnail: (sha256: string, label: string) => HTMLElement;
  /** Outline a face's box in the image. */
  outline: (box: StoredFace['box']) => void;
}

function hitList(hits: FaceHit[], opts: FacesPanelOptions): HTMLElement {
  if (!hits.length) return h('p', { class: 'status' }, 'No other image of this person.');
  return h(
    'ol',
    { class: 'results faces-results' },
    ...hits.map((hit) => {
      const name = hit.path.split('/').pop() || hit.sha256;
      return h(
        'li',
        { class: 'card' },
        opts.thumbnail(hit.sha256, name),
        h('a', { href: `#image/${hit.sha256}`, class: 'title' }, name),
        h('p', { class: 'why' }, `face ${hit.face}${hit.person ? ` · ${hit.label ?? hit.person}` : ''}`),
        h('p', { class: 'score' }, `distance ${hit.distance.toFixed(3)}`),
      );
    }),
  );
}

function describe(f: StoredFace): string {
  if (!f.matchable) return `not matchable: ${f.quality.reasons.join('; ') || 'no descriptor'}`;
  if (!f.person) return 'matchable, not grouped yet';
  const how =
    f.joined?.by === 'analyst'
      ? `placed by ${f.joined.actor ?? 'an analyst'}`
      : f.joined?.distance !== undefined
        ? `joined at distance ${f.joined.distance}`
        : 'first face of this person';
  return `person ${f.person} (${how}${f.pinned ? ', kept' : ''})${f.alsoNear ? `; also near ${f.alsoNear.person} at ${f.alsoNear.distance}` : ''}`;
}

/** The panel for one image; `null` when this user may not see faces. */
export async function facesPanel(sha256: string, opts: FacesPanelOptions): Promise<HTMLElement | null> {
  let faces: StoredFace[];
  try {
    faces = await api<StoredFace[]>(`/api/images/${sha256}/faces`);
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) return null;
    throw err;
  }
  const results = h('div', { class: 'faces-found', 'aria-live': 'polite' });
  const find = async (f: StoredFace) => {
    opts.outline(f.box);
    results.replaceChildren(h('p', { class: 'status' }, `Searching for face ${f.index}…`));
    try {
      const { hits } = await api<{ hits: FaceHit[] }>(`/api/images/${sha256}/faces/${f.index}/matches`);
      results.replaceChildren(h('h4', {}, `Images with the person of face ${f.index}`), hitList(hits, opts));
    } catch (err) {
      results.replaceChildren(h('p', { class: 'status error' }, (err as Error).message));
    }
  };
  const upload = h('input', { type: 'file', accept: 'image/*', id: 'face-upload' }) as HTMLInputElement;
  upload.addEventListener('change', async () => {
    const file = upload.files?.[0];
    if (!file) return;
    results.replaceChildren(h('p', { class: 'status' }, 'Finding the face in the photo and searching…'));
    try {
      const res = await fetch('/api/faces/search', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token()}`,
          'content-type': file.type || 'application/octet-stream',
        },
        body: file,
      });
      const body = (await res.json()) as {
        error?: string;
        faces?: { index: number; matchable: boolean; notMatchable?: string }[];
        searched?: number;
        hits?: FaceHit[];
      };
      if (!res.ok) throw new Error(body.error ?? `search failed (${res.status})`);
      const note = body.searched
        ? `Searched with face ${body.searched} of ${body.faces!.length} in the photo`
        : body.faces!.length
          ? `No matchable face in the photo: ${body.faces!.map((f) => f.notMatchable).join('; ')}`
          : 'No face found in the photo';
      results.replaceChildren(
        h('p', { class: 'status' }, note),
        ...(body.searched ? [hitList(body.hits ?? [], opts)] : []),
      );
    } catch (err) {
      results.replaceChildren(h('p', { class: 'status error' }, (err as Error).message));
    } finally {
      upload.value = '';
    }
  });
  return h(
    'div',
    { class: 'faces' },
    h('h3', {}, 'Faces (analysts only)'),
    faces.length
      ? h(
          'ul',
          { class: 'history' },
          ...faces.map((f) =>
            h(
              'li',
              {},
              h(
                'button',
                { type: 'button', class: 'small', onclick: () => opts.outline(f.box) },
                `Face ${f.index}`,
              ),
              ` ${describe(f)} `,
              f.matchable
                ? h(
                    'button',
                    { type: 'button', class: 'small', onclick: () => void find(f) },
                    'Find this person',
                  )
                : '',
            ),
          ),
        )
      : h('p', { class: 'status' }, 'No face found in this image.'),
    h('p', {}, h('label', { for: 'face-upload' }, 'Search by a photo of a face '), upload),
    results,
  );
}
