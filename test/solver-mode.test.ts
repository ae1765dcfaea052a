import { describe, expect, it } from "vitest";
import { catalogue } from "../src/catalogue.ts";
import { Params } from "../src/core/params.ts";
import { defaultStabilisationTable, thresholdKappaRatio } from "../src/mechanics/stabilisation-table.ts";
import { SolverStabilisation } from "../src/migrasomes/solver-stabilisation.ts";
import { simulate } from "../src/simulate.ts";

const params = (o: Record<string, number | string> = {}) => new Params({ ...catalogue().defaults(), "mechanics.mode": "solver", ...o });

describe("mechanics.mode = solver: stabilisation from the shape solver's threshold table", () => {
  it("keeps a domain exactly when its stiffness ratio reaches the table threshold", () => {
    const rule = new SolverStabilisation(params());
    const table = defaultStabilisationTable();
    const refPn = 25;
    for (const [area, tension] of [
      [55, 1],
      [80, 1],
      [300, 0.5],
      [60, 2],
    ]) {
      const kept = rule.decideArea({ tensionPn: tension * refPn, siteKind: 0 }, area);
      expect(kept).toBe(10 >= thresholdKappaRatio(table, area, tension));
    }
    expect(rule.decideArea({ tensionPn: refPn, siteKind: 0 }, 10)).toBe(false); // below the smallest tabulated area
  });

  it("softer, smaller domains (TSPAN4 KO, cholesterol depletion) are stabilised less often", () => {
    const ctx = { tensionPn: 40, siteKind: 0 };
    const wt = new SolverStabilisation(params()).probability(ctx);
    const ko = new SolverStabilisation(params({ "molecular.tspan4Level": 0.35 })).probability(ctx);
    const chol = new SolverStabilisation(params({ "molecular.cholesterolLevel": 0.2 })).probability(ctx);
    expect(wt).toBeGreaterThan(0.5);
    expect(ko).toBeLessThan(wt / 3);
    expect(chol).toBeLessThan(wt / 3);
  });

  it("the engine reproduces the perturbation directions in solver mode", () => {
    const run = (perturb: string[]) => simulate({ seed: 2, hours: 10, cells: 60, perturb, set: { "mechanics.mode": "solver" } }).summary.migrasomes.perCell;
    const control = run([]);
    expect(control).toBeGreaterThan(5);
    expect(run(["tspan4-oe"])).toBeGreaterThan(2 * control);
    expect(run(["tspan4-ko"])).toBeLessThan(0.25 * control);
    expect(run(["cholesterol-depletion"])).toBeLessThan(0.25 * control);
  });
});
