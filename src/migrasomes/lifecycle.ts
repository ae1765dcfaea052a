import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule } from "../core/process.ts";
import {
  FATE_ATTACHED,
  FATE_DECAYED,
  FATE_PERSISTING,
  FATE_RUPTURED,
  FATE_SWELLING,
  FATE_UPTAKEN,
  type World,
} from "../core/world.ts";
import { CellGrid } from "../cells/cell-grid.ts";

/**
 * The migrasome lifecycle after nucleation, as explicit states with timestamps:
 * swelling → (stabilised: attached | decayed); attached grows to its final diameter and stays while
 * its fiber section holds (detachment is done by fiber breakage); a detached migrasome persists
 * until it ruptures or is taken up by a cell that covers it.
 */
export const lifecycleParams: ParamSpec[] = [
  { path: "migrasomes.ruptureMeanMin", unit: "min", default: 600, min: 0.01, max: 1e7, description: "mean time from detachment to rupture (exponential)", source: "modelling assumption (rupture reported, kinetics not measured: Ma et al. 2015 Cell Res; Zhu et al. 2021 Cell Res)" },
  { path: "migrasomes.uptakeDonorFactor", unit: "1", default: 1, min: 0, max: 1000, description: "uptake rate of donor cells relative to recipients (cell-type dependence of uptake)", source: "modelling assumption" },
  { path: "migrasomes.uptakePerMin", unit: "1/min", default: 0.05, min: 0, max: 1000, description: "uptake rate of a detached migrasome by a cell whose footprint covers it", source: "modelling assumption (uptake by neighbouring cells: Zhu et al. 2021 Cell Res)" },
];

export class Lifecycle implements Process {
  readonly name = "lifecycle";
  private rupture: number;
  private uptake: number;
  private donorFactor: number;
  private grid = new CellGrid();
  private dMin: number;

  constructor(params: Params) {
    this.rupture = params.num("migrasomes.ruptureMeanMin");
    this.uptake = params.num("migrasomes.uptakePerMin");
    this.donorFactor = params.num("migrasomes.uptakeDonorFactor");
    this.dMin = params.num("migrasomes.diameterMinUm");
  }

  step(w: World, dt: number): void {
    const now = w.timeMin + dt; // events scheduled within this step happen by its end
    const c = w.swellings.c;
    const active = w.activeSwellings;
    const rng = w.rng("lifecycle");
    const pRupture = 1 - Math.exp(-dt / this.rupture);
    const pUptake = 1 - Math.exp(-this.uptake * dt);
    const pUptakeDonor = 1 - Math.exp(-this.uptake * this.donorFactor * dt);
    let gridBuilt = false;
    const anyUptake = pUptake > 0 || pUptakeDonor > 0;
    const cells = w.cells.c;
    let changed = false;
    for (let k = 0; k < active.n; k++) {
      const s = active.data[k];
      switch (c.fate[s]) {
        case FATE_SWELLING:
          if (c.stabiliseAtMin[s] >= 0 && c.stabiliseAtMin[s] <= now) {
            c.fate[s] = FATE_ATTACHED;
            c.stabilisedMin[s] = c.stabiliseAtMin[s];
            w.events.stabilised.push(s);
          } else if (c.decayAtMin[s] >= 0 && c.decayAtMin[s] <= now) {
            c.fate[s] = FATE_DECAYED;
            c.endMin[s] = c.decayAtMin[s];
            w.vertices.c.migrasome[c.vertex[s]] = -1;
            w.counters.swellingsDecayed++;
            changed = true;
          }
          break;
        case FATE_ATTACHED:
          this.grow(c, s, now);
          break;
        case FATE_PERSISTING: {
          this.grow(c, s, now);
          if (rng.uniform() < pRupture) {
            c.fate[s] = FATE_RUPTURED;
            c.endMin[s] = now;
            w.events.ended.push(s);
            changed = true;
            break;
          }
          if (anyUptake) {
            if (!gridBuilt) {
              let maxR = 1;
              for (let i = 0; i < w.cells.n; i++) maxR = Math.max(maxR, cells.radiusUm[i]);
              this.grid.build(cells.x, cells.y, w.cells.n, 2 * maxR, w.widthUm, w.heightUm);
              gridBuilt = true;
            }
            const x = c.x[s];
            const y = c.y[s];
            let taker = -1;
            this.grid.forNear(x, y, (i) => {
              if (taker >= 0) return;
              const dx = cells.x[i] - x;
              const dy = cells.y[i] - y;
              if (dx * dx + dy * dy < cells.radiusUm[i] * cells.radiusUm[i] && rng.uniform() < (cells.group[i] === 0 ? pUptakeDonor : pUptake)) taker = i;
            });
            if (taker >= 0) {
              c.fate[s] = FATE_UPTAKEN;
              c.endMin[s] = now;
              c.recipient[s] = taker;
              w.events.ended.push(s);
              cells.uptaken[taker]++;
              changed = true;
            }
          }
          break;
        }
        default:
          changed = true;
      }
    }
    if (changed) active.filter((s) => c.fate[s] === FATE_SWELLING || c.fate[s] === FATE_ATTACHED || c.fate[s] === FATE_PERSISTING);
  }

  private grow(c: World["swellings"]["c"], s: number, now: number): void {
    const t = now - c.stabilisedMin[s];
    const target = c.targetDiameterUm[s];
    c.diameterUm[s] = target - (target - this.dMin) * Math.exp(-t / c.growthTauMin[s]);
  }
}

export const lifecycleModule: ProcessModule = {
  name: "lifecycle",
  params: lifecycleParams,
  create: (p) => new Lifecycle(p),
};
