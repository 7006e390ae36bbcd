import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whereAndWhen, whereAndWhenSeries, type WhereClue } from '../where';

// The "Where and when" panel in Debian's chromium, under the same Content-Security-Policy as the
// web views (api/web.ts), with results computed by where/ from clues like the pipeline's.
// Screenshots go to screenshots/web/ (not in git).

const ROOT = join(__dirname, '..');
const SHOTS = join(ROOT, 'screenshots', 'web');
const CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const NOW = new Date(Date.UTC(2025, 0, 1));

let server: Server;
let browser: Browser;
let base = '';
const problems: string[] = [];

const text = (value: string, id: string): WhereClue => ({ type: 'text', value, tokens: [], id, box: { x: 10, y: 20, w: 200, h: 30 }, detail: { words: [{ text: value.split(' ')[0], box: { x: 10, y: 20, w: 60, h: 30 }, confidence: 0.9 }] } });

async function results() {
  const berlin = await whereAndWhen({
    clues: [text('Sklep polski', 'c1'), text('Polskie produkty', 'c2'), text('tel. +48 600 123 456', 'c3'), text('Paragon 02.05.2020', 'c4')],
    exif: { latitude: 52.52, longitude: 13.405, takenAt: '2020-05-05T11:00:00', takenOffset: '+02:00' },
    sha256: 'a'.repeat(64), now: NOW,
  });
  const series = await whereAndWhenSeries([
    { sha256: 'b'.repeat(64), clues: [text('Farmácia Central', 'd1'), text('Tel. +351 213 456 789', 'd2')], now: NOW },
    { sha256: 'c'.repeat(64), clues: [text('Pão quente todos os dias', 'e1'), text('Café 0,70 €', 'e2')], now: NOW },
  ]);
  const nothing = await whereAndWhen({ clues: [{ type: 'object', value: 'cup', tokens: ['cup'] }], now: NOW });
  return [{ title: 'Polish shop in Berlin', result: berlin }, { title: 'Lisbon series', result: series }, { title: 'Nothing', result: nothing }];
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const bundle = await build({ entryPoints: [join(ROOT, 'web', 'src', 'where-demo.ts')], bundle: true, write: false, format: 'esm', target: 'es2022', minify: true, logLevel: 'warning' });
  const files: Record<string, [string, string | Uint8Array]> = {
    '/': ['text/html', '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>where</title><link rel="stylesheet" href="/assets/style.css"><script type="module" src="/assets/where-demo.js"></script></head><body><main id="root"></main></body></html>'],
    '/assets/style.css': ['text/css', readFileSync(join(ROOT, 'web', 'style.css'), 'utf8')],
    '/assets/where-demo.js': ['text/javascript', bundle.outputFiles[0]!.contents],
    '/where-results.json': ['application/json', JSON.stringify(await results())],
  };
  server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    if (req.url === '/favicon.ico') return res.writeHead(204).end();
    if (!f) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f[0], 'content-security-policy': CSP }).end(f[1]);
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function open(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(base + '/');
  await page.locator('.where-panel').first().waitFor();
  return page;
}

describe('the where-and-when panel', () => {
  it('when a result has candidates, then they are listed best first with bars, shaded on the map, and the GPS fix is pinned', async () => {
    const page = await open();
    const panel = page.locator('[data-title="Polish shop in Berlin"]');
    const countries = panel.locator('.where-country');
    expect(await countries.first().getAttribute('data-country')).toBe('DE');
    expect(await countries.nth(1).getAttribute('data-country')).toBe('PL');
    const first = await countries.first().locator('.where-bar-fill').evaluate((el: any) => el.getBoundingClientRect().width);
    const second = await countries.nth(1).locator('.where-bar-fill').evaluate((el: any) => el.getBoundingClientRect().width);
    expect(first).toBeGreaterThan(second);
    expect(await panel.locator('.where-land.candidate[data-country="DE"]').count()).toBe(1);
    expect(await panel.locator('.where-land.candidate[data-country="PL"]').count()).toBe(1);
    expect(await panel.locator('.where-pin.gps').count()).toBe(1);
    expect(await panel.locator('.where-regions').textContent()).toContain('Berlin');
    expect(await countries.nth(1).locator('.where-against').textContent()).toMatch(/GPS/);
    await page.screenshot({ path: join(SHOTS, 'where-panel.png'), fullPage: true });
    expect(problems).toEqual([]);
  });

  it('when an analyst clicks a piece of evidence, then the page is told which clue and box it came from', async () => {
    const page = await open();
    const panel = page.locator('[data-title="Polish shop in Berlin"]');
    await panel.locator('.where-country[data-country="PL"] .where-for button', { hasText: '+48' }).click();
    const chosen = JSON.parse((await page.locator('#chosen').textContent()) ?? '{}');
    expect(chosen).toMatchObject({ clueId: 'c3', text: '+48 600 123 456' });
    expect(chosen.box).toMatchObject({ x: 10, y: 20 });
  });

  it('when there is time evidence, then the window is written out and drawn with the evidence that fits and that does not', async () => {
    const page = await open();
    const time = page.locator('[data-title="Polish shop in Berlin"] .where-time');
    expect(await time.locator('.where-window-text').textContent()).toMatch(/^Between 2020-05-05 08:30 and 2020-05-05 09:30 UTC \(60 minutes\)$/);
    expect(await time.locator('.where-span').count()).toBe(2);
  });

  it('when the result is a series, then the heading says so and the evidence of both images is listed', async () => {
    const page = await open();
    const panel = page.locator('[data-title="Lisbon series"]');
    expect(await panel.locator('h3').textContent()).toBe('Lisbon series (series of 2 images)');
    expect(await panel.locator('.where-country').first().getAttribute('data-country')).toBe('PT');
    const sources = await panel.locator('.where-country[data-country="PT"] .where-source').allTextContents();
    expect(sources).toEqual(expect.arrayContaining(['phone number', 'price', 'language']));
  });

  it('when nothing says where or when, then the panel says "no evidence" and draws no map', async () => {
    const page = await open();
    const panel = page.locator('[data-title="Nothing"]');
    expect(await panel.locator('.where-none').allTextContents()).toEqual(['No evidence of where this was taken.', 'No evidence of when.']);
    expect(await panel.locator('.where-map').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
