import type { ParamSpec, Params } from "./params.ts";
import type { BolusSpec, CargoSpec } from "../scenarios/schema.ts";
import type { World } from "./world.ts";

/**
 * One biological process (migration, fibers, nucleation, …). The engine steps every process
 * once per time step, in the order of the registry. A process keeps no hidden state of its own:
 * everything that must survive a checkpoint lives in the World.
 */
export interface Process {
  readonly name: string;
  /** Called once after the world is created (not after a restore). */
  init?(world: World): void;
  /** Advance by dtMin. */
  step(world: World, dtMin: number): void;
}

/** A process module: its parameters (with units and sources) and a factory checked at construction. */
export interface ProcessModule {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  create(params: Params, scenario: ScenarioRuntime): Process | null;
}

/** Scenario content that is not a scalar parameter (fields, substrate regions, …). */
export interface ScenarioRuntime {
  fields: FieldSpec[];
  substrateRegions: SubstrateRegion[];
  cargo?: CargoSpec[];
  bolus?: BolusSpec;
}

export interface FieldSpec {
  name: string;
  diffusionUm2PerMin: number;
  decayPerMin: number;
  /** Amount secreted per cell per minute (0 = none). */
  secretionPerCellPerMin: number;
  /** Fraction of the local amount a cell takes up per minute. */
  uptakePerMin: number;
}

export interface SubstrateRegion {
  x0Um: number;
  y0Um: number;
  x1Um: number;
  y1Um: number;
  matrix: string;
}
