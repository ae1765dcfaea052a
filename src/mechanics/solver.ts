/**
 * Global-minimum shape search: minimise the discrete energy from a systematic scan of
 * initial shapes (a tube and bulges of radii spread over [r0, R_max] in a nested,
 * low-discrepancy order), group the local minima into branches, report every branch and
 * pick the lowest. Widening the scan only adds starts, so the lowest energy never rises.
 */
import { EnergyModel, type EnergyTerms } from "./energy.ts";
import { lbfgs } from "./lbfgs.ts";
import { buildMesh, type Mesh } from "./mesh.ts";
import type { MeshOptions, ResolvedParams, ShapeParams } from "./params.ts";
import { resolveParams } from "./params.ts";
import { extractProfile, initialState, type Profile } from "./profile.ts";

export interface SolveOptions {
  mesh?: MeshOptions;
  /** number of initial shapes in the scan (≥ 1); default 6 */
  scan?: number;
  /** explicit seed radii (overrides `scan`), in length units; ≤ r0 means the plain tube */
  seedRadii?: number[];
  /** extra starting states (e.g. from a neighbouring parameter point: continuation) */
  warmStarts?: Float64Array[];
  maxIterations?: number;
  /** minimiser stop: relative energy change per iteration below this for 10 iterations; default 1e-14 */
  relTol?: number;
}

export interface LocalMinimum {
  /** what the minimisation started from: "tube", "bulge R=…", or "warm" */
  start: string;
  seedRadius: number;
  energy: number;
  terms: EnergyTerms;
  maxRadius: number;
  domainLength: number;
  swelling: boolean;
  converged: boolean;
  iterations: number;
  state: Float64Array;
}

export interface Branch {
  energy: number;
  maxRadius: number;
  domainLength: number;
  swelling: boolean;
  /** the starts that ended on this branch */
  starts: string[];
  /** index into ShapeSolution.minima of the representative (lowest-energy) member */
  representative: number;
}

export interface ShapeSolution {
  params: ResolvedParams;
  mesh: Mesh;
  /** the global minimum found */
  best: LocalMinimum;
  profile: Profile;
  branches: Branch[];
  minima: LocalMinimum[];
  evaluations: number;
}

/** Seed radii for a scan of width `count`: the tube first, then a van der Corput sequence over [r0, R_max]. */
export function scanSeedRadii(p: ResolvedParams, count: number): number[] {
  const out: number[] = [p.closedEnd ? p.r0 * 1.0 : 0];
  const rMax = 0.95 * Math.sqrt(p.area / (2 * Math.PI));
  for (let i = 1; out.length < count; i++) {
    let u = 0;
    let f = 0.5;
    for (let k = i; k > 0; k >>= 1, f /= 2) if (k & 1) u += f;
    out.push(p.r0 + u * Math.max(0, rMax - p.r0));
  }
  return out.slice(0, Math.max(1, count));
}

/** Minimise from one start; the closed (tip) geometry adds augmented-Lagrangian updates of the pole condition. */
export function minimiseFrom(model: EnergyModel, x0: Float64Array, maxIterations = 20000, relTol = 1e-14) {
  const fun = (x: Float64Array, g: Float64Array) => model.evaluate(x, g);
  let x = x0;
  let res = lbfgs(fun, x, { maxIterations, relTol });
  let iterations = res.iterations;
  if (model.mesh.closedEnd) {
    model.nu = 0;
    for (let outer = 0; outer < 30; outer++) {
      x = res.x;
      model.geometry(x);
      const rn = model.r[model.mesh.n];
      if (Math.abs(rn) < 1e-7 * model.p.r0 && outer > 0) break;
      model.nu += model.mu * rn;
      res = lbfgs(fun, x, { maxIterations, relTol });
      iterations += res.iterations;
    }
  }
  return { x: res.x, converged: res.converged, iterations };
}

export function solveShape(params: ShapeParams | ResolvedParams, o: SolveOptions = {}): ShapeSolution {
  const p = "r0" in params ? (params as ResolvedParams) : resolveParams(params as ShapeParams);
  const mesh = buildMesh(p, o.mesh);
  const model = new EnergyModel(p, mesh);
  const seeds = o.seedRadii ?? scanSeedRadii(p, o.scan ?? 6);
  const starts: { label: string; seedRadius: number; x: Float64Array }[] = [];
  for (const R of seeds) {
    const label = R <= p.r0 * 1.0001 ? "tube" : `bulge R=${Number(R.toPrecision(4))}`;
    starts.push({ label, seedRadius: R, x: initialState(model, R) });
  }
  for (const w of o.warmStarts ?? []) if (w.length === model.dim) starts.push({ label: "warm", seedRadius: Number.NaN, x: w });
  const minima: LocalMinimum[] = [];
  for (const s of starts) {
    if (!Number.isFinite(model.evaluate(s.x))) continue;
    const res = minimiseFrom(model, s.x, o.maxIterations, o.relTol);
    const terms = model.terms(res.x);
    const prof = extractProfile(model, res.x);
    minima.push({
      start: s.label,
      seedRadius: s.seedRadius,
      energy: terms.total,
      terms,
      maxRadius: prof.maxRadius,
      domainLength: prof.domainLength,
      swelling: prof.maxRadius > 2 * p.r0,
      converged: res.converged,
      iterations: res.iterations,
      state: res.x,
    });
  }
  if (minima.length === 0) throw new Error("solveShape: no feasible starting shape");
  const branches = groupBranches(minima, p.r0);
  const best = minima[branches[0].representative];
  return { params: p, mesh, best, profile: extractProfile(model, best.state), branches, minima, evaluations: model.evaluations };
}

/** Group local minima whose energies and maximal radii agree into branches, lowest energy first. */
export function groupBranches(minima: LocalMinimum[], r0: number): Branch[] {
  const order = minima.map((_, i) => i).sort((i, j) => minima[i].energy - minima[j].energy || i - j);
  const branches: Branch[] = [];
  for (const i of order) {
    const m = minima[i];
    const br = branches.find((b) => {
      const rep = minima[b.representative];
      return (
        Math.abs(rep.energy - m.energy) <= 1e-5 * (1 + Math.abs(m.energy)) &&
        Math.abs(rep.maxRadius - m.maxRadius) <= 0.01 * r0 + 1e-3 * m.maxRadius
      );
    });
    if (br) br.starts.push(m.start);
    else
      branches.push({
        energy: m.energy,
        maxRadius: m.maxRadius,
        domainLength: m.domainLength,
        swelling: m.swelling,
        starts: [m.start],
        representative: i,
      });
  }
  return branches;
}
