import { describe, expect, it } from "vitest";
import { Rng } from "../src/util/rng.ts";

describe("Rng", () => {
  it("is reproducible for a seed and differs between seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const va = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(va);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(va);
  });
  it("has the right moments for uniform, normal, exponential and poisson", () => {
    const r = new Rng(7);
    const n = 200_000;
    let su = 0, sn = 0, sn2 = 0, se = 0, sp = 0;
    for (let i = 0; i < n; i++) {
      su += r.uniform();
      const z = r.normal();
      sn += z;
      sn2 += z * z;
      se += r.exponential(3);
      sp += r.poisson(4.5);
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
    expect(se / n).toBeCloseTo(3, 1);
    expect(sp / n).toBeCloseTo(4.5, 1);
  });
  it("resumes bit-exactly from a saved state", () => {
    const r = new Rng(99);
    for (let i = 0; i < 11; i++) r.normal();
    const st = JSON.parse(JSON.stringify(r.getState()));
    const x = Array.from({ length: 10 }, () => r.normal());
    const r2 = Rng.fromState(st);
    expect(Array.from({ length: 10 }, () => r2.normal())).toEqual(x);
  });
});
