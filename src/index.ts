/** Public library API of Migrasim. */
export { VERSION } from "./version.ts";
export { UserError } from "./util/errors.ts";
export { simulate, createEngine, type SimulateOptions, type SimulationResult } from "./simulate.ts";
export { resolveRun, type RunRequest, type ResolvedRun } from "./resolve.ts";
export { Engine } from "./core/engine.ts";
export { World, type WorldState } from "./core/world.ts";
export type { Process, ProcessModule, ScenarioRuntime, FieldSpec } from "./core/process.ts";
export { Params, Catalogue, type ParamSpec } from "./core/params.ts";
export { catalogue } from "./catalogue.ts";
export { processModules } from "./processes.ts";
export { PERTURBATIONS, type Perturbation } from "./perturbations/perturbations.ts";
export { summarize, type Summary } from "./readouts/summary.ts";
export { perCell } from "./readouts/per-cell.ts";
export { writeRun } from "./readouts/write-run.ts";
export { runExperiment, experimentTable, experimentCsv, type ConditionRow } from "./experiment/experiment.ts";
export { mannWhitney } from "./stats/mann-whitney.ts";
export { Field } from "./fields/field.ts";
export { Rng } from "./util/rng.ts";
export { loadScenario, builtinNames } from "./scenarios/load.ts";
export { scenarioSchema, scenarioJsonSchema } from "./scenarios/schema.ts";
/** Membrane mechanics (shape solver, phase diagram, junctions, stabilisation table). */
export * as mechanics from "./mechanics/index.ts";
/** Microscopy: image input, detection of migrasomes, fibers and cells, synthetic rendering, evaluation. */
export * as imaging from "./imaging/index.ts";
/** Cargo, recipients, mitocytosis. */
export { cargoTotals, transfersTable, LEDGER_KEYS } from "./cargo/cargo.ts";
export { mitoSummary } from "./mitochondria/mitocytosis.ts";
export { runPool } from "./util/pool.ts";
