import { coreParams } from "./core/core-params.ts";
import { Catalogue } from "./core/params.ts";
import { solverStabilisationParams } from "./migrasomes/solver-stabilisation.ts";
import { stabilisationParams } from "./migrasomes/stabilisation.ts";
import { processModules } from "./processes.ts";

let cached: Catalogue | undefined;

/** The full parameter catalogue: engine parameters plus every process module's. */
export function catalogue(): Catalogue {
  if (!cached) {
    const c = new Catalogue(coreParams);
    for (const m of processModules) for (const p of m.params) c.add(p);
    for (const p of stabilisationParams) c.add(p);
    for (const p of solverStabilisationParams) c.add(p);
    cached = c;
  }
  return cached;
}
