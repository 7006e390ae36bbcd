import { SEARCH_FIELDS } from '../../core/search-fields';
import { h } from './common';

// The analyst's search form, from the one definition of search fields: a new filter appears here
// as it appears in the API, the CLI and OpenAPI. Paging fields are the page's, not the form's.

/** The fields the form shows, by name. */
export const FORM_FIELDS = SEARCH_FIELDS.filter((f) => f.type !== 'number').map((f) => f.name);

/** Fills `container` with a labelled input (or select) per search field, ids `q-<name>`. */
export function renderSearchFields(container: HTMLElement): void {
  for (const f of SEARCH_FIELDS) {
    if (f.type === 'number') continue;
    const id = `q-${f.name}`;
    const input =
      f.type === 'choice'
        ? h('select', { id, name: f.name, title: f.help }, ...f.values.map((v) => h('option', { value: v }, (f.shown as Record<string, string> | undefined)?.[v] ?? v)))
        : h('input', { id, name: f.name, ...('maxLength' in f ? { maxlength: f.maxLength } : { maxlength: 10, pattern: '\\d{4}(-\\d{2}(-\\d{2})?)?' }), title: f.help, ...(f.name === 'text' ? { type: 'search' } : {}), ...('example' in f ? { placeholder: f.example } : {}) });
    container.append(h('div', { class: f.name === 'text' ? 'field wide' : 'field' }, h('label', { for: id }, f.label), input));
  }
}

/** The default of a field, where it has one (the form leaves defaults out of the address). */
export function fieldDefault(name: string): string {
  const f = SEARCH_FIELDS.find((x) => x.name === name);
  return f && 'default' in f ? String(f.default) : '';
}
