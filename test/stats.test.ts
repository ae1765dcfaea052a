import { describe, expect, it } from "vitest";
import { mean, quantile, sd } from "../src/stats/descriptive.ts";
import { mannWhitney, normalCdf } from "../src/stats/mann-whitney.ts";

describe("statistics", () => {
  it("Mann–Whitney exact p for fully separated samples (5 vs 5): 2/252", () => {
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.method).toBe("exact");
    expect(r.u).toBe(0);
    expect(r.p).toBeCloseTo(2 / 252, 10);
  });
  it("Mann–Whitney exact p matches a known table value (scipy: U=3, n=4,5 → p=0.1111)", () => {
    const r = mannWhitney([1.1, 2.2, 3.3, 7.7], [4.4, 5.5, 6.6, 8.8, 9.9]);
    expect(r.u).toBe(3);
    expect(r.p).toBeCloseTo(0.111111, 5);
  });
  it("Mann–Whitney normal approximation with ties: identical samples give p = 1", () => {
    const a = Array.from({ length: 100 }, (_, i) => i % 7);
    expect(mannWhitney(a, a).p).toBeCloseTo(1, 6);
    const b = a.map((x) => x + 3);
    expect(mannWhitney(a, b).p).toBeLessThan(1e-6);
  });
  it("normal CDF", () => {
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
  });
  it("descriptive statistics", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.13809, 5);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
  });
});
