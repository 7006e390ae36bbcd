// One process of the save race (tests/clue-store.test.ts): for each round number read on stdin,
// saves its own clue sets and stage outcomes for the same images (the other process saves the
// same images at that moment), then answers "ok <round>". argv: uri, database, writer (a|b),
// images (comma-separated sha256). Saves go through the built store (dist/).
const { join } = require('node:path');
const { createInterface } = require('node:readline');
const { openStore } = require(join(__dirname, '..', '..', 'dist', 'store'));
const { setsOf } = require('./race-sets.cjs');

async function main() {
  const [uri, db, writer, shas] = process.argv.slice(2);
  const store = await openStore(uri, db);
  try {
    for await (const line of createInterface({ input: process.stdin })) {
      const round = Number(line);
      await Promise.all(shas.split(',').map((sha256) => store.images.save(setsOf(writer, sha256, round))));
      process.stdout.write(`ok ${round}\n`);
    }
  } finally {
    await store.close();
  }
}
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
