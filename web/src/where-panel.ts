// The "Where and when" panel: ranked countries with bars and the evidence under each, a world map
// drawn offline (Natural Earth 1:110m from world-atlas, projected by d3-geo; no tiles, no CDN)
// shading the candidates and pinning GPS fixes and places, and the time window on a timeline.
// Self-contained: the image page and a series page mount it with a WhereResult; choosing a piece
// of evidence calls `onEvidence`, so the page can show the word or box it came from.

import { geoBounds, geoEqualEarth, geoGraticule10, geoPath, type GeoPermissibleObjects } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json';
import numericTable from '../../where/data/iso-numeric.json';
import type { CountryScore, Evidence, Pin, RegionScore, TimeEstimate, TimeEvidence, WhereResult } from '../../where/types';
import { h } from './common';

export interface WherePanelOptions {
  /** A piece of evidence was chosen: highlight its clue (`clueId`) or `box` in the image. */
  onEvidence?: (e: Evidence) => void;
  /** How many countries to list (default 5). */
  countries?: number;
  /** Heading; "Where and when" by default. */
  title?: string;
}

const SVG = 'http://www.w3.org/2000/svg';
const MAP_W = 640;
const MAP_H = 320;

const SOURCE_LABELS: Record<Evidence['source'], string> = {
  gps: 'GPS', 'camera-offset': 'camera UTC offset', 'camera-time': 'camera clock', 'gps-time': 'GPS time', 'modified-time': 'digitised/modified time',
  language: 'language', script: 'script', phone: 'phone number', currency: 'price', 'web-address': 'web address', postcode: 'postcode', plate: 'licence plate',
  brand: 'brand', 'text-date': 'printed date', 'known-place': 'known place', 'crowd-location': 'crowd',
};

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

const NUMERIC = (numericTable as { numeric: Record<string, string> }).numeric;
let countryShapes: Feature<Geometry, { name: string }>[] | undefined;
/** Natural Earth countries keyed by ISO 3166-1 alpha-2 (the atlas uses numeric ids). */
function shapes(): Feature<Geometry, { name: string }>[] {
  const topo = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  countryShapes ??= (feature(topo, topo.objects.countries) as FeatureCollection<Geometry, { name: string }>).features;
  return countryShapes;
}
const alpha2 = (f: Feature) => (f.id !== undefined ? NUMERIC[String(f.id).padStart(3, '0')] : undefined);

function evidenceItem(e: Evidence, opts: WherePanelOptions): HTMLLIElement {
  const label = `${SOURCE_LABELS[e.source]}${e.inherited ? ' (inherited)' : ''}`;
  const weight = e.kind === 'country' ? `+${e.weight.toFixed(1)}` : e.weight.toFixed(1);
  const pointsAt = e.clueId !== undefined || e.box !== undefined;
  const body: (Node | string)[] = [h('span', { class: 'where-source' }, label), ' ', h('span', { class: 'where-why' }, e.why), ' ', h('span', { class: 'where-weight', title: 'log-odds added (before caps)' }, weight)];
  return h('li', { class: e.inherited ? 'where-evidence inherited' : 'where-evidence' },
    pointsAt && opts.onEvidence
      ? h('button', { type: 'button', class: 'link where-show', title: 'Show in the image', onclick: () => opts.onEvidence!(e) }, ...body)
      : h('span', {}, ...body));
}

function countryRow(c: CountryScore, best: number, opts: WherePanelOptions): HTMLLIElement {
  const bar = h('span', { class: 'where-bar-fill' });
  // CSSOM, not a style attribute: the Content-Security-Policy allows no inline styles.
  bar.style.width = `${Math.max(2, Math.round((100 * c.score) / best))}%`;
  const against = c.against.length
    ? h('details', { class: 'where-against' }, h('summary', {}, `against (${c.against.length})`), h('ul', {}, ...c.against.map((e) => evidenceItem(e, opts))))
    : null;
  return h('li', { class: 'where-country', 'data-country': c.country },
    h('div', { class: 'where-country-head' },
      h('span', { class: 'where-name' }, `${c.name} (${c.country})`),
      h('span', { class: 'where-bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 1, 'aria-valuenow': c.probability, 'aria-label': `${c.name}: ${Math.round(c.probability * 100)}%` }, bar),
      h('span', { class: 'where-score', title: `score ${c.score} (summed log-odds); probability against a uniform prior` }, `${Math.round(c.probability * 100)}%`)),
    h('ul', { class: 'where-for' }, ...c.for.map((e) => evidenceItem(e, opts))),
    against);
}

function regionRow(r: RegionScore, opts: WherePanelOptions): HTMLLIElement {
  return h('li', { class: 'where-region' }, h('span', { class: 'where-name' }, `${r.name}${r.country ? `, ${r.country}` : ''}`), h('ul', { class: 'where-for' }, ...r.for.slice(0, 2).map((e) => evidenceItem(e, opts))));
}

/** The world, candidates shaded by score, pins for GPS fixes, places and towns. */
export function whereMap(countries: CountryScore[], pins: Pin[]): SVGSVGElement {
  const best = Math.max(...countries.map((c) => c.score), 1e-9);
  const score = new Map(countries.map((c) => [c.country, c.score]));
  const all = shapes();
  const candidates = all.filter((f) => score.has(alpha2(f) ?? ''));
  // Frame the candidates and pins when there are few and they are close; otherwise the world.
  const projection = geoEqualEarth();
  const focus: GeoPermissibleObjects[] = [...candidates.filter((f) => (score.get(alpha2(f)!) ?? 0) >= best * 0.5), ...pins.map((p) => ({ type: 'Point', coordinates: [p.longitude, p.latitude] }) as GeoPermissibleObjects)];
  const sphere = { type: 'Sphere' } as GeoPermissibleObjects;
  const collection = { type: 'GeometryCollection', geometries: focus } as unknown as GeoPermissibleObjects;
  const [[w, s], [e, n]] = focus.length ? geoBounds(collection) : [[-180, -90], [180, 90]];
  const spread = Math.max(e - w, n - s);
  if (focus.length && spread < 90 && e >= w) {
    const pad = Math.max(4, spread * 0.35);
    const box = { type: 'Polygon', coordinates: [[[w - pad, s - pad], [w - pad, n + pad], [e + pad, n + pad], [e + pad, s - pad], [w - pad, s - pad]]] } as GeoPermissibleObjects;
    projection.fitExtent([[8, 8], [MAP_W - 8, MAP_H - 8]], box);
  } else projection.fitExtent([[8, 8], [MAP_W - 8, MAP_H - 8]], sphere);
  const path = geoPath(projection);
  const map = svg('svg', { class: 'where-map', viewBox: `0 0 ${MAP_W} ${MAP_H}`, role: 'img', 'aria-label': 'Map of the candidate countries' });
  const clip = `where-clip-${Math.random().toString(36).slice(2)}`;
  map.append(svg('defs', {}, svg('clipPath', { id: clip }, svg('rect', { width: MAP_W, height: MAP_H }))));
  const g = svg('g', { 'clip-path': `url(#${clip})` });
  g.append(svg('path', { class: 'where-sphere', d: path(sphere) ?? '' }), svg('path', { class: 'where-graticule', d: path(geoGraticule10()) ?? '' }));
  for (const f of all) {
    const code = alpha2(f);
    const s = code ? score.get(code) : undefined;
    const shape = svg('path', { class: s !== undefined ? 'where-land candidate' : 'where-land', d: path(f) ?? '', 'data-country': code ?? '' });
    if (s !== undefined) shape.setAttribute('fill-opacity', String(Math.round((0.25 + (0.75 * Math.max(0, s)) / best) * 100) / 100));
    shape.append(svg('title', {}, `${f.properties.name}${s !== undefined ? `: score ${s}` : ''}`));
    g.append(shape);
  }
  for (const p of pins) {
    const xy = projection([p.longitude, p.latitude]);
    if (!xy) continue;
    g.append(svg('circle', { class: `where-pin ${p.kind}`, cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: p.kind === 'gps' ? 5 : 4 }, svg('title', {}, p.label)));
  }
  map.append(g);
  return map;
}

const day = (iso: string) => iso.slice(0, 10);
const dateTime = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** The fused window against every piece of time evidence, on one axis. */
export function whereTimeline(time: TimeEstimate, opts: WherePanelOptions): HTMLElement {
  const items: TimeEvidence[] = [...time.for, ...time.against];
  const t = (s: string) => Date.parse(s);
  let lo = Math.min(...items.map((e) => t(e.value.from)), t(time.window.from));
  let hi = Math.max(...items.map((e) => t(e.value.to)), t(time.window.to));
  const pad = Math.max((hi - lo) * 0.05, 3_600_000);
  lo -= pad;
  hi += pad;
  const W = 640;
  const rowH = 14;
  const H = 34 + rowH * items.length;
  const x = (ms: number) => 10 + ((W - 20) * (ms - lo)) / (hi - lo);
  const line = svg('svg', { class: 'where-timeline', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `Time window ${time.window.from} to ${time.window.to}` });
  line.append(svg('rect', { class: 'where-window', x: x(t(time.window.from)).toFixed(1), y: 4, width: Math.max(2, x(t(time.window.to)) - x(t(time.window.from))).toFixed(1), height: H - 22 }));
  for (const [i, e] of items.entries()) {
    const fits = time.for.includes(e);
    const y = 8 + i * rowH;
    line.append(svg('rect', { class: fits ? 'where-span' : 'where-span against', x: x(t(e.value.from)).toFixed(1), y, width: Math.max(2, x(t(e.value.to)) - x(t(e.value.from))).toFixed(1), height: 8 }, svg('title', {}, e.why)));
  }
  const wide = hi - lo > 3 * 86_400_000;
  line.append(
    svg('text', { class: 'where-axis', x: 10, y: H - 4 }, wide ? day(new Date(lo).toISOString()) : dateTime(new Date(lo).toISOString())),
    svg('text', { class: 'where-axis', x: W - 10, y: H - 4, 'text-anchor': 'end' }, wide ? day(new Date(hi).toISOString()) : dateTime(new Date(hi).toISOString())),
  );
  const days = (t(time.window.to) - t(time.window.from)) / 86_400_000;
  const width = days < 1 ? `${Math.round(days * 24 * 60)} minutes` : days < 60 ? `${Math.round(days)} days` : `${Math.round(days / 30.4)} months`;
  return h('div', { class: 'where-time' },
    h('p', { class: 'where-window-text' }, `Between ${dateTime(time.window.from)} and ${dateTime(time.window.to)} UTC (${width})`),
    line,
    h('ul', { class: 'where-for' }, ...time.for.map((e) => evidenceItem(e, opts))),
    time.against.length ? h('details', { class: 'where-against' }, h('summary', {}, `does not fit (${time.against.length})`), h('ul', {}, ...time.against.map((e) => evidenceItem(e, opts)))) : null);
}

/**
 * The panel for one image or one series.
 * @example page.append(wherePanel(await api(`/api/images/${sha}/where`), { onEvidence: (e) => highlight(e.clueId) }))
 */
export function wherePanel(result: WhereResult, opts: WherePanelOptions = {}): HTMLElement {
  const shown = result.countries.slice(0, opts.countries ?? 5);
  const best = Math.max(...shown.map((c) => c.score), 1e-9);
  const series = result.images.length > 1 ? ` (series of ${result.images.length} images)` : '';
  const where = result.noEvidence
    ? h('p', { class: 'where-none' }, 'No evidence of where this was taken.')
    : h('div', { class: 'where-where' },
        whereMap(shown, result.pins),
        h('ol', { class: 'where-countries' }, ...shown.map((c) => countryRow(c, best, opts))),
        result.regions.length ? h('div', {}, h('h4', {}, 'Towns and places'), h('ul', { class: 'where-regions' }, ...result.regions.slice(0, 5).map((r) => regionRow(r, opts)))) : null);
  const noted = result.evidence.filter((e): e is TimeEvidence => e.kind === 'time' && e.weight === 0);
  const when = result.time
    ? whereTimeline(result.time, opts)
    : h('p', { class: 'where-none' }, 'No evidence of when.');
  return h('section', { class: 'panel where-panel', 'aria-label': opts.title ?? 'Where and when' },
    h('h3', {}, `${opts.title ?? 'Where and when'}${series}`),
    where,
    h('h4', {}, 'When'),
    when,
    noted.length ? h('ul', { class: 'where-notes' }, ...noted.map((e) => evidenceItem(e, opts))) : null);
}
