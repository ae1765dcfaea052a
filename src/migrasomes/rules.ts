import type { Params } from "../core/params.ts";
import { SolverStabilisation } from "./solver-stabilisation.ts";
import { SimpleStabilisation, type StabilisationRule } from "./stabilisation.ts";

/** The stabilisation rule selected by `mechanics.mode`. */
export function createStabilisationRule(params: Params): StabilisationRule {
  const mode = params.str("mechanics.mode");
  switch (mode) {
    case "simple":
      return new SimpleStabilisation(params);
    case "solver":
      return new SolverStabilisation(params);
    default:
      throw new Error(`mechanics.mode '${mode}' is not available`);
  }
}
