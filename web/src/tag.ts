import type { CropState, Json, PublicCrop, PublicSummary } from '../../core/api-types';
import { $, api, ApiError, authorisedImage, h, say, session } from './common';

// The public view: the objects that still need help, and counts of those solved with the public's
// help (never which). Everything is reachable by keyboard: the crops are buttons, the tip form is
// a plain form, and Escape goes back to the grid. What people typed is shown as text only.

type Crop = Json<PublicCrop>;

/** What the public is told about an object's state (located and withdrawn ones are never listed). */
const STATE_TEXT: Partial<Record<CropState, string>> = {
  'under-review': 'Investigators are checking the tips',
  worldwide: 'Shared with police forces worldwide: still looking',
  unresolved: 'Still unsolved: any tip helps',
};

let crops: Crop[] = [];
let current: Crop | null = null;
let opener: HTMLElement | null = null;

session(['tagger', 'reviewer', 'admin'], () => void load());

async function load(): Promise<void> {
  const status = $('#tag-status');
  try {
    const [list, summary] = await Promise.all([api<Crop[]>('/api/public/crops'), api<PublicSummary>('/api/public/summary')]);
    crops = list;
    say(status, crops.length ? `${crops.length} object${crops.length === 1 ? '' : 's'} to trace` : 'No objects are published at the moment.');
    $('#tag-summary').textContent = summary.solvedWithPublicHelp
      ? `${summary.solvedWithPublicHelp} object${summary.solvedWithPublicHelp === 1 ? ' was' : 's were'} solved with the public's help. Thank you.`
      : '';
    $('#crops').replaceChildren(
      ...crops.map((c) => {
        const img = h('img', { alt: `Object ${c.id}`, width: 200, height: 200 });
        void authorisedImage(img, `/api/public/crops/${c.id}/image`).catch(() => (img.alt = `Object ${c.id} (picture unavailable)`));
        const state = STATE_TEXT[c.state];
        const button = h('button', { type: 'button', class: 'crop-card', 'data-crop': c.id }, img, h('span', {}, `${c.id} · ${c.answers.length} answer${c.answers.length === 1 ? '' : 's'}`), state ? h('span', { class: 'meta' }, state) : null);
        button.addEventListener('click', () => open(c.id, button));
        return h('li', {}, button);
      }),
    );
    if (current) {
      const still = crops.find((c) => c.id === current!.id);
      if (still) renderAnswers(still);
      else close(); // located or withdrawn meanwhile
    }
  } catch (err) {
    say(status, err instanceof ApiError && err.status === 429 ? 'Too many requests: please wait a minute.' : (err as Error).message, 'error');
  }
}

function open(id: string, from: HTMLElement): void {
  const crop = crops.find((c) => c.id === id);
  if (!crop) return;
  current = crop;
  opener = from;
  $('#crop-title').textContent = `Object ${crop.id}`;
  $('#crop-question').textContent = crop.question;
  $('#crop-state').textContent = STATE_TEXT[crop.state] ?? '';
  const img = $<HTMLImageElement>('#crop-image');
  img.alt = `Object ${crop.id}, enlarged`;
  void authorisedImage(img, `/api/public/crops/${crop.id}/image`);
  renderAnswers(crop);
  const panel = $('#crop-panel');
  panel.hidden = false;
  $<HTMLInputElement>('#a-what').focus();
}

function close(): void {
  $('#crop-panel').hidden = true;
  current = null;
  opener?.focus();
}

function renderAnswers(crop: Crop): void {
  current = crop;
  $('#answers').replaceChildren(
    ...(crop.answers.length
      ? crop.answers.map((a) => {
          const label = `${a.what}${a.where ? ` — ${a.where}` : ''}${a.brand ? ` (${a.brand})` : ''}`;
          const vote = h('button', { type: 'button', class: 'small', 'aria-label': `Agree with “${label}”` }, 'Agree');
          vote.addEventListener('click', async () => {
            vote.disabled = true;
            try {
              await api(`/api/public/crops/${crop.id}/tags/${a.id}/votes`, { method: 'POST' });
              await load();
              say($('#tag-status'), 'Thank you: your vote is counted.');
            } catch (err) {
              say($('#tag-status'), (err as Error).message, 'error');
            }
          });
          const said = a.count > 1 ? ` · said ${a.count} times` : '';
          return h('li', {}, h('span', {}, `${label}${said} · ${a.votes} vote${a.votes === 1 ? '' : 's'} `), vote);
        })
      : [h('li', {}, 'No answers yet.')]),
  );
}

$<HTMLFormElement>('#answer-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if (!current) return;
  const what = $<HTMLInputElement>('#a-what');
  const where = $<HTMLInputElement>('#a-where');
  const brand = $<HTMLInputElement>('#a-brand');
  const note = $<HTMLTextAreaElement>('#a-note');
  const contact = $<HTMLInputElement>('#a-contact');
  const optional = (field: string, el: HTMLInputElement | HTMLTextAreaElement) => (el.value.trim() ? { [field]: el.value } : {});
  try {
    await api(`/api/public/crops/${current.id}/tags`, {
      method: 'POST',
      body: JSON.stringify({ what: what.value, ...optional('where', where), ...optional('brand', brand), ...optional('note', note), ...optional('contact', contact) }),
    });
    for (const i of [what, where, brand, note, contact]) i.value = '';
    await load();
    say($('#tag-status'), 'Thank you: your tip was sent to the investigators.');
  } catch (err) {
    const message = err instanceof ApiError && err.status === 429 ? 'Too many tips: please wait a minute.' : err instanceof ApiError && err.status === 404 ? 'This object no longer needs tips. Thank you.' : (err as Error).message;
    say($('#tag-status'), message, 'error');
  }
});

$('#crop-close').addEventListener('click', close);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('#crop-panel').hidden) close();
});
