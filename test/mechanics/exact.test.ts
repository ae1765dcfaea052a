import { describe, expect, it } from "vitest";
import {
  bendingEnergyOfProfile,
  buildMesh,
  EnergyModel,
  initialState,
  resolveParams,
  solveShape,
  tubeHoldingForce,
  tubeRadius,
} from "../../src/mechanics/index.ts";

describe("exact results", () => {
  it("uniform tube: radius r0 = sqrt(kappa/2 gamma) and energy per length 2 pi sqrt(2 kappa gamma)", () => {
    for (const [kappa, gamma] of [
      [2, 1],
      [3, 0.7],
    ]) {
      const sol = solveShape({ kappaLipid: kappa, kappaRatio: 1, tension: gamma, area: 200 }, { scan: 2 });
      const r0 = Math.sqrt(kappa / (2 * gamma));
      expect(tubeRadius(kappa, gamma)).toBeCloseTo(r0, 14);
      for (const r of sol.profile.r) expect(Math.abs(r - r0) / r0).toBeLessThan(1e-6);
      const t = sol.best.terms;
      const perLength = (t.bendingLipid + t.tensionLipid) / (2 * sol.params.tubeLength);
      const exact = 2 * Math.PI * Math.sqrt(2 * kappa * gamma);
      expect(Math.abs(perLength - exact) / exact).toBeLessThan(1e-8);
      expect(sol.best.swelling).toBe(false);
    }
  });

  it("holding force: d(energy without work)/d(length) = f, and a tension-free domain pulled by f' has radius 2 pi kappa / f'", () => {
    const kappa = 2;
    const gamma = 1;
    const f = tubeHoldingForce(kappa, gamma);
    expect(f).toBeCloseTo(2 * Math.PI * Math.sqrt(2 * kappa * gamma), 12);
    const run = (fp: number) => {
      const sol = solveShape({ kappaLipid: kappa, kappaRatio: 1, tension: gamma, area: 300, pullingForce: fp }, { scan: 1 });
      const noWork = sol.best.energy - sol.best.terms.pullingWork;
      const X = -sol.best.terms.pullingWork / fp;
      return { sol, noWork, X };
    };
    const eps = 0.01;
    const a = run(f * (1 - eps));
    const b = run(f * (1 + eps));
    const force = (b.noWork - a.noWork) / (b.X - a.X);
    expect(Math.abs(force - f) / f).toBeLessThan(1e-3);
    // the domain (no tension, fixed area) settles at r_d = 2πκ/f' in its middle
    const fp = 1.25 * f;
    const c = run(fp);
    const rd = (2 * Math.PI * kappa) / fp;
    const prof = c.sol.profile;
    const mid = prof.x.reduce((best, x, k) => (Math.abs(x) < Math.abs(prof.x[best]) ? k : best), 0);
    expect(Math.abs(prof.r[mid] - rd) / rd).toBeLessThan(2e-3);
  });

  it("sphere: bending energy 8 pi kappa independent of radius", () => {
    const kappa = 1.7;
    for (const R of [0.3, 1, 7, 50]) {
      const n = 400;
      const h = new Float64Array(n).fill((Math.PI * R) / n);
      const psi = Float64Array.from({ length: n + 1 }, (_, i) => Math.PI / 2 - (Math.PI * i) / n);
      const E = bendingEnergyOfProfile(psi, h, 0, kappa);
      expect(Math.abs(E - 8 * Math.PI * kappa) / (8 * Math.PI * kappa)).toBeLessThan(1e-4);
    }
  });

  it("the analytic gradient matches finite differences", () => {
    for (const closedEnd of [false, true]) {
      const p = resolveParams({ kappaLipid: 2, kappaRatio: 7, tension: 1.3, area: 300, lineTension: 0.4, kbarLipid: -1, kbarDomain: 3, closedEnd });
      const model = new EnergyModel(p, buildMesh(p, { nDomain: 40, nLipid: 20 }));
      const x = initialState(model, 4);
      for (let i = 1; i < x.length; i++) x[i] += 0.01 * Math.sin(i);
      const g = new Float64Array(x.length);
      model.evaluate(x, g);
      for (let i = 0; i < x.length; i += 3) {
        const d = 1e-6;
        const xp = Float64Array.from(x);
        xp[i] += d;
        const xm = Float64Array.from(x);
        xm[i] -= d;
        const fd = (model.evaluate(xp) - model.evaluate(xm)) / (2 * d);
        expect(Math.abs(fd - g[i])).toBeLessThan(1e-5 * (1 + Math.abs(g[i])));
      }
    }
  });
});

describe("discretisation", () => {
  it("energy converges under mesh refinement with order about 2", () => {
    const energies: number[] = [];
    for (const k of [1, 2, 4, 8]) {
      const sol = solveShape(
        { kappaLipid: 2, kappaRatio: 10, tension: 1, area: 600 },
        { scan: 1, seedRadii: [5.5], mesh: { nDomain: 20 * k, nLipid: 8 * k, hMinLipidR0: 0.96 / k, domainGrading: 3 } },
      );
      energies.push(sol.best.energy);
    }
    const orders: number[] = [];
    for (let i = 0; i + 2 < energies.length; i++)
      orders.push(Math.log2((energies[i] - energies[i + 1]) / (energies[i + 1] - energies[i + 2])));
    // the finest pair must be in the asymptotic range of a second-order scheme
    const last = orders[orders.length - 1];
    expect(last).toBeGreaterThan(1.7);
    expect(last).toBeLessThan(2.4);
    // Richardson: the finest mesh is within 0.1 % of the extrapolated energy
    const ext = energies[3] + (energies[3] - energies[2]) / (2 ** last - 1);
    expect(Math.abs(energies[3] - ext) / Math.abs(ext)).toBeLessThan(1e-3);
  });
});
