import { $, api, ApiError, authorisedImage, h, say, session } from './common';

// The public view: approved object crops only. Everything is reachable by keyboard: the crops are
// buttons, the answer form is a plain form, and Escape goes back to the grid.

interface Answer { id: string; what: string; where?: string; brand?: string; votes: number }
interface Crop { id: string; label: string; question: string; answers: Answer[] }

let crops: Crop[] = [];
let current: Crop | null = null;
let opener: HTMLElement | null = null;

session(['tagger', 'reviewer', 'admin'], () => void load());

async function load(): Promise<void> {
  const status = $('#tag-status');
  try {
    crops = await api<Crop[]>('/api/public/crops');
    say(status, crops.length ? `${crops.length} object${crops.length === 1 ? '' : 's'} to trace` : 'No objects are published at the moment.');
    $('#crops').replaceChildren(
      ...crops.map((c) => {
        const img = h('img', { alt: `Object ${c.id}`, width: 200, height: 200 });
        void authorisedImage(img, `/api/public/crops/${c.id}/image`).catch(() => (img.alt = `Object ${c.id} (picture unavailable)`));
        const button = h('button', { type: 'button', class: 'crop-card', 'data-crop': c.id }, img, h('span', {}, `${c.id} · ${c.answers.length} answer${c.answers.length === 1 ? '' : 's'}`));
        button.addEventListener('click', () => open(c.id, button));
        return h('li', {}, button);
      }),
    );
    if (current) renderAnswers(crops.find((c) => c.id === current!.id) ?? current);
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
          return h('li', {}, h('span', {}, `${label} · ${a.votes} vote${a.votes === 1 ? '' : 's'} `), vote);
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
  try {
    await api(`/api/public/crops/${current.id}/tags`, {
      method: 'POST',
      body: JSON.stringify({ what: what.value, ...(where.value.trim() ? { where: where.value } : {}), ...(brand.value.trim() ? { brand: brand.value } : {}) }),
    });
    for (const i of [what, where, brand]) i.value = '';
    await load();
    say($('#tag-status'), 'Thank you: your answer was sent to the investigators.');
  } catch (err) {
    say($('#tag-status'), err instanceof ApiError && err.status === 429 ? 'Too many answers: please wait a minute.' : (err as Error).message, 'error');
  }
});

$('#crop-close').addEventListener('click', close);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('#crop-panel').hidden) close();
});
