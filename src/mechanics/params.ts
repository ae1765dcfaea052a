/**
 * Parameters of the axisymmetric membrane-tube model (issue 3), all dimensionless.
 *
 * Energy unit: whatever unit κ is given in (the reference case uses κ_l = 2); length unit: the
 * reference length for which γ = 1 gives r0 = √(κ_l/2γ) = 1 in the reference case.
 */
import { UserError } from "../util/errors.ts";

export interface ShapeParams {
  /** bending rigidity of the lipid tube κ_l (energy units) */
  kappaLipid: number;
  /** stiffness ratio κ_d / κ_l of the domain */
  kappaRatio: number;
  /** Gaussian modulus of the lipid κ̄_l; default κ_l */
  kbarLipid?: number;
  /** Gaussian modulus of the domain κ̄_d; default κ_d */
  kbarDomain?: number;
  /** membrane tension γ of the lipid (energy / length²) */
  tension: number;
  /** fixed area A_d of the domain (length²) */
  area: number;
  /** line tension λ at each domain boundary (energy / length); default 0 */
  lineTension?: number;
  /** arc length of each lipid tube segment; default 50·r0 */
  tubeLength?: number;
  /** axial pulling force on the tube ends; default the holding force 2π√(2κ_lγ) */
  pullingForce?: number;
  /** true: the domain closes the tube (a cap at a tip; one lipid arm only). Default false (two arms). */
  closedEnd?: boolean;
}

export interface MeshOptions {
  /** segments on the domain (uniform in arc length); default 160 */
  nDomain?: number;
  /** segments on each lipid arm (graded, finest at the domain); default 64 */
  nLipid?: number;
  /** first lipid segment next to the domain, in units of r0; default 0.12 */
  hMinLipidR0?: number;
  /** max/min ratio of the domain segment lengths (finest at the boundaries); 0 or absent = automatic from the area */
  domainGrading?: number;
}

export interface ResolvedParams {
  kappaLipid: number;
  kappaDomain: number;
  kappaRatio: number;
  kbarLipid: number;
  kbarDomain: number;
  tension: number;
  area: number;
  lineTension: number;
  tubeLength: number;
  pullingForce: number;
  closedEnd: boolean;
  /** equilibrium tube radius √(κ_l/2γ) */
  r0: number;
  /** holding force of the equilibrium tube 2π√(2κ_lγ) */
  holdingForce: number;
}

export const REFERENCE_PARAMS: ShapeParams = { kappaLipid: 2, kappaRatio: 10, tension: 1, area: 600 };

/** Equilibrium radius r0 = √(κ/2γ) of a tube of rigidity κ under tension γ. */
export function tubeRadius(kappa: number, tension: number): number {
  return Math.sqrt(kappa / (2 * tension));
}

/** Energy per unit length of the equilibrium tube, which equals its holding force: 2π√(2κγ). */
export function tubeHoldingForce(kappa: number, tension: number): number {
  return 2 * Math.PI * Math.sqrt(2 * kappa * tension);
}

function positive(name: string, v: number | undefined): void {
  if (v === undefined || !Number.isFinite(v) || v <= 0) throw new UserError(`${name} must be a positive number (got ${v})`);
}

export function resolveParams(p: ShapeParams): ResolvedParams {
  positive("kappaLipid", p.kappaLipid);
  positive("kappaRatio", p.kappaRatio);
  positive("tension", p.tension);
  positive("area", p.area);
  const lineTension = p.lineTension ?? 0;
  if (!Number.isFinite(lineTension) || lineTension < 0)
    throw new UserError(`lineTension must be a number >= 0 (got ${p.lineTension})`);
  const kappaDomain = p.kappaLipid * p.kappaRatio;
  const r0 = tubeRadius(p.kappaLipid, p.tension);
  const holdingForce = tubeHoldingForce(p.kappaLipid, p.tension);
  const tubeLength = p.tubeLength ?? 50 * r0;
  positive("tubeLength", tubeLength);
  const pullingForce = p.pullingForce ?? holdingForce;
  positive("pullingForce", pullingForce);
  const kbarLipid = p.kbarLipid ?? p.kappaLipid;
  const kbarDomain = p.kbarDomain ?? kappaDomain;
  if (!Number.isFinite(kbarLipid) || !Number.isFinite(kbarDomain)) throw new UserError("kbarLipid and kbarDomain must be finite numbers");
  return {
    kappaLipid: p.kappaLipid,
    kappaDomain,
    kappaRatio: p.kappaRatio,
    kbarLipid,
    kbarDomain,
    tension: p.tension,
    area: p.area,
    lineTension,
    tubeLength,
    pullingForce,
    closedEnd: p.closedEnd ?? false,
    r0,
    holdingForce,
  };
}
