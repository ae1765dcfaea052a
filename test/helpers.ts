import { catalogue } from "../src/catalogue.ts";
import { Engine } from "../src/core/engine.ts";
import { Params, type ParamValues } from "../src/core/params.ts";
import type { ProcessModule, ScenarioRuntime } from "../src/core/process.ts";

/** An engine with only the given process modules and parameter overrides (for unit tests). */
export function engineWith(modules: ProcessModule[], overrides: ParamValues, seed = 1, scenario?: Partial<ScenarioRuntime>): Engine {
  const params = new Params({ ...catalogue().defaults(), ...overrides });
  return new Engine({ params, seed, modules, scenario: { fields: [], substrateRegions: [], ...scenario } });
}
