import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule, ScenarioRuntime } from "../core/process.ts";
import type { World } from "../core/world.ts";
import { CellGrid } from "./cell-grid.ts";

/**
 * Cell migration: a persistent random walk at constant speed whose heading diffuses with
 * rotational diffusion 1/P (P = persistence time), so the MSD follows Fürth's formula
 * MSD(t) = 2v²P[t − P(1 − e^{−t/P})]. Optional chemotaxis turns the heading up a field gradient;
 * soft contact repulsion separates overlapping cells; walls reflect.
 */
export const migrationParams: ParamSpec[] = [
  { path: "cells.count", unit: "1", default: 100, min: 1, max: 1_000_000, integer: true, description: "number of migrating cells", source: "modelling assumption (culture size; a sparse dish as in Wang 2022 imaging fields)" },
  { path: "cells.radiusUm", unit: "µm", default: 15, min: 1, max: 100, description: "radius of the cell footprint", source: "modelling assumption (spread NRK/L929 fibroblasts, 20–40 µm across)" },
  { path: "cells.speedUmPerMin", unit: "µm/min", default: 0.8, min: 0, max: 50, description: "mean migration speed", source: "modelling assumption (fibroblast-like cells on fibronectin, 0.5–1 µm/min); speed→migrasome link: Fan et al. 2022 J Cell Biol" },
  { path: "cells.speedCv", unit: "1", default: 0.25, min: 0, max: 2, description: "cell-to-cell coefficient of variation of speed (log-normal)", source: "modelling assumption" },
  { path: "cells.persistenceMin", unit: "min", default: 20, min: 0.01, max: 1e5, description: "persistence time of the random walk (heading correlation time)", source: "modelling assumption (fibroblast persistence 10–30 min)" },
  { path: "cells.repulsionPerMin", unit: "1/min", default: 2, min: 0, max: 1000, description: "relaxation rate of cell–cell overlap (soft contact repulsion)", source: "modelling assumption" },
  { path: "cells.chemotaxisField", unit: "-", default: "", description: "name of the field whose gradient cells climb (empty = none)", source: "modelling assumption" },
  { path: "cells.chemotaxisGroup", unit: "-", default: "all", choices: ["all", "donors", "recipients"], description: "which cells respond to the chemotaxis field (e.g. CXCR4+ recipients only)", source: "modelling assumption" },
  { path: "cells.recipientFraction", unit: "1", default: 0, min: 0, max: 1, description: "fraction of cells that are recipients (the last ones); the others are donors that produce cargo", source: "modelling assumption (co-culture design)" },
  { path: "cells.chemotaxisRatePerMin", unit: "rad/min", default: 0, min: 0, max: 100, description: "maximal turning rate towards the gradient", source: "modelling assumption" },
  { path: "cells.chemotaxisHalfGradient", unit: "amount/µm³", default: 1e-6, min: 0, max: 1e6, description: "gradient magnitude at half-maximal turning", source: "modelling assumption" },
  { path: "cells.polarityMemoryMin", unit: "min", default: 15, min: 0.01, max: 1e5, description: "time constant over which the front–rear axis (where fibers leave the rear) follows the direction of motion", source: "modelling assumption (the rear is a cell-scale structure, it does not jitter with the instantaneous heading)" },
  { path: "output.trackIntervalMin", unit: "min", default: 5, min: 0.01, max: 1e5, description: "sampling interval of cell tracks in cells.csv", source: "modelling assumption (time-lapse interval)" },
];

export class Migration implements Process {
  readonly name = "migration";
  private grid = new CellGrid();
  private persistenceMin: number;
  private repulsionPerMin: number;
  private chemoField: string;
  private chemoRate: number;
  private chemoHalf: number;
  private trackEvery: number;
  private g = { gx: 0, gy: 0 };

  constructor(private params: Params) {
    this.persistenceMin = params.num("cells.persistenceMin");
    this.repulsionPerMin = params.num("cells.repulsionPerMin");
    this.chemoField = params.str("cells.chemotaxisField");
    this.chemoRate = params.num("cells.chemotaxisRatePerMin");
    this.chemoHalf = params.num("cells.chemotaxisHalfGradient");
    const g = params.str("cells.chemotaxisGroup");
    this.chemoGroup = g === "donors" ? 0 : g === "recipients" ? 1 : -1;
    this.trackEvery = params.num("output.trackIntervalMin");
    this.polarityMemory = params.num("cells.polarityMemoryMin");
  }
  private polarityMemory: number;
  private chemoGroup: number;

  init(w: World): void {
    const p = this.params;
    const rng = w.rng("cells.init");
    const n = p.num("cells.count");
    const r = p.num("cells.radiusUm");
    const v = p.num("cells.speedUmPerMin");
    const cv = p.num("cells.speedCv");
    const firstRecipient = n - Math.floor(p.num("cells.recipientFraction") * n);
    const sigma = Math.sqrt(Math.log(1 + cv * cv));
    const c = w.cells.c;
    for (let i = 0; i < n; i++) {
      const k = w.cells.push();
      c.radiusUm[k] = r;
      c.group[k] = k >= firstRecipient ? 1 : 0;
      c.x[k] = rng.range(Math.min(r, w.widthUm / 2), Math.max(w.widthUm - r, w.widthUm / 2));
      c.y[k] = rng.range(Math.min(r, w.heightUm / 2), Math.max(w.heightUm - r, w.heightUm / 2));
      c.theta[k] = rng.range(-Math.PI, Math.PI);
      c.polX[k] = Math.cos(c.theta[k]);
      c.polY[k] = Math.sin(c.theta[k]);
      c.speedUmPerMin[k] = cv > 0 ? v * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2) : v;
      c.baseSpeedUmPerMin[k] = c.speedUmPerMin[k];
    }
    this.sampleTracks(w);
  }

  step(w: World, dt: number): void {
    const cells = w.cells;
    const n = cells.n;
    const { x, y, theta, radiusUm, speedUmPerMin, fx, fy, pathUm, polX, polY } = cells.c;
    const follow = Math.min(1, dt / this.polarityMemory);
    const rng = w.rng("migration");
    const turn = Math.sqrt((2 * dt) / this.persistenceMin);
    const field = this.chemoField && this.chemoRate > 0 ? w.field(this.chemoField) : undefined;
    const g = this.g;
    let maxR = 0;
    for (let i = 0; i < n; i++) {
      let th = theta[i] + turn * rng.normal();
      if (field && (this.chemoGroup < 0 || cells.c.group[i] === this.chemoGroup)) {
        field.gradient(x[i], y[i], g);
        const mag = Math.hypot(g.gx, g.gy);
        if (mag > 0) th += this.chemoRate * dt * (mag / (mag + this.chemoHalf)) * Math.sin(Math.atan2(g.gy, g.gx) - th);
      }
      if (th > Math.PI) th -= 2 * Math.PI;
      else if (th < -Math.PI) th += 2 * Math.PI;
      theta[i] = th;
      const s = speedUmPerMin[i] * dt;
      fx[i] = s * Math.cos(th);
      fy[i] = s * Math.sin(th);
      if (radiusUm[i] > maxR) maxR = radiusUm[i];
    }
    if (this.repulsionPerMin > 0 && n > 1) {
      const k = Math.min(1, this.repulsionPerMin * dt) / 2;
      const grid = this.grid;
      grid.build(x, y, n, 2 * maxR, w.widthUm, w.heightUm);
      const { start, items, nbx, nby } = grid;
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        const yi = y[i];
        const ri = radiusUm[i];
        const b = grid.bin(xi, yi);
        const bx = b % nbx;
        const by = (b - bx) / nbx;
        const y0 = by > 0 ? by - 1 : 0;
        const y1 = by < nby - 1 ? by + 1 : by;
        const x0 = bx > 0 ? bx - 1 : 0;
        const x1 = bx < nbx - 1 ? bx + 1 : bx;
        for (let yy = y0; yy <= y1; yy++)
          for (let xx = x0; xx <= x1; xx++) {
            const bb = yy * nbx + xx;
            for (let e = start[bb], end = start[bb + 1]; e < end; e++) {
              const j = items[e];
              if (j <= i) continue;
              const dx = x[j] - xi;
              const dy = y[j] - yi;
              const d2 = dx * dx + dy * dy;
              const rr = ri + radiusUm[j];
              if (d2 >= rr * rr) continue;
              const d = Math.sqrt(d2);
              let ux = 1;
              let uy = 0;
              if (d > 1e-9) {
                ux = dx / d;
                uy = dy / d;
              }
              const push = k * (rr - d);
              fx[i] -= push * ux;
              fy[i] -= push * uy;
              fx[j] += push * ux;
              fy[j] += push * uy;
            }
          }
      }
    }
    const W = w.widthUm;
    const H = w.heightUm;
    for (let i = 0; i < n; i++) {
      let nx = x[i] + fx[i];
      let ny = y[i] + fy[i];
      const r = Math.min(radiusUm[i], W / 2, H / 2);
      let th = theta[i];
      if (nx < r) {
        nx = 2 * r - nx;
        th = Math.PI - th;
      } else if (nx > W - r) {
        nx = 2 * (W - r) - nx;
        th = Math.PI - th;
      }
      if (ny < r) {
        ny = 2 * r - ny;
        th = -th;
      } else if (ny > H - r) {
        ny = 2 * (H - r) - ny;
        th = -th;
      }
      if (th > Math.PI) th -= 2 * Math.PI;
      else if (th < -Math.PI) th += 2 * Math.PI;
      theta[i] = th;
      const step = Math.hypot(nx - x[i], ny - y[i]);
      pathUm[i] += step;
      if (step > 0) {
        let px = polX[i] + follow * ((nx - x[i]) / step - polX[i]);
        let py = polY[i] + follow * ((ny - y[i]) / step - polY[i]);
        const pn = Math.hypot(px, py);
        if (pn > 1e-12) {
          px /= pn;
          py /= pn;
        } else {
          px = Math.cos(th);
          py = Math.sin(th);
        }
        polX[i] = px;
        polY[i] = py;
      }
      x[i] = nx;
      y[i] = ny;
    }
    const tNext = w.timeMin + dt;
    if (Math.floor(tNext / this.trackEvery + 1e-9) > Math.floor(w.timeMin / this.trackEvery + 1e-9)) this.sampleTracks(w, tNext);
  }

  private sampleTracks(w: World, timeMin = w.timeMin): void {
    const c = w.cells.c;
    const t = w.tracks;
    for (let i = 0; i < w.cells.n; i++) {
      const k = t.push();
      t.c.cell[k] = i;
      t.c.timeMin[k] = timeMin;
      t.c.x[k] = c.x[i];
      t.c.y[k] = c.y[i];
    }
  }
}

export const migrationModule: ProcessModule = {
  name: "migration",
  params: migrationParams,
  create: (p: Params, _s: ScenarioRuntime) => new Migration(p),
};
