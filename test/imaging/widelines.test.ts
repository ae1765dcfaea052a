/**
 * The line filter's wide pass (`wideSigmaUm` 0.3 µm): the coarse grid smoothed on to σ = 0.3 µm, where a
 * fiber blurred by the PSF fills the second derivative better than at the first pass's 0.12 µm. Its noise
 * gains must count the extra smoothing (else its z is not in noise units), and on a dim fiber it must find
 * more of the line than the first pass alone, without more false line in the noise around it.
 */
import { describe, expect, it } from "vitest";
import { gaussianBlur } from "../../src/imaging/filters.ts";
import { coarseGrid, DEFAULT_LINE_PARAMS, detectLines, lineResponse } from "../../src/imaging/lines.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
}
function gaussNoise(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r());
  return out;
}
const quantile = (a: Float32Array, q: number) => {
  const v = Float64Array.from(a).sort();
  return v[Math.floor(q * (v.length - 1))];
};

describe("line filter, wide pass", () => {
  it("is in noise units: on white noise its tail matches the first pass's", () => {
    for (const px of [0.065, 0.1, 0.16]) {
      const n = 384;
      const img = gaussNoise(n * n, 7);
      const noise = new Float32Array(n * n).fill(1);
      const sp = Math.max(0.7, 0.12 / px);
      const f = Math.max(1, Math.floor(0.2 / px + 1e-6));
      const g = coarseGrid(gaussianBlur(img, n, n, sp), noise, n, n, f);
      const first = lineResponse(g, px, sp, DEFAULT_LINE_PARAMS);
      const sc = Math.sqrt(0.3 ** 2 - (sp * px) ** 2) / (px * f);
      const wide = lineResponse({ ...g, img: gaussianBlur(g.img, g.W, g.H, sc) }, px, sp, DEFAULT_LINE_PARAMS, true, sc);
      // without the coarse smoothing in the gains, the wide pass's z would be 2-3x too small
      const noGain = lineResponse({ ...g, img: gaussianBlur(g.img, g.W, g.H, sc) }, px, sp, DEFAULT_LINE_PARAMS, true, 0);
      expect(Math.abs(quantile(wide.z, 0.99) - quantile(first.z, 0.99))).toBeLessThan(0.35);
      expect(quantile(noGain.z, 0.99)).toBeLessThan(0.6 * quantile(wide.z, 0.99));
    }
  });

  it("finds more of a dim fiber at 0.16 µm pixels, with no more false line", () => {
    const px = 0.16;
    const w = 200;
    const h = 120;
    const y0 = 60.3; // the fiber's centre row (px), horizontal from x 20 to 180
    const psfPx = 0.15 / px;
    let onFirst = 0;
    let onWide = 0;
    let offFirst = 0;
    let offWide = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const img = gaussNoise(w * h, seed);
      for (let y = 0; y < h; y++)
        for (let x = 20; x <= 180; x++) img[y * w + x] += 1.1 * Math.exp(-((y - y0) ** 2) / (2 * psfPx * psfPx));
      const noise = new Float32Array(w * h).fill(1);
      const sp = 0.12 / px;
      const sm = gaussianBlur(img, w, h, sp);
      for (const wideSigmaUm of [0, 0.3]) {
        const m = detectLines(sm, sp, noise, w, h, px, { ...DEFAULT_LINE_PARAMS, wideSigmaUm, traceGridUm: 0 }).mask; // on the image's pixels
        let on = 0;
        let off = 0;
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            if (!m[y * w + x]) continue;
            if (Math.abs(y - y0) <= 2 && x >= 20 && x <= 180) on++;
            else off++;
          }
        if (wideSigmaUm) {
          onWide += on;
          offWide += off;
        } else {
          onFirst += on;
          offFirst += off;
        }
      }
    }
    // 6 × 161 columns of fiber; measured 451 → 853 (first pass alone → with the wide pass), off the fiber 892 → 902
    expect(onWide).toBeGreaterThan(onFirst + 0.25 * 6 * 161);
    expect(offWide).toBeLessThanOrEqual(offFirst + 40);
  });
});
