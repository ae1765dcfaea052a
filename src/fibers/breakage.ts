import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule } from "../core/process.ts";
import { FATE_ATTACHED, FATE_DECAYED, FATE_PERSISTING, FATE_SWELLING, type World } from "../core/world.ts";
import { Network } from "./network.ts";

/**
 * Fiber breakage: sections older than the fiber's break age break, oldest (most distal) first.
 * Broken sections shed retractosomes (50–250 nm) in proportion to their length; migrasomes on a
 * broken section detach (an unstabilised swelling there is lost).
 */
export const breakageParams: ParamSpec[] = [
  { path: "fibers.retractosomesPerUm", unit: "1/µm", default: 0.2, min: 0, max: 100, description: "retractosomes shed per µm of broken fiber", source: "Wang et al. 2022 Cell Res (retractosomes 0–1.5 per µm RF, Fig. 1 axis; order of magnitude)" },
  { path: "fibers.rebuildEveryMin", unit: "min", default: 60, min: 1, max: 1e6, description: "interval between rebuilds of the segment hash (purges broken segments)", source: "modelling assumption (numerical)" },
];

export class Breakage implements Process {
  readonly name = "breakage";
  private rho: number;
  private rebuildEvery: number;
  constructor(private params: Params) {
    this.rho = params.num("fibers.retractosomesPerUm") * params.num("molecular.myosinLevel");
    this.rebuildEvery = params.num("fibers.rebuildEveryMin");
  }

  step(w: World, _dt: number): void {
    const rng = w.rng("breakage");
    const fc = w.fibers.c;
    const v = w.vertices.c;
    const sw = w.swellings.c;
    const now = w.timeMin;
    let brokenUm = 0;
    const live = w.liveFibers;
    for (let k = 0; k < live.n; k++) {
      const f = live.data[k];
      const before = brokenUm;
      const ageLimit = fc.breakAgeMin[f];
      let o = fc.oldestIntact[f];
      while (o >= 0 && now - v.bornMin[o] > ageLimit) {
        if (fc.attached[f] && o === fc.headVertex[f]) break; // the live end stays with the cell
        v.brokenMin[o] = now;
        const nx = v.next[o];
        if (nx >= 0) brokenUm += Math.hypot(v.x[nx] - v.x[o], v.y[nx] - v.y[o]);
        const s = v.migrasome[o];
        if (s >= 0) {
          const fate = sw.fate[s];
          if (fate === FATE_ATTACHED) {
            sw.fate[s] = FATE_PERSISTING;
            sw.detachedMin[s] = now;
          } else if (fate === FATE_SWELLING) {
            sw.fate[s] = FATE_DECAYED;
            sw.endMin[s] = now;
            w.counters.swellingsDecayed++;
          }
        }
        o = nx;
      }
      fc.oldestIntact[f] = o;
      if (o < 0) fc.brokenMin[f] = now;
      const dL = brokenUm - before;
      if (dL > 0 && this.rho > 0) {
        const count = rng.poisson(this.rho * dL);
        if (count > 0) {
          w.counters.retractosomes += count;
          w.events.retractosomeCell.push(fc.cell[f]);
          w.events.retractosomeCount.push(count);
        }
      }
    }
    live.filter((f) => fc.oldestIntact[f] >= 0);
    w.counters.brokenFiberUm += brokenUm;
    Network.of(w, this.params).maybeRebuild(this.rebuildEvery);
  }
}

export const breakageModule: ProcessModule = {
  name: "breakage",
  params: breakageParams,
  create: (p) => new Breakage(p),
};
