// The one definition of what a search can ask for. The API's validation and OpenAPI parameters,
// the CLI's flags and usage line, and the analyst page's form are all derived from this list
// (core/search-query.ts, cli/search-flags.ts, web/src/search-form.ts). Plain data: the web
// bundle imports it too.

/** What a criterion is matched against: the search terms of one kind of clue (store/search-terms.ts). */
export type TermKind = 'word' | 'object' | 'scene' | 'location' | 'serial' | 'plate' | 'country' | 'month';

export const TEXT_MODES = ['exact', 'prefix', 'fuzzy'] as const;
export type TextMode = (typeof TEXT_MODES)[number];

interface Base {
  name: string;
  label: string;
  help: string;
  /** Shown in an empty form field. */
  example?: string;
  /** Field text for choices, where it differs from the value. */
  shown?: Record<string, string>;
}
/** A criterion: free text matched against one kind of term (every word must be found). */
export interface CriterionField extends Base {
  type: 'criterion';
  kind: TermKind;
  maxLength: number;
  /** Shortest word that is searched (one-letter words of OCR are noise). */
  minWordLength: number;
  /** Whether the `mode` field (exact, prefix, fuzzy) applies to it. */
  modal: boolean;
  /** The whole value is one term, its letters and digits only (a plate: `AB12 CDE` is `ab12cde`). */
  compact?: boolean;
}
export interface ChoiceField extends Base {
  type: 'choice';
  values: readonly string[];
  default: string;
}
export interface FilterField extends Base {
  type: 'filter';
  maxLength: number;
}
/** One end of a period (`from`, `to`): a year, a month or a day; matched against when images were taken. */
export interface DateField extends Base {
  type: 'date';
  end: 'from' | 'to';
}
export interface NumberField extends Base {
  type: 'number';
  min: number;
  max: number;
  default: number;
}
export type SearchField = CriterionField | ChoiceField | FilterField | DateField | NumberField;

/** A year, a month or a day: `2019`, `2019-06`, `2019-06-14`. */
export const DATE_PATTERN = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;

export const SEARCH_FIELDS = [
  { name: 'text', type: 'criterion', kind: 'word', maxLength: 200, minWordLength: 2, modal: true, label: 'Text in the image', example: 'e.g. WIVENHOE', help: 'words read in the image (signs, labels, documents) or given as tags' },
  { name: 'mode', type: 'choice', values: TEXT_MODES, default: 'exact', label: 'Text match', shown: { fuzzy: 'fuzzy (OCR errors)' }, help: 'exact words, words starting so, or fuzzy (tolerates OCR misreadings)' },
  { name: 'object', type: 'criterion', kind: 'object', maxLength: 100, minWordLength: 1, modal: false, label: 'Object', example: 'e.g. cup', help: 'a detected object, such as cup or bed' },
  { name: 'scene', type: 'criterion', kind: 'scene', maxLength: 100, minWordLength: 1, modal: false, label: 'Scene', help: 'the kind of place, such as bedroom or street' },
  { name: 'location', type: 'criterion', kind: 'location', maxLength: 200, minWordLength: 1, modal: false, label: 'Location', help: 'a known place matched, or a place the crowd named' },
  { name: 'plate', type: 'criterion', kind: 'plate', maxLength: 20, minWordLength: 2, modal: false, compact: true, label: 'Licence plate', example: 'e.g. AB12 CDE', help: 'a licence plate read in the image, however it is spaced' },
  { name: 'serial', type: 'criterion', kind: 'serial', maxLength: 100, minWordLength: 1, modal: false, label: 'Camera serial', help: 'the camera body serial number in EXIF' },
  { name: 'country', type: 'criterion', kind: 'country', maxLength: 100, minWordLength: 2, modal: false, label: 'Country', example: 'e.g. PL', help: 'where the image was taken, weighed from every clue (ISO code or English name)' },
  { name: 'from', type: 'date', end: 'from', label: 'Taken from', example: 'e.g. 2019', help: 'taken in or after this year, month or day (as weighed from the clues)' },
  { name: 'to', type: 'date', end: 'to', label: 'Taken to', example: 'e.g. 2021-06', help: 'taken in or before this year, month or day' },
  { name: 'case', type: 'filter', maxLength: 100, label: 'Case', help: 'only images of this case' },
  { name: 'limit', type: 'number', min: 1, max: 500, default: 20, label: 'Per page', help: 'results per page' },
  { name: 'offset', type: 'number', min: 0, max: 100_000, default: 0, label: 'Offset', help: 'results to skip (paging)' },
] as const satisfies readonly SearchField[];

type Fields = (typeof SEARCH_FIELDS)[number];
type ValueOf<F> = F extends { type: 'number' } ? number : F extends { type: 'choice'; values: readonly (infer V)[] } ? V : never;

/** A search, as the API, the CLI and the store take it: criteria and filters are optional, the rest defaulted. */
export type SearchQuery = { [F in Extract<Fields, { type: 'number' | 'choice' }> as F['name']]: ValueOf<F> } & {
  [F in Extract<Fields, { type: 'criterion' | 'filter' | 'date' }> as F['name']]?: string;
};

export const CRITERIA = SEARCH_FIELDS.filter((f): f is Extract<Fields, { type: 'criterion' }> => f.type === 'criterion');
/** Fields that make a search on their own: the criteria, and a period. */
export const SEARCHABLE = SEARCH_FIELDS.filter((f) => f.type === 'criterion' || f.type === 'date').map((f) => f.name);
