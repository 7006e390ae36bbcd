import type { WhereResult } from '../../where/types';
import { FORM_FIELDS, fieldDefault, renderSearchFields } from './search-form';
import { wherePanel } from './where-panel';
import { facesPanel } from './faces-panel';
import { findElsewhere } from './find-elsewhere';
import type { Json, KnownHashMatch, LinkedImage, RunView, SearchHit, SimilarHit, TagHistory } from '../../core/api-types';
// eslint-disable-next-line boundaries/dependencies -- until the API's schemas give the image detail its own types (issue 21)
import type { ClueDoc, ImageDoc } from '../../store/documents';
import { $, api, ApiError, authorisedImage, fmtDate, fmtDuration, h, say, session, type Me } from './common';

// The analyst's page: search, results as blurred thumbnails, image detail, ingest runs.

type Hit = Json<Pick<SearchHit, 'sha256' | 'path' | 'score'> & Partial<SearchHit & SimilarHit>>;
type Clue = Json<ClueDoc>;
type ImageRecord = Json<ImageDoc>;
type Link = Json<LinkedImage>;
type KnownHash = Json<KnownHashMatch>;
type Run = Json<RunView>;

let me: Me;
const CAN_PUBLISH = ['reviewer', 'admin'];
const BOX_COLOURS: Record<string, string> = { object: '#e8a33d', text: '#3da5e8', tag: '#8de83d', location: '#e83d8d', face: '#c03de8' };

session(['analyst', 'reviewer', 'admin'], (m) => {
  me = m;
  $<HTMLInputElement>('#unblur-setting').checked = m.settings.unblurThumbnails;
  route();
});
window.addEventListener('hashchange', route);

function route(): void {
  if (!me) return;
  const hash = decodeURIComponent(location.hash.slice(1));
  for (const id of ['#search-view', '#detail-view', '#runs-view']) $(id).hidden = true;
  stopRunsRefresh();
  if (hash.startsWith('image/')) void showDetail(hash.slice(6));
  else if (hash === 'runs') void showRuns();
  else void showSearch(hash.startsWith('search?') ? new URLSearchParams(hash.slice(7)) : null);
}

// ---- thumbnails: blurred until clicked, unless the user chose otherwise ----

function blurToggle(button: HTMLButtonElement): void {
  const blurred = !me.settings.unblurThumbnails;
  button.classList.toggle('blurred', blurred);
  button.setAttribute('aria-pressed', String(!blurred));
  button.addEventListener('click', (e) => {
    e.preventDefault();
    const now = button.classList.toggle('blurred');
    button.setAttribute('aria-pressed', String(!now));
  });
}

function thumbnail(sha256: string, label: string): HTMLButtonElement {
  const img = h('img', { alt: `Thumbnail of ${label}`, width: 220, height: 165 });
  const button = h('button', { type: 'button', class: 'thumb', title: 'Click to show or blur' }, img);
  blurToggle(button);
  authorisedImage(img, `/api/images/${sha256}/thumbnail`).catch(() => (img.alt = `No thumbnail for ${label}`));
  return button;
}

$<HTMLInputElement>('#unblur-setting').addEventListener('change', async (e) => {
  const unblurThumbnails = (e.target as HTMLInputElement).checked;
  try {
    me.settings = await api<Me['settings']>('/api/me/settings', { method: 'PUT', body: JSON.stringify({ unblurThumbnails }) });
    for (const b of document.querySelectorAll<HTMLButtonElement>('.thumb')) {
      b.classList.toggle('blurred', !unblurThumbnails);
      b.setAttribute('aria-pressed', String(unblurThumbnails));
    }
  } catch (err) {
    say($('#search-status'), (err as Error).message, 'error');
  }
});

// ---- search ----

renderSearchFields($('#search-fields'));

$<HTMLFormElement>('#search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const params = new URLSearchParams();
  for (const f of FORM_FIELDS) {
    const v = ($(`#q-${f}`) as HTMLInputElement).value.trim();
    if (v && v !== fieldDefault(f)) params.set(f, v);
  }
  const next = `#search?${params}`;
  if (location.hash === next) route();
  else location.hash = next;
});

$<HTMLInputElement>('#q-image').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const status = $('#search-status');
  say(status, `Looking for images like ${file.name}…`);
  try {
    const kase = $<HTMLInputElement>('#q-case').value.trim();
    const { hits, skipped } = await api<{ hits: Hit[]; skipped: { path: string; reason: string }[] }>(`/api/similar${kase ? `?case=${encodeURIComponent(kase)}` : ''}`, { method: 'POST', body: file, headers: { 'content-type': file.type || 'application/octet-stream' } });
    say(status, `${hits.length} similar image${hits.length === 1 ? '' : 's'} for ${file.name}${skipped.length ? `; ${skipped.length} skipped (${skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')})` : ''}`);
    renderHits(hits);
  } catch (err) {
    say(status, (err as Error).message, 'error');
  }
});

async function showSearch(params: URLSearchParams | null): Promise<void> {
  $('#search-view').hidden = false;
  if (!params) return;
  for (const f of FORM_FIELDS) ($(`#q-${f}`) as HTMLInputElement).value = params.get(f) ?? fieldDefault(f);
  const status = $('#search-status');
  if (![...params.keys()].some((k) => k !== 'mode' && k !== 'case')) return say(status, 'Give a word, an object, a scene, a location or a serial number.', 'error');
  say(status, 'Searching…');
  try {
    const page = await api<{ total: number; hits: Hit[] }>(`/api/search?${params}&limit=60`);
    say(status, `${page.total} image${page.total === 1 ? '' : 's'} found${page.total > page.hits.length ? `, showing ${page.hits.length}` : ''}`);
    renderHits(page.hits);
  } catch (err) {
    say(status, (err as Error).message, 'error');
    renderHits([]);
  }
}

function renderHits(hits: Hit[], list = '#results'): void {
  $(list).replaceChildren(
    ...hits.map((hit) => {
      const name = hit.path.split('/').pop() ?? hit.sha256;
      const why = hit.matches
        ? hit.matches.map((m) => `${m.type}: ${m.highlights.map((x) => x.text).join(' ') || m.value}`).join(' · ')
        : `${hit.tier ?? ''}${hit.reason ? ` — ${hit.reason}` : ''}`;
      const thumb = h('div', { class: 'marked' }, thumbnail(hit.sha256, name));
      // Where in this image the match is (search by example): the keypoints that agree, or its nearest region.
      if (hit.box) {
        const mark = h('span', { class: 'hitbox', title: 'the matched region' });
        // Set through the CSSOM: the page's CSP refuses style attributes.
        Object.assign(mark.style, { left: `${hit.box.x * 100}%`, top: `${hit.box.y * 100}%`, width: `${hit.box.w * 100}%`, height: `${hit.box.h * 100}%` });
        thumb.append(mark);
      }
      return h('li', { class: 'card' }, thumb, h('a', { href: `#image/${hit.sha256}`, class: 'title' }, name), h('p', { class: 'why' }, why), h('p', { class: 'score' }, `score ${hit.score}`));
    }),
  );
}

// ---- image detail ----

let detailClues: Clue[] = [];
let detailScale = 1;

async function showDetail(sha256: string): Promise<void> {
  $('#detail-view').hidden = false;
  const status = $('#detail-status');
  say(status, 'Loading…');
  try {
    const { image, clues, knownHashes } = await api<{ image: ImageRecord; clues: Clue[]; knownHashes: KnownHash[] }>(`/api/images/${sha256}`);
    detailClues = clues;
    $('#detail-title').textContent = image.paths[0]?.split('/').pop() ?? sha256;
    say(status, '');
    const button = $<HTMLButtonElement>('#detail-image-button');
    const fresh = button.cloneNode(true) as HTMLButtonElement; // drop the previous image's listener
    button.replaceWith(fresh);
    blurToggle(fresh);
    const img = $<HTMLImageElement>('#detail-image');
    img.alt = `Image ${image.paths[0] ?? sha256}`;
    if (image.status === 'processed') {
      const res = await authorisedImage(img, `/api/images/${sha256}/file`);
      detailScale = Number(res.headers.get('x-image-scale') ?? '1') || 1;
      await img.decode().catch(() => undefined);
      drawBoxes();
      $('#find-results').replaceChildren();
      findElsewhere<Hit>({
        sha256, img, svg: $('#overlay') as unknown as SVGSVGElement, scale: () => detailScale,
        button: $<HTMLButtonElement>('#find-elsewhere'), status: $('#find-status'),
        onResults: (found) => renderHits(found.hits, '#find-results'),
      });
    }
    renderToggles();
    renderClues(sha256);
    renderRecord(image);
    $('#known-hashes').replaceChildren(...(knownHashes.length ? knownHashes.map((k) => h('li', {}, `${k.kind === 'exact' ? 'Exact' : 'Near'} match in ${k.set} by ${k.by}${k.category !== undefined ? `, category ${k.category}` : ''}${k.series ? `, series ${k.series}` : ''}`)) : [h('li', {}, 'none')]));
    void renderLinks(sha256);
    void renderTags(sha256);
    void renderWhere(sha256, false);
    void facesPanel(sha256, { thumbnail, outline }).then((panel) => $('#faces').replaceChildren(...(panel ? [panel] : [])), (err: unknown) => $('#faces').replaceChildren(h('p', { class: 'status' }, (err as Error).message)));
  } catch (err) {
    say(status, err instanceof ApiError && err.status === 404 ? 'No such image.' : (err as Error).message, 'error');
  }
}

/** The "Where and when" panel: choosing a piece of evidence outlines its box in the image. */
async function renderWhere(sha256: string, series: boolean): Promise<void> {
  const box = $('#where');
  const button = $<HTMLButtonElement>('#where-series');
  button.onclick = () => void renderWhere(sha256, true);
  try {
    const result = await api<WhereResult>(`/api/images/${sha256}/where${series ? '?series=true' : ''}`);
    box.replaceChildren(
      wherePanel(result, {
        ...(series ? { title: 'Where and when, for its series' } : {}),
        onEvidence: (e) => {
          const clue = e.clueId ? detailClues.find((c) => c._id === e.clueId) : undefined;
          const b = e.box ?? clue?.box;
          if (b) outline(b);
        },
      }),
    );
  } catch (err) {
    box.replaceChildren(h('p', { class: 'status' }, err instanceof ApiError && err.status === 404 ? 'Where and when: not weighed yet.' : (err as Error).message));
  }
}

/** Outlines one box in the image (a piece of evidence chosen in the where-and-when panel). */
function outline(b: { x: number; y: number; w: number; h: number }): void {
  const svg = $('#overlay') as unknown as SVGSVGElement;
  svg.querySelector('.box-evidence')?.remove();
  const r = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  for (const [k, v] of Object.entries({ x: b.x * detailScale, y: b.y * detailScale, width: b.w * detailScale, height: b.h * detailScale })) r.setAttribute(k, String(v));
  r.setAttribute('class', 'box box-evidence');
  r.setAttribute('stroke', '#ffffff');
  svg.append(r);
}

function renderToggles(): void {
  const types = [...new Set(detailClues.filter((c) => c.box).map((c) => c.type))];
  $('#box-toggles').replaceChildren(
    h('legend', {}, 'Boxes'),
    ...types.map((t) => {
      const input = h('input', { type: 'checkbox', id: `toggle-${t}`, checked: true, onchange: drawBoxes });
      return h('label', { for: `toggle-${t}` }, input, ` ${t}`);
    }),
  );
}

function drawBoxes(): void {
  const img = $<HTMLImageElement>('#detail-image');
  const svg = $('#overlay') as unknown as SVGSVGElement;
  svg.setAttribute('viewBox', `0 0 ${img.naturalWidth || 1} ${img.naturalHeight || 1}`);
  const shown = (t: string) => (document.querySelector<HTMLInputElement>(`#toggle-${t}`)?.checked ?? true);
  const ns = 'http://www.w3.org/2000/svg';
  svg.replaceChildren(
    ...detailClues
      .filter((c) => c.box && shown(c.type))
      .map((c) => {
        const r = document.createElementNS(ns, 'rect');
        const b = c.box!;
        r.setAttribute('x', String(b.x * detailScale));
        r.setAttribute('y', String(b.y * detailScale));
        r.setAttribute('width', String(b.w * detailScale));
        r.setAttribute('height', String(b.h * detailScale));
        r.setAttribute('stroke', BOX_COLOURS[c.type] ?? '#fff');
        r.setAttribute('class', `box box-${c.type}`);
        const title = document.createElementNS(ns, 'title');
        title.textContent = `${c.type}: ${c.value}`;
        r.append(title);
        return r;
      }),
  );
}

function renderClues(sha256: string): void {
  const rows = detailClues
    .filter((c) => c.type !== 'metadata')
    .map((c) => {
      const actions = h('td');
      if (c.type === 'object' && typeof c.detail?.crop === 'string' && CAN_PUBLISH.includes(me.role)) {
        const result = h('span', { class: 'status', 'aria-live': 'polite' });
        const publish = h('button', { type: 'button', class: 'small' }, 'Publish crop for tagging');
        publish.addEventListener('click', async () => {
          publish.disabled = true;
          const send = (confirmText: boolean) => api<{ id: string; text: { line: string }[] }>('/api/crops', { method: 'POST', body: JSON.stringify({ clueId: c._id, ...(confirmText ? { confirmText } : {}) }) });
          try {
            let crop;
            try {
              crop = await send(false);
            } catch (err) {
              // Text that reads like a name or an address: published only once the reviewer has read it.
              const message = (err as Error).message;
              if (!message.includes('confirmText') || !window.confirm(`${message}\n\nPublish this crop with that text?`)) throw err;
              crop = await send(true);
            }
            const text = crop.text.length ? `; text inside: ${crop.text.map((t) => `"${t.line}"`).join(', ')}` : '';
            say(result, `Published as ${crop.id}${text}`);
            void renderTags(sha256);
          } catch (err) {
            say(result, (err as Error).message, 'error');
            publish.disabled = false;
          }
        });
        actions.append(publish, result);
      }
      return h('tr', {}, h('td', {}, c.type), h('td', {}, c.value), h('td', {}, c.score !== undefined ? c.score.toFixed(2) : ''), actions);
    });
  $('#clue-table tbody').replaceChildren(...rows);
}

function renderRecord(image: ImageRecord): void {
  const dl = (entries: [string, unknown][]) =>
    entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))]);
  const exif = Object.entries(image.exif ?? {}).filter(([, v]) => v !== null && v !== undefined);
  $('#exif').replaceChildren(...(exif.length ? dl(exif) : [h('dd', {}, 'no EXIF')]));
  $('#record').replaceChildren(
    ...dl([
      ['SHA-256', image.sha256],
      ['MD5', image.md5 ?? ''],
      ['Paths', image.paths.join('\n')],
      ['Cases', (image.cases ?? []).join(', ') || '—'],
      ['Size', image.info ? `${image.info.width} × ${image.info.height} ${image.info.format}, ${image.info.bytes} bytes` : '—'],
      ['Status', image.failure ? `${image.status}: ${image.failure.reason}` : image.status],
      ...(image.frameOf ? [['Frame', `frame ${image.frameOf.index} of ${image.frameOf.count} of ${image.frameOf.path}`] as [string, unknown]] : []),
      ...(image.frames ? [['Frames', `${image.frames.count} frames; processed ${image.frames.processed.join(', ')}${image.frames.notProcessed ? `; not processed ${image.frames.notProcessed.frames.length} (${image.frames.notProcessed.reason})` : ''}`] as [string, unknown]] : []),
      ...Object.entries(image.stages ?? {}).map(([s, r]): [string, unknown] => [`Stage ${s}`, `${r.status}${r.model ? ` (${r.model.name} ${r.model.version})` : ''}${r.reason ? `: ${r.reason}` : ''}`]),
    ]),
  );
}

async function renderLinks(sha256: string): Promise<void> {
  const list = $('#links');
  try {
    const links = await api<Link[]>(`/api/images/${sha256}/links`);
    list.replaceChildren(
      ...(links.length
        ? links.slice(0, 30).map((l) => h('li', {}, h('a', { href: `#image/${l.sha256}` }, l.path.split('/').pop() ?? l.sha256), ` — strength ${l.strength.toFixed(2)}: `, l.reasons.map((r) => `${r.kind} “${r.value}”`).join(', ')))
        : [h('li', {}, 'no linked images')]),
    );
  } catch (err) {
    list.replaceChildren(h('li', {}, (err as Error).message));
  }
}

async function renderTags(sha256: string): Promise<void> {
  const list = $('#tag-history');
  const history = await api<Json<TagHistory>>(`/api/images/${sha256}/tags`);
  const items: { at: number; node: HTMLElement }[] = [];
  for (const t of history.tags) {
    const d = t.detail ?? {};
    const at = String(d.acceptedAt ?? d.at ?? '');
    const who =
      d.source === 'crowd' ? `crowd (${String(d.count)} supporting), accepted by ${String(d.reviewer)}`
      : d.source === 'tao-outcome' ? `outcome of ${String(d.cropId)} set by ${String(d.by)}${d.reason ? ` (${String(d.reason)})` : ''}`
      : `analyst ${String(d.by)}`;
    items.push({ at: Date.parse(at), node: h('li', {}, h('strong', {}, `${t.type === 'location' ? 'Location' : 'Tag'} “${t.value}”`), ` — ${who}, ${fmtDate(at)}`) });
  }
  for (const { crop, submissions } of history.crops) {
    items.push({ at: Date.parse(crop.publishedAt), node: h('li', {}, `Crop ${crop.label} published as ${crop._id} by ${crop.publishedBy}, ${fmtDate(crop.publishedAt)}${crop.status !== 'published' ? ` (${crop.status})` : ''}`) });
    for (const s of submissions) items.push({ at: Date.parse(s.at), node: h('li', {}, `Crowd answer on ${crop._id}: “${s.what}”${s.where ? `, from ${s.where}` : ''}${s.brand ? `, brand ${s.brand}` : ''} (${s.votes} votes), ${fmtDate(s.at)}`) });
  }
  items.sort((a, b) => a.at - b.at);
  list.replaceChildren(...(items.length ? items.map((i) => i.node) : [h('li', {}, 'no tags yet')]));
}

$<HTMLFormElement>('#tag-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const sha256 = decodeURIComponent(location.hash.slice(1)).replace(/^image\//, '');
  const input = $<HTMLInputElement>('#tag-value');
  try {
    await api('/api/images/' + sha256 + '/tags', { method: 'POST', body: JSON.stringify({ value: input.value }) });
    input.value = '';
    await renderTags(sha256);
  } catch (err) {
    say($('#detail-status'), (err as Error).message, 'error');
  }
});

// ---- ingest runs ----

let runsTimer: number | undefined;
const stopRunsRefresh = () => window.clearInterval(runsTimer);

async function showRuns(): Promise<void> {
  $('#runs-view').hidden = false;
  await loadRuns();
  runsTimer = window.setInterval(() => void loadRuns(), 5000);
}

async function loadRuns(): Promise<void> {
  const status = $('#runs-status');
  try {
    const runs = await api<Run[]>('/api/runs');
    say(status, runs.length ? `Updated ${new Date().toLocaleTimeString()}` : 'No runs yet. Start one with `clues run <folder>`.');
    $('#runs-table tbody').replaceChildren(
      ...runs.map((r) => {
        const p = r.progress;
        const cells = p ? [p.total ?? p.found, p.done, p.skipped, p.failed, p.inFlight, p.imagesPerHour, fmtDuration(p.etaSeconds)] : ['—', '—', '—', '—', '—', '—', '—'];
        return h('tr', {}, h('th', { scope: 'row' }, r.runId), h('td', {}, p?.paused ? 'PAUSED' : r.status), ...cells.map((c) => h('td', {}, String(c))));
      }),
    );
    $('#run-failures').replaceChildren(
      ...runs
        .filter((r) => r.progress?.failures.length)
        .map((r) => h('details', {}, h('summary', {}, `${r.runId}: ${r.progress!.failed} failed`), h('ul', {}, ...r.progress!.failures.map((f) => h('li', {}, `${f.path}: ${f.reason}`))))),
    );
  } catch (err) {
    say(status, (err as Error).message, 'error');
  }
}
