import { describe, expect, it } from "vitest";
import { catalogue, imaging, mechanics, PERTURBATIONS, simulate, summarize } from "migrasim";

describe("library API (import from 'migrasim')", () => {
  it("simulates, exposes the engine state and the catalogue", () => {
    const r = simulate({ seed: 1, hours: 2, cells: 10 });
    expect(r.summary.cells.count).toBe(10);
    expect(summarize(r.engine.world)).toEqual(r.summary);
    expect(r.engine.world.timeMin).toBe(120);
    expect(catalogue().get("cells.speedUmPerMin")?.unit).toBe("µm/min");
    expect(PERTURBATIONS.map((p) => p.name)).toContain("tspan4-oe");
    expect(typeof mechanics.solveShape).toBe("function");
    expect(typeof imaging.analyzePlane).toBe("function");
  });
  it("every catalogue parameter has a unit, a default in range and a source", () => {
    for (const p of catalogue().all()) {
      expect(p.unit.length).toBeGreaterThan(0);
      expect(p.source.length).toBeGreaterThan(5);
      if (typeof p.default === "number") {
        if (p.min !== undefined) expect(p.default).toBeGreaterThanOrEqual(p.min);
        if (p.max !== undefined) expect(p.default).toBeLessThanOrEqual(p.max);
      }
    }
  });
});
