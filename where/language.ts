import tables from './data/languages.json';
import { countryEvidence, round } from './countries';
import type { TextLine } from './text-lines';
import type { CountryEvidence } from './types';
import { MIN_LANGUAGE_CONFIDENCE } from './weights';

// The language of the text read, and its script. The identifier is eld (Nito-ELD, "medium"
// n-gram set, Apache-2.0): the npm identifiers compared on short sign-like strings
// (bench/where-langid.ts, figures in docs/where.md) put eld large 3 points ahead as written and
// 1 without accents, at 380 MiB of resident memory in every worker against 44: the where
// evaluation scores the same with either. It is an ES module, so it is loaded once with import().

const LANGUAGES = tables.languages as Record<string, Record<string, number>>;
const SCRIPTS = tables.scripts as Record<string, Record<string, number>>;

/** Language -> score (higher is more likely), best first. */
export type Identify = (text: string) => { language: string; scores: Record<string, number>; reliable: boolean };

let loading: Promise<Identify> | undefined;

/** The identifier, loaded once per process. */
export function loadIdentifier(): Promise<Identify> {
  loading ??= import('eld/medium').then(({ eld }) => (text: string) => {
    const r = eld.detect(text);
    return { language: r.language, scores: r.getScores(), reliable: r.isReliable() };
  });
  return loading;
}

/** Script names of Unicode property escapes -> ISO 15924 codes of the table. */
const SCRIPT_CODES: [string, RegExp][] = [
  ['Cyrl', /\p{Script=Cyrillic}/gu], ['Grek', /\p{Script=Greek}/gu], ['Thai', /\p{Script=Thai}/gu], ['Hang', /\p{Script=Hangul}/gu],
  ['Kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/gu], ['Hani', /\p{Script=Han}/gu], ['Arab', /\p{Script=Arabic}/gu],
  ['Hebr', /\p{Script=Hebrew}/gu], ['Geor', /\p{Script=Georgian}/gu], ['Armn', /\p{Script=Armenian}/gu], ['Deva', /\p{Script=Devanagari}/gu],
  ['Beng', /\p{Script=Bengali}/gu], ['Taml', /\p{Script=Tamil}/gu], ['Ethi', /\p{Script=Ethiopic}/gu], ['Khmr', /\p{Script=Khmer}/gu],
  ['Laoo', /\p{Script=Lao}/gu], ['Mymr', /\p{Script=Myanmar}/gu], ['Sinh', /\p{Script=Sinhala}/gu], ['Gujr', /\p{Script=Gujarati}/gu],
  ['Guru', /\p{Script=Gurmukhi}/gu], ['Telu', /\p{Script=Telugu}/gu], ['Knda', /\p{Script=Kannada}/gu], ['Mlym', /\p{Script=Malayalam}/gu],
];
const SCRIPT_NAMES: Record<string, string> = {
  Cyrl: 'Cyrillic', Grek: 'Greek', Thai: 'Thai', Hang: 'Hangul', Kana: 'Japanese kana', Hani: 'Han (Chinese characters)', Arab: 'Arabic',
  Hebr: 'Hebrew', Geor: 'Georgian', Armn: 'Armenian', Deva: 'Devanagari', Beng: 'Bengali', Taml: 'Tamil', Ethi: 'Ethiopic', Khmr: 'Khmer',
  Laoo: 'Lao', Mymr: 'Myanmar', Sinh: 'Sinhala', Gujr: 'Gujarati', Guru: 'Gurmukhi', Telu: 'Telugu', Knda: 'Kannada', Mlym: 'Malayalam',
};

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });
const languageName = (code: string) => languageNames.of(code) ?? code;

/** The letters a language can be told from: no addresses, numbers, prices or codes. */
export function wordsForLanguage(text: string): string {
  return text
    .replace(/\S+@\S+/g, ' ')
    .replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ')
    .replace(/\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,3}\b/gi, ' ')
    .replace(/[^\p{L}\s'’-]+/gu, ' ')
    // A lone letter, told by letters around it: \b is ASCII-only even with /u, and would take ż out of spożywczy.
    .replace(/(?<!\p{L})\p{L}(?!\p{L})/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The non-Latin script most of the letters are in, with its letter count. */
export function dominantScript(text: string): { script: string; letters: number } | undefined {
  let best: { script: string; letters: number } | undefined;
  for (const [script, re] of SCRIPT_CODES) {
    const n = text.match(re)?.length ?? 0;
    if (n > 0 && (!best || n > best.letters)) best = { script, letters: n };
  }
  // Kana among Han characters make it Japanese.
  if (best?.script === 'Hani' && (text.match(SCRIPT_CODES.find(([s]) => s === 'Kana')![1])?.length ?? 0) > 0) best = { script: 'Kana', letters: best.letters };
  return best;
}

/** Sharpness of the identifier's scores -> probabilities over its top languages. */
const SHARPNESS = 25;

/** Language probabilities for a text: the identifier's top five, softened. */
export function languageProbabilities(identify: Identify, text: string): Record<string, number> {
  const r = identify(text);
  const top = Object.entries(r.scores).sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (!top.length) return {};
  const max = top[0]![1];
  const exps = top.map(([l, s]) => [l, Math.exp(SHARPNESS * (s - max))] as const);
  const total = exps.reduce((a, [, e]) => a + e, 0);
  return Object.fromEntries(exps.map(([l, e]) => [l === 'nb' || l === 'nn' ? 'no' : l, e / total]));
}

/** Short texts are told apart less surely: full trust from 15 letters on. */
const lengthReliability = (letters: number) => Math.min(1, letters / 15);

function countriesOf(probs: Record<string, number>): Record<string, number> {
  const shares: Record<string, number> = {};
  for (const [lang, p] of Object.entries(probs)) for (const [c, s] of Object.entries(LANGUAGES[lang] ?? {})) shares[c] = (shares[c] ?? 0) + p * s;
  return shares;
}

function overlap(a: Record<string, number>, b: Record<string, number>): number {
  return Object.entries(a).reduce((sum, [c, s]) => sum + Math.min(s, b[c] ?? 0), 0);
}

/**
 * Language evidence for the whole text and for each line long enough to tell; a script instead
 * where the text is in a non-Latin script the identifier does not place (Han-only Japanese, a
 * script it has no model for, OCR noise).
 */
export function languageEvidence(lines: TextLine[], identify: Identify): CountryEvidence[] {
  const out: CountryEvidence[] = [];
  const units = [
    ...(lines.length > 1 ? [{ text: lines.map((l) => l.text).join('. '), line: undefined as TextLine | undefined, label: 'all the text read' }] : []),
    ...lines.map((l) => ({ text: l.text, line: l as TextLine | undefined, label: `"${l.text}"` })),
  ];
  for (const [i, u] of units.entries()) {
    const words = wordsForLanguage(u.text);
    const letters = words.replace(/[\s'’-]/g, '').length;
    // One line of a multi-line image is evidence only when long enough to tell on its own.
    if (letters < 4 || (u.line && lines.length > 1 && letters < 12)) continue;
    const base = { observation: `language:${i}`, ...(u.line?.clueId ? { clueId: u.line.clueId } : {}), ...(u.line?.box ? { box: u.line.box } : {}), text: words };
    const script = dominantScript(words);
    const probs = languageProbabilities(identify, words);
    const shares = countriesOf(probs);
    const scriptShares = script ? SCRIPTS[script.script] : undefined;
    if (script && scriptShares && (script.script === 'Kana' || overlap(shares, scriptShares) < 0.3)) {
      out.push(...countryEvidence('script', scriptShares, { ...base, observation: `script:${i}`, why: `${SCRIPT_NAMES[script.script]} script in ${u.label}` }, lengthReliability(script.letters * 3)));
      continue;
    }
    const [lang, p] = Object.entries(probs).sort((a, b) => b[1] - a[1])[0] ?? [];
    if (!lang || p === undefined) continue;
    const reliability = p * lengthReliability(letters);
    if (reliability < MIN_LANGUAGE_CONFIDENCE) continue;
    const others = Object.entries(probs).filter(([l, q]) => l !== lang && q >= 0.1).map(([l, q]) => `${languageName(l)} ${round(q * 100, 0)}%`);
    const why = `${languageName(lang)} (${round(p * 100, 0)}%${others.length ? `; ${others.join(', ')}` : ''}) in ${u.label}`;
    out.push(...countryEvidence('language', shares, { ...base, why }, reliability));
  }
  return out;
}
