/**
 * Bulge at a three-way junction vs on an arm (vs at a tip), under rising tension.
 *
 * Simplified model (stated in docs/mechanics.md):
 *  - the bulge is the stiff domain (fixed area A_d, rigidity κ_d) with its lipid arms, all under
 *    tension γ and pulled with the holding force 2π√(2κ_lγ) of each arm;
 *  - the axisymmetric solver gives the exact minimum for n = 1 arm (bulge at a tip: the domain
 *    closes the tube) and n = 2 arms (bulge on an arm);
 *  - a junction bulge (n = 3) is estimated as E_3 = 2E_2 − E_1, i.e. each neck joining an arm to
 *    the bulge contributes the same increment E_2 − E_1 (non-interacting necks on a bulge much
 *    larger than r0; the 120° arrangement and the non-axisymmetric shape of the bulge body are
 *    ignored);
 *  - the bare (unswollen) Y-junction's energy E_Y is estimated with the same rule applied to
 *    the domain-free membrane (κ_d = κ_l): E_Y = E'_3 − E'_2 = E'_2 − E'_1 (primes: κ_d = κ_l),
 *    which removes the tube-end-cap energy that the linear rule would otherwise attribute to
 *    the junction.
 * Then ΔE = E(bulge at junction) − E(bulge on an arm + bare junction) = (E_2 − E_1) − (E'_2 − E'_1).
 * Raising γ at fixed physical domain area raises A_d/r0² (r0 = √(κ_l/2γ) shrinks).
 */
import type { MeshOptions } from "./params.ts";
import { solveShape } from "./solver.ts";

export interface JunctionRow {
  tension: number;
  r0: number;
  areaOverR0Sq: number;
  energyTip: number;
  energyArm: number;
  /** extrapolated: 2 E_arm − E_tip */
  energyJunction: number;
  /** estimated energy of the bare (unswollen) three-way junction, E'_2 − E'_1 */
  energyBareJunction: number;
  /** E(bulge at junction) − E(bulge on an arm + bare junction) (< 0: junction preferred) */
  deltaJunctionMinusArm: number;
  /** energy of the same domain left as a plain tube of radius r0 between two arms */
  energyTubeReference: number;
  costArm: number;
  costJunction: number;
  maxRadiusArmOverR0: number;
  maxRadiusTipOverR0: number;
  swellingArm: boolean;
  preferred: "junction" | "arm";
}

export interface JunctionOptions {
  area?: number;
  kappaRatio?: number;
  kappaLipid?: number;
  lineTension?: number;
  /** Gaussian moduli (defaults κ̄_l = κ_l, κ̄_d = κ_d) */
  kbarLipid?: number;
  kbarDomain?: number;
  tensions: number[];
  scan?: number;
  mesh?: MeshOptions;
  onProgress?: (done: number, total: number) => void;
}

export function junctionComparison(o: JunctionOptions): JunctionRow[] {
  const kappaLipid = o.kappaLipid ?? 2;
  const kappaRatio = o.kappaRatio ?? 10;
  const area = o.area ?? 600;
  const rows: JunctionRow[] = [];
  let done = 0;
  for (const tension of o.tensions) {
    const base = { kappaLipid, kappaRatio, tension, area, lineTension: o.lineTension ?? 0, kbarLipid: o.kbarLipid, kbarDomain: o.kbarDomain };
    const arm = solveShape(base, { scan: o.scan ?? 4, mesh: o.mesh });
    const tip = solveShape({ ...base, closedEnd: true }, { scan: o.scan ?? 4, mesh: o.mesh });
    const p = arm.params;
    const r0 = p.r0;
    // domain as a plain tube of radius r0: bending κ_d A/(2 r0²), work −f A/(2π r0); lipid arms contribute 0
    const energyTubeReference = (p.kappaDomain * area) / (2 * r0 * r0) - (p.pullingForce * area) / (2 * Math.PI * r0);
    const eArm = arm.best.energy;
    const eTip = tip.best.energy;
    const eJ = 2 * eArm - eTip;
    const plain = { ...base, kappaRatio: 1, kbarDomain: o.kbarLipid ?? kappaLipid };
    const plainArm = solveShape(plain, { scan: 1, mesh: o.mesh });
    const plainTip = solveShape({ ...plain, closedEnd: true }, { scan: 1, mesh: o.mesh });
    const eY = plainArm.best.energy - plainTip.best.energy;
    const delta = eJ - eArm - eY;
    rows.push({
      tension,
      r0,
      areaOverR0Sq: area / (r0 * r0),
      energyTip: eTip,
      energyArm: eArm,
      energyJunction: eJ,
      energyBareJunction: eY,
      deltaJunctionMinusArm: delta,
      energyTubeReference,
      costArm: eArm - energyTubeReference,
      costJunction: eJ - energyTubeReference,
      maxRadiusArmOverR0: arm.best.maxRadius / r0,
      maxRadiusTipOverR0: tip.best.maxRadius / r0,
      swellingArm: arm.best.swelling,
      preferred: delta < 0 ? "junction" : "arm",
    });
    o.onProgress?.(++done, o.tensions.length);
  }
  return rows;
}
