import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { ConditionSpec } from "../../experiment/experiment.ts";
import { ensureOutDir, writeFileAtomic } from "../../util/atomic.ts";
import { UserError } from "../../util/errors.ts";
import { createProgress } from "../../util/progress.ts";

/**
 * The simulation's modules, loaded when a simulation command runs: `migrasim analyze`, `mechanics` and `--help` need
 * none of them (the engine, scenarios with yaml and zod: about half a second of start-up).
 */
async function lib() {
  const [cat, exp, pert, wr, res, load, schema, sim, sweep] = await Promise.all([
    import("../../catalogue.ts"),
    import("../../experiment/experiment.ts"),
    import("../../perturbations/perturbations.ts"),
    import("../../readouts/write-run.ts"),
    import("../../resolve.ts"),
    import("../../scenarios/load.ts"),
    import("../../scenarios/schema.ts"),
    import("../../simulate.ts"),
    import("../../experiment/sweep.ts"),
  ]);
  return { ...cat, ...exp, ...pert, ...wr, ...res, ...load, ...schema, ...sim, ...sweep };
}

const collect = (v: string, prev: string[]) => [...prev, v];

function intOption(flag: string, v: string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`${flag}: expected an integer ≥ ${min}, got '${v}'`);
  return n;
}

function numOption(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UserError(`${flag}: expected a number ≥ 0, got '${v}'`);
  return n;
}

function parseSets(sets: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const i = s.indexOf("=");
    if (i <= 0) throw new UserError(`--set ${s}: expected path=value, e.g. --set cells.speedUmPerMin=1.2`);
    out[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
  return out;
}

/** The run request shared by run, experiment and sweep, with every flag checked. */
function baseRequest(scenario: string, o: RunFlags) {
  return {
    scenario,
    seed: intOption("--seed", o.seed),
    hours: numOption("--hours", o.hours),
    cells: intOption("--cells", o.cells, 1),
    set: parseSets(o.set),
  };
}

interface RunFlags {
  seed?: string;
  hours?: string;
  cells?: string;
  perturb: string[];
  set: string[];
  out?: string;
  quiet?: boolean;
}

/** `migrasim run`, `list`, `params`, `experiment`, `schema`. */
export function registerSimulation(program: Command): void {
  program
    .command("run")
    .description("run a simulation and write its read-outs, tables and figures")
    .argument("[scenario]", "built-in scenario name or a YAML/JSON file", "nrk-fibronectin")
    .option("--seed <n>", "random seed (same seed and inputs give identical outputs)")
    .option("--hours <h>", "simulated duration in hours")
    .option("--cells <n>", "number of cells")
    .option("--perturb <name>", "perturbation by name (repeatable); see 'migrasim list'", collect, [])
    .option("--set <path=value>", "override a parameter (repeatable); see 'migrasim params'", collect, [])
    .option("--out <dir>", "output folder", "runs/latest")
    .option("--quiet", "no progress output")
    .action(async (scenario: string, o: RunFlags) => {
      const L = await lib();
      const req = { ...baseRequest(scenario, o), perturb: o.perturb };
      const resolved = L.resolveRun(req); // validate everything before any work
      ensureOutDir(o.out ?? "runs/latest");
      const totalMin = resolved.params.num("time.hours") * 60;
      const bar = createProgress(`simulating ${resolved.scenarioName}`, Math.round(totalMin), { quiet: o.quiet });
      const result = L.simulate({ ...req, onProgress: (t) => bar.update(Math.round(t)) });
      bar.stop();
      const out = o.out ?? "runs/latest";
      L.writeRun(result, out);
      const s = result.summary;
      process.stdout.write(
        [
          `scenario ${resolved.scenarioName}, seed ${resolved.seed}${resolved.perturbations.length ? `, perturbations ${resolved.perturbations.join(", ")}` : ""}: ${s.cells.count} cells, ${fmtNum(totalMin / 60)} h in ${result.wallSeconds.toFixed(1)} s`,
          `  migrasomes per cell        ${fmtNum(s.migrasomes.perCell)}`,
          `  per 100 µm fiber           ${fmtNum(s.migrasomes.per100UmFiber)}`,
          `  fiber length per cell (µm) ${fmtNum(s.fibers.totalLengthUmPerCell)}`,
          `  diameter (µm)              mean ${fmtNum(s.migrasomes.diameterUm.mean)}, p5–p95 ${fmtNum(s.migrasomes.diameterUm.p5)}–${fmtNum(s.migrasomes.diameterUm.p95)}`,
          `  sites                      tip ${pct(s.migrasomes.sites.tip)}, junction ${pct(s.migrasomes.sites.junction)}, along ${pct(s.migrasomes.sites.along)}`,
          `  attached lifetime (min)    ${fmtNum(s.migrasomes.lifetimeMin.mean)}`,
          `  swellings decayed          ${s.swellings.decayed} of ${s.swellings.total}`,
          `  retractosomes per cell     ${fmtNum(s.fibers.retractosomesPerCell)}`,
          ...Object.entries(s.cargo ?? {}).map(
            ([name, c]) =>
              `  ${`cargo ${name}`.padEnd(27)}produced ${fmtNum(c.produced)}, loaded ${fmtNum(c.loaded)}, released ${fmtNum(c.released)}, delivered ${fmtNum(c.delivered)}, held ${fmtNum(c.held)}`,
          ),
          ...(s.recipients && s.recipients.count > 0
            ? [`  ${`recipients (${s.recipients.count})`.padEnd(27)}PTEN ${fmtNum(s.recipients.ptenMean)}, pAKT ${fmtNum(s.recipients.pAktMean)}, migrasomes taken up per cell ${fmtNum(s.recipients.migrasomesTakenUpPerCell)}`]
            : []),
          ...(s.mito
            ? [`  mitochondria               ψ ${fmtNum(s.mito.meanMembranePotential)}, viability ${fmtNum(s.mito.meanViability)}, exported per cell ${fmtNum(s.mito.exportedPerCell)}`]
            : []),
          `wrote ${out}/ (summary.json, migrasomes.csv, fibers.csv, cells.csv, timeseries.csv, figures${s.cargo ? ", transfers.csv" : ""}, run.json)`,
          "",
        ].join("\n"),
      );
    });

  program
    .command("list")
    .description("list built-in scenarios and perturbations")
    .action(async () => {
      const L = await lib();
      const lines = ["Scenarios:"];
      for (const n of L.builtinNames()) {
        const sc = L.loadScenario(n).scenario;
        lines.push(`  ${n.padEnd(22)} ${(sc.description ?? "").replace(/\s+/g, " ").trim()}`);
      }
      lines.push("", "Perturbations (--perturb NAME):");
      for (const p of L.PERTURBATIONS) lines.push(`  ${p.name.padEnd(22)} ${p.description} [${p.source}]`);
      lines.push("", "Substrates (--set substrate=NAME): fibronectin, laminin511, collagen1, glass", "");
      process.stdout.write(lines.join("\n"));
    });

  program
    .command("params")
    .description("print the parameter catalogue: name, unit, default, range and source")
    .option("--json", "as JSON")
    .action(async (o: { json?: boolean }) => {
      const L = await lib();
      const all = L.catalogue().all();
      if (o.json) {
        process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const p of all) {
        const range = p.choices ? p.choices.join("|") : p.min !== undefined || p.max !== undefined ? `${p.min ?? "-inf"}..${p.max ?? "inf"}` : "";
        lines.push(`${p.path}  [${p.unit}]  default ${JSON.stringify(p.default)}${range ? `  range ${range}` : ""}`);
        lines.push(`    ${p.description}`);
        lines.push(`    source: ${p.source}`);
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    });

  program
    .command("schema")
    .description("print the JSON Schema of scenario files")
    .action(async () => {
      const L = await lib();
      process.stdout.write(`${JSON.stringify(L.scenarioJsonSchema(), null, 2)}\n`);
    });

  registerSweep(program);

  program
    .command("experiment")
    .description("run control and perturbations with replicate dishes; print and write a figure-like table")
    .argument("[scenario]", "built-in scenario name or a YAML/JSON file", "nrk-fibronectin")
    .option("--perturb <name>", "perturbation to compare with control (repeatable)", collect, [])
    .option(
      "--condition <label:settings>",
      "a further condition, e.g. 'strong:mito.stressPerMin=0.005,perturb=tspan4-ko' or 'dose800:bolus.count=800' (repeatable)",
      collect,
      [],
    )
    .option("--metric <path>", "also compare this summary.json read-out per dish, e.g. mito.meanViability (repeatable)", collect, [])
    .option("--replicates <r>", "replicate dishes per condition", "3")
    .option("--workers <n>", "worker threads (default: all cores); results do not depend on it")
    .option("--seed <n>", "base seed")
    .option("--hours <h>", "simulated duration in hours")
    .option("--cells <n>", "cells per dish")
    .option("--set <path=value>", "override a parameter for all conditions (repeatable)", collect, [])
    .option("--out <dir>", "output folder for experiment.csv", "runs/experiment")
    .option("--quiet", "no progress output")
    .action(async (scenario: string, o: RunFlags & { replicates: string; condition: string[]; metric: string[]; workers?: string }) => {
      const L = await lib();
      const conditions = o.condition.map(parseCondition);
      if (o.perturb.length === 0 && conditions.length === 0)
        throw new UserError("experiment: give at least one --perturb NAME or --condition LABEL:settings (see 'migrasim list')");
      const base = baseRequest(scenario, o);
      // validate every condition before running anything
      for (const p of o.perturb) L.resolveRun({ ...base, perturb: [p] });
      for (const c of conditions) L.resolveRun({ ...base, perturb: c.perturb, set: { ...base.set, ...c.set } });
      const labels = new Set(["control"]);
      for (const l of [...o.perturb, ...conditions.map((c) => c.label)]) {
        if (labels.has(l)) throw new UserError(`experiment: condition label '${l}' is used twice`);
        labels.add(l);
      }
      const probe = L.simulate({ ...base, hours: 0 }).summary;
      for (const m of o.metric)
        if (!hasNumber(probe, m))
          throw new UserError(`--metric ${m}: not a numeric read-out of summary.json for this scenario (e.g. migrasomes.perCell, fibers.totalLengthUmPerCell, mito.meanViability)`);
      const R = intOption("--replicates", o.replicates, 1) ?? 3;
      ensureOutDir(o.out ?? "runs/experiment");
      const bar = createProgress("experiment runs", (o.perturb.length + conditions.length + 1) * R, { quiet: o.quiet });
      const threads = intOption("--workers", o.workers, 1) ?? availableParallelism();
      const rows = await L.runExperiment({
        threads,
        ...base,
        perturbations: o.perturb,
        conditions,
        metrics: o.metric,
        replicates: R,
        onRunDone: (d) => bar.update(d),
      });
      bar.stop();
      const out = o.out ?? "runs/experiment";
      writeFileAtomic(join(out, "experiment.csv"), L.experimentCsv(rows));
      const perDish = o.metric.length ? `; per-dish read-outs: mean ± SD over ${R} dishes, p over dishes` : "";
      process.stdout.write(
        `${L.experimentTable(rows)}\n(mean ± SD per cell, n = cells pooled over ${R} replicate dishes${perDish}; p: two-sided Mann–Whitney vs control)\nwrote ${out}/experiment.csv\n`,
      );
    });
}

/** `migrasim sweep`: one parameter over a range, replicate dishes, metrics table and plots. */
function registerSweep(program: Command): void {
  program
    .command("sweep")
    .description("vary one parameter over a range (replicate dishes, all cores); table and plots of summary read-outs")
    .argument("[scenario]", "built-in scenario name or a YAML/JSON file", "nrk-fibronectin")
    .requiredOption("--vary <path=range>", "parameter and values: path=a,b,c or path=start:end:count[:log], e.g. cells.speedUmPerMin=0.2:1.6:8")
    .option("--metric <path>", "summary.json read-out to record (repeatable); default migrasomes.perCell", collect, [])
    .option("--replicates <r>", "replicate dishes per value", "2")
    .option("--workers <n>", "worker threads (default: all cores); results do not depend on it")
    .option("--seed <n>", "base seed")
    .option("--hours <h>", "simulated duration in hours")
    .option("--cells <n>", "cells per dish")
    .option("--perturb <name>", "perturbation applied to every dish (repeatable)", collect, [])
    .option("--set <path=value>", "further fixed parameter (repeatable)", collect, [])
    .option("--out <dir>", "output folder", "runs/sweep")
    .option("--quiet", "no progress output")
    .action(async (scenario: string, o: RunFlags & { vary: string; metric: string[]; replicates: string; workers?: string }) => {
      const L = await lib();
      const i = o.vary.indexOf("=");
      if (i <= 0) throw new UserError(`--vary ${o.vary}: expected path=values, e.g. cells.speedUmPerMin=0.2:1.6:8`);
      const parameter = o.vary.slice(0, i).trim();
      const values = L.parseValues(o.vary.slice(i + 1).trim(), `--vary ${parameter}=`);
      const base = { ...baseRequest(scenario, o), perturb: o.perturb };
      for (const v of values) L.resolveRun({ ...base, set: { ...base.set, [parameter]: v } }); // every value checked first
      const metrics = o.metric.length ? o.metric : ["migrasomes.perCell"];
      const probe = L.simulate({ ...base, hours: 0 }).summary;
      for (const m of metrics) if (!hasNumber(probe, m)) throw new UserError(`--metric ${m}: not a numeric read-out of summary.json for this scenario`);
      const out = o.out ?? "runs/sweep";
      ensureOutDir(out);
      const R = intOption("--replicates", o.replicates, 1) ?? 2;
      const bar = createProgress("sweep runs", values.length * R, { quiet: o.quiet });
      const rows = await L.runSweep({
        ...base,
        parameter,
        values,
        metrics,
        replicates: R,
        threads: intOption("--workers", o.workers, 1) ?? availableParallelism(),
        onRunDone: (d) => bar.update(d),
      });
      bar.stop();
      writeFileAtomic(join(out, "sweep.csv"), L.sweepCsv(parameter, rows));
      for (const [name, svg] of L.sweepSvgs(parameter, rows)) writeFileAtomic(join(out, name), svg);
      const lines = [`${parameter.padEnd(24)}${metrics.map((m) => m.padEnd(28)).join("")}`];
      for (const r of rows) lines.push(`${fmtNum(r.value).padEnd(24)}${metrics.map((m) => `${fmtNum(r.metrics[m].mean)} ± ${fmtNum(r.metrics[m].sd)}`.padEnd(28)).join("")}`);
      process.stdout.write(`${lines.join("\n")}\n(mean ± SD over ${R} dishes per value)\nwrote ${out}/sweep.csv and plots\n`);
    });
}

/** Whether a dotted path names a numeric read-out of the summary (its value may be NaN at t = 0). */
function hasNumber(summary: unknown, path: string): boolean {
  let v: unknown = summary;
  for (const k of path.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === "number";
}

/** `label:key=value,key=value`; the key `perturb` adds a perturbation. */
function parseCondition(text: string): ConditionSpec {
  const i = text.indexOf(":");
  const label = i > 0 ? text.slice(0, i).trim() : "";
  if (!/^[A-Za-z0-9_.+-]+$/.test(label)) throw new UserError(`--condition ${text}: expected LABEL:key=value[,key=value], e.g. strong:mito.stressPerMin=0.005`);
  const perturb: string[] = [];
  const set: Record<string, string> = {};
  for (const part of text.slice(i + 1).split(",").map((x) => x.trim()).filter(Boolean)) {
    const j = part.indexOf("=");
    if (j <= 0) throw new UserError(`--condition ${text}: '${part}' is not key=value`);
    const k = part.slice(0, j).trim();
    const v = part.slice(j + 1).trim();
    if (k === "perturb") perturb.push(v);
    else set[k] = v;
  }
  return { label, perturb, set };
}

function fmtNum(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : "n/a";
}
function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}
