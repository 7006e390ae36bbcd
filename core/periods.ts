// When an image was taken is searched by its months and years: an image's time window carries the
// months it spans and the years it touches; a searched period is the years it covers whole and
// the months of the years it covers in part. An image matches when the two share one.

const pad = (m: number) => String(m).padStart(2, '0');

/** The months (YYYY-MM) from `a` to `b`, both YYYY-MM. */
export function monthsBetween(a: string, b: string, max = 600): string[] {
  const out: string[] = [];
  let [y, m] = a.split('-').map(Number) as [number, number];
  const [ey, em] = b.split('-').map(Number) as [number, number];
  while ((y < ey || (y === ey && m <= em)) && out.length < max) {
    out.push(`${y}-${pad(m)}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** A searched period from month `a` to month `b` (YYYY-MM): whole years as YYYY, the rest as months. */
export function periodWords(a: string, b: string): string[] {
  const [ay, am] = a.split('-').map(Number) as [number, number];
  const [by, bm] = b.split('-').map(Number) as [number, number];
  if (ay === by) return am === 1 && bm === 12 ? [String(ay)] : monthsBetween(a, b);
  const out: string[] = [];
  out.push(...(am === 1 ? [String(ay)] : monthsBetween(a, `${ay}-12`)));
  for (let y = ay + 1; y < by && y <= ay + 200; y++) out.push(String(y));
  out.push(...(bm === 12 ? [String(by)] : monthsBetween(`${by}-01`, b)));
  return out;
}

/** Longest window that gets search words: wider than this says little about when (a suspect clock). */
const MAX_WINDOW_MONTHS = 120;

/** The words of an image's time window (ISO instants): its months and the years it touches. */
export function windowWords(from: string, to: string): string[] {
  const months = monthsBetween(from.slice(0, 7), to.slice(0, 7), MAX_WINDOW_MONTHS + 1);
  if (months.length > MAX_WINDOW_MONTHS) return [];
  return [...new Set([...months, ...months.map((m) => m.slice(0, 4))])];
}
