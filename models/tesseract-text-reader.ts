import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Tesseract from 'tesseract.js';
import type { ModelRef } from '../core/clues';
import type { OcrLine, OcrWord, TextReader } from './text-reader';
import type { InputLimits, RgbImage } from './tiles';

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

/** Binary PPM: leptonica reads it without decompressing anything, so no PNG round trip. */
function ppm(img: RgbImage): Buffer {
  return Buffer.concat([Buffer.from(`P6\n${img.width} ${img.height}\n255\n`, 'ascii'), img.data]);
}

/**
 * Leptonica refuses sides of 32,768 px and more (and tesseract.js used to take the whole process
 * down with it); far smaller tiles keep memory per call bounded as well.
 */
const LIMITS: InputLimits = { maxSide: 8192, maxAspect: 64, minSide: 8, maxTiles: 64 };

interface Slot {
  worker: Tesseract.Worker | null;
  busy: boolean;
}

/**
 * tesseract.js (LSTM) in a small pool of worker threads; suits documents and screenshots. A job
 * that fails rejects with the engine's message, and its worker thread is replaced: a thread that
 * failed once is not trusted with the next image.
 */
export class TesseractTextReader implements TextReader {
  readonly model: ModelRef;
  readonly limits = LIMITS;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  private constructor(
    private readonly slots: Slot[],
    private readonly langs: string[],
    private readonly langPath: string,
  ) {
    const version = (require('tesseract.js/package.json') as { version: string }).version;
    this.model = { name: `tesseract.js-lstm-${langs.join('+')}`, version };
  }

  static async create(langs: string, workers = 1): Promise<TesseractTextReader> {
    const langList = langs.split('+');
    const paths = new Set(langList.map(localLangPath));
    if (paths.size !== 1) throw new Error('all OCR languages must come from one traineddata folder layout');
    const reader = new TesseractTextReader(Array.from({ length: workers }, () => ({ worker: null, busy: false })), langList, [...paths][0]!);
    // One thread at once proves the language data loads; the others start when work needs them
    // (documents are few among photos, and each thread holds its own copy of the model).
    reader.slots[0]!.worker = await reader.spawn();
    return reader;
  }

  private spawn(): Promise<Tesseract.Worker> {
    return Tesseract.createWorker(this.langs, Tesseract.OEM.LSTM_ONLY, {
      langPath: this.langPath,
      gzip: true,
      cacheMethod: 'none', // no traineddata copies written into the working directory
      // Without a handler, tesseract.js rethrows a failed job's error from its message listener,
      // where nothing can catch it, and the process exits. The job's promise rejects either way.
      errorHandler: () => undefined,
    });
  }

  private async acquire(): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new Error('tesseract: the reader was closed');
      const free = this.slots.find((s) => !s.busy && s.worker) ?? this.slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        if (!free.worker) {
          try {
            free.worker = await this.spawn();
          } catch (err) {
            this.release(free);
            throw new Error(`tesseract: no worker thread could be started: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
          }
        }
        return free;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(slot: Slot): void {
    slot.busy = false;
    this.waiting.shift()?.();
  }

  async read(image: RgbImage): Promise<OcrLine[]> {
    if (Math.max(image.width, image.height) > LIMITS.maxSide) throw new Error(`tesseract input ${image.width}x${image.height} exceeds ${LIMITS.maxSide} px: tile it`);
    const slot = await this.acquire();
    try {
      const { data } = await slot.worker!.recognize(ppm(image), {}, { blocks: true, text: false });
      return toLines(data.blocks ?? []);
    } catch (err) {
      await this.replace(slot);
      throw new Error(`tesseract failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      this.release(slot);
    }
  }

  private async replace(slot: Slot): Promise<void> {
    const old = slot.worker;
    slot.worker = null;
    await old?.terminate().catch(() => undefined);
    if (!this.closed) slot.worker = await this.spawn().catch(() => null);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker?.terminate()));
  }
}

function toLines(blocks: Tesseract.Block[]): OcrLine[] {
  const lines: OcrLine[] = [];
  for (const block of blocks) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        const words: OcrWord[] = line.words
          .filter((w) => w.text.trim() !== '')
          .map((w) => ({ text: w.text.trim(), confidence: w.confidence / 100, box: box(w.bbox) }));
        if (words.length === 0) continue;
        lines.push({ text: words.map((w) => w.text).join(' '), confidence: line.confidence / 100, box: box(line.bbox), words });
      }
    }
  }
  return lines;
}
