import { describe, expect, it } from "vitest";
import { PERTURBATIONS } from "../src/perturbations/perturbations.ts";
import { simulate } from "../src/simulate.ts";

/**
 * The behaviours the default scenario `nrk-fibronectin` must reproduce (issue 2). These are the
 * calibration targets; docs/model.md lists which parameter each fixed.
 */
const run = (o: Parameters<typeof simulate>[0] = {}) => simulate({ seed: 11, ...o }).summary;

describe("nrk-fibronectin calibration targets (18 h, 100 cells)", () => {
  const control = run();

  it("diameters within 0.5–3 µm, mean 1–2.5 µm", () => {
    const d = control.migrasomes.diameterUm;
    expect(d.min).toBeGreaterThanOrEqual(0.5);
    expect(d.max).toBeLessThanOrEqual(3);
    expect(d.mean).toBeGreaterThan(1);
    expect(d.mean).toBeLessThan(2.5);
  });

  it("mean attached lifetime 150–250 min", () => {
    expect(control.migrasomes.lifetimeMin.n).toBeGreaterThan(100);
    expect(control.migrasomes.lifetimeMin.mean).toBeGreaterThan(150);
    expect(control.migrasomes.lifetimeMin.mean).toBeLessThan(250);
  });

  it("tens to about a hundred migrasomes per cell, ≥ 70% at tips or junctions", () => {
    expect(control.migrasomes.perCell).toBeGreaterThan(10);
    expect(control.migrasomes.perCell).toBeLessThan(150);
    expect(control.migrasomes.sites.tip + control.migrasomes.sites.junction).toBeGreaterThanOrEqual(0.7);
    expect(control.migrasomes.sites.tip).toBeGreaterThan(0);
    expect(control.migrasomes.sites.along).toBeGreaterThan(0);
  });

  it("fibronectin > laminin-511 and collagen I; uncoated glass < 10% of fibronectin", () => {
    const fn = control.migrasomes.perCell;
    const ln = run({ set: { substrate: "laminin511" } }).migrasomes.perCell;
    const col = run({ set: { substrate: "collagen1" } }).migrasomes.perCell;
    const glass = run({ set: { substrate: "glass" } }).migrasomes.perCell;
    expect(fn).toBeGreaterThan(1.5 * ln);
    expect(fn).toBeGreaterThan(1.5 * col);
    expect(glass).toBeLessThan(0.1 * fn);
  });

  it("a substrate map: migrasomes concentrate on fibronectin stripes over a laminin-511 coat", () => {
    const w = simulate({ scenario: "nrk-stripes", seed: 11 }).engine.world;
    const sw = w.swellings.c;
    let total = 0;
    let onFn = 0;
    for (let s = 0; s < w.swellings.n; s++) {
      if (sw.stabilisedMin[s] < 0) continue;
      total++;
      const y = sw.y[s];
      if ((y >= 0 && y < 375) || (y >= 750 && y < 1125)) onFn++;
    }
    expect(total).toBeGreaterThan(500);
    expect(onFn / total).toBeGreaterThan(0.65); // the stripes cover half the dish
  });

  it("tspan4-oe: ≥ 2× migrasomes and about 2.7× fiber length per cell", () => {
    const oe = run({ perturb: ["tspan4-oe"] });
    expect(oe.migrasomes.perCell / control.migrasomes.perCell).toBeGreaterThanOrEqual(2);
    const lengthRatio = oe.fibers.totalLengthUmPerCell / control.fibers.totalLengthUmPerCell;
    expect(lengthRatio).toBeGreaterThan(2.3);
    expect(lengthRatio).toBeLessThan(3.1);
  });

  it("tspan4-ko strongly reduced but not zero; cholesterol depletion ≤ 10% of control", () => {
    const ko = run({ perturb: ["tspan4-ko"] }).migrasomes.perCell;
    expect(ko).toBeGreaterThan(0);
    expect(ko).toBeLessThan(0.25 * control.migrasomes.perCell);
    const chol = run({ perturb: ["cholesterol-depletion"] }).migrasomes.perCell;
    expect(chol).toBeLessThanOrEqual(0.1 * control.migrasomes.perCell);
  });

  it("faster cells make more migrasomes (monotonic over three speeds)", () => {
    const counts = [0.4, 0.8, 1.6].map((v) => run({ set: { "cells.speedUmPerMin": v } }).migrasomes.perCell);
    expect(counts[1]).toBeGreaterThan(counts[0]);
    expect(counts[2]).toBeGreaterThan(counts[1]);
  });

  it("unstabilised swellings disappear within minutes", () => {
    expect(control.swellings.decayed).toBeGreaterThan(0);
    expect(control.swellings.meanDecayMin).toBeLessThan(10);
  });
});

describe("every perturbation lowers migrasome formation except overexpression", () => {
  const opts = { hours: 8, cells: 60, seed: 3 };
  const base = simulate(opts).summary.migrasomes.perCell;
  for (const p of PERTURBATIONS) {
    if (p.name === "tspan4-oe") continue;
    it(`${p.name} < control`, () => {
      expect(simulate({ ...opts, perturb: [p.name] }).summary.migrasomes.perCell).toBeLessThan(base);
    });
  }
});
