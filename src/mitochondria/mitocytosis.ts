import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule } from "../core/process.ts";
import { FATE_RUPTURED, FATE_UPTAKEN, type World } from "../core/world.ts";

/**
 * Mitocytosis (Jiao et al. 2021 Cell): each cell has healthy (H) and damaged (D) mitochondria.
 * Stress damages healthy ones; damaged ones reach the periphery (mild stress: they avoid inward
 * motors) and each migrasome that stabilises exports up to `mito.exportPerMigrasome` of the
 * peripheral damaged ones; a slow mitophagy clears the rest; biogenesis restores the total.
 * Membrane potential ψ = H / (H + D) (relative); viability decays with a hazard that rises as ψ
 * falls below ψ_crit. Without migrasomes damaged mitochondria accumulate, so ψ and viability fall.
 * All rates are modelling assumptions (biology.md §3: doses and fractions not verified).
 */
export const mitoParams: ParamSpec[] = [
  { path: "mito.enabled", unit: "-", default: false, description: "model mitochondria and mitocytosis", source: "Jiao et al. 2021 Cell" },
  { path: "mito.count", unit: "1", default: 100, min: 1, max: 1e6, description: "mitochondria per cell (units)", source: "modelling assumption" },
  { path: "mito.stressPerMin", unit: "1/min", default: 0, min: 0, max: 10, description: "stress-induced damage rate per healthy mitochondrion (0 none; 0.0005 mild; 0.005 strong in the built-in scenario)", source: "modelling assumption (mild stress, e.g. low-dose CCCP: Jiao et al. 2021 Cell)" },
  { path: "mito.basalDamagePerMin", unit: "1/min", default: 0.0001, min: 0, max: 10, description: "basal damage rate", source: "modelling assumption" },
  { path: "mito.mitophagyPerMin", unit: "1/min", default: 0.0005, min: 0, max: 10, description: "clearance rate of damaged mitochondria by mitophagy", source: "modelling assumption" },
  { path: "mito.biogenesisPerMin", unit: "1/min", default: 0.002, min: 0, max: 10, description: "rate at which the total is restored towards mito.count", source: "modelling assumption" },
  { path: "mito.peripheralFraction", unit: "1", default: 0.8, min: 0, max: 1, description: "fraction of damaged mitochondria at the periphery without stress saturation", source: "Jiao et al. 2021 Cell (damaged mitochondria are positioned peripherally)" },
  { path: "mito.peripheralHalfStress", unit: "1/min", default: 0.002, min: 1e-9, max: 10, description: "stress at which peripheral positioning halves (strong stress overwhelms mitocytosis)", source: "modelling assumption (mitocytosis protects under mild stress: Jiao et al. 2021 Cell)" },
  { path: "mito.exportPerMigrasome", unit: "1", default: 1, min: 0, max: 1000, description: "most damaged mitochondria one migrasome can take", source: "modelling assumption" },
  { path: "mito.psiCritical", unit: "1", default: 0.9, min: 0, max: 1, description: "relative membrane potential below which viability declines", source: "modelling assumption" },
  { path: "mito.deathPerMin", unit: "1/min", default: 0.01, min: 0, max: 10, description: "death hazard at ψ = 0 (scales linearly below ψ_crit)", source: "modelling assumption" },
];

export const MITO = { healthy: "mito.healthy", damaged: "mito.damaged", exported: "mito.exported", viability: "mito.viability", load: "mito.load", ledger: "mito.ledger" };

export class Mitocytosis implements Process {
  readonly name = "mitocytosis";
  private p: Record<string, number>;
  constructor(params: Params) {
    this.p = {};
    for (const s of mitoParams) if (typeof s.default === "number") this.p[s.path.slice(5)] = params.num(s.path);
  }

  init(w: World): void {
    const n = w.cells.n;
    const H = w.array(MITO.healthy, n);
    const V = w.array(MITO.viability, n);
    for (let i = 0; i < n; i++) {
      H[i] = this.p.count;
      V[i] = 1;
    }
    w.array(MITO.damaged, n);
    w.array(MITO.exported, n);
    w.array(MITO.ledger, 3);
  }

  step(w: World, dt: number): void {
    const p = this.p;
    const n = w.cells.n;
    const H = w.array(MITO.healthy, n);
    const D = w.array(MITO.damaged, n);
    const X = w.array(MITO.exported, n);
    const V = w.array(MITO.viability, n);
    const ledger = w.array(MITO.ledger, 3); // exported, released (rupture), delivered (uptake)
    const damage = 1 - Math.exp(-(p.stressPerMin + p.basalDamagePerMin) * dt);
    const clear = 1 - Math.exp(-p.mitophagyPerMin * dt);
    const periph = p.peripheralFraction / (1 + p.stressPerMin / p.peripheralHalfStress);
    for (let i = 0; i < n; i++) {
      const d = H[i] * damage;
      H[i] -= d;
      D[i] += d - D[i] * clear;
      const deficit = p.count - H[i] - D[i];
      if (deficit > 0) H[i] += deficit * (1 - Math.exp(-p.biogenesisPerMin * dt));
      const psi = H[i] / (H[i] + D[i]);
      if (psi < p.psiCritical) V[i] *= Math.exp(-p.deathPerMin * ((p.psiCritical - psi) / p.psiCritical) * dt);
    }
    // export through migrasomes stabilised this step
    const sw = w.swellings.c;
    const load = w.array(MITO.load, w.swellings.n);
    const stab = w.events.stabilised;
    for (let e = 0; e < stab.n; e++) {
      const s = stab.data[e];
      const i = sw.cell[s];
      if (i < 0) continue;
      const k = Math.min(p.exportPerMigrasome, D[i] * periph);
      if (k <= 0) continue;
      D[i] -= k;
      X[i] += k;
      load[s] += k;
      ledger[0] += k;
    }
    const ended = w.events.ended;
    for (let e = 0; e < ended.n; e++) {
      const s = ended.data[e];
      if (load[s] <= 0) continue;
      if (sw.fate[s] === FATE_RUPTURED) ledger[1] += load[s];
      else if (sw.fate[s] === FATE_UPTAKEN) ledger[2] += load[s];
      load[s] = 0;
    }
  }
}

export interface MitoSummary {
  exportedPerCell: number;
  meanMembranePotential: number;
  meanViability: number;
  damagedFraction: number;
  held: number;
  released: number;
  delivered: number;
}

export function mitoSummary(w: World): MitoSummary {
  const n = w.cells.n;
  const H = w.array(MITO.healthy, n);
  const D = w.array(MITO.damaged, n);
  const X = w.array(MITO.exported, n);
  const V = w.array(MITO.viability, n);
  const load = w.array(MITO.load, w.swellings.n);
  const ledger = w.array(MITO.ledger, 3);
  let x = 0;
  let psi = 0;
  let v = 0;
  let dfrac = 0;
  for (let i = 0; i < n; i++) {
    x += X[i];
    psi += H[i] / (H[i] + D[i]);
    v += V[i];
    dfrac += D[i] / (H[i] + D[i]);
  }
  let held = 0;
  for (let s = 0; s < w.swellings.n; s++) held += load[s];
  return { exportedPerCell: x / n, meanMembranePotential: psi / n, meanViability: v / n, damagedFraction: dfrac / n, held, released: ledger[1], delivered: ledger[2] };
}

export const mitocytosisModule: ProcessModule = {
  name: "mitocytosis",
  params: mitoParams,
  create: (p: Params) => (p.bool("mito.enabled") ? new Mitocytosis(p) : null),
};
