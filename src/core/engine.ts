import type { Params } from "./params.ts";
import type { Process, ProcessModule, ScenarioRuntime } from "./process.ts";
import { World, type WorldState } from "./world.ts";

export interface EngineOptions {
  params: Params;
  seed: number;
  modules: readonly ProcessModule[];
  scenario: ScenarioRuntime;
}

/**
 * The engine owns the world state and the clock, and steps each process in order.
 * It knows nothing about biology: processes are plugged in through their modules.
 */
export class Engine {
  readonly world: World;
  readonly processes: Process[];
  readonly dtMin: number;

  constructor(readonly options: EngineOptions) {
    this.world = new World(options.params, options.seed);
    this.dtMin = options.params.num("time.dtMin");
    this.processes = [];
    for (const m of options.modules) {
      const p = m.create(options.params, options.scenario);
      if (p) this.processes.push(p);
    }
    for (const p of this.processes) p.init?.(this.world);
  }

  step(): void {
    const w = this.world;
    w.clearEvents();
    for (const p of this.processes) p.step(w, this.dtMin);
    w.stepIndex++;
    w.timeMin = w.stepIndex * this.dtMin;
  }

  /** Run until `untilMin`, calling onProgress every `every` steps. */
  run(untilMin: number, onProgress?: (timeMin: number) => void, every = 100): void {
    const total = Math.round(untilMin / this.dtMin);
    while (this.world.stepIndex < total) {
      this.step();
      if (onProgress && this.world.stepIndex % every === 0) onProgress(this.world.timeMin);
    }
    onProgress?.(this.world.timeMin);
  }

  checkpoint(): WorldState {
    return this.world.toState();
  }

  restore(state: WorldState): void {
    this.world.loadState(state);
  }
}
