import { loadConfig } from '../core/config';
import { COCO_LABELS } from '../models/coco-labels';
import { MongoClueStore, type ClueDoc, type ImageDoc, type SearchQuery } from '../store/clue-store';

// `npm run bench:search`: a synthetic store of BENCH_IMAGES images (default 100,000) with ten
// clues each (six text lines, three objects, one scene: 1,000,000 clues), then the p50/p95
// latency of label, exact-text, fuzzy-text and combined searches at 1 and 8 concurrent clients.
// Runs against whatever MONGODB_URI / the embedded FerretDB the config points at, in its own
// database; the store is built once and reused by later runs.

const IMAGES = Number(process.env.BENCH_IMAGES ?? 100_000);
const DB = process.env.BENCH_DB ?? `bench_search_v7_${IMAGES}`;
const BATCH = 2000;
const SECONDS_PER_CASE = Number(process.env.BENCH_SECONDS ?? 20);
/** Concurrent clients to measure, e.g. BENCH_CLIENTS=1 where 8 would take hours. */
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8').split(',').map(Number);

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'ro', 'mi', 'ten', 'vel', 'sor', 'an', 'dun', 'bel', 'hoe', 'wiv', 'gra', 'lin', 'port', 'ster', 'ham', 'by', 'ford', 'ley', 'mar'];
/** A 20,000-word vocabulary; word i is drawn with Zipf-like frequency ~ 1/(i+1). */
const VOCAB = Array.from({ length: 20_000 }, (_, i) => {
  let w = '';
  for (let n = i + 7; w.length < 5 || n > 0; n = Math.floor(n / SYLLABLES.length)) w += SYLLABLES[n % SYLLABLES.length];
  return w;
});
const SCENES = ['bedroom', 'bathroom', 'kitchen', 'street', 'living room', 'office', 'indoor', 'outdoor'];

function zipf(r: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(r() * Math.log(n + 1)) - 1));
}

async function build(store: MongoClueStore): Promise<void> {
  const have = await store.images.countDocuments({});
  if (have >= IMAGES) {
    console.log(`reusing ${have} images and ${await store.clues.countDocuments({})} clues in ${DB}`);
    return;
  }
  await store.images.deleteMany({});
  await store.clues.deleteMany({});
  const r = rng(42);
  const started = Date.now();
  for (let i = 0; i < IMAGES; i += BATCH) {
    const images: ImageDoc[] = [];
    const clues: ClueDoc[] = [];
    const now = new Date();
    for (let j = i; j < Math.min(IMAGES, i + BATCH); j++) {
      const sha256 = j.toString(16).padStart(64, '0');
      const clueIds = { text: [0, 1, 2, 3, 4, 5].map((k) => `${sha256}:text:${k}`), objects: [0, 1, 2].map((k) => `${sha256}:objects:${k}`), scene: [`${sha256}:scene:0`] };
      images.push({ _id: sha256, sha256, paths: [`/seizure/${Math.floor(j / 1000)}/${j}.jpg`], cases: [`case-${j % 50}`], clueIds, status: 'processed', createdAt: now, updatedAt: now });
      for (let k = 0; k < 6; k++) {
        const words = Array.from({ length: 1 + Math.floor(r() * 3) }, () => VOCAB[zipf(r, VOCAB.length)]!);
        clues.push({ _id: `${sha256}:text:${k}`, sha256, stage: 'text', type: 'text', value: words.join(' ').toUpperCase(), tokens: [...new Set(words)], score: 0.5 + r() / 2, createdAt: now });
      }
      for (let k = 0; k < 3; k++) {
        const label = COCO_LABELS[zipf(r, COCO_LABELS.length)]!;
        clues.push({ _id: `${sha256}:objects:${k}`, sha256, stage: 'objects', type: 'object', value: label, tokens: label.split(' '), score: 0.3 + r() * 0.7, createdAt: now });
      }
      const scene = SCENES[Math.floor(r() * SCENES.length)]!;
      clues.push({ _id: `${sha256}:scene:0`, sha256, stage: 'scene', type: 'scene', value: scene, tokens: scene.split(' '), score: r(), createdAt: now });
    }
    await store.bulkInsert(images, clues);
    if ((i / BATCH) % 10 === 0) process.stdout.write(`\r  built ${i + images.length} images (${Math.round((i + images.length) / ((Date.now() - started) / 1000))}/s)`);
  }
  console.log(`\nbuilt ${IMAGES} images and ${IMAGES * 10} clues in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function measure(store: MongoClueStore, name: string, queries: SearchQuery[], clients: number): Promise<void> {
  const times: number[] = [];
  const deadline = Date.now() + SECONDS_PER_CASE * 1000;
  let next = 0;
  let results = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < deadline && times.length < 400) {
        const q = queries[next++ % queries.length]!;
        const t = performance.now();
        // Not `results += await …`: that reads `results` before the await, and clients overwrite each other.
        const { total } = await store.searchPage({ ...q, limit: 20 });
        results += total;
        times.push(performance.now() - t);
      }
    }),
  );
  const s = times.sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(0);
  console.log(`${name.padEnd(34)} ${String(clients).padStart(7)} ${String(s.length).padStart(7)} ${at(0.5).padStart(8)} ${at(0.95).padStart(8)}   ${(results / s.length).toFixed(0)} hits/query`);
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  const store = await MongoClueStore.connect(cfg.mongo.uri, DB);
  try {
    await build(store);
    // A reading process (the API) loads the index from the search log once, then follows it.
    const t0 = performance.now();
    const index = await store.searchIndex();
    const rssMiB = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);
    console.log(`index loaded from the search log in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${index.size.images} images, ${index.size.tokens} distinct tokens; RSS now ${rssMiB()} MiB`);
    const word = (i: number) => VOCAB[i]!;
    const misread = (w: string) => w.slice(0, 2) + (w[2] === 'a' ? 'o' : 'a') + w.slice(3);
    const mid = [200, 350, 500, 800, 1200, 2000];
    const cases: [string, SearchQuery[]][] = [
      ['label (object)', ['bottle', 'chair', 'cup', 'bed', 'car', 'dog'].map((object) => ({ object }))],
      ['exact text', mid.map((i) => ({ text: word(i) }))],
      ['fuzzy text (one letter misread)', mid.map((i) => ({ text: misread(word(i)), textMode: 'fuzzy' as const }))],
      ['combined (text + object + case)', mid.map((i, k) => ({ text: word(i), object: ['person', 'chair', 'car'][k % 3]!, caseId: `case-${k}` }))],
    ];
    console.log(`\n${'search'.padEnd(34)} clients queries  p50 ms   p95 ms   (server: ${cfg.mongo.embedded ? 'embedded FerretDB 1.24, SQLite' : cfg.mongo.uri.replace(/\/\/[^@]*@/, '//')})`);
    for (const clients of CLIENTS) for (const [name, queries] of cases) await measure(store, name, queries, clients);
    console.log(`\npeak RSS of this client ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  } finally {
    await store.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
