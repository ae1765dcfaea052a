/**
 * Physical units. The dimensionless problem has energy unit "κ_l / κ_l,dimless" and length unit
 * "r0 / r0,dimless"; given the lipid rigidity κ in k_BT and the tension σ in N/m:
 *   r0 = √(κ/2σ),  f = 2π√(2κσ),  energy unit = κ_phys/κ_l,  length unit = r0_phys/r0.
 */
import { UserError } from "../util/errors.ts";
import type { ResolvedParams } from "./params.ts";

export const BOLTZMANN_J_PER_K = 1.380649e-23;
export const DEFAULT_TEMPERATURE_K = 310;

export interface PhysicalScale {
  kappaKbT: number;
  sigmaNPerM: number;
  temperatureK: number;
  kbtJ: number;
  /** equilibrium tube radius in nm */
  r0Nm: number;
  /** holding force of the tube in pN */
  holdingForcePN: number;
  /** metres per dimensionless length unit */
  metresPerLength: number;
  /** k_BT per dimensionless energy unit */
  kbtPerEnergy: number;
}

export function physicalScale(p: ResolvedParams, kappaKbT: number, sigmaNPerM: number, temperatureK = DEFAULT_TEMPERATURE_K): PhysicalScale {
  if (!(kappaKbT > 0) || !Number.isFinite(kappaKbT)) throw new UserError(`kappa in k_BT must be a positive number (got ${kappaKbT})`);
  if (!(sigmaNPerM > 0) || !Number.isFinite(sigmaNPerM)) throw new UserError(`sigma in N/m must be a positive number (got ${sigmaNPerM})`);
  const kbtJ = BOLTZMANN_J_PER_K * temperatureK;
  const kappaJ = kappaKbT * kbtJ;
  const r0M = Math.sqrt(kappaJ / (2 * sigmaNPerM));
  const fN = 2 * Math.PI * Math.sqrt(2 * kappaJ * sigmaNPerM);
  return {
    kappaKbT,
    sigmaNPerM,
    temperatureK,
    kbtJ,
    r0Nm: r0M * 1e9,
    holdingForcePN: fN * 1e12,
    metresPerLength: r0M / p.r0,
    kbtPerEnergy: kappaKbT / p.kappaLipid,
  };
}

/**
 * Convert a physical domain area and tension to the dimensionless variables of the
 * stabilisation table (κ_l = 2, length unit ℓ = √(κ_l/2σ_ref), i.e. r0 at the reference tension):
 * areaDimless = A/ℓ², tensionDimless = σ/σ_ref.
 */
export function toTableUnits(o: { kappaLipidKbT: number; sigmaRefNPerM: number; areaUm2: number; sigmaNPerM: number; temperatureK?: number }): {
  areaDimless: number;
  tensionDimless: number;
  lengthUnitNm: number;
} {
  const kbtJ = BOLTZMANN_J_PER_K * (o.temperatureK ?? DEFAULT_TEMPERATURE_K);
  const ell = Math.sqrt((o.kappaLipidKbT * kbtJ) / (2 * o.sigmaRefNPerM));
  return { areaDimless: (o.areaUm2 * 1e-12) / (ell * ell), tensionDimless: o.sigmaNPerM / o.sigmaRefNPerM, lengthUnitNm: ell * 1e9 };
}
