import type { ParamSpec, Params } from "../core/params.ts";
import { kappaRatioFromComposition } from "../mechanics/composition.ts";
import { defaultStabilisationTable, isStabilised, type StabilisationTable } from "../mechanics/stabilisation-table.ts";
import type { Rng } from "../util/rng.ts";
import type { StabilisationContext, StabilisationRule } from "./stabilisation.ts";

/**
 * `mechanics.mode = solver`: stabilisation decided by membrane mechanics (docs/mechanics.md).
 * Each swelling carries a tetraspanin/cholesterol domain of dimensionless area
 * A = A0 · TSPAN4 · sphingomyelin · cholesterolFactor · LogNormal(σ) (TEMAs assemble from
 * tetraspanin- and cholesterol-rich microdomains: Huang et al. 2019 Nat Cell Biol) and stiffness
 * κ_d/κ_l from the composition mapping; its dimensionless tension is the fiber's tension over the
 * tether reference force. It is kept if κ_d/κ_l reaches the solver's threshold for (A, γ).
 * Domains smaller than the table's smallest area never swell. Mapping and A0 are modelling assumptions.
 */
export const solverStabilisationParams: ParamSpec[] = [
  { path: "mechanics.domainAreaMedian", unit: "r0²", default: 60, min: 0.1, max: 1e5, description: "median domain area at wild-type composition, in units of r0² (mechanics.mode = solver)", source: "modelling assumption (Huang et al. 2019 model uses 600 r0² for a swollen migrasome; nucleating domains are smaller)" },
  { path: "mechanics.domainAreaSigmaLog", unit: "1", default: 0.4, min: 0, max: 5, description: "log-normal σ of the domain area (mechanics.mode = solver)", source: "modelling assumption" },
];

export class SolverStabilisation implements StabilisationRule {
  readonly name = "solver";
  private table: StabilisationTable;
  private kappaRatio: number;
  private areaMedian: number;
  private sigma: number;
  private refPn: number;

  constructor(params: Params) {
    this.table = defaultStabilisationTable();
    const tspan4 = params.num("molecular.tspan4Level");
    const chol = params.num("molecular.cholesterolLevel");
    const sm = params.num("molecular.sms2Level");
    this.kappaRatio = kappaRatioFromComposition(tspan4 * sm, chol);
    const K = 0.5;
    const cholFactor = (chol / (chol + K)) * (1 + K);
    this.areaMedian = params.num("mechanics.domainAreaMedian") * tspan4 * sm * cholFactor;
    this.sigma = params.num("mechanics.domainAreaSigmaLog");
    this.refPn = params.num("fibers.tensionRefPn");
  }

  decideArea(ctx: StabilisationContext, area: number): boolean {
    if (!(area >= this.table.areas[0])) return false;
    const tension = ctx.tensionPn / this.refPn;
    return isStabilised(this.table, this.kappaRatio, area, tension);
  }

  /** Monte-Carlo estimate (for reporting), at the given tension. */
  probability(ctx: StabilisationContext): number {
    let k = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const z = Math.sqrt(2) * inverseErf((2 * (i + 0.5)) / n - 1);
      if (this.decideArea(ctx, this.areaMedian * Math.exp(this.sigma * z))) k++;
    }
    return k / n;
  }

  decide(ctx: StabilisationContext, rng: Rng): boolean {
    return this.decideArea(ctx, this.areaMedian * Math.exp(this.sigma * rng.normal()));
  }
}

/** Inverse error function (Giles 2010 single-precision approximation, adequate for quadrature points). */
function inverseErf(x: number): number {
  let w = -Math.log((1 - x) * (1 + x));
  let p: number;
  if (w < 5) {
    w -= 2.5;
    p = 2.81022636e-8;
    for (const c of [3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941]) p = c + p * w;
  } else {
    w = Math.sqrt(w) - 3;
    p = -0.000200214257;
    for (const c of [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]) p = c + p * w;
  }
  return p * x;
}
