import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../api/app';
import { imageWorkflowId } from '../client/temporal-client';
import { fileSha256 } from '../models/file-hashes';
import { SAMPLES, tempDir } from './support/fixtures';
import { openTestContext, type TestContext } from './support/services';

// The web views in a real browser (Debian's chromium through playwright-core), against the real
// FerretDB, Temporal and worker. Screenshots go to screenshots/web/ (not in git).

const SHOTS = join(__dirname, '..', 'screenshots', 'web');
const WORD = 'LIMPOPO';

let ctx: TestContext;
let server: Server;
let base: string;
let browser: Browser;
let sha256 = '';
const tokens: Record<string, string> = {};

/** The coffee photo with a sign below it: the cup stays whole for the detector, the sign is read. */
async function photoWithSign(dir: string): Promise<string> {
  const src = sharp(join(SAMPLES, 'coffee.png'));
  const { width } = await src.metadata();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="110"><rect width="100%" height="100%" fill="white"/>
    <text x="30" y="80" font-family="DejaVu Sans" font-weight="bold" font-size="60" fill="black">${WORD} DINER</text></svg>`;
  const out = join(dir, 'diner-sign.png');
  await src.extend({ bottom: 110, background: 'white' }).composite([{ input: Buffer.from(svg), gravity: 'south' }]).png().toFile(out);
  return out;
}

async function signIn(page: Page, path: string, token: string): Promise<void> {
  await page.goto(base + path);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#app').waitFor({ state: 'visible' });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ctx = await openTestContext('web');
  const img = await photoWithSign(tempDir('web'));
  sha256 = await fileSha256(img);
  await ctx.withWorker((taskQueue) =>
    ctx.client.workflow.execute('processImage', { workflowId: imageWorkflowId(sha256), taskQueue, args: [{ path: img, sha256 }], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }),
  );
  for (const role of ['analyst', 'reviewer', 'tagger'] as const) tokens[role] = await ctx.store.tokens.create(`web-${role}`, role);
  server = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue: 'web-unused' }}).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
  await ctx?.close();
});

describe('the analyst page', () => {
  it('when an analyst searches for a word on a sign, then the image is found, its thumbnail blurred', async () => {
    const page = await browser.newPage();
    await signIn(page, '/', tokens.analyst!);
    await page.getByLabel('Text in the image').fill(WORD.toLowerCase());
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.locator('#search-status').textContent()).toMatch(/^1 image found/);
    await expect.poll(() => page.locator('#results li').count()).toBe(1);
    expect(await page.locator('#results li .title').textContent()).toBe('diner-sign.png');
    const thumb = page.locator('#results .thumb');
    await expect.poll(() => thumb.locator('img').evaluate((i: any) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
    expect(await thumb.getAttribute('class')).toContain('blurred');
    expect(await thumb.locator('img').evaluate((i) => (globalThis as any).getComputedStyle(i).filter)).toContain('blur');
    await shot(page, '1-analyst-search-blurred');
    await page.close();
  });

  it('when a thumbnail is clicked, then it unblurs; the per-user setting shows them unblurred after a reload', async () => {
    const page = await browser.newPage();
    await signIn(page, `/#search?text=${WORD.toLowerCase()}`, tokens.analyst!);
    const thumb = page.locator('#results .thumb');
    await thumb.waitFor();
    await thumb.click();
    expect(await thumb.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => thumb.locator('img').evaluate((i) => (globalThis as any).getComputedStyle(i).filter)).toBe('none');
    await shot(page, '2-analyst-thumbnail-unblurred');

    await page.getByLabel('Show thumbnails unblurred (my setting)').check();
    await expect.poll(async () => (await ctx.store.settings.of('web-analyst')).unblurThumbnails).toBe(true);
    await page.reload();
    await page.locator('#results .thumb').waitFor();
    expect(await page.locator('#results .thumb').getAttribute('class')).not.toContain('blurred');
    await page.getByLabel('Show thumbnails unblurred (my setting)').uncheck();
    await expect.poll(async () => (await ctx.store.settings.of('web-analyst')).unblurThumbnails).toBe(false);
    await page.close();
  });

  it('when an image is opened, then its boxes, clues, EXIF and record are shown, and boxes toggle per clue type', async () => {
    const page = await browser.newPage();
    await signIn(page, `/#image/${sha256}`, tokens.analyst!);
    await expect.poll(() => page.locator('#overlay rect').count()).toBeGreaterThan(0);
    const all = await page.locator('#overlay rect').count();
    const text = await page.locator('#overlay rect.box-text').count();
    expect(text).toBeGreaterThan(0);
    await page.getByLabel('text', { exact: true }).uncheck();
    expect(await page.locator('#overlay rect').count()).toBe(all - text);
    expect(await page.locator('#clue-table').textContent()).toContain('cup');
    expect(await page.locator('#record').textContent()).toContain(sha256);
    // Analysts see no publish button: publishing is a reviewer's decision.
    expect(await page.getByRole('button', { name: 'Publish crop for tagging' }).count()).toBe(0);
    await page.locator('#detail-image-button').click();
    await shot(page, '3-analyst-image-detail');
    await page.close();
  });

  it('when the runs view is opened, then it lists runs or says there are none', async () => {
    const page = await browser.newPage();
    await signIn(page, '/#runs', tokens.analyst!);
    await expect.poll(() => page.locator('#runs-status').textContent()).toMatch(/Updated|No runs yet/);
    await shot(page, '4-analyst-runs');
    await page.close();
  });
});

describe('Trace an Object: publish, tag, review', () => {
  let cropId = '';

  it('when a reviewer publishes the cup crop from the image page, then it gets a TAO id', async () => {
    const page = await browser.newPage();
    await signIn(page, `/#image/${sha256}`, tokens.reviewer!);
    const row = page.locator('#clue-table tr', { hasText: 'cup' }).first();
    await row.getByRole('button', { name: 'Publish crop for tagging' }).click();
    await expect.poll(() => row.locator('.status').textContent()).toMatch(/^Published as TAO-[0-9A-F]{10}$/);
    cropId = (await row.locator('.status').textContent())!.replace('Published as ', '');
    await expect.poll(() => page.locator('#tag-history').textContent()).toContain(cropId);
    await shot(page, '5-reviewer-published');
    await page.close();
  });

  it('when a tagger opens the public view, then it shows that crop and only it, and the tagger answers with the keyboard', async () => {
    const page = await browser.newPage();
    const seen: string[] = [];
    page.on('request', (r) => seen.push(r.url()));
    await signIn(page, '/tag', tokens.tagger!);
    await expect.poll(() => page.locator('#crops .crop-card').count()).toBe(1);
    expect(await page.locator('#crops .crop-card').textContent()).toContain(cropId);
    await expect.poll(() => page.locator('#crops img').evaluate((i: any) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
    // Nothing on the page or in its requests leads back to the evidence.
    expect(await page.content()).not.toContain(sha256);
    expect(seen.filter((u) => u.includes('/api/') && !u.includes('/api/public/') && !u.endsWith('/api/me'))).toEqual([]);

    await page.locator('#crops .crop-card').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('a-what');
    await page.keyboard.type('Enamel coffee cup');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Portugal');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#tag-status').textContent()).toContain('Thank you');
    await expect.poll(() => page.locator('#answers').textContent()).toContain('Enamel coffee cup — Portugal');
    await shot(page, '6-tagger-answered');
    await page.close();
  });

  it('when a tagger asks for a whole image or opens the analyst page, then both are refused', async () => {
    const page = await browser.newPage();
    await signIn(page, '/tag', tokens.tagger!);
    const statuses = await page.evaluate(async (sha) => {
      const auth = { authorization: `Bearer ${(globalThis as any).sessionStorage.getItem('clues-token')}` };
      return Promise.all([`/api/images/${sha}/file`, `/api/images/${sha}/thumbnail`, `/api/images/${sha}`].map(async (p) => (await fetch(p, { headers: auth })).status));
    }, sha256);
    expect(statuses).toEqual([403, 403, 403]);
    await page.goto(base + '/');
    await page.getByLabel('Access token').fill(tokens.tagger!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#login-message').textContent()).toBe('The tagger role cannot use this page.');
    expect(await page.locator('#app').isHidden()).toBe(true);
    await shot(page, '7-tagger-refused-analyst-page');
    await page.close();
  });

  it('when the reviewer accepts the answer, then the analyst finds the image by it', async () => {
    const page = await browser.newPage();
    await signIn(page, '/review', tokens.reviewer!);
    const item = page.locator('.review-item', { hasText: cropId });
    await item.getByRole('button', { name: `Accept “Enamel coffee cup” for ${cropId}` }).click();
    await expect.poll(() => page.locator('#review-status').textContent()).toContain('Accepted “Enamel coffee cup”');
    await shot(page, '8-reviewer-accepted');
    await page.close();

    const analyst = await browser.newPage();
    await signIn(analyst, '/#search?text=enamel', tokens.analyst!);
    await expect.poll(() => analyst.locator('#results li').count()).toBe(1);
    expect(await analyst.locator('#results .why').textContent()).toContain('tag: Enamel');
    await analyst.goto(`${base}/#search?location=portugal`); // same page: a hash change, still signed in
    await expect.poll(() => analyst.locator('#results li').count()).toBe(1);
    await analyst.goto(`${base}/#image/${sha256}`);
    await expect.poll(() => analyst.locator('#tag-history').textContent()).toContain('accepted by web-reviewer');
    await shot(analyst, '9-analyst-finds-accepted-tag');
    await analyst.close();
  });
});

describe('Trace an Object: a tip from the public to a located object', () => {
  const TIP = { what: 'Porcelain espresso cup', where: 'Porto', brand: 'Vista Alegre', note: 'Sold in every café <b>there</b>', contact: 'tipster@example.org' };
  let cropId = '';
  /** The focused element: its id and its data attributes. */
  const active = (page: Page) =>
    page.evaluate(() => {
      const e = (globalThis as any).document.activeElement;
      return e ? { id: String(e.id), dataset: { ...e.dataset } as Record<string, string> } : null;
    });

  it('when a tagger sends a tip with a note and contact details from the keyboard, then it is thanked, and the public sees neither note nor contact', async () => {
    const page = await browser.newPage();
    await signIn(page, '/tag', tokens.tagger!);
    await expect.poll(() => page.locator('#crops .crop-card').count()).toBe(1);
    cropId = (await page.locator('#crops .crop-card').getAttribute('data-crop'))!;
    await page.locator('#crops .crop-card').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await active(page))?.id).toBe('a-what');
    for (const [i, value] of [TIP.what, TIP.where, TIP.brand, TIP.note, TIP.contact].entries()) {
      if (i) await page.keyboard.press('Tab');
      await page.keyboard.type(value);
    }
    await page.keyboard.press('Enter'); // in the contact field: sends the form
    await expect.poll(() => page.locator('#tag-status').textContent()).toBe('Thank you: your tip was sent to the investigators.');
    await expect.poll(() => page.locator('#answers').textContent()).toContain('Porcelain espresso cup — Porto (Vista Alegre)');
    const html = await page.content();
    expect(html).not.toContain(TIP.contact);
    expect(html).not.toContain('Sold in every');
    await shot(page, '10-tagger-sent-tip');
    await page.close();
  });

  it('when the reviewer triages the tip from the keyboard and sets the outcome to located, then it is useful, and the object leaves the review list', async () => {
    const page = await browser.newPage();
    await signIn(page, '/review', tokens.reviewer!);
    // The queue takes the focus, newest new tip first.
    await expect.poll(async () => (await active(page))?.dataset?.entry ?? '').not.toBe('');
    const entry = page.locator('.triage-entry').first();
    expect(await entry.locator('.entry-answer').textContent()).toBe('Porcelain espresso cup — Porto (Vista Alegre)');
    expect(await entry.locator('.contact').textContent()).toContain(TIP.contact);
    // What people typed is text: the note's markup is shown, never made into elements.
    expect(await entry.locator('.note').textContent()).toContain('<b>there</b>');
    expect(await entry.locator('b').count()).toBe(0);
    await shot(page, '11-reviewer-triage-queue');
    await page.keyboard.press('u');
    await expect.poll(() => page.locator('#review-status').textContent()).toBe(`“Porcelain espresso cup — Porto (Vista Alegre)” on ${cropId}: useful; it is now 3 clues on the source image.`);
    expect((await page.locator('.triage-entry', { hasText: 'Porcelain espresso cup' }).textContent())).toContain('marked useful by web-reviewer');
    // The focus stays in the queue, where the keys move it.
    await expect.poll(async () => (await active(page))?.dataset?.entry ?? '').not.toBe('');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    expect((await active(page))?.dataset?.crop).toBe(cropId);

    const item = page.locator('.review-item', { hasText: cropId });
    await item.getByLabel(`New state for ${cropId}`).focus();
    await page.keyboard.press('u'); // "Under review", by its first letter
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Checking the Porto tip');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#review-status').textContent()).toBe(`${cropId} is now under review.`);
    await item.getByLabel(`New state for ${cropId}`).focus();
    await page.keyboard.press('l'); // "Located"
    expect(await item.getByLabel(`New state for ${cropId}`).inputValue()).toBe('located');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Portugal');
    await page.keyboard.press('Tab');
    await page.keyboard.type('The Porto police know the café');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#review-status').textContent()).toBe(`${cropId} is now located (Portugal).`);
    await expect.poll(() => page.locator('.review-item', { hasText: cropId }).count()).toBe(0);
    await page.getByLabel('Show located and withdrawn objects').check();
    await expect.poll(() => page.locator('.review-item', { hasText: cropId }).locator('.state').textContent()).toBe('State: Located (Portugal)');
    // Closed: the contact details are gone, for reviewers too.
    expect(await page.content()).not.toContain(TIP.contact);
    await shot(page, '12-reviewer-located');
    await page.close();
  });

  it('when the object is located, then it disappears from the public grid, which counts it as solved with the public\'s help', async () => {
    const page = await browser.newPage();
    await signIn(page, '/tag', tokens.tagger!);
    await expect.poll(() => page.locator('#tag-status').textContent()).toBe('No objects are published at the moment.');
    expect(await page.locator('#crops .crop-card').count()).toBe(0);
    expect(await page.locator('#tag-summary').textContent()).toBe("1 object was solved with the public's help. Thank you.");
    expect(await page.content()).not.toContain(cropId);
    await shot(page, '13-tagger-object-gone');
    await page.close();
  });

  it('when the analyst opens the image, then the tip is a clue on it with its provenance, and search finds the image by it', async () => {
    const page = await browser.newPage();
    await signIn(page, `/#image/${sha256}`, tokens.analyst!);
    await expect.poll(() => page.locator('#clue-table').textContent()).toContain('Porcelain espresso cup');
    const table = (await page.locator('#clue-table').textContent())!;
    for (const value of ['Vista Alegre', 'Porto', 'Portugal', `${cropId} located in Portugal`]) expect(table).toContain(value);
    await expect.poll(() => page.locator('#tag-history').textContent()).toContain('Tag “Porcelain espresso cup” — crowd (1 supporting), accepted by web-reviewer');
    expect(await page.content()).not.toContain(TIP.contact);
    await shot(page, '14-analyst-sees-tip-clue');
    await page.goto(`${base}/#search?text=espresso`);
    await expect.poll(() => page.locator('#results li').count()).toBe(1);
    await page.goto(`${base}/#search?location=portugal`);
    await expect.poll(() => page.locator('#results li').count()).toBe(1);
    await page.close();
  });
});

describe('find this elsewhere', () => {
  it('when an analyst draws a box over an image, then images showing it are listed with the matched region boxed, and the search is audited', async () => {
    await ctx.withWorker(async (taskQueue) => {
      const app = createApp(ctx.store, { temporal: { client: ctx.client, taskQueue } }).listen(0, '127.0.0.1');
      await new Promise((r) => app.once('listening', r));
      const page = await browser.newPage();
      try {
        const at = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
        await page.goto(`${at}/#image/${sha256}`);
        await page.getByLabel('Access token').fill(tokens.analyst!);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect.poll(() => page.locator('#overlay rect').count()).toBeGreaterThan(0);
        await page.locator('#detail-image-button').click(); // unblurred to see what to box
        await page.getByRole('button', { name: 'Find this elsewhere' }).click();
        await page.locator('#overlay').scrollIntoViewIfNeeded();
        const r = (await page.locator('#overlay').boundingBox())!;
        // Around the cup, in the upper middle of the photo.
        await page.mouse.move(r.x + r.width * 0.25, r.y + r.height * 0.1);
        await page.mouse.down();
        await page.mouse.move(r.x + r.width * 0.7, r.y + r.height * 0.6, { steps: 5 });
        await page.mouse.up();
        await expect.poll(() => page.locator('#find-status').textContent(), { timeout: 60_000 }).not.toMatch(/^(Drag a box|Looking for this)/);
        expect(await page.locator('#find-status').textContent()).toMatch(/images? shows? this/);
        const mark = (await page.locator('#find-results .hitbox').first().boundingBox())!;
        expect(mark.width).toBeGreaterThan(10); // drawn where the match is, not an empty span
        await shot(page, '6-find-this-elsewhere');
        const audit = await ctx.store.audit.recent(20);
        expect(audit.find((a) => a.action === 'search-by-example')).toMatchObject({ detail: { from: sha256, box: expect.stringMatching(/^\d+,\d+,\d+,\d+$/) } });
      } finally {
        await page.close();
        app.close();
      }
    });
  });
});
