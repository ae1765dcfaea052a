import { mean, sd, sig } from "../stats/descriptive.ts";
import { simulate, type SimulateOptions } from "../simulate.ts";
import { toCsv } from "../util/csv.ts";
import { runPool } from "../util/pool.ts";
import { UserError } from "../util/errors.ts";
import { lineChartSvg } from "../util/svg.ts";
import { metricOf, replicateSeed } from "./experiment.ts";

/**
 * A parameter sweep: one parameter over a list of values, replicate dishes at each, summary
 * read-outs per dish; the table and a plot (metric against the parameter, mean ± SD).
 */
export interface SweepOptions extends Omit<SimulateOptions, "onProgress" | "seed"> {
  parameter: string;
  values: number[];
  metrics: string[];
  replicates?: number;
  seed?: number;
  threads?: number;
  onRunDone?: (done: number, total: number) => void;
}

export interface SweepJob {
  request: Omit<SimulateOptions, "onProgress">;
  metrics: string[];
}

export function runSweepDish(job: SweepJob): number[] {
  const s = simulate(job.request).summary;
  return job.metrics.map((m) => metricOf(s, m));
}

export interface SweepRow {
  value: number;
  n: number;
  metrics: Record<string, { mean: number; sd: number }>;
}

/** Values from `a:b:n` (linear), `a:b:n:log` (geometric) or `a,b,c`. */
export function parseValues(text: string, flag: string): number[] {
  const bad = () => new UserError(`${flag} ${text}: expected a list a,b,c or a range start:end:count[:log]`);
  if (text.includes(":")) {
    const [a, b, n, mode] = text.split(":");
    const lo = Number(a);
    const hi = Number(b);
    const count = Number(n);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isInteger(count) || count < 1 || (mode && mode !== "log")) throw bad();
    if (mode === "log" && (lo <= 0 || hi <= 0)) throw bad();
    return Array.from({ length: count }, (_, i) => {
      const t = count === 1 ? 0 : i / (count - 1);
      return Number((mode === "log" ? lo * (hi / lo) ** t : lo + t * (hi - lo)).toPrecision(12));
    });
  }
  const vals = text.split(",").map((x) => Number(x.trim()));
  if (vals.length === 0 || vals.some((v) => !Number.isFinite(v))) throw bad();
  return vals;
}

export async function runSweep(o: SweepOptions): Promise<SweepRow[]> {
  const R = o.replicates ?? 2;
  const { parameter, values, metrics, replicates: _r, seed, threads, onRunDone, ...shared } = o;
  const jobs: SweepJob[] = [];
  for (const v of values)
    for (let r = 0; r < R; r++)
      jobs.push({
        request: { ...shared, seed: replicateSeed(seed ?? 1, `${parameter}=${v}`, r), set: { ...(o.set ?? {}), [parameter]: v } },
        metrics,
      });
  let results: number[][];
  if ((threads ?? 1) > 1 && jobs.length > 1)
    results = await runPool<SweepJob, number[]>(new URL("./sweep-worker.ts", import.meta.url), jobs, threads ?? 1, (d) => onRunDone?.(d, jobs.length));
  else {
    results = [];
    for (const j of jobs) {
      results.push(runSweepDish(j));
      onRunDone?.(results.length, jobs.length);
    }
  }
  return values.map((value, vi) => {
    const dishes = results.slice(vi * R, (vi + 1) * R);
    const m: SweepRow["metrics"] = {};
    metrics.forEach((k, i) => {
      const xs = dishes.map((d) => d[i]);
      m[k] = { mean: sig(mean(xs), 6), sd: sig(sd(xs), 6) };
    });
    return { value, n: R, metrics: m };
  });
}

export function sweepCsv(parameter: string, rows: SweepRow[]): string {
  const metrics = Object.keys(rows[0]?.metrics ?? {});
  return toCsv(
    [parameter, "replicates", ...metrics.flatMap((k) => [`${k}.mean`, `${k}.sd`])],
    rows.map((r) => [r.value, r.n, ...metrics.flatMap((k) => [r.metrics[k].mean, r.metrics[k].sd])]),
  );
}

/** One SVG per metric: mean (line) with ± SD band drawn as dashed lines. */
export function sweepSvgs(parameter: string, rows: SweepRow[]): Array<[string, string]> {
  const x = rows.map((r) => r.value);
  return Object.keys(rows[0]?.metrics ?? {}).map((k) => {
    const m = rows.map((r) => r.metrics[k].mean);
    const s = rows.map((r) => r.metrics[k].sd || 0);
    return [
      `sweep_${k.replace(/[^A-Za-z0-9_.-]/g, "_")}.svg`,
      lineChartSvg(
        [
          { name: "mean", x, y: m },
          { name: "mean + SD", x, y: m.map((v, i) => v + s[i]), dashed: true, color: "#999" },
          { name: "mean − SD", x, y: m.map((v, i) => v - s[i]), dashed: true, color: "#999" },
        ],
        { title: `${k} against ${parameter}`, xLabel: parameter, yLabel: k },
      ),
    ];
  });
}
