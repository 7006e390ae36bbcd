import { $, api, authorisedImage, fmtDate, h, say, session } from './common';

// Reviewers see every published crop with its answers grouped and counted, and accept the ones
// that hold up; an accepted answer becomes a searchable clue on the source image.

interface AnswerGroup { key: string; answer: string; count: number; submissions: number; votes: number; variants: string[]; where: { value: string; count: number }[]; brand: { value: string; count: number }[]; accepted: boolean }
interface Item { id: string; label: string; question: string; sha256: string; publishedBy: string; publishedAt: string; accepted: { answer: string; by: string; at: string }[]; answers: AnswerGroup[] }

session(['reviewer', 'admin'], () => void load());

async function load(): Promise<void> {
  const status = $('#review-status');
  try {
    const items = await api<Item[]>('/api/review');
    say(status, items.length ? `${items.length} published crop${items.length === 1 ? '' : 's'}` : 'No crops are published. Publish one from an image in Clue search.');
    $('#review-list').replaceChildren(...items.map(card));
  } catch (err) {
    say(status, (err as Error).message, 'error');
  }
}

function card(item: Item): HTMLElement {
  const img = h('img', { alt: `Crop ${item.id}`, width: 160, height: 160 });
  void authorisedImage(img, `/api/public/crops/${item.id}/image`).catch(() => (img.alt = 'picture unavailable'));
  const rows = item.answers.map((a) => {
    const accept = h('button', { type: 'button', class: 'small', disabled: a.accepted, 'aria-label': `Accept “${a.answer}” for ${item.id}` }, a.accepted ? 'Accepted' : 'Accept');
    accept.addEventListener('click', async () => {
      accept.disabled = true;
      try {
        await api(`/api/review/${item.id}/accept`, { method: 'POST', body: JSON.stringify({ key: a.key }) });
        await load();
        say($('#review-status'), `Accepted “${a.answer}”: it is now a clue on the source image.`);
      } catch (err) {
        say($('#review-status'), (err as Error).message, 'error');
        accept.disabled = false;
      }
    });
    const tally = (list: { value: string; count: number }[]) => list.map((x) => `${x.value} (${x.count})`).join(', ') || '—';
    return h('tr', {}, h('td', {}, a.answer), h('td', {}, String(a.count)), h('td', {}, `${a.submissions} answers, ${a.votes} votes`), h('td', {}, a.variants.join(' / ')), h('td', {}, tally(a.where)), h('td', {}, tally(a.brand)), h('td', {}, accept));
  });
  const withdraw = h('button', { type: 'button', class: 'secondary small' }, 'Withdraw from the public view');
  withdraw.addEventListener('click', async () => {
    await api(`/api/crops/${item.id}/withdraw`, { method: 'POST' });
    await load();
  });
  return h(
    'li',
    { class: 'panel review-item' },
    img,
    h(
      'div',
      {},
      h('h2', {}, `${item.id}: ${item.label}`),
      h('p', {}, item.question),
      h('p', { class: 'meta' }, `Published by ${item.publishedBy}, ${fmtDate(item.publishedAt)} · `, h('a', { href: `/#image/${item.sha256}` }, 'source image')),
      item.answers.length
        ? h('table', {}, h('thead', {}, h('tr', {}, ...['Answer', 'Support', 'Made of', 'Spellings', 'Where', 'Brand', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, ...rows))
        : h('p', {}, 'No answers yet.'),
      withdraw,
    ),
  );
}
