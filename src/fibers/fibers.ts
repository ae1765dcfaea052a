import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule } from "../core/process.ts";
import type { World } from "../core/world.ts";
import type { Rng } from "../util/rng.ts";
import { Network, networkParams } from "./network.ts";

/**
 * Retraction fibers while the cell pulls them: the proximal end follows an attachment point on
 * the cell rear, so the fiber lengthens along the path of the rear; fibers branch (a new fiber
 * leaves from the current end, creating a junction); the cell lets go of a fiber after a random
 * time. Tension rises with pulled length.
 */
export const fiberParams: ParamSpec[] = [
  ...networkParams,
  { path: "fibers.attachedMeanMin", unit: "min", default: 60, min: 0.1, max: 1e6, description: "mean time a fiber stays pulled by the cell before the cell lets go (exponential); pulled length then grows with speed", source: "modelling assumption (RF length grows with migration speed: Fan et al. 2022 J Cell Biol; no measured RF length distribution)" },
  { path: "fibers.breakAgeMin", unit: "min", default: 260, min: 1, max: 1e6, description: "mean age at which a fiber section breaks (older, more distal sections first)", source: "modelling assumption calibrated to the ~200 min mean migrasome lifetime (Wu et al. 2017 Cell Res); order of breakage: Wang et al. 2022 Cell Res" },
  { path: "fibers.breakAgeShape", unit: "1", default: 4, min: 0.1, max: 1000, description: "gamma shape of the per-fiber break age (larger = less variable)", source: "modelling assumption" },
  { path: "fibers.tspan4StabilityGain", unit: "1", default: 1, min: 0, max: 10, description: "gain of fiber stability with TSPAN4 above wild type: the mean break age of fiber sections is multiplied by 1 + gain·(level − 1)", source: "calibrated to total RF length ×2.68 with TSPAN4 overexpression (Wang et al. 2022 Cell Res, L929)" },
  { path: "fibers.branchPerMin", unit: "1/min", default: 0.004, min: 0, max: 100, description: "branching rate of a fiber while pulled", source: "modelling assumption (RF branch points seen by SEM: Ma et al. 2015 Cell Res)" },
  { path: "fibers.branchAngleRad", unit: "rad", default: 0.6, min: 0, max: 3.14, description: "angular offset of a branch's attachment point at the rear", source: "modelling assumption" },
  { path: "fibers.tensionRefPn", unit: "pN", default: 25, min: 0.1, max: 1e4, description: "tether holding force at zero extension, f = 2π√(2κσ) with κ = 20 k_BT, σ = 10⁻⁴ N/m", source: "textbook tether mechanics (Derényi et al. 2002 PRL); values modelling assumption" },
  { path: "fibers.tensionLengthUm", unit: "µm", default: 60, min: 0.1, max: 1e6, description: "pulled length over which fiber tension doubles (membrane reservoir depletion)", source: "modelling assumption" },
  { path: "molecular.tspan4Level", unit: "1", default: 1, min: 0, max: 20, description: "TSPAN4 level relative to wild type", source: "Huang et al. 2019 Nat Cell Biol; Wang et al. 2022 Cell Res" },
  { path: "molecular.myosinLevel", unit: "1", default: 1, min: 0, max: 10, description: "myosin II activity relative to wild type (rear contractility: fiber tension, retractosome shedding)", source: "Wang et al. 2022 Cell Res (blebbistatin blocks retractosomes)" },
];

/** Per-fiber random lifetimes: break age (gamma) and time attached to the cell (exponential). */
export function fiberLifetimes(params: Params): { draw(rng: Rng): { breakAgeMin: number; attachedMin: number } } {
  const tspan4 = params.num("molecular.tspan4Level");
  const gain = params.num("fibers.tspan4StabilityGain");
  const stability = Math.max(1, 1 + gain * (tspan4 - 1));
  const mean = params.num("fibers.breakAgeMin") * stability;
  const shape = params.num("fibers.breakAgeShape");
  const attached = params.num("fibers.attachedMeanMin");
  return {
    draw: (rng) => ({ breakAgeMin: rng.gamma(shape, mean / shape), attachedMin: rng.exponential(attached) }),
  };
}

/** Fiber tension (pN) for a pulled length; 0 once released. */
export function fiberTensionPn(params: { refPn: number; lengthScaleUm: number; myosin: number }, lengthUm: number, attached: boolean): number {
  if (!attached) return 0;
  return params.refPn * params.myosin * (1 + lengthUm / params.lengthScaleUm);
}

export class Fibers implements Process {
  readonly name = "fibers";
  private branchRate: number;
  private branchAngle: number;
  private lifetimes: ReturnType<typeof fiberLifetimes>;

  constructor(private params: Params) {
    this.branchRate = params.num("fibers.branchPerMin");
    this.branchAngle = params.num("fibers.branchAngleRad");
    this.lifetimes = fiberLifetimes(params);
  }

  step(w: World, dt: number): void {
    const rng = w.rng("fibers");
    const net = Network.of(w, this.params);
    const fc = w.fibers.c;
    const cells = w.cells.c;
    const attached = w.attachedFibers;
    const nC = w.cells.n;
    if (this.rearAngle.length < nC) this.rearAngle = new Float64Array(nC);
    const rear = this.rearAngle;
    for (let i = 0; i < nC; i++) rear[i] = Math.atan2(cells.polY[i], cells.polX[i]) + Math.PI;
    const pBranch = 1 - Math.exp(-this.branchRate * dt);
    const n = attached.n; // fibers created during this loop are pulled from the next step on
    let released = false;
    for (let k = 0; k < n; k++) {
      const f = attached.data[k];
      const i = fc.cell[f];
      const ang = rear[i] + fc.alphaRad[f];
      const R = cells.radiusUm[i];
      const x = cells.x[i] + R * Math.cos(ang);
      const y = cells.y[i] + R * Math.sin(ang);
      net.pull(f, x, y, rng);
      if (w.timeMin >= fc.releaseAtMin[f]) {
        this.release(w, net, f, rng);
        released = true;
        continue;
      }
      if (pBranch > 0 && rng.uniform() < pBranch) {
        // fix the current end as the branch point, then start a child fiber from it
        const v = w.vertices.c;
        const end = fc.headVertex[f];
        const p = v.prev[end];
        const segLen = Math.hypot(v.x[end] - v.x[p], v.y[end] - v.y[p]);
        if (segLen > 1e-6) {
          net.commitHead(f, segLen, rng);
          const h = net.splitHead(f);
          const hx = v.x[h];
          const hy = v.y[h];
          const sign = rng.uniform() < 0.5 ? -1 : 1;
          let alpha = fc.alphaRad[f] + sign * this.branchAngle;
          alpha = Math.max(-1.4, Math.min(1.4, alpha));
          const lt = this.lifetimes.draw(rng);
          net.createFiber(i, hx, hy, alpha, f, h, lt.breakAgeMin, lt.attachedMin);
        }
      }
    }
    if (released) attached.filter((f) => fc.attached[f] === 1);
  }

  private rearAngle = new Float64Array(0);

  private release(w: World, net: Network, f: number, rng: Rng): void {
    const fc = w.fibers.c;
    const v = w.vertices.c;
    const h = fc.headVertex[f];
    const p = v.prev[h];
    net.commitHead(f, Math.hypot(v.x[h] - v.x[p], v.y[h] - v.y[p]), rng);
    fc.attached[f] = 0;
    fc.releasedMin[f] = w.timeMin;
  }
}

export const fibersModule: ProcessModule = {
  name: "fibers",
  params: fiberParams,
  create: (p) => new Fibers(p),
};
