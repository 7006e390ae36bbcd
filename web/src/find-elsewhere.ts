import { api, h, say } from './common';

// "Find this elsewhere": on an image's page the analyst draws a box over the image; the box is cut
// from the image as shown and searched by example (POST /api/similar, audited with the image and
// the box), and the results show where in each image the match is.

export interface FoundElsewhere<H> {
  hits: H[];
  skipped: { path: string; reason: string }[];
  searched: { indexed: number; shortlisted: number };
}

export interface FindElsewhereOptions<H> {
  sha256: string;
  img: HTMLImageElement;
  svg: SVGSVGElement;
  /** Original pixels per displayed pixel of `img` (the image may be served smaller). */
  scale: () => number;
  button: HTMLButtonElement;
  status: HTMLElement;
  onResults: (found: FoundElsewhere<H>) => void;
}

const NS = 'http://www.w3.org/2000/svg';
const MIN_SIDE = 16;

/** Arms the button: a press lets the next drag over the image draw the box to search for. */
export function findElsewhere<H>(o: FindElsewhereOptions<H>): void {
  let start: { x: number; y: number } | undefined;
  let rect: SVGRectElement | undefined;
  const point = (e: PointerEvent) => {
    const r = o.svg.getBoundingClientRect();
    const k = (o.img.naturalWidth || 1) / (r.width || 1);
    return { x: Math.max(0, Math.min(o.img.naturalWidth, (e.clientX - r.left) * k)), y: Math.max(0, Math.min(o.img.naturalHeight, (e.clientY - r.top) * k)) };
  };
  const stop = () => {
    o.svg.classList.remove('drawing');
    o.button.setAttribute('aria-pressed', 'false');
    o.svg.onpointerdown = o.svg.onpointermove = o.svg.onpointerup = null;
  };
  o.button.onclick = () => {
    if (o.svg.classList.contains('drawing')) return stop();
    o.svg.classList.add('drawing');
    o.button.setAttribute('aria-pressed', 'true');
    say(o.status, 'Drag a box over the image around what to look for.');
    o.svg.onpointerdown = (e) => {
      start = point(e);
      o.svg.querySelector('.box-query')?.remove();
      rect = document.createElementNS(NS, 'rect');
      rect.setAttribute('class', 'box box-query');
      o.svg.append(rect);
      o.svg.setPointerCapture(e.pointerId);
    };
    o.svg.onpointermove = (e) => {
      if (!start || !rect) return;
      const p = point(e);
      for (const [k, v] of Object.entries({ x: Math.min(p.x, start.x), y: Math.min(p.y, start.y), width: Math.abs(p.x - start.x), height: Math.abs(p.y - start.y) })) rect.setAttribute(k, String(v));
    };
    o.svg.onpointerup = (e) => {
      if (!start) return;
      const p = point(e);
      const box = { x: Math.min(p.x, start.x), y: Math.min(p.y, start.y), w: Math.abs(p.x - start.x), h: Math.abs(p.y - start.y) };
      start = undefined;
      stop();
      if (box.w < MIN_SIDE || box.h < MIN_SIDE) return say(o.status, 'That box is too small: drag a larger one.', 'error');
      void search(o, box);
    };
  };
}

async function search<H>(o: FindElsewhereOptions<H>, box: { x: number; y: number; w: number; h: number }): Promise<void> {
  say(o.status, 'Looking for this elsewhere…');
  try {
    const canvas = h('canvas', { width: Math.round(box.w), height: Math.round(box.h) });
    canvas.getContext('2d')!.drawImage(o.img, box.x, box.y, box.w, box.h, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the box could not be cut'))), 'image/png'));
    const k = o.scale();
    const at = [box.x, box.y, box.w, box.h].map((v) => Math.round(v / k)).join(',');
    const found = await api<FoundElsewhere<H>>(`/api/similar?limit=20&from=${o.sha256}&box=${at}`, { method: 'POST', body: blob, headers: { 'content-type': 'image/png' } });
    const skipped = found.skipped.length ? `; ${found.skipped.length} could not be checked (${found.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ')})` : '';
    say(o.status, `${found.hits.length} image${found.hits.length === 1 ? ' shows' : 's show'} this (${found.searched.shortlisted} of ${found.searched.indexed} indexed images checked)${skipped}`);
    o.onResults(found);
  } catch (err) {
    say(o.status, (err as Error).message, 'error');
  }
}
