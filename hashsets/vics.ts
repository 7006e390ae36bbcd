// Project VIC "VICS" JSON: an OData-style document, `value[]` of cases each with `Media[]`.
// Exporters differ: a byte-order mark, `value` as one object, `Cases` instead of `value`,
// hashes in any case with stray spaces, `Category` as a number, a string or empty, and a
// `TotalMediaFiles` that does not match the media listed. Parsing tolerates all of these and
// counts the media itself.

export interface VicsMedia {
  md5?: string;
  sha1?: string;
  category?: number;
  series?: string;
  tags: string[];
  victimIdentified?: boolean;
  /** e.g. { PDQ: '...', PhotoDNA: '...' } from AlternativeHashes */
  alternativeHashes: Record<string, string>;
  files: { name?: string; path?: string }[];
  /** The entry as it came, so that an export can give back what it was given. */
  raw: Record<string, unknown>;
}

export interface VicsDocument {
  caseId?: string;
  caseNumber?: string;
  /** What the file claims; `media.length` is what it holds. */
  declaredTotal?: number;
  media: VicsMedia[];
}

export class VicsFormatError extends Error {}

const hex = (v: unknown, len: number): string | undefined => {
  const s = typeof v === 'string' ? v.trim().toLowerCase() : '';
  return new RegExp(`^[0-9a-f]{${len}}$`).test(s) ? s : undefined;
};

function category(v: unknown): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function tags(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((t) => (typeof t === 'string' ? t : (t as { Name?: string; Value?: string })?.Name ?? (t as { Value?: string })?.Value ?? '')).filter(Boolean);
  if (typeof v === 'string') return v.split(/[;,]/).map((t) => t.trim()).filter(Boolean);
  return [];
}

function media(m: Record<string, unknown>): VicsMedia {
  const alternativeHashes: Record<string, string> = {};
  for (const h of (Array.isArray(m.AlternativeHashes) ? m.AlternativeHashes : []) as Record<string, unknown>[]) {
    const name = String(h.HashName ?? h.Name ?? '').trim();
    const value = String(h.HashValue ?? h.Value ?? '').trim();
    if (name && value) alternativeHashes[name] = value;
  }
  const files = ((Array.isArray(m.MediaFiles) ? m.MediaFiles : []) as Record<string, unknown>[]).map((f) => ({
    ...(typeof f.FileName === 'string' ? { name: f.FileName } : {}),
    ...(typeof f.FilePath === 'string' ? { path: f.FilePath } : {}),
  }));
  const out: VicsMedia = { tags: tags(m.Tags), alternativeHashes, files, raw: m };
  const md5 = hex(m.MD5, 32);
  const sha1 = hex(m.SHA1, 40);
  const cat = category(m.Category);
  if (md5) out.md5 = md5;
  if (sha1) out.sha1 = sha1;
  if (cat !== undefined) out.category = cat;
  if (m.Series !== undefined && m.Series !== null && String(m.Series).trim() !== '') out.series = String(m.Series).trim();
  if (typeof m.VictimIdentified === 'boolean') out.victimIdentified = m.VictimIdentified;
  return out;
}

/** Parses VICS JSON text; entries with neither a valid MD5 nor SHA-1 are counted as rejected. */
export function parseVics(text: string): { doc: VicsDocument; rejected: number } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new VicsFormatError(`not JSON: ${(err as Error).message}`);
  }
  const root = json as Record<string, unknown>;
  let cases = root?.value ?? root?.Cases;
  if (cases && !Array.isArray(cases)) cases = [cases];
  if (!Array.isArray(cases)) throw new VicsFormatError('no "value" (or "Cases") array of cases');
  const doc: VicsDocument = { media: [] };
  let rejected = 0;
  let declared = 0;
  let anyDeclared = false;
  for (const c of cases as Record<string, unknown>[]) {
    if (c.CaseID !== undefined && doc.caseId === undefined) doc.caseId = String(c.CaseID);
    if (c.CaseNumber !== undefined && doc.caseNumber === undefined) doc.caseNumber = String(c.CaseNumber);
    if (typeof c.TotalMediaFiles === 'number') {
      declared += c.TotalMediaFiles;
      anyDeclared = true;
    }
    for (const m of (Array.isArray(c.Media) ? c.Media : []) as Record<string, unknown>[]) {
      const parsed = media(m ?? {});
      if (!parsed.md5 && !parsed.sha1) rejected++;
      else doc.media.push(parsed);
    }
  }
  if (anyDeclared) doc.declaredTotal = declared;
  return { doc, rejected };
}

/** Writes a VICS document; the media count written is always the real one. */
export function writeVics(doc: { caseId: string; caseNumber?: string; media: VicsMedia[] }): string {
  const Media = doc.media.map((m, i) => ({
    ...m.raw,
    MediaID: (m.raw.MediaID as number | undefined) ?? i + 1,
    ...(m.md5 ? { MD5: m.md5.toUpperCase() } : {}),
    ...(m.sha1 ? { SHA1: m.sha1.toUpperCase() } : {}),
    Category: m.category ?? null,
    ...(m.series ? { Series: m.series } : {}),
    ...(m.tags.length ? { Tags: m.tags } : {}),
    ...(m.victimIdentified !== undefined ? { VictimIdentified: m.victimIdentified } : {}),
    ...(Object.keys(m.alternativeHashes).length ? { AlternativeHashes: Object.entries(m.alternativeHashes).map(([HashName, HashValue]) => ({ HashName, HashValue })) } : {}),
    ...(m.files.length ? { MediaFiles: m.files.map((f) => ({ ...(f.name ? { FileName: f.name } : {}), ...(f.path ? { FilePath: f.path } : {}) })) } : {}),
  }));
  return JSON.stringify(
    {
      '@odata.context': 'http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases',
      value: [{ CaseID: doc.caseId, ...(doc.caseNumber ? { CaseNumber: doc.caseNumber } : {}), TotalMediaFiles: Media.length, Media }],
    },
    null,
    2,
  );
}

/** Hash-list CSV: a header naming at least md5 or sha1; category, series, tags optional. */
export function parseHashCsv(text: string): { doc: VicsDocument; rejected: number } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  if (!header.includes('md5') && !header.includes('sha1')) throw new VicsFormatError('the CSV header names neither md5 nor sha1');
  const doc: VicsDocument = { media: [] };
  let rejected = 0;
  for (const line of lines) {
    const cells = line.split(',').map((c) => c.trim());
    const row: Record<string, unknown> = {};
    header.forEach((h, i) => (row[h] = cells[i]));
    const m = media({ MD5: row.md5, SHA1: row.sha1, Category: row.category, Series: row.series, Tags: row.tags });
    if (!m.md5 && !m.sha1) rejected++;
    else doc.media.push(m);
  }
  return { doc, rejected };
}
