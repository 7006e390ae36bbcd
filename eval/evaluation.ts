import type { LocalEngine } from '../engine/local-engine';
import type { Timings } from './report';
import type { EvalSet } from './set';

/** What every evaluation is given: the set, the engine (what the pipeline stores) and the clock. */
export interface EvalContext {
  set: EvalSet;
  engine: LocalEngine;
  timings: Timings;
  /** `--name=value` options of the command line. */
  option(name: string): string | undefined;
}

/** A headline figure of the JSON line; null where it could not be measured. */
export type Figures = Record<string, number | null>;

/**
 * One evaluation of `npm run eval`. `figures` names the JSON fields it gives (null when it is not
 * run), in the order they are printed; `engine: false` runs after the engine is closed.
 */
export interface Evaluation {
  /** Its name for `--only`. */
  name: string;
  /** A comparison run only when this option is given (`--nanodet=<dir>`), whatever `--only` says. */
  option?: string;
  figures: readonly string[];
  engine: boolean;
  run(ctx: EvalContext): Promise<Figures>;
}
