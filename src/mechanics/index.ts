/** Membrane mechanics of migrasome formation (issue 3): public API. */
export * from "./params.ts";
export { buildMesh, gradedLengths, type Mesh } from "./mesh.ts";
export { EnergyModel, bendingEnergyOfProfile, type EnergyTerms } from "./energy.ts";
export { lbfgs, type LbfgsOptions, type LbfgsResult } from "./lbfgs.ts";
export { extractProfile, initialState, profilePoints, type Profile, type ProfilePoint } from "./profile.ts";
export { groupBranches, minimiseFrom, scanSeedRadii, solveShape, type Branch, type LocalMinimum, type ShapeSolution, type SolveOptions } from "./solver.ts";
export { PHASE_MESH, phaseDiagram, thresholdRatio, type PhaseOptions, type PhasePoint, type ThresholdOptions, type ThresholdResult } from "./phase.ts";
export { junctionComparison, type JunctionOptions, type JunctionRow } from "./junction.ts";
export * from "./units.ts";
export { shapeReport, type ShapeReport } from "./report.ts";
export {
  buildStabilisationTable,
  defaultStabilisationTable,
  isStabilised,
  thresholdKappaRatio,
  tableFromJson,
  tableToJson,
  type StabilisationTable,
} from "./stabilisation-table.ts";
export { kappaRatioFromComposition, type CompositionStiffening } from "./composition.ts";
export { junctionSvg, phaseSvg, shapeSvg, thresholdSvg } from "./figures.ts";
