import type { ParamSpec } from "./params.ts";

/** Parameters of the world and the clock (owned by the engine, not by a process). */
export const coreParams: ParamSpec[] = [
  { path: "world.widthUm", unit: "µm", default: 1500, min: 1, max: 1e6, description: "width of the dish region simulated", source: "modelling assumption (a sparse culture: ~100 cells in 1.5×1.5 mm)" },
  { path: "world.heightUm", unit: "µm", default: 1500, min: 1, max: 1e6, description: "height of the dish region simulated", source: "modelling assumption" },
  { path: "time.dtMin", unit: "min", default: 0.5, min: 0.001, max: 60, description: "cell time step", source: "modelling assumption (numerical; MSD and calibration tests pass at this step)" },
  { path: "time.hours", unit: "h", default: 18, min: 0, max: 10000, description: "simulated duration", source: "Wang et al. 2022 Cell Res (18 h culture before counting)" },
];
