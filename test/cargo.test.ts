import { describe, expect, it } from "vitest";
import { cargoTotals, transfersTable, ROUTE_NAMES } from "../src/cargo/cargo.ts";
import { FATE_UPTAKEN } from "../src/core/world.ts";
import { mannWhitney } from "../src/stats/mann-whitney.ts";
import { simulate } from "../src/simulate.ts";
import type { ScenarioInput } from "../src/scenarios/schema.ts";

/** A scenario exercising every cargo route: loading with probability, leak, rupture, uptake, retractosomes, degradation, secretion. */
const mixed: ScenarioInput = {
  name: "mixed-cargo",
  hours: 10,
  cells: 50,
  params: {
    "world.widthUm": 500,
    "world.heightUm": 500,
    "cells.recipientFraction": 0.4,
    "migrasomes.uptakePerMin": 0.1,
    "migrasomes.ruptureMeanMin": 200,
    "fibers.breakAgeMin": 120,
  },
  fields: [{ name: "vegfa", diffusionUm2PerMin: 500, decayPerMin: 0.05 }],
  cargo: [
    { name: "vegfa", kind: "protein", productionPerCellPerMin: 2, donorDegradationPerMin: 0.01, loadFraction: 0.2, leakPerMin: 0.01, retractosomeFraction: 0.001, field: "vegfa" },
    { name: "pten-mrna", kind: "mrna", productionPerCellPerMin: 1, loadFraction: 0.1, loadProbability: 0.3, effect: "pten" },
    { name: "mito", kind: "organelle", productionPerCellPerMin: 0.05, loadFraction: 0.5 },
    { name: "il1b", kind: "protein", productionPerCellPerMin: 1, route: "secrete", field: "vegfa" },
  ],
};

describe("cargo: conservation ledger and provenance", () => {
  const res = simulate({ scenario: mixed, seed: 3 });
  const w = res.engine.world;
  const species = res.run.runtime.cargo!;

  it("balances every species to round-off: produced = pool + degraded + secreted + loaded + retractosomal; loaded = released + delivered + held", () => {
    species.forEach((sp, k) => {
      const t = cargoTotals(w, species, k);
      expect(t.produced).toBeGreaterThan(0);
      const tol = 1e-9 * t.produced;
      expect(Math.abs(t.produced - (t.donorPool + t.degradedInDonor + t.secreted + t.loaded + t.retractosomal))).toBeLessThan(tol);
      expect(Math.abs(t.loaded - (t.released + t.delivered + t.held))).toBeLessThan(tol);
      if (sp.route === "migrasome") {
        expect(t.loaded).toBeGreaterThan(0);
        expect(t.delivered + t.releasedRupture).toBeGreaterThan(0);
      } else expect(t.secreted).toBeCloseTo(t.produced, 9);
    });
    const veg = cargoTotals(w, species, 0);
    expect(veg.releasedLeak).toBeGreaterThan(0);
    expect(veg.retractosomal).toBeGreaterThan(0);
    expect(veg.degradedInDonor).toBeGreaterThan(0);
  });

  it("the summary reports loaded, released, delivered and held per species", () => {
    for (const sp of species) for (const k of ["loaded", "released", "delivered", "held"]) expect(res.summary.cargo?.[sp.name]).toHaveProperty(k);
  });

  it("transfers record donor → migrasome → recipient, and add up to the ledger", () => {
    const T = transfersTable(w);
    const sums = new Map<string, number>();
    for (let r = 0; r < T.n; r++) {
      const key = `${T.c.species[r]}:${ROUTE_NAMES[T.c.route[r]]}`;
      sums.set(key, (sums.get(key) ?? 0) + T.c.amount[r]);
      if (ROUTE_NAMES[T.c.route[r]] === "uptake") {
        const s = T.c.migrasome[r];
        expect(w.swellings.c.fate[s]).toBe(FATE_UPTAKEN);
        expect(w.swellings.c.recipient[s]).toBe(T.c.recipient[r]);
        expect(w.cells.c.group[T.c.donor[r]]).toBe(0);
      }
    }
    species.forEach((_, k) => {
      const t = cargoTotals(w, species, k);
      expect(sums.get(`${k}:uptake`) ?? 0).toBeCloseTo(t.delivered, 6);
      expect(sums.get(`${k}:rupture`) ?? 0).toBeCloseTo(t.releasedRupture, 6);
    });
  });

  it("about 30% of migrasomes carry the RNA species when loadProbability = 0.3", () => {
    const nS = species.length;
    const load = w.arrays.get("cargo.load")!;
    const leaked = w.arrays.get("cargo.leaked");
    const T = transfersTable(w);
    const carried = new Set<number>();
    for (let s = 0; s < w.swellings.n; s++) if (load[s * nS + 1] > 0 || (leaked && leaked[s * nS + 1] > 0)) carried.add(s);
    for (let r = 0; r < T.n; r++) if (T.c.species[r] === 1 && T.c.migrasome[r] >= 0) carried.add(T.c.migrasome[r]);
    let donorMigrasomes = 0;
    for (let s = 0; s < w.swellings.n; s++) {
      const c = w.swellings.c.cell[s];
      if (w.swellings.c.stabilisedMin[s] >= 0 && c >= 0 && w.cells.c.group[c] === 0) donorMigrasomes++;
    }
    expect(donorMigrasomes).toBeGreaterThan(200);
    const frac = carried.size / donorMigrasomes;
    expect(frac).toBeGreaterThan(0.24);
    expect(frac).toBeLessThan(0.36);
  });
});

describe("recipient response kinetics (pten-transfer, Zhu et al. 2021 windows)", () => {
  const pten = (set: Record<string, string>) => {
    const res = simulate({ scenario: "pten-transfer", seed: 2, set });
    const w = res.engine.world;
    const T = w.table("timeseries", { timeMin: "f64", key: "i32", value: "f64" } as const);
    const collector = res.engine.processes.find((p) => p.name === "collector") as unknown as { keys: string[] };
    const key = collector.keys.indexOf("recipients.ptenMean");
    const at = (h: number) => {
      for (let r = 0; r < T.n; r++) if (T.c.key[r] === key && T.c.timeMin[r] === h * 60) return T.c.value[r];
      return Number.NaN;
    };
    return { h6: at(6), h12: at(12), h36: at(36) };
  };
  it("protein-only cargo acts early and fades: clear at 6 h, little left at 36 h", () => {
    const p = pten({ "bolus.loads.pten-mrna": "0" });
    expect(p.h6).toBeGreaterThan(0.05);
    expect(p.h36).toBeLessThan(0.2 * p.h6);
  });
  it("mRNA-only cargo acts late: little at 6–12 h, clear at 36 h", () => {
    const m = pten({ "bolus.loads.pten-protein": "0" });
    expect(m.h36).toBeGreaterThan(0.1);
    expect(m.h6).toBeLessThan(0.1 * m.h36);
    expect(m.h12).toBeLessThan(0.3 * m.h36);
  });
  it("a larger dose gives more PTEN and less pAKT", () => {
    const lo = simulate({ scenario: "pten-transfer", seed: 2, hours: 36, set: { "bolus.count": "200" } }).summary;
    const hi = simulate({ scenario: "pten-transfer", seed: 2, hours: 36, set: { "bolus.count": "800" } }).summary;
    expect(hi.cargo!["pten-mrna"].delivered).toBeGreaterThan(2 * lo.cargo!["pten-mrna"].delivered);
    expect(hi.recipients!.ptenMean).toBeGreaterThan(2 * lo.recipients!.ptenMean);
    expect(hi.recipients!.pAktMean).toBeLessThan(lo.recipients!.pAktMean);
  });
});

describe("mitocytosis (neutrophil-mitocytosis)", () => {
  it("under mild stress, migrasomes keep membrane potential and viability higher than without (tspan4-ko)", () => {
    const withM = simulate({ scenario: "neutrophil-mitocytosis", seed: 4 }).summary.mito!;
    const without = simulate({ scenario: "neutrophil-mitocytosis", seed: 4, perturb: ["tspan4-ko"] }).summary.mito!;
    expect(withM.exportedPerCell).toBeGreaterThan(without.exportedPerCell);
    expect(withM.meanMembranePotential).toBeGreaterThan(without.meanMembranePotential + 0.05);
    expect(withM.meanViability).toBeGreaterThan(without.meanViability);
  });
  it("without stress, membrane potential stays high either way", () => {
    const s = simulate({ scenario: "neutrophil-mitocytosis", seed: 4, perturb: ["tspan4-ko"], set: { "mito.stressPerMin": "0" } }).summary.mito!;
    expect(s.meanMembranePotential).toBeGreaterThan(0.95);
  });
});

describe("chemokine relay", () => {
  /** Distances (µm) from each recipient at the end to the nearest donor migrasome. */
  function distances(chemotaxis: boolean, seed: number): number[] {
    const res = simulate({ scenario: "chemokine-relay", seed, set: chemotaxis ? {} : { "cells.chemotaxisRatePerMin": "0" } });
    const w = res.engine.world;
    const sw = w.swellings.c;
    const pts: number[] = [];
    for (let s = 0; s < w.swellings.n; s++) if (sw.stabilisedMin[s] >= 0 && sw.cell[s] >= 0 && w.cells.c.group[sw.cell[s]] === 0) pts.push(sw.x[s], sw.y[s]);
    const out: number[] = [];
    for (let i = 0; i < w.cells.n; i++) {
      if (w.cells.c.group[i] !== 1) continue;
      let best = Infinity;
      for (let k = 0; k < pts.length; k += 2) best = Math.min(best, Math.hypot(pts[k] - w.cells.c.x[i], pts[k + 1] - w.cells.c.y[i]));
      out.push(best);
    }
    return out;
  }
  it("CXCR4+ recipients end closer to the migrasome trail than unbiased walkers (Mann–Whitney, fixed seeds)", () => {
    const guided = [1, 2, 3].flatMap((s) => distances(true, s));
    const unbiased = [1, 2, 3].flatMap((s) => distances(false, s));
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(guided)).toBeLessThan(mean(unbiased));
    expect(mannWhitney(guided, unbiased).p).toBeLessThan(0.05);
  });
});

describe("recipient behaviour and cell-type-dependent uptake", () => {
  const dish = (gain: number, donorFactor = 1, recipientFraction = 1) =>
    simulate({
      seed: 3,
      scenario: {
        hours: 12,
        cells: 40,
        params: {
          "world.widthUm": 300,
          "world.heightUm": 300,
          "cells.recipientFraction": recipientFraction,
          "migrasomes.uptakePerMin": 1,
          "migrasomes.uptakeDonorFactor": donorFactor,
          "response.motilityGain": gain,
        },
        cargo: [{ name: "tgfb1", kind: "protein", effect: "motility" }],
        bolus: { count: 400, loads: { tgfb1: 0.5 } },
      },
    });
  it("cargo with effect 'motility' makes recipients migrate faster", () => {
    expect(dish(1).summary.cells.meanSpeedUmPerMin).toBeGreaterThan(1.2 * dish(0).summary.cells.meanSpeedUmPerMin);
  });
  it("with uptakeDonorFactor = 0 only recipients take migrasomes up", () => {
    const w = dish(0, 0, 0.5).engine.world;
    let taken = 0;
    for (let i = 0; i < w.cells.n; i++) {
      if (w.cells.c.group[i] === 0) expect(w.cells.c.uptaken[i]).toBe(0);
      else taken += w.cells.c.uptaken[i];
    }
    expect(taken).toBeGreaterThan(0);
  });
});
