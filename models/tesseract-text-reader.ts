import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Tesseract from 'tesseract.js';
import type { ModelRef } from '../core/clues';
import type { OcrLine, OcrWord, TextReader } from './text-reader';

/** Local traineddata from `@tesseract.js-data/<lang>`: never the CDN tesseract.js defaults to. */
export function localLangPath(lang: string): string {
  const pkg = require.resolve(`@tesseract.js-data/${lang}/package.json`);
  const dir = join(dirname(pkg), '4.0.0_best_int');
  if (!existsSync(join(dir, `${lang}.traineddata.gz`))) throw new Error(`traineddata for ${lang} not found in ${dir}`);
  return dir;
}

function box(b: { x0: number; y0: number; x1: number; y1: number }) {
  return { x: b.x0, y: b.y0, w: b.x1 - b.x0, h: b.y1 - b.y0 };
}

/** tesseract.js (LSTM) over a small pool of workers; suits documents and screenshots. */
export class TesseractTextReader implements TextReader {
  readonly model: ModelRef;
  private constructor(
    private readonly scheduler: Tesseract.Scheduler,
    langs: string,
  ) {
    const version = (require('tesseract.js/package.json') as { version: string }).version;
    this.model = { name: `tesseract.js-lstm-${langs}`, version };
  }

  static async create(langs: string, workers = 1): Promise<TesseractTextReader> {
    const langList = langs.split('+');
    const paths = new Set(langList.map(localLangPath));
    if (paths.size !== 1) throw new Error('all OCR languages must come from one traineddata folder layout');
    const scheduler = Tesseract.createScheduler();
    for (let i = 0; i < workers; i++) {
      const worker = await Tesseract.createWorker(langList, Tesseract.OEM.LSTM_ONLY, {
        langPath: [...paths][0]!,
        gzip: true,
        cacheMethod: 'none', // no traineddata copies written into the working directory
      });
      scheduler.addWorker(worker);
    }
    return new TesseractTextReader(scheduler, langs);
  }

  async read(image: Buffer): Promise<OcrLine[]> {
    const { data } = await this.scheduler.addJob('recognize', image, {}, { blocks: true, text: false });
    const lines: OcrLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const line of para.lines) {
          const words: OcrWord[] = line.words
            .filter((w) => w.text.trim() !== '')
            .map((w) => ({ text: w.text.trim(), confidence: w.confidence / 100, box: box(w.bbox) }));
          if (words.length === 0) continue;
          lines.push({
            text: words.map((w) => w.text).join(' '),
            confidence: line.confidence / 100,
            box: box(line.bbox),
            words,
          });
        }
      }
    }
    return lines;
  }

  async close(): Promise<void> {
    await this.scheduler.terminate();
  }
}
