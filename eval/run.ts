import { join } from 'node:path';
import { loadConfig } from '../core/config';
import { projectRoot } from '../core/project-root';
import { LocalEngine } from '../engine/local-engine';
import type { EvalContext, Evaluation, Figures } from './evaluation';
import { EVALUATIONS } from './evaluations';
import { round, Timings } from './report';
import { buildEvalSet } from './set';

// `npm run eval [-- --json] [--only text,objects]`: quality of every extractor on the evaluation
// set, through the engine's own operations (what the pipeline stores), with time per image.
// `--json` prints the headline figures as one JSON object on the last line.

/** `--name=value` or `--name value`. */
function option(argv: string[], name: string): string | undefined {
  const at = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  const arg = argv[at]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[at + 1];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const started = Date.now();
  /** `--only scenes,faces`: run just these evaluations (while tuning one of them). */
  const only = option(argv, 'only')?.split(',');
  const unknown = only?.filter((o) => !EVALUATIONS.some((e) => e.name === o));
  if (unknown?.length) throw new Error(`--only: no evaluation named ${unknown.join(', ')} (there are ${EVALUATIONS.filter((e) => !e.option).map((e) => e.name).join(', ')})`);
  const set = await buildEvalSet(join(projectRoot(), 'bench', 'out', 'eval-set'));
  console.log(`evaluation set: ${set.dir} (ground truth in ground-truth.json)`);
  const engine = await LocalEngine.create(loadConfig());
  const models = Object.entries(engine.models).map(([k, v]) => `${k}: ${[v].flat().map((m: { ok: boolean; model?: { name: string } }) => (m.ok ? m.model!.name : 'none')).join('+')}`);
  console.log(`models: ${models.join('; ')}`);
  const timings = new Timings();
  const ctx: EvalContext = { set, engine, timings, option: (name) => option(argv, name) };
  const figures: Figures = {};
  const wanted = (e: Evaluation) => (e.option ? ctx.option(e.option) !== undefined : !only || only.includes(e.name));
  const run = async (e: Evaluation) => {
    const got = wanted(e) ? await e.run(ctx) : {};
    for (const f of e.figures) figures[f] = got[f] ?? NaN;
  };
  const comparisons = EVALUATIONS.filter((e) => e.option);
  for (const e of comparisons) await run(e);
  for (const e of EVALUATIONS.filter((e) => !e.option && e.engine)) await run(e);
  await engine.close();
  for (const e of EVALUATIONS.filter((e) => !e.option && !e.engine)) await run(e);
  const ms = timings.means();
  console.log(`\nms per image: ${Object.entries(ms).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  if (argv.includes('--json')) {
    const headline = Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v === null ? null : round(v)]));
    console.log(JSON.stringify({ ...headline, ms_per_image: ms }));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
