import { uniqueTokens } from '../core/tokens';

/** Words of an OCR eval item found: hits, words to find, and words read that count against precision (not the optional ones). */
export function wordScore(item: { words: string[]; optional?: string[] }, got: Set<string>): { hit: number; truth: number; predicted: number } {
  const truth = new Set(item.words.flatMap((w) => uniqueTokens(w, 2)));
  const optional = new Set((item.optional ?? []).flatMap((w) => uniqueTokens(w, 2)));
  return { hit: [...truth].filter((w) => got.has(w)).length, truth: truth.size, predicted: [...got].filter((w) => !optional.has(w) || truth.has(w)).length };
}

const hasAccent = (w: string) => w.normalize('NFD') !== w;

/** Accented truth words whose exact spelling (ignoring case) is in the text read. */
export function countAccents(acc: { kept: number; n: number }, words: string[], lines: string[]): void {
  const text = lines.join(' ').normalize('NFC').toLocaleLowerCase();
  for (const w of words.filter(hasAccent)) {
    acc.n++;
    if (text.includes(w.normalize('NFC').toLocaleLowerCase())) acc.kept++;
  }
}

/** The words of an item not read, and the words read that are not in it (for the eval's listing). */
export function wordMisses(item: { words: string[]; optional?: string[] }, got: Set<string>): { missed: string[]; wrong: string[] } {
  const truth = new Set(item.words.flatMap((w) => uniqueTokens(w, 2)));
  const optional = new Set((item.optional ?? []).flatMap((w) => uniqueTokens(w, 2)));
  return { missed: [...truth].filter((w) => !got.has(w)), wrong: [...got].filter((w) => !truth.has(w) && !optional.has(w)) };
}
