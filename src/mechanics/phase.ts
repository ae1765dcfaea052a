/**
 * Phase diagram (swelling vs tube over κ_d/κ_l, A_d and γ) and the threshold stiffness ratio
 * as a function of domain area: the smallest κ_d/κ_l at which the global-minimum shape has
 * max r > 2 r0.
 */
import type { MeshOptions, ShapeParams } from "./params.ts";
import { resolveParams } from "./params.ts";
import { type ShapeSolution, solveShape } from "./solver.ts";

export interface PhasePoint {
  tension: number;
  area: number;
  kappaRatio: number;
  /** area in units of r0² (the only area variable the dimensionless problem depends on) */
  areaOverR0Sq: number;
  maxRadius: number;
  maxRadiusOverR0: number;
  domainLength: number;
  energy: number;
  swelling: boolean;
  branches: number;
}

export interface PhaseOptions {
  kappaRatios: number[];
  areas: number[];
  tensions: number[];
  kappaLipid?: number;
  lineTension?: number;
  /** scan width per point (plus a warm start from the previous ratio); default 2 */
  scan?: number;
  mesh?: MeshOptions;
  onProgress?: (done: number, total: number) => void;
}

/** Mesh used for diagrams and thresholds: coarser than the default (see docs: error < 0.5 % in max r). */
export const PHASE_MESH: MeshOptions = { nDomain: 100, nLipid: 40 };
/** Minimiser tolerance for diagrams and thresholds (relative energy change per iteration). */
export const PHASE_REL_TOL = 1e-11;

export function phaseDiagram(o: PhaseOptions): PhasePoint[] {
  const out: PhasePoint[] = [];
  const total = o.kappaRatios.length * o.areas.length * o.tensions.length;
  const ratios = [...o.kappaRatios].sort((a, b) => a - b);
  let done = 0;
  for (const tension of o.tensions)
    for (const area of o.areas) {
      let warm: Float64Array | undefined;
      for (const kappaRatio of ratios) {
        const sol = solveShape(
          { kappaLipid: o.kappaLipid ?? 2, kappaRatio, tension, area, lineTension: o.lineTension ?? 0 },
          { scan: o.scan ?? 2, mesh: o.mesh ?? PHASE_MESH, warmStarts: warm ? [warm] : [], relTol: PHASE_REL_TOL },
        );
        warm = sol.best.state;
        out.push(pointOf(sol, tension, area, kappaRatio));
        done++;
        o.onProgress?.(done, total);
      }
    }
  return out;
}

function pointOf(sol: ShapeSolution, tension: number, area: number, kappaRatio: number): PhasePoint {
  const r0 = sol.params.r0;
  return {
    tension,
    area,
    kappaRatio,
    areaOverR0Sq: area / (r0 * r0),
    maxRadius: sol.best.maxRadius,
    maxRadiusOverR0: sol.best.maxRadius / r0,
    domainLength: sol.best.domainLength,
    energy: sol.best.energy,
    swelling: sol.best.swelling,
    branches: sol.branches.length,
  };
}

export interface ThresholdOptions {
  kappaLipid?: number;
  lineTension?: number;
  /** upper end of the search; default 50 */
  ratioMax?: number;
  /** relative tolerance on the ratio; default 0.002 */
  relTol?: number;
  scan?: number;
  mesh?: MeshOptions;
}

export interface ThresholdResult {
  area: number;
  tension: number;
  areaOverR0Sq: number;
  /** threshold κ_d/κ_l (Infinity when no swelling up to ratioMax) */
  kappaRatio: number;
  /** bracket [no swelling, swelling] */
  bracket: [number, number];
  solves: number;
}

/**
 * Threshold stiffness ratio at (area, tension): root of max r/r0 − 2 in log(κ_d/κ_l), found by
 * the Illinois (safeguarded regula falsi) method between ratio 1 (no swelling: the uniform tube)
 * and ratioMax, each point solved by the scan solver with a warm start from the previous one.
 */
export function thresholdRatio(area: number, tension: number, o: ThresholdOptions = {}): ThresholdResult {
  const kappaLipid = o.kappaLipid ?? 2;
  const r0 = resolveParams({ kappaLipid, kappaRatio: 1, tension, area }).r0;
  const relTol = o.relTol ?? 0.002;
  let warm: Float64Array | undefined;
  let solves = 0;
  const g = (ratio: number): number => {
    const params: ShapeParams = { kappaLipid, kappaRatio: ratio, tension, area, lineTension: o.lineTension ?? 0 };
    const sol = solveShape(params, { scan: o.scan ?? 2, mesh: o.mesh ?? PHASE_MESH, warmStarts: warm ? [warm] : [], relTol: PHASE_REL_TOL });
    warm = sol.best.state;
    solves++;
    return sol.best.maxRadius / r0 - 2;
  };
  let lo = Math.log(1);
  let hi = Math.log(o.ratioMax ?? 50);
  let glo = g(Math.exp(lo));
  if (glo > 0) return { area, tension, areaOverR0Sq: area / (r0 * r0), kappaRatio: 1, bracket: [1, 1], solves };
  let ghi = g(Math.exp(hi));
  if (ghi <= 0)
    return { area, tension, areaOverR0Sq: area / (r0 * r0), kappaRatio: Number.POSITIVE_INFINITY, bracket: [Math.exp(hi), Number.POSITIVE_INFINITY], solves };
  let side = 0;
  for (let it = 0; it < 60 && hi - lo > relTol; it++) {
    let m = (lo * ghi - hi * glo) / (ghi - glo);
    // safeguard: stay well inside the bracket
    const w = hi - lo;
    if (!(m > lo + 0.02 * w && m < hi - 0.02 * w)) m = 0.5 * (lo + hi);
    const gm = g(Math.exp(m));
    if (gm > 0) {
      hi = m;
      ghi = gm;
      if (side === 1) glo /= 2;
      side = 1;
    } else {
      lo = m;
      glo = gm;
      if (side === -1) ghi /= 2;
      side = -1;
    }
  }
  const ratio = Math.exp((lo * ghi - hi * glo) / (ghi - glo));
  return {
    area,
    tension,
    areaOverR0Sq: area / (r0 * r0),
    kappaRatio: Math.min(Math.exp(hi), Math.max(Math.exp(lo), ratio)),
    bracket: [Math.exp(lo), Math.exp(hi)],
    solves,
  };
}
