import { UserError } from "./util/errors.ts";
import { catalogue } from "./catalogue.ts";
import { Params, type ParamValues } from "./core/params.ts";
import type { ScenarioRuntime } from "./core/process.ts";
import { applyPerturbations } from "./perturbations/perturbations.ts";
import { loadScenario, validateScenario, type NamedScenario } from "./scenarios/load.ts";
import type { ScenarioFile } from "./scenarios/schema.ts";

export interface RunRequest {
  /** Built-in name, file path, or an inline scenario object. Default `nrk-fibronectin`. */
  scenario?: string | ScenarioFile;
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
  for (const [k0, v] of Object.entries(req.set ?? {})) {
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
  const chemo = values["cells.chemotaxisField"];
  if (typeof chemo === "string" && chemo !== "" && !fields.some((f) => f.name === chemo))
    throw new UserError(`${where}: cells.chemotaxisField '${chemo}' names no field; declared fields: ${fields.map((f) => f.name).join(", ") || "none"}`);
  return {
    scenarioName: named.name,
    scenarioOrigin: named.origin,
    seed: req.seed ?? sc.seed ?? 1,
    params: new Params(values),
    perturbations,
    runtime: { fields, substrateRegions: sc.substrateRegions ?? [] },
  };
}
