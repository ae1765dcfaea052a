import { describe, expect, it } from "vitest";
import {
  buildStabilisationTable,
  defaultStabilisationTable,
  isStabilised,
  kappaRatioFromComposition,
  type StabilisationTable,
  thresholdKappaRatio,
  toTableUnits,
} from "../../src/mechanics/index.ts";

describe("stabilisation table", () => {
  it("the shipped JSON matches a fresh build at a couple of grid points", () => {
    const shipped = defaultStabilisationTable();
    const areas = [150, 600];
    const tensions = [1];
    const fresh = buildStabilisationTable({ areas, tensions });
    for (const [ai, A] of areas.entries()) {
      const i = shipped.areas.indexOf(A);
      const j = shipped.tensions.indexOf(1);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(j).toBeGreaterThanOrEqual(0);
      const a = shipped.thresholdKappaRatio[j][i];
      const b = fresh.thresholdKappaRatio[0][ai];
      expect(Math.abs(a - b) / b).toBeLessThan(5e-3);
    }
  });

  it("has the promised shape and sensible values", () => {
    const t = defaultStabilisationTable();
    expect(t.thresholdKappaRatio.length).toBe(t.tensions.length);
    for (const row of t.thresholdKappaRatio) expect(row.length).toBe(t.areas.length);
    // thresholds lie above 1 (a domain as soft as the lipid never swells) and near 2 for large areas
    for (const row of t.thresholdKappaRatio) for (const v of row) expect(v).toBeGreaterThan(1);
    const last = t.thresholdKappaRatio[t.tensions.indexOf(1)][t.areas.length - 1];
    expect(last).toBeGreaterThan(1.85);
    expect(last).toBeLessThan(2);
  });

  const toy: StabilisationTable = {
    areas: [100, 200],
    tensions: [1, 2],
    thresholdKappaRatio: [
      [4, 2],
      [3, Number.POSITIVE_INFINITY],
    ],
  };

  it("interpolates bilinearly and clamps outside the grid", () => {
    expect(thresholdKappaRatio(toy, 100, 1)).toBe(4);
    expect(thresholdKappaRatio(toy, 150, 1)).toBeCloseTo(3, 12);
    expect(thresholdKappaRatio(toy, 100, 1.5)).toBeCloseTo(3.5, 12);
    expect(thresholdKappaRatio(toy, 10, 0.1)).toBe(4);
    expect(thresholdKappaRatio(toy, 1e6, 0.1)).toBe(2);
    // a corner that never swells makes the interpolated threshold infinite, only where it has weight
    expect(thresholdKappaRatio(toy, 150, 1.5)).toBe(Number.POSITIVE_INFINITY);
    expect(thresholdKappaRatio(toy, 100, 2)).toBe(3);
    expect(isStabilised(toy, 3.1, 100, 2)).toBe(true);
    expect(isStabilised(toy, 2.9, 100, 2)).toBe(false);
    expect(isStabilised(toy, 1e9, 200, 2)).toBe(false);
  });

  it("maps composition and physical units as documented", () => {
    expect(kappaRatioFromComposition(1, 1)).toBeCloseTo(10, 12);
    expect(kappaRatioFromComposition(0, 1)).toBe(1);
    expect(kappaRatioFromComposition(1, 0)).toBe(1);
    expect(kappaRatioFromComposition(2, 1)).toBeGreaterThan(kappaRatioFromComposition(1, 1));
    expect(kappaRatioFromComposition(1, 0.5)).toBeLessThan(10);
    // κ = 20 k_BT, σ_ref = 1e-5 N/m: r0 ≈ 65.4 nm at 310 K; σ = σ_ref gives tension 1
    const u = toTableUnits({ kappaLipidKbT: 20, sigmaRefNPerM: 1e-5, areaUm2: 1, sigmaNPerM: 2e-5 });
    expect(u.lengthUnitNm).toBeCloseTo(65.42, 1);
    expect(u.tensionDimless).toBeCloseTo(2, 12);
    expect(u.areaDimless).toBeCloseTo(1e6 / 65.4218 ** 2, 0);
  });
});
