// A page that shows the "Where and when" panel for the results in /where-results.json: the
// browser test's harness (tests/where-panel.test.ts), and a way to look at the panel alone.

import type { Evidence, WhereResult } from '../../where/types';
import { h } from './common';
import { wherePanel } from './where-panel';

async function main(): Promise<void> {
  const root = document.getElementById('root')!;
  const chosen = h('output', { id: 'chosen' });
  const show = (e: Evidence) => {
    chosen.textContent = JSON.stringify({ clueId: e.clueId, box: e.box, text: e.text });
  };
  const results = (await (await fetch('/where-results.json')).json()) as { title: string; result: WhereResult }[];
  for (const { title, result } of results) root.append(h('div', { class: 'where-demo', 'data-title': title }, wherePanel(result, { title, onEvidence: show })));
  root.append(chosen);
}

void main();
