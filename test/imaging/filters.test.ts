import { describe, expect, it } from "vitest";
import { estimateBackground, gaussianBlur, gaussianKernel, highPassBlockMap, quantile, selectK, subtractBackground } from "../../src/imaging/filters.ts";
import { hungarian } from "../../src/imaging/hungarian.ts";
import { Rng } from "../../src/util/rng.ts";

describe("filters", () => {
  it("Gaussian kernel is normalised and blur preserves the mean", () => {
    const k = gaussianKernel(2);
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    const w = 64;
    const a = new Float32Array(w * w);
    a[32 * w + 32] = 100;
    const b = gaussianBlur(a, w, w, 2);
    expect(b.reduce((s, v) => s + v, 0)).toBeCloseTo(100, 2);
    expect(b[32 * w + 32]).toBeCloseTo(100 / (2 * Math.PI * 4), 0);
  });
  it("background and noise maps recover a flat background and its noise", () => {
    const rng = new Rng(3);
    const w = 128;
    const a = new Float32Array(w * w);
    for (let i = 0; i < a.length; i++) a[i] = 100 + 5 * rng.normal();
    const bg = estimateBackground(a, w, w, 32, 0.5);
    expect(quantile(bg.background, 0.5)).toBeCloseTo(100, 0);
    expect(bg.noiseMedian).toBeGreaterThan(4.3);
    expect(bg.noiseMedian).toBeLessThan(5.7);
  });
  it("subtractBackground gives image − background map and the same noise map, bit for bit", () => {
    const rng = new Rng(4);
    const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    for (const [w, h, quarter, zeroes] of [[97, 61, true, false], [64, 64, false, false], [50, 70, true, true]] as const) {
      const a = new Float32Array(w * h);
      for (let i = 0; i < a.length; i++) {
        const v = 50 + 20 * Math.sin(i / 300) + 4 * rng.normal();
        a[i] = quarter ? Math.round(v) : v;
      }
      // a flat patch: zero noise blocks, where the noise map takes the median
      if (zeroes) a.fill(7, 0, 20 * w);
      const bg = estimateBackground(a, w, h, 16);
      const s = subtractBackground(a, w, h, 16);
      const ref = new Float32Array(w * h);
      for (let i = 0; i < ref.length; i++) ref[i] = a[i] - bg.background[i];
      expect(same(s.sub, ref)).toBe(true);
      expect(same(s.noise, bg.noise)).toBe(true);
      expect(s.noiseMedian).toBe(bg.noiseMedian);
      // the noise map as built before the skip of the (then idle) low-value pass
      const hp = highPassBlockMap(a, w, h, 16, (buf, n) => (1.4826 / Math.sqrt(1.25)) * selectK(buf, n, Math.floor(0.5 * (n - 1))));
      for (let i = 0; i < hp.map.length; i++) if (!(hp.map[i] > 1e-6)) hp.map[i] = bg.noiseMedian;
      expect(same(s.noise, hp.map)).toBe(true);
    }
  });
});

describe("hungarian", () => {
  it("finds the optimal assignment and respects forbidden pairs", () => {
    const c = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    const m = hungarian(c);
    const cost = m.reduce((s, [i, j]) => s + c[i][j], 0);
    expect(cost).toBe(5);
    expect(hungarian([[1e9, 1], [1e9, 1e9]])).toEqual([[0, 1]]);
  });
  it("matches brute force on random rectangular matrices", () => {
    const rng = new Rng(11);
    for (let t = 0; t < 20; t++) {
      const c = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => rng.int(10)));
      const m = hungarian(c);
      let best = Infinity;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let d = 0; d < 4; d++) if (a !== b && a !== d && b !== d) best = Math.min(best, c[0][a] + c[1][b] + c[2][d]);
      expect(m.reduce((s, [i, j]) => s + c[i][j], 0)).toBe(best);
    }
  });
});
