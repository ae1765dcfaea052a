import { UserError } from "./util/errors.ts";
import { catalogue } from "./catalogue.ts";
import { Params, type ParamValues } from "./core/params.ts";
import type { ScenarioRuntime } from "./core/process.ts";
import { applyPerturbations } from "./perturbations/perturbations.ts";
import { loadScenario, validateScenario, type NamedScenario } from "./scenarios/load.ts";
import { cargoSpecSchema, type ScenarioInput } from "./scenarios/schema.ts";

export interface RunRequest {
  /** Built-in name, file path, or an inline scenario object. Default `nrk-fibronectin`. */
  scenario?: string | ScenarioInput;
  seed?: number;
  hours?: number;
  cells?: number;
  perturb?: string[];
  /** Parameter overrides by dotted path (strings are coerced and checked). */
  set?: Record<string, unknown>;
}

export interface ResolvedRun {
  scenarioName: string;
  scenarioOrigin: string;
  seed: number;
  params: Params;
  perturbations: string[];
  runtime: ScenarioRuntime;
}

/**
 * Resolve a run request into validated parameters. Order: catalogue defaults → scenario file →
 * perturbations (scenario's, then the request's) → explicit --set overrides → --hours/--cells/--seed.
 */
export function resolveRun(req: RunRequest): ResolvedRun {
  const cat = catalogue();
  let named: NamedScenario;
  if (req.scenario === undefined || typeof req.scenario === "string") named = loadScenario(req.scenario ?? "nrk-fibronectin");
  else named = { name: req.scenario.name ?? "inline", origin: "inline scenario", scenario: validateScenario(req.scenario, "inline scenario") };
  const sc = named.scenario;
  const where = named.origin;
  let values: ParamValues = cat.defaults();
  const scenarioSet: Record<string, unknown> = { ...(sc.params ?? {}) };
  if (sc.hours !== undefined) scenarioSet["time.hours"] = sc.hours;
  if (sc.cells !== undefined) scenarioSet["cells.count"] = sc.cells;
  if (sc.substrate !== undefined) scenarioSet["substrate.matrix"] = sc.substrate;
  for (const [k, v] of Object.entries(scenarioSet)) values[k] = cat.check(k, v, `${where}: params`);
  const perturbations = [...(sc.perturbations ?? []), ...(req.perturb ?? [])];
  values = applyPerturbations(values, sc.perturbations ?? [], where);
  values = applyPerturbations(values, req.perturb ?? [], "--perturb");
  const cargoSets: Array<[string, string, unknown]> = [];
  const bolusSets: Array<[string, boolean, unknown]> = [];
  for (const [k0, v] of Object.entries(req.set ?? {})) {
    const b = /^bolus\.(count|diameterUm|loads\.([^.]+))$/.exec(k0);
    if (b) {
      bolusSets.push([b[2] ?? b[1], b[2] !== undefined, v]);
      continue;
    }
    const m = /^cargo\.([^.]+)\.([^.]+)$/.exec(k0);
    if (m) {
      cargoSets.push([m[1], m[2], v]);
      continue;
    }
    const k = k0 === "substrate" ? "substrate.matrix" : k0;
    values[k] = cat.check(k, v, `--set ${k0}`);
  }
  if (req.hours !== undefined) values["time.hours"] = cat.check("time.hours", req.hours, "--hours");
  if (req.cells !== undefined) values["cells.count"] = cat.check("cells.count", req.cells, "--cells");
  // ranges may be violated by perturbation scaling only if the catalogue is inconsistent
  for (const [k, v] of Object.entries(values)) cat.check(k, v, "resolved parameters");
  const fields = (sc.fields ?? []).map((f) => ({
    name: f.name,
    diffusionUm2PerMin: f.diffusionUm2PerMin,
    decayPerMin: f.decayPerMin,
    secretionPerCellPerMin: f.secretionPerCellPerMin ?? 0,
    uptakePerMin: f.uptakePerMin ?? 0,
  }));
  const cargo = (sc.cargo ?? []).map((c) => ({ ...c }));
  for (const [name, key, v] of cargoSets) {
    const spec = cargo.find((c) => c.name === name);
    if (!spec) throw new UserError(`--set cargo.${name}.${key}: no cargo species '${name}' in ${where}; declared: ${cargo.map((c) => c.name).join(", ") || "none"}`);
    const raw = typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v;
    const r = cargoSpecSchema.safeParse({ ...spec, [key]: raw });
    if (!r.success) throw new UserError(`--set cargo.${name}.${key}: ${r.error.issues[0].path.join(".") || key}: ${r.error.issues[0].message}`);
    Object.assign(spec, r.data);
  }
  const fieldNames = new Set(fields.map((f) => f.name));
  for (const c of cargo)
    if (c.field !== undefined && !fieldNames.has(c.field))
      throw new UserError(`${where}: cargo '${c.name}': field '${c.field}' is not declared under 'fields' (declared: ${[...fieldNames].join(", ") || "none"})`);
  let bolus = sc.bolus ? { ...sc.bolus, loads: { ...sc.bolus.loads } } : undefined;
  for (const [key, isLoad, v] of bolusSets) {
    bolus ??= { count: 0, diameterUm: 1.5, loads: {} };
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || (key === "count" && !Number.isInteger(n)))
      throw new UserError(`--set bolus.${isLoad ? `loads.${key}` : key}: expected a ${key === "count" ? "whole number" : "number"} ≥ 0, got '${String(v)}'`);
    if (isLoad) bolus.loads[key] = n;
    else if (key === "count") bolus.count = n;
    else bolus.diameterUm = n;
  }
  if (bolus)
    for (const k of Object.keys(bolus.loads))
      if (!cargo.some((c) => c.name === k)) throw new UserError(`${where}: bolus.loads: '${k}' is not a declared cargo species`);
  const chemo = values["cells.chemotaxisField"];
  if (typeof chemo === "string" && chemo !== "" && !fields.some((f) => f.name === chemo))
    throw new UserError(`${where}: cells.chemotaxisField '${chemo}' names no field; declared fields: ${fields.map((f) => f.name).join(", ") || "none"}`);
  return {
    scenarioName: named.name,
    scenarioOrigin: named.origin,
    seed: req.seed ?? sc.seed ?? 1,
    params: new Params(values),
    perturbations,
    runtime: { fields, substrateRegions: sc.substrateRegions ?? [], cargo, bolus },
  };
}
