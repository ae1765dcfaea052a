import { Engine } from "./core/engine.ts";
import type { WorldState } from "./core/world.ts";
import { processModules } from "./processes.ts";
import { summarize, type Summary } from "./readouts/summary.ts";
import { resolveRun, type ResolvedRun, type RunRequest } from "./resolve.ts";

export interface SimulateOptions extends RunRequest {
  /** Called with the simulated time (min) as the run advances. */
  onProgress?: (timeMin: number, totalMin: number) => void;
  /** Resume from a checkpoint taken with the same request. */
  resumeFrom?: WorldState;
  /** Stop at this time (min) instead of the scenario's end, e.g. to take a checkpoint. */
  stopAtMin?: number;
}

export interface SimulationResult {
  run: ResolvedRun;
  engine: Engine;
  summary: Summary;
  wallSeconds: number;
}

/** Create an engine for a resolved run (for step-by-step use). */
export function createEngine(run: ResolvedRun): Engine {
  return new Engine({ params: run.params, seed: run.seed, modules: processModules, scenario: run.runtime });
}

/**
 * Run a simulation: `simulate({ scenario: "nrk-fibronectin", seed: 1 })`.
 * Returns the engine (with the full state) and the summary read-outs.
 */
export function simulate(opts: SimulateOptions = {}): SimulationResult {
  const t0 = performance.now();
  const run = resolveRun(opts);
  const engine = createEngine(run);
  if (opts.resumeFrom) engine.restore(opts.resumeFrom);
  const totalMin = run.params.num("time.hours") * 60;
  const until = Math.min(totalMin, opts.stopAtMin ?? totalMin);
  engine.run(until, opts.onProgress ? (t) => opts.onProgress?.(t, totalMin) : undefined, 50);
  const summary = summarize(engine.world, run.runtime, run.params.bool("mito.enabled"));
  return { run, engine, summary, wallSeconds: (performance.now() - t0) / 1000 };
}
