import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule, ScenarioRuntime } from "../core/process.ts";
import type { World } from "../core/world.ts";
import { fiberLifetimes } from "./fibers.ts";
import { Network } from "./network.ts";
import { SubstrateMap, substrateParams } from "./substrate.ts";

/**
 * Adhesions form under the cell body and persist for a lifetime. When the cell rear retracts past
 * an adhesion that still holds (probability set by the integrin–matrix pairing), a membrane tether
 * is pulled between the adhesion and the cell: a new retraction fiber anchored there.
 */
export const adhesionParams: ParamSpec[] = [
  ...substrateParams,
  { path: "adhesions.formationPerMin", unit: "1/min", default: 0.12, min: 0, max: 1000, description: "adhesion sites formed per cell per minute (uniform under the footprint)", source: "modelling assumption calibrated to tens to ~100 migrasomes per cell in 18 h (Wang et al. 2022 Cell Res)" },
  { path: "adhesions.lifetimeMin", unit: "min", default: 40, min: 0.1, max: 1e5, description: "mean lifetime of an adhesion (exponential)", source: "Wu et al. 2017 Cell Res (focal adhesions last < 1 h)" },
];

function removeAdhesion(w: World, i: number): void {
  const A = w.adhesions;
  const last = A.n - 1;
  if (i !== last) {
    const c = A.c;
    c.x[i] = c.x[last];
    c.y[i] = c.y[last];
    c.cell[i] = c.cell[last];
    c.bornMin[i] = c.bornMin[last];
    c.expireMin[i] = c.expireMin[last];
  }
  A.n--;
}

export class Adhesions implements Process {
  readonly name = "adhesions";
  private rate: number;
  private lifetime: number;
  private substrate: SubstrateMap;
  private lifetimes: ReturnType<typeof fiberLifetimes>;

  constructor(
    private params: Params,
    scenario: ScenarioRuntime,
  ) {
    this.rate = params.num("adhesions.formationPerMin");
    this.lifetime = params.num("adhesions.lifetimeMin");
    this.substrate = new SubstrateMap(params, scenario.substrateRegions);
    this.lifetimes = fiberLifetimes(params);
  }

  step(w: World, dt: number): void {
    const rng = w.rng("adhesions");
    const cells = w.cells.c;
    const A = w.adhesions;
    // 1. new adhesions under each cell
    const mean = this.rate * dt;
    for (let i = 0; i < w.cells.n; i++) {
      const k = mean < 0.05 ? (rng.uniform() < mean ? 1 : 0) : rng.poisson(mean);
      for (let m = 0; m < k; m++) {
        const a = A.push();
        const r = cells.radiusUm[i] * Math.sqrt(rng.uniform());
        const phi = rng.range(-Math.PI, Math.PI);
        A.c.x[a] = cells.x[i] + r * Math.cos(phi);
        A.c.y[a] = cells.y[i] + r * Math.sin(phi);
        A.c.cell[a] = i;
        A.c.bornMin[a] = w.timeMin;
        A.c.expireMin[a] = w.timeMin + rng.exponential(this.lifetime);
      }
    }
    // 2. the rear passes adhesions: hold → fiber; expired adhesions disassemble
    const net = Network.of(w, this.params);
    for (let a = A.n - 1; a >= 0; a--) {
      const i = A.c.cell[a];
      if (A.c.expireMin[a] <= w.timeMin) {
        removeAdhesion(w, a);
        continue;
      }
      const ax = A.c.x[a];
      const ay = A.c.y[a];
      const dx = ax - cells.x[i];
      const dy = ay - cells.y[i];
      const R = cells.radiusUm[i];
      if (dx * dx + dy * dy <= R * R) continue;
      if (rng.uniform() < this.substrate.holdProbability(ax, ay)) {
        // attachment angle relative to the rear direction (theta + π)
        let alpha = Math.atan2(dy, dx) - (Math.atan2(cells.polY[i], cells.polX[i]) + Math.PI);
        alpha = Math.atan2(Math.sin(alpha), Math.cos(alpha));
        const lim = 1.2;
        if (alpha > lim) alpha = lim;
        else if (alpha < -lim) alpha = -lim;
        const lt = this.lifetimes.draw(rng);
        net.createFiber(i, ax, ay, alpha, -1, -1, lt.breakAgeMin, lt.attachedMin);
      } else w.counters.adhesionsReleased++;
      removeAdhesion(w, a);
    }
  }
}

export const adhesionsModule: ProcessModule = {
  name: "adhesions",
  params: adhesionParams,
  create: (p, s) => new Adhesions(p, s),
};
