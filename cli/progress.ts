import type { IngestProgress } from '../usecases/ingest';

/** A one-line progress bar on a terminal; silent otherwise (logs stay clean in CI). */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): { update: (p: IngestProgress) => void; end: () => void } {
  if (!stream.isTTY) return { update: () => undefined, end: () => undefined };
  const started = Date.now();
  let last = 0;
  const draw = (p: IngestProgress) => {
    const width = 30;
    const frac = p.total ? p.done / p.total : 1;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '-');
    const rate = p.done / Math.max((Date.now() - started) / 1000, 0.001);
    const eta = rate > 0 && p.done < p.total ? `${Math.ceil((p.total - p.done) / rate)}s` : '-';
    stream.write(`\r[${bar}] ${p.done}/${p.total} processed ${p.processed} duplicate ${p.duplicates} failed ${p.failed} (${rate.toFixed(1)}/s, eta ${eta}) `);
  };
  return {
    update: (p) => {
      if (Date.now() - last < 100 && p.done < p.total) return;
      last = Date.now();
      draw(p);
    },
    end: () => stream.write('\n'),
  };
}
