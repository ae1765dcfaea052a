/** The JSON report of one shape solve (shape.json), optionally with physical units. */
import { type PhysicalScale, physicalScale } from "./units.ts";
import type { ShapeSolution } from "./solver.ts";

export interface ShapeReport {
  units: string;
  params: Record<string, number | boolean>;
  mesh: { segments: number; domainSegments: number; lipidSegmentsPerArm: number };
  r0: number;
  holdingForce: number;
  energy: { total: number; terms: Record<string, number> };
  domain: { maxRadius: number; length: number; area: number; maxRadiusOverR0: number };
  swelling: boolean;
  swellingCriterion: string;
  branches: { energy: number; maxRadius: number; domainLength: number; swelling: boolean; starts: string[] }[];
  minima: { start: string; energy: number; maxRadius: number; converged: boolean; iterations: number }[];
  physical?: {
    scale: PhysicalScale;
    r0Nm: number;
    holdingForcePN: number;
    swellingDiameterUm: number;
    domainLengthUm: number;
    domainAreaUm2: number;
    energyKbT: number;
  };
}

const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(10)) : v);

export function shapeReport(sol: ShapeSolution, physical?: { kappaKbT: number; sigmaNPerM: number; temperatureK?: number }): ShapeReport {
  const p = sol.params;
  const b = sol.best;
  const rep: ShapeReport = {
    units: "dimensionless: energies in the unit of kappa, lengths in the unit in which r0 = sqrt(kappaLipid / (2 tension))",
    params: {
      kappaLipid: p.kappaLipid,
      kappaDomain: p.kappaDomain,
      kappaRatio: p.kappaRatio,
      kbarLipid: p.kbarLipid,
      kbarDomain: p.kbarDomain,
      tension: p.tension,
      area: p.area,
      lineTension: p.lineTension,
      tubeLength: round(p.tubeLength),
      pullingForce: round(p.pullingForce),
      closedEnd: p.closedEnd,
    },
    mesh: { segments: sol.mesh.n, domainSegments: sol.mesh.nDomain, lipidSegmentsPerArm: sol.mesh.nLipid },
    r0: round(p.r0),
    holdingForce: round(p.holdingForce),
    energy: { total: round(b.energy), terms: Object.fromEntries(Object.entries(b.terms).filter(([k]) => k !== "total").map(([k, v]) => [k, round(v)])) },
    domain: { maxRadius: round(b.maxRadius), length: round(b.domainLength), area: p.area, maxRadiusOverR0: round(b.maxRadius / p.r0) },
    swelling: b.swelling,
    swellingCriterion: "domain max radius > 2 r0",
    branches: sol.branches.map((br) => ({
      energy: round(br.energy),
      maxRadius: round(br.maxRadius),
      domainLength: round(br.domainLength),
      swelling: br.swelling,
      starts: br.starts,
    })),
    minima: sol.minima.map((m) => ({ start: m.start, energy: round(m.energy), maxRadius: round(m.maxRadius), converged: m.converged, iterations: m.iterations })),
  };
  if (physical) {
    const s = physicalScale(p, physical.kappaKbT, physical.sigmaNPerM, physical.temperatureK);
    const um = s.metresPerLength * 1e6;
    rep.physical = {
      scale: s,
      r0Nm: round(s.r0Nm),
      holdingForcePN: round(s.holdingForcePN),
      swellingDiameterUm: round(2 * b.maxRadius * um),
      domainLengthUm: round(b.domainLength * um),
      domainAreaUm2: round(p.area * um * um),
      energyKbT: round(b.energy * s.kbtPerEnergy),
    };
  }
  return rep;
}
