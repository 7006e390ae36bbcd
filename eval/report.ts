// How the eval prints: one figure a line, its name, value and target in columns; times per image
// of each engine operation as the evaluations called it.

export const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
export const round = (x: number) => Math.round(x * 1000) / 1000;
export const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
export const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? 0;
};

/** One figure: its name, its value and the target it is held to. */
export function report(metric: string, value: string, target = ''): void {
  console.log(`${metric.padEnd(56)} ${value.padStart(10)}  ${target}`);
}

/** Milliseconds per image of each engine operation, as the eval called it. */
export class Timings {
  readonly times: Record<string, number[]> = {};

  async timed<T>(stage: string, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const out = await run();
    (this.times[stage] ??= []).push(performance.now() - t0);
    return out;
  }

  /** Mean milliseconds per call of each operation, rounded. */
  means(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.times).map(([k, v]) => [k, Math.round(mean(v))]));
  }
}
