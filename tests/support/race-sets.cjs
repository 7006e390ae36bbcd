// What each writer of the save race saves: different text, objects and stage outcomes per
// writer; the round number changes one word, so that every save replaces the last one's clues.
const clue = (type, value, score, box) => ({ type, value, tokens: value.toLowerCase().split(/\s+/), score, ...(box ? { box } : {}) });

function setsOf(writer, sha256, round) {
  const a = writer === 'a';
  const text = a
    ? [clue('text', `ALPHA QUAY ${round}`, 0.9, { x: 1, y: 1, w: 40, h: 10 }), clue('text', 'ALPHA BAKERY', 0.8, { x: 1, y: 20, w: 40, h: 10 })]
    : [clue('text', `BRAVO ROAD ${round}`, 0.7, { x: 5, y: 5, w: 40, h: 10 })];
  const objects = a ? [] : [clue('object', 'bicycle', 0.6, { x: 2, y: 2, w: 9, h: 9 }), clue('object', 'cup', 0.5, { x: 20, y: 2, w: 9, h: 9 })];
  return {
    sha256,
    path: `/evidence/${writer}/${sha256.slice(0, 8)}.jpg`,
    info: { width: 100, height: 100, format: 'jpeg', bytes: 1000 },
    stages: [
      { stage: 'text', status: 'ok', model: { name: `ocr-${writer}`, version: '1' }, clues: text },
      // Writer a's detector failed this time; writer b's found two objects.
      a ? { stage: 'objects', status: 'failed', reason: 'engine restarted', clues: [] } : { stage: 'objects', status: 'ok', model: { name: 'det', version: '1' }, clues: objects },
    ],
  };
}

module.exports = { setsOf };
