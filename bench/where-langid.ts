import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root';
import { PHRASES, stripAccents } from './where-phrases';

// `npm run bench:langid [-- --json]`: offline language identifiers from npm on short sign-like
// strings, as written and as an OCR engine without accents reads them. Picks the identifier that
// where/language.ts uses; the figures are kept in docs/where.md.

type Detect = (text: string) => string;

/** ISO 639-3 (franc) to the 639-1 codes of the phrase set; Norwegian written forms are one `no`. */
const ISO3: Record<string, string> = {
  pol: 'pl', deu: 'de', por: 'pt', ita: 'it', spa: 'es', fra: 'fr', nld: 'nl', dan: 'da', nob: 'no', nno: 'no', swe: 'sv',
  ces: 'cs', hun: 'hu', tur: 'tr', eng: 'en', ell: 'el', rus: 'ru', ukr: 'uk', tha: 'th', kor: 'ko', jpn: 'ja', cmn: 'zh',
};
const norm = (code: string) => (ISO3[code] ?? (code === 'nb' || code === 'nn' ? 'no' : code));

function dirSize(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirSize(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

interface Identifier {
  name: string;
  pkg: string;
  detect: Detect;
  loadMs: number;
  /** Resident memory it added once loaded and used (loaded one after another in this process). */
  residentMiB: number;
}

async function identifiers(): Promise<Identifier[]> {
  const out: Identifier[] = [];
  const timed = async (name: string, pkg: string, load: () => Promise<Detect>) => {
    const rss = process.memoryUsage().rss;
    const t = performance.now();
    const detect = await load();
    const loadMs = performance.now() - t;
    detect('Bakery open daily');
    out.push({ name, pkg, detect, loadMs, residentMiB: (process.memoryUsage().rss - rss) / 2 ** 20 });
  };
  await timed('franc (419 languages)', 'franc', async () => {
    const { franc } = await import('franc');
    return (s) => norm(franc(s, { minLength: 1 }));
  });
  await timed('franc-min (82 languages)', 'franc-min', async () => {
    const { franc } = await import('franc-min');
    return (s) => norm(franc(s, { minLength: 1 }));
  });
  await timed('eld large', 'eld', async () => {
    const { eld } = await import('eld/large');
    return (s) => norm(eld.detect(s).language);
  });
  await timed('eld medium', 'eld', async () => {
    const { eld } = await import('eld/medium');
    return (s) => norm(eld.detect(s).language);
  });
  await timed('eld small', 'eld', async () => {
    const { eld } = await import('eld/small');
    return (s) => norm(eld.detect(s).language);
  });
  await timed('tinyld (normal)', 'tinyld', async () => {
    const { detect } = await import('tinyld');
    return (s) => norm(detect(s));
  });
  await timed('tinyld heavy', 'tinyld', async () => {
    const { detect } = await import('tinyld/heavy');
    return (s) => norm(detect(s));
  });
  await timed('cld3-asm', 'cld3-asm', async () => {
    const { loadModule } = await import('cld3-asm');
    const cld = (await loadModule()).create(0, 1000);
    return (s) => norm(cld.findLanguage(s).language);
  });
  return out;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const cases = Object.entries(PHRASES).flatMap(([lang, list]) => list.map((text) => ({ lang, text })));
  const latin = cases.filter((c) => stripAccents(c.text) !== c.text);
  const rows = [];
  for (const id of await identifiers()) {
    const score = (set: { lang: string; text: string }[], f: (s: string) => string) => {
      let ok = 0;
      const perLang: Record<string, number> = {};
      for (const c of set) {
        if (id.detect(f(c.text)) === c.lang) {
          ok++;
          perLang[c.lang] = (perLang[c.lang] ?? 0) + 1;
        }
      }
      return { accuracy: ok / set.length, perLang };
    };
    const t = performance.now();
    for (let i = 0; i < 3; i++) for (const c of cases) id.detect(c.text);
    const usPerString = ((performance.now() - t) * 1000) / (3 * cases.length);
    const written = score(cases, (s) => s);
    const stripped = score(latin, stripAccents);
    const sizeMiB = dirSize(join(projectRoot(), 'node_modules', id.pkg)) / 2 ** 20;
    rows.push({ name: id.name, written: written.accuracy, stripped: stripped.accuracy, perLang: written.perLang, usPerString, loadMs: id.loadMs, sizeMiB, residentMiB: id.residentMiB });
  }
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`${cases.length} strings in ${Object.keys(PHRASES).length} languages; ${latin.length} of them with accents, read again without them`);
  console.log(`${'identifier'.padEnd(26)} ${'as written'.padStart(10)} ${'no accents'.padStart(10)} ${'µs/string'.padStart(10)} ${'load ms'.padStart(8)} ${'MiB'.padStart(6)} ${'RSS MiB'.padStart(8)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(26)} ${pct(r.written).padStart(10)} ${pct(r.stripped).padStart(10)} ${r.usPerString.toFixed(0).padStart(10)} ${r.loadMs.toFixed(0).padStart(8)} ${r.sizeMiB.toFixed(1).padStart(6)} ${r.residentMiB.toFixed(0).padStart(8)}`);
  }
  console.log('\nper language (correct of 12, as written):');
  console.log(`${''.padEnd(26)} ${Object.keys(PHRASES).map((l) => l.padStart(3)).join('')}`);
  for (const r of rows) console.log(`${r.name.padEnd(26)} ${Object.keys(PHRASES).map((l) => String(r.perLang[l] ?? 0).padStart(3)).join('')}`);
  if (json) console.log(JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, { written: r.written, stripped: r.stripped, usPerString: r.usPerString, residentMiB: Math.round(r.residentMiB) }]))));
}

void main();
