import type { AnswerGroup, CropState, Json, ReviewObject, TaggerBlock, TipEntry, TipVerdict, TriageEntry } from '../../core/api-types';
import { $, api, authorisedImage, fmtDate, h, say, session } from './common';

// Reviewers triage the public's tips (a queue, new first, one key per action), move each object
// through its life with a reason, accept grouped answers, and block taggers who flood. A useful
// tip or an accepted answer becomes a searchable clue on the source image. Whatever people typed
// is put in text nodes: nothing of it is parsed as HTML.

type Entry = Json<TriageEntry>;
type Item = Json<ReviewObject>;

const VERDICTS: Record<string, { verdict: TipVerdict; label: string }> = {
  u: { verdict: 'useful', label: 'Useful' },
  n: { verdict: 'not-useful', label: 'Not useful' },
  d: { verdict: 'duplicate', label: 'Duplicate' },
  f: { verdict: 'follow-up', label: 'Needs follow-up' },
};
const VERDICT_TEXT: Record<TipVerdict, string> = { useful: 'useful', 'not-useful': 'not useful', duplicate: 'duplicate', 'follow-up': 'needs follow-up' };
const STATE_TEXT: Record<CropState, string> = { open: 'Open', 'under-review': 'Under review', located: 'Located', worldwide: 'Worldwide', unresolved: 'Unresolved', withdrawn: 'Withdrawn' };

let focusAfterLoad: number | null = 0;

session(['reviewer', 'admin'], () => {
  fillCountries();
  void load();
});

const status = () => $('#review-status');

async function load(): Promise<void> {
  try {
    const closed = $<HTMLInputElement>('#show-closed').checked;
    const [queue, items, blocked] = await Promise.all([api<Entry[]>('/api/review/tips'), api<Item[]>(`/api/review?closed=${closed}`), api<Json<TaggerBlock>[]>('/api/taggers/blocked')]);
    renderQueue(queue);
    $('#review-list').replaceChildren(...(items.length ? items.map(card) : [h('li', {}, 'No crops are published. Publish one from an image in Clue search.')]));
    renderBlocked(blocked);
    if (!status().textContent) say(status(), `${queue.filter((e) => e.new).length} new tip${queue.filter((e) => e.new).length === 1 ? '' : 's'} · ${items.length} object${items.length === 1 ? '' : 's'}`);
  } catch (err) {
    say(status(), (err as Error).message, 'error');
  }
}

// ---- the triage queue ----
// Messages are said after the page is loaded again: what they tell is then on the page.

function renderQueue(queue: Entry[]): void {
  const list = $('#triage');
  list.replaceChildren(...(queue.length ? queue.map(entryNode) : [h('li', {}, 'No tips to triage.')]));
  const entries = [...list.querySelectorAll<HTMLElement>('.triage-entry')];
  if (focusAfterLoad !== null && entries.length) entries[Math.min(focusAfterLoad, entries.length - 1)]!.focus();
  focusAfterLoad = null;
}

function said(e: Pick<TipEntry, 'answer' | 'where' | 'brand'>): string {
  return `${e.answer}${e.where ? ` — ${e.where}` : ''}${e.brand ? ` (${e.brand})` : ''}`;
}

function entryNode(e: Entry): HTMLElement {
  const state = e.new ? 'new' : e.triage ? VERDICT_TEXT[e.triage.verdict] : '';
  const taggerCount = e.taggers.length;
  const li = h(
    'li',
    { class: `triage-entry panel${e.new ? ' is-new' : ''}`, tabindex: 0, 'data-entry': e.id, 'data-crop': e.cropId, 'aria-label': `${state} tip on ${e.cropId}: ${said(e)}, ${e.merged} merged` },
    h('p', { class: 'entry-head' }, h('span', { class: `badge badge-${e.new ? 'new' : e.triage?.verdict ?? 'none'}` }, state), ` ${e.cropId} · ${e.label} · ${STATE_TEXT[e.state]}`),
    h('p', { class: 'entry-answer' }, said(e)),
    h('p', { class: 'meta' }, `${e.merged} tip${e.merged === 1 ? '' : 's'} merged from ${taggerCount} tagger${taggerCount === 1 ? '' : 's'} · ${e.votes} vote${e.votes === 1 ? '' : 's'} · last ${fmtDate(e.lastAt)}`, e.triage ? ` · marked ${VERDICT_TEXT[e.triage.verdict]} by ${e.triage.by}${e.triage.reason ? `: ${e.triage.reason}` : ''}` : ''),
    h(
      'ul',
      { class: 'taggers' },
      ...e.taggers.map((t) => {
        const block = h('button', { type: 'button', class: 'secondary small', disabled: t.blocked }, t.blocked ? 'Blocked' : `Block ${t.tagger}`);
        block.addEventListener('click', () => {
          $<HTMLInputElement>('#block-tagger').value = t.tagger;
          $<HTMLInputElement>('#block-reason').focus();
        });
        return h(
          'li',
          {},
          h('span', { class: 'tagger' }, `${t.tagger}${t.blocked ? ' (blocked)' : ''}: ${t.tips.length} tip${t.tips.length === 1 ? '' : 's'} here${t.onObject > t.tips.length ? `, ${t.onObject} on this object` : ''} `),
          block,
          h(
            'ul',
            {},
            ...t.tips.map((tip) =>
              h('li', {}, fmtDate(tip.at), tip.note ? h('span', { class: 'note' }, ` · ${tip.note}`) : '', tip.contact ? h('span', { class: 'contact' }, ` · Contact: ${tip.contact}`) : tip.hasContact ? h('span', { class: 'meta' }, ' · contact details removed') : ''),
            ),
          ),
        );
      }),
    ),
    h('div', { class: 'inline' }, ...Object.entries(VERDICTS).map(([key, v]) => h('button', { type: 'button', class: 'small', 'data-verdict': v.verdict, 'aria-keyshortcuts': key, onclick: () => void triage(e, v.verdict) }, `${v.label} (${key})`))),
  );
  return li;
}

async function triage(e: Entry, verdict: TipVerdict): Promise<void> {
  const entries = [...$('#triage').querySelectorAll<HTMLElement>('.triage-entry')];
  try {
    const out = await api<{ clueIds: string[] }>(`/api/review/${e.cropId}/tips/${e.id}`, { method: 'POST', body: JSON.stringify({ verdict }) });
    // The next tip takes the triaged one's place in the queue: keep the focus where it was.
    focusAfterLoad = Math.max(0, entries.findIndex((x) => x.dataset.entry === e.id));
    await load();
    say(status(), `“${said(e)}” on ${e.cropId}: ${VERDICT_TEXT[verdict]}${out.clueIds.length ? `; it is now ${out.clueIds.length} clue${out.clueIds.length === 1 ? '' : 's'} on the source image` : ''}.`);
  } catch (err) {
    say(status(), (err as Error).message, 'error');
  }
}

$('#triage').addEventListener('keydown', (ev) => {
  if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
  const target = ev.target as HTMLElement;
  if (target.closest('input, textarea, select')) return;
  const li = target.closest<HTMLElement>('.triage-entry');
  if (!li) return;
  const key = ev.key.toLowerCase();
  const entries = [...$('#triage').querySelectorAll<HTMLElement>('.triage-entry')];
  const at = entries.indexOf(li);
  if (key === 'j' || key === 'arrowdown' || key === 'k' || key === 'arrowup') {
    ev.preventDefault();
    entries[Math.max(0, Math.min(entries.length - 1, at + (key === 'j' || key === 'arrowdown' ? 1 : -1)))]?.focus();
    return;
  }
  const action = VERDICTS[key];
  if (!action) return;
  ev.preventDefault();
  li.querySelector<HTMLButtonElement>(`button[data-verdict="${action.verdict}"]`)?.click();
});

// ---- objects: state, history, grouped answers ----

function card(item: Item): HTMLElement {
  const img = h('img', { alt: `Crop ${item.id}`, width: 160, height: 160 });
  void authorisedImage(img, `/api/public/crops/${item.id}/image`).catch(() => (img.alt = 'picture unavailable'));
  return h(
    'li',
    { class: 'panel review-item', 'data-crop': item.id },
    img,
    h(
      'div',
      {},
      h('h3', {}, `${item.id}: ${item.label}`),
      h('p', {}, item.question),
      h('p', { class: 'meta' }, `Published by ${item.publishedBy}, ${fmtDate(item.publishedAt)} · `, h('a', { href: `/#image/${item.sha256}` }, 'source image')),
      h('p', { class: 'state' }, `State: ${STATE_TEXT[item.state]}${item.country ? ` (${item.country})` : ''}`),
      item.history.length
        ? h('details', {}, h('summary', {}, `History (${item.history.length})`), h('ol', { class: 'history' }, ...item.history.map((c) => h('li', {}, `${fmtDate(c.at)}: ${STATE_TEXT[c.from]} → ${STATE_TEXT[c.to]}${c.country ? ` (${c.country})` : ''} by ${c.by}: ${c.reason}`))))
        : '',
      item.taggers.length ? h('p', { class: 'meta taggers-summary' }, 'Tips per tagger: ', item.taggers.map((t) => `${t.tagger}${t.blocked ? ' (blocked)' : ''} ${t.tips}`).join(', ')) : '',
      stateForm(item),
      item.answers.length ? answersTable(item) : h('p', {}, 'No answers yet.'),
    ),
  );
}

function stateForm(item: Item): HTMLElement {
  const ids = { state: `state-${item.id}`, country: `country-${item.id}`, reason: `reason-${item.id}` };
  const select = h('select', { id: ids.state, required: true }, ...item.next.map((s) => h('option', { value: s }, s === 'open' ? 'Open again' : STATE_TEXT[s])));
  const country = h('input', { id: ids.country, list: 'countries', maxlength: 100, autocomplete: 'off' });
  const reason = h('input', { id: ids.reason, required: true, minlength: 3, maxlength: 500 });
  const form = h(
    'form',
    { class: 'filters state-form' },
    h('div', { class: 'field' }, h('label', { for: ids.state }, `New state for ${item.id}`), select),
    h('div', { class: 'field' }, h('label', { for: ids.country }, `Country (when located) for ${item.id}`), country),
    h('div', { class: 'field wide' }, h('label', { for: ids.reason }, `Reason for ${item.id}`), reason),
    h('button', { type: 'submit' }, 'Change state'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const body = { state: select.value, reason: reason.value, ...(select.value === 'located' ? { country: country.value } : {}) };
      const out = await api<{ state: CropState; country?: string }>(`/api/crops/${item.id}/state`, { method: 'POST', body: JSON.stringify(body) });
      await load();
      say(status(), `${item.id} is now ${STATE_TEXT[out.state].toLowerCase()}${out.country ? ` (${out.country})` : ''}.`);
    } catch (err) {
      say(status(), (err as Error).message, 'error');
    }
  });
  return form;
}

function answersTable(item: Item): HTMLElement {
  const tally = (list: { value: string; count: number }[]) => list.map((x) => `${x.value} (${x.count})`).join(', ') || '—';
  const rows = item.answers.map((a: Json<AnswerGroup>) => {
    const accept = h('button', { type: 'button', class: 'small', disabled: a.accepted, 'aria-label': `Accept “${a.answer}” for ${item.id}` }, a.accepted ? 'Accepted' : 'Accept');
    accept.addEventListener('click', async () => {
      accept.disabled = true;
      try {
        await api(`/api/review/${item.id}/accept`, { method: 'POST', body: JSON.stringify({ key: a.key }) });
        await load();
        say(status(), `Accepted “${a.answer}”: it is now a clue on the source image.`);
      } catch (err) {
        say(status(), (err as Error).message, 'error');
        accept.disabled = false;
      }
    });
    return h('tr', {}, h('td', {}, a.answer), h('td', {}, String(a.count)), h('td', {}, `${a.submissions} answers, ${a.votes} votes`), h('td', {}, a.variants.join(' / ')), h('td', {}, tally(a.where)), h('td', {}, tally(a.brand)), h('td', {}, accept));
  });
  return h('table', {}, h('thead', {}, h('tr', {}, ...['Answer', 'Support', 'Made of', 'Spellings', 'Where', 'Brand', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, ...rows));
}

// ---- blocked taggers ----

function renderBlocked(blocked: Json<TaggerBlock>[]): void {
  $('#blocked-list').replaceChildren(
    ...(blocked.length
      ? blocked.map((b) => {
          const id = `unblock-${b.tagger.replace(/[^A-Za-z0-9_-]/g, '_')}`;
          const reason = h('input', { id, required: true, minlength: 3, maxlength: 500 });
          const form = h('form', { class: 'inline' }, h('span', {}, `${b.tagger}, blocked by ${b.by} ${fmtDate(b.at)}: ${b.reason} `), h('label', { for: id }, `Reason to unblock ${b.tagger}`), reason, h('button', { type: 'submit', class: 'small secondary' }, 'Unblock'));
          form.addEventListener('submit', async (ev) => {
            ev.preventDefault();
            await taggerAction('unblock', b.tagger, reason.value);
          });
          return h('li', {}, form);
        })
      : [h('li', {}, 'Nobody is blocked.')]),
  );
}

async function taggerAction(action: 'block' | 'unblock', tagger: string, reason: string): Promise<void> {
  try {
    await api(`/api/taggers/${action}`, { method: 'POST', body: JSON.stringify({ tagger, reason }) });
    await load();
    say(status(), `${tagger} is ${action === 'block' ? 'blocked from' : 'allowed back into'} the public view.`);
  } catch (err) {
    say(status(), (err as Error).message, 'error');
  }
}

$<HTMLFormElement>('#block-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const tagger = $<HTMLInputElement>('#block-tagger');
  const reason = $<HTMLInputElement>('#block-reason');
  void taggerAction('block', tagger.value.trim(), reason.value).then(() => {
    tagger.value = '';
    reason.value = '';
  });
});

$('#show-closed').addEventListener('change', () => void load());

/** Country names for the located state, from the browser's own data (nothing fetched). */
function fillCountries(): void {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
  const seen = new Set<string>();
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = names.of(code);
      if (name && name !== code && !seen.has(name)) seen.add(name);
    }
  }
  $('#countries').replaceChildren(...[...seen].sort().map((n) => h('option', { value: n })));
}
