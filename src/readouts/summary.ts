import {
  FATE_ATTACHED,
  FATE_DECAYED,
  FATE_NAMES,
  SITE_ALONG,
  SITE_JUNCTION,
  SITE_TIP,
  type World,
} from "../core/world.ts";
import { mean, quantile, sd, sig } from "../stats/descriptive.ts";
import { cargoTotals } from "../cargo/cargo.ts";
import type { ScenarioRuntime } from "../core/process.ts";
import { mitoSummary } from "../mitochondria/mitocytosis.ts";
import { ptenOf } from "../recipients/response.ts";
import type { CargoSpec } from "../scenarios/schema.ts";

/** Read-outs of a run, shaped like a wet-lab paper's figure panels. Deterministic for a seed. */
export interface Summary {
  timeMin: number;
  cells: { count: number; meanSpeedUmPerMin: number };
  fibers: {
    created: number;
    totalLengthUmPerCell: number;
    pulledLengthUmPerCell: number;
    junctions: number;
    retractosomes: number;
    retractosomesPerCell: number;
  };
  migrasomes: {
    total: number;
    perCell: number;
    per100UmFiber: number;
    visiblePer100UmFiber: number;
    diameterUm: { mean: number; sd: number; p5: number; p50: number; p95: number; min: number; max: number };
    sites: { tip: number; junction: number; along: number };
    lifetimeMin: { mean: number; n: number; exposureEstimate: number };
    fates: Record<string, number>;
  };
  swellings: { total: number; decayed: number; meanDecayMin: number; stabilisedFraction: number };
  cargo?: Record<string, Record<string, number>>;
  recipients?: { count: number; ptenMean: number; pAktMean: number; migrasomesTakenUpPerCell: number; meanDistanceToTrailUm: number };
  mito?: Record<string, number>;
}

/** Intact fiber length (µm) at the current time. */
export function intactFiberLengthUm(w: World): number {
  const v = w.vertices.c;
  let s = 0;
  for (let k = 0; k < w.vertices.n; k++) {
    const p = v.prev[k];
    if (p >= 0 && v.brokenMin[k] < 0 && v.brokenMin[p] < 0) s += Math.hypot(v.x[k] - v.x[p], v.y[k] - v.y[p]);
  }
  return s;
}

export function summarize(w: World, runtime?: ScenarioRuntime, mitoEnabled = false): Summary {
  const n = w.cells.n;
  const T = w.timeMin;
  const cells = w.cells.c;
  let path = 0;
  for (let i = 0; i < n; i++) path += cells.pathUm[i];
  const sw = w.swellings.c;
  const diam: number[] = [];
  const sites = [0, 0, 0];
  const fates: Record<string, number> = {};
  for (const f of FATE_NAMES) fates[f] = 0;
  const life: number[] = [];
  let exposure = 0;
  let events = 0;
  let decayed = 0;
  let decaySum = 0;
  let visible = 0;
  for (let s = 0; s < w.swellings.n; s++) {
    fates[FATE_NAMES[sw.fate[s]]]++;
    if (sw.fate[s] === FATE_DECAYED) {
      decayed++;
      decaySum += sw.endMin[s] - sw.bornMin[s];
    }
    if (sw.stabilisedMin[s] < 0 || sw.cell[s] < 0) continue; // purified (bolus) migrasomes have no donor in the dish
    diam.push(sw.diameterUm[s]);
    sites[sw.site[s]]++;
    if (sw.fate[s] === FATE_ATTACHED) visible++;
    if (sw.detachedMin[s] >= 0) {
      const l = sw.detachedMin[s] - sw.stabilisedMin[s];
      life.push(l);
      exposure += l;
      events++;
    } else exposure += T - sw.stabilisedMin[s];
  }
  const total = diam.length;
  let pulled = 0;
  for (let f = 0; f < w.fibers.n; f++) pulled += w.fibers.c.lengthUm[f];
  const intact = intactFiberLengthUm(w);
  const frac = (k: number) => (total ? sig(sites[k] / total) : 0);
  return {
    timeMin: sig(T),
    cells: { count: n, meanSpeedUmPerMin: sig(T > 0 ? path / n / T : 0) },
    fibers: {
      created: w.fibers.n,
      totalLengthUmPerCell: sig(intact / n),
      pulledLengthUmPerCell: sig(pulled / n),
      junctions: w.junctions.n,
      retractosomes: w.counters.retractosomes,
      retractosomesPerCell: sig(w.counters.retractosomes / n),
    },
    migrasomes: {
      total,
      perCell: sig(total / n),
      per100UmFiber: sig(pulled > 0 ? (100 * total) / pulled : 0),
      visiblePer100UmFiber: sig(intact > 0 ? (100 * visible) / intact : 0),
      diameterUm: {
        mean: sig(mean(diam)),
        sd: sig(sd(diam)),
        p5: sig(quantile(diam, 0.05)),
        p50: sig(quantile(diam, 0.5)),
        p95: sig(quantile(diam, 0.95)),
        min: sig(quantile(diam, 0)),
        max: sig(quantile(diam, 1)),
      },
      sites: { tip: frac(SITE_TIP), junction: frac(SITE_JUNCTION), along: frac(SITE_ALONG) },
      lifetimeMin: { mean: sig(mean(life)), n: life.length, exposureEstimate: sig(events ? exposure / events : Number.NaN) },
      fates,
    },
    swellings: {
      total: w.swellings.n,
      decayed,
      meanDecayMin: sig(decayed ? decaySum / decayed : Number.NaN),
      stabilisedFraction: sig(w.swellings.n ? total / w.swellings.n : 0),
    },
    ...(runtime?.cargo?.length ? { cargo: cargoSummary(w, runtime.cargo) } : {}),
    ...(runtime?.cargo?.length ? { recipients: recipientBlock(w, runtime.cargo) } : {}),
    ...(mitoEnabled ? { mito: mitoBlock(w) } : {}),
  };
}

function cargoSummary(w: World, species: CargoSpec[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  species.forEach((sp, k) => {
    const t = cargoTotals(w, species, k);
    const o: Record<string, number> = {};
    for (const [key, v] of Object.entries(t)) o[key] = sig(v, 9);
    out[sp.name] = o;
  });
  return out;
}

function recipientBlock(w: World, species: CargoSpec[]): NonNullable<Summary["recipients"]> {
  const K = w.params.num("response.ptenHalfPakt");
  let n = 0;
  let pten = 0;
  let pakt = 0;
  let taken = 0;
  for (let i = 0; i < w.cells.n; i++) {
    if (w.cells.c.group[i] !== 1) continue;
    n++;
    const e = ptenOf(w, species, i);
    pten += e;
    pakt += 1 / (1 + e / K);
    taken += w.cells.c.uptaken[i];
  }
  return {
    count: n,
    ptenMean: sig(n ? pten / n : 0),
    pAktMean: sig(n ? pakt / n : 0),
    migrasomesTakenUpPerCell: sig(n ? taken / n : 0),
    meanDistanceToTrailUm: sig(distanceToTrail(w)),
  };
}

/**
 * Mean distance (µm) from each recipient at the end to the nearest migrasome made by a donor
 * (the donors' migrasome trail); NaN without recipients or donor migrasomes.
 */
export function distanceToTrail(w: World): number {
  const sw = w.swellings.c;
  const cells = w.cells.c;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let s = 0; s < w.swellings.n; s++) {
    const d = sw.cell[s];
    if (sw.stabilisedMin[s] >= 0 && d >= 0 && cells.group[d] === 0) {
      xs.push(sw.x[s]);
      ys.push(sw.y[s]);
    }
  }
  let sum = 0;
  let n = 0;
  for (let i = 0; i < w.cells.n; i++) {
    if (cells.group[i] !== 1 || xs.length === 0) continue;
    let best = Infinity;
    for (let k = 0; k < xs.length; k++) {
      const dx = xs[k] - cells.x[i];
      const dy = ys[k] - cells.y[i];
      const d2 = dx * dx + dy * dy;
      if (d2 < best) best = d2;
    }
    sum += Math.sqrt(best);
    n++;
  }
  return n ? sum / n : Number.NaN;
}

function mitoBlock(w: World): Record<string, number> {
  const m = mitoSummary(w);
  const o: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) o[k] = sig(v);
  return o;
}

