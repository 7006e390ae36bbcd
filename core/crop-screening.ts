import type { Box } from './clues';

// Europol's Trace an Object publishes objects, never people. A crop that might show a person, or
// that is most of the picture anyway, is refused before a reviewer can publish it.

/** Labels whose boxes a published crop must not touch. */
export const PROTECTED_LABELS = ['person', 'face'] as const;

/** A padded crop above this share of the image shows the scene, not an object. */
export const MAX_CROP_SHARE = 0.5;

export interface ScreeningInput {
  label: string;
  /** The padded box that would be published. */
  cropBox: Box;
  image: { width: number; height: number };
  /** Every detected object of the same image, people and faces among them. */
  others: { label: string; box: Box }[];
}

export type Screening = { ok: true } | { ok: false; reason: string };

const area = (b: Box) => Math.max(0, b.w) * Math.max(0, b.h);

export function intersection(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function screenCrop(input: ScreeningInput): Screening {
  const label = input.label.toLowerCase();
  if ((PROTECTED_LABELS as readonly string[]).includes(label)) return { ok: false, reason: `a ${label} is never published` };
  const share = area(input.cropBox) / Math.max(1, input.image.width * input.image.height);
  if (share > MAX_CROP_SHARE) return { ok: false, reason: `the crop covers ${Math.round(share * 100)}% of the image (limit ${MAX_CROP_SHARE * 100}%)` };
  // Any overlap at all: a hand or a sleeve at the edge of a crop is enough to refuse it.
  const touching = input.others.find((o) => (PROTECTED_LABELS as readonly string[]).includes(o.label.toLowerCase()) && intersection(input.cropBox, o.box) > 0);
  if (touching) return { ok: false, reason: `the crop overlaps a detected ${touching.label.toLowerCase()}` };
  return { ok: true };
}

// Text inside a crop: a published crop once showed part of a station's name. The reviewer is
// shown every line whose words the crop touches; one that reads like a name (two or more
// capitalised words: a person, a station, a school, a shop) or like an address (a house number
// beside a street word, a postcode, a phone number, an e-mail or web address) is refused unless
// the reviewer confirms, having read it.

export interface CropTextLine {
  /** The whole line as read (the crop may show only part of it). */
  line: string;
  /** The words of it inside the crop. */
  inside: string;
  /** Why it needs the reviewer's confirmation, if it does. */
  sensitive?: 'name' | 'address';
}

const STREET_WORDS = /\b(street|st|road|rd|avenue|ave|lane|ln|drive|dr|way|place|pl|square|sq|boulevard|blvd|court|ct|ulica|ul|aleja|al|rue|avenida|av|calle|via|viale|piazza|strasse|straße|str|platz|gasse|weg|straat|laan|plein|utca|ulice|náměstí|gatan|vej|katu|sokak|cadde)\b\.?/iu;
const HOUSE_NUMBER = /\b\d{1,4}[a-z]?\b/i;
const POSTCODE = /\b(\d{2}-\d{3}|[1-9]\d{3} ?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}|[A-Z]\d[A-Z] \d[A-Z]\d|[A-Z]{2} \d{5}(-\d{4})?|\d{5}-\d{3}|[1-9]\d{3}-\d{3})\b/;
const PHONE = /(\+\d[\d ()-]{6,}\d|\b\d[\d -]{6,}\d\b)/;
const CONTACT = /([\w.+-]+@[\w-]+\.[\w.]+|\bwww\.|https?:\/\/|\b[\w-]+\.(com|org|net|pl|de|uk|fr|it|es|nl|eu|info)\b)/i;
const CAPITALISED = /^\p{Lu}[\p{L}'’.-]+$/u;

/** Why a line of text must not go public without a reviewer's confirmation, or undefined. */
export function sensitiveText(line: string): 'name' | 'address' | undefined {
  if ((STREET_WORDS.test(line) && HOUSE_NUMBER.test(line)) || POSTCODE.test(line) || PHONE.test(line) || CONTACT.test(line)) return 'address';
  const words = line.split(/\s+/).filter((w) => /\p{L}{2,}/u.test(w));
  for (let i = 0; i + 1 < words.length; i++) if (CAPITALISED.test(words[i]!) && CAPITALISED.test(words[i + 1]!)) return 'name';
  return undefined;
}

/** The text lines of an image the crop touches (by their words' boxes, or the line's own). */
export function textInCrop(cropBox: Box, lines: { text: string; box?: Box; words?: { text: string; box: Box }[] }[]): CropTextLine[] {
  const out: CropTextLine[] = [];
  for (const l of lines) {
    const words = l.words?.length ? l.words.filter((w) => intersection(cropBox, w.box) > 0).map((w) => w.text) : l.box && intersection(cropBox, l.box) > 0 ? [l.text] : [];
    if (!words.length) continue;
    const sensitive = sensitiveText(l.text);
    out.push({ line: l.text, inside: words.join(' '), ...(sensitive ? { sensitive } : {}) });
  }
  return out;
}
