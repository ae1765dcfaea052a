import { perCell } from "../readouts/per-cell.ts";
import { simulate, type SimulateOptions } from "../simulate.ts";
import { mean, sd, sig } from "../stats/descriptive.ts";
import { mannWhitney } from "../stats/mann-whitney.ts";
import { hashString } from "../util/rng.ts";
import { toCsv } from "../util/csv.ts";
import { runPool } from "../util/pool.ts";

/**
 * A virtual experiment like a paper figure: control and each perturbation, R replicate dishes
 * with independent seeds; per-cell read-outs pooled over replicates (n = cells), mean ± SD, fold
 * change against control, and a two-sided Mann–Whitney p-value against control.
 */
export interface ConditionSpec {
  label: string;
  perturb?: string[];
  set?: Record<string, unknown>;
}

export interface ExperimentOptions extends Omit<SimulateOptions, "perturb" | "onProgress" | "seed"> {
  perturbations: string[];
  /** Further conditions (e.g. a dose or stress series): a label, perturbations and parameter settings. */
  conditions?: ConditionSpec[];
  /** Summary read-outs (dotted paths into summary.json) compared per dish, e.g. mito.meanViability. */
  metrics?: string[];
  replicates?: number;
  seed?: number;
  /** Label of the control condition. */
  controlLabel?: string;
  onRunDone?: (done: number, total: number) => void;
}

export interface ConditionRow {
  condition: string;
  nCells: number;
  migrasomesPerCellMean: number;
  migrasomesPerCellSd: number;
  per100UmFiberMean: number;
  per100UmFiberSd: number;
  fiberLengthUmPerCellMean: number;
  fiberLengthUmPerCellSd: number;
  foldMigrasomes: number;
  foldFiberLength: number;
  pMigrasomes: number;
  pPer100UmFiber: number;
  pFiberLength: number;
  /** Per-dish metrics: mean, SD, fold vs control, Mann–Whitney p (n = replicate dishes). */
  metrics: Record<string, { mean: number; sd: number; fold: number; p: number }>;
}

/** Read a dotted path from a summary object; NaN when absent. */
export function metricOf(summary: unknown, path: string): number {
  let v: unknown = summary;
  for (const k of path.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === "number" ? v : Number.NaN;
}

/** Seed of replicate r of a condition: independent of the other conditions and of worker count. */
export function replicateSeed(baseSeed: number, condition: string, r: number): number {
  return hashString(`${baseSeed}|${condition}|${r}`);
}

/** One replicate dish of one condition: what a worker runs. */
export interface DishJob {
  request: Omit<SimulateOptions, "onProgress">;
  metrics: string[];
}

export interface DishResult {
  migrasomes: number[];
  per100UmFiber: number[];
  fiberLengthUm: number[];
  metrics: number[];
}

export function runDish(job: DishJob): DishResult {
  const res = simulate(job.request);
  const pc = perCell(res.engine.world);
  return {
    migrasomes: Array.from(pc.migrasomes),
    per100UmFiber: Array.from(pc.per100UmFiber),
    fiberLengthUm: Array.from(pc.fiberLengthUm),
    metrics: job.metrics.map((k) => metricOf(res.summary, k)),
  };
}

/**
 * Run the experiment. With `threads` > 1 the dishes run on worker threads; seeds depend only on
 * (base seed, condition, replicate), so the table is identical for any number of threads.
 */
export async function runExperiment(opts: ExperimentOptions & { threads?: number }): Promise<ConditionRow[]> {
  const R = opts.replicates ?? 3;
  const control = opts.controlLabel ?? "control";
  const conds: ConditionSpec[] = [
    { label: control },
    ...opts.perturbations.map((p) => ({ label: p, perturb: [p] })),
    ...(opts.conditions ?? []),
  ];
  const metrics = opts.metrics ?? [];
  const base = opts.seed ?? 1;
  const { onRunDone, threads, perturbations: _p, conditions: _c, metrics: _m, replicates: _r, controlLabel: _l, ...shared } = opts;
  const jobs: DishJob[] = [];
  for (const cond of conds)
    for (let r = 0; r < R; r++)
      jobs.push({
        request: {
          ...shared,
          seed: replicateSeed(base, cond.label, r),
          perturb: cond.perturb ?? [],
          set: { ...(opts.set ?? {}), ...(cond.set ?? {}) },
        },
        metrics,
      });
  let results: DishResult[];
  if ((threads ?? 1) > 1 && jobs.length > 1) {
    results = await runPool<DishJob, DishResult>(new URL("./worker.ts", import.meta.url), jobs, threads ?? 1, (d) => onRunDone?.(d, jobs.length));
  } else {
    results = [];
    for (const j of jobs) {
      results.push(runDish(j));
      onRunDone?.(results.length, jobs.length);
    }
  }
  const pooled = new Map<string, { m: number[]; p: number[]; l: number[]; dish: number[][] }>();
  conds.forEach((cond, ci) => {
    const acc = { m: [] as number[], p: [] as number[], l: [] as number[], dish: metrics.map(() => [] as number[]) };
    for (let r = 0; r < R; r++) {
      const d = results[ci * R + r];
      acc.m.push(...d.migrasomes);
      acc.p.push(...d.per100UmFiber);
      acc.l.push(...d.fiberLengthUm);
      metrics.forEach((_, i) => acc.dish[i].push(d.metrics[i]));
    }
    pooled.set(cond.label, acc);
  });
  const c = pooled.get(control)!;
  return conds.map(({ label: cond }) => {
    const a = pooled.get(cond)!;
    const isControl = cond === control;
    const m: ConditionRow["metrics"] = {};
    metrics.forEach((k, i) => {
      m[k] = {
        mean: sig(mean(a.dish[i]), 5),
        sd: sig(sd(a.dish[i]), 5),
        fold: sig(mean(a.dish[i]) / mean(c.dish[i]), 4),
        p: isControl ? Number.NaN : sig(mannWhitney(a.dish[i], c.dish[i]).p, 3),
      };
    });
    return {
      condition: cond,
      nCells: a.m.length,
      migrasomesPerCellMean: sig(mean(a.m), 5),
      migrasomesPerCellSd: sig(sd(a.m), 5),
      per100UmFiberMean: sig(mean(a.p), 5),
      per100UmFiberSd: sig(sd(a.p), 5),
      fiberLengthUmPerCellMean: sig(mean(a.l), 5),
      fiberLengthUmPerCellSd: sig(sd(a.l), 5),
      foldMigrasomes: sig(mean(a.m) / mean(c.m), 4),
      foldFiberLength: sig(mean(a.l) / mean(c.l), 4),
      pMigrasomes: isControl ? Number.NaN : sig(mannWhitney(a.m, c.m).p, 3),
      pPer100UmFiber: isControl ? Number.NaN : sig(mannWhitney(a.p, c.p).p, 3),
      pFiberLength: isControl ? Number.NaN : sig(mannWhitney(a.l, c.l).p, 3),
      metrics: m,
    };
  });
}

export const EXPERIMENT_HEADER = [
  "condition",
  "nCells",
  "migrasomesPerCellMean",
  "migrasomesPerCellSd",
  "per100UmFiberMean",
  "per100UmFiberSd",
  "fiberLengthUmPerCellMean",
  "fiberLengthUmPerCellSd",
  "foldMigrasomes",
  "foldFiberLength",
  "pMigrasomes",
  "pPer100UmFiber",
  "pFiberLength",
] as const;

export function experimentCsv(rows: ConditionRow[]): string {
  const metrics = Object.keys(rows[0]?.metrics ?? {});
  const extra = metrics.flatMap((k) => [`${k}.mean`, `${k}.sd`, `${k}.fold`, `${k}.p`]);
  return toCsv(
    [...EXPERIMENT_HEADER, ...extra],
    rows.map((r) => [
      ...EXPERIMENT_HEADER.map((k) => r[k]),
      ...metrics.flatMap((k) => [r.metrics[k].mean, r.metrics[k].sd, r.metrics[k].fold, r.metrics[k].p]),
    ]),
  );
}

function fmtP(p: number): string {
  if (!Number.isFinite(p)) return "–";
  return p < 1e-4 ? "<1e-4" : p.toPrecision(2);
}

/** A plain-text table like a paper figure. */
export function experimentTable(rows: ConditionRow[]): string {
  const metrics = Object.keys(rows[0]?.metrics ?? {});
  const head = [
    "condition",
    "n cells",
    "migrasomes/cell",
    "per 100 µm fiber",
    "fiber µm/cell",
    "fold (migr.)",
    "fold (fiber)",
    "p (migr.)",
    ...metrics.flatMap((k) => [`${k} (per dish)`, "fold", "p"]),
  ];
  const num = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(4))) : "–");
  const body = rows.map((r) => [
    r.condition,
    String(r.nCells),
    `${r.migrasomesPerCellMean.toFixed(1)} ± ${r.migrasomesPerCellSd.toFixed(1)}`,
    `${r.per100UmFiberMean.toFixed(2)} ± ${r.per100UmFiberSd.toFixed(2)}`,
    `${r.fiberLengthUmPerCellMean.toFixed(0)} ± ${r.fiberLengthUmPerCellSd.toFixed(0)}`,
    r.foldMigrasomes.toFixed(2),
    r.foldFiberLength.toFixed(2),
    fmtP(r.pMigrasomes),
    ...metrics.flatMap((k) => [`${num(r.metrics[k].mean)} ± ${num(r.metrics[k].sd)}`, num(r.metrics[k].fold), fmtP(r.metrics[k].p)]),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
