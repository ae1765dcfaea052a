/**
 * The line filter's bilinear grid (`resampleUm`): at pixels coarser than half the 0.2 µm grid (block factor 1) the
 * smoothed image is sampled at 0.18 µm instead of running the filter on the pixels (0.16 µm: 0.79× the points).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LINE_PARAMS, detectLines, resampleGrid } from "../../src/imaging/lines.ts";

describe("resampled line grid", () => {
  it("samples a linear ramp exactly at ((X + ½)·g − ½, (Y + ½)·g − ½)", () => {
    const w = 40;
    const h = 30;
    const src = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) src[y * w + x] = 0.5 * x + 0.25 * y;
    const g = 1.125;
    const grid = resampleGrid(src, new Float32Array(w * h).fill(1), w, h, g);
    expect(grid.W).toBe(Math.round(w / g));
    expect(grid.bilinear).toBe(true);
    for (let Y = 0; Y < grid.H; Y++)
      for (let X = 0; X < grid.W; X++) {
        const x = Math.min(w - 1, (X + 0.5) * g - 0.5);
        const y = Math.min(h - 1, (Y + 0.5) * g - 0.5);
        expect(grid.img[Y * grid.W + X]).toBeCloseTo(0.5 * x + 0.25 * y, 4);
      }
  });

  it("is off at 0.1 and 0.065 µm pixels (block means there) and when resampleUm is 0", () => {
    const w = 64;
    const h = 64;
    const s = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) s[y * w + x] = Math.exp(-((x - 32.3) ** 2) / 2) * 20;
    const noise = new Float32Array(w * h).fill(1);
    for (const px of [0.1, 0.065]) {
      const a = detectLines(s, 1.2, noise, w, h, px);
      const b = detectLines(s, 1.2, noise, w, h, px, { ...DEFAULT_LINE_PARAMS, resampleUm: 0 });
      expect(Array.from(a.lines.pixels)).toEqual(Array.from(b.lines.pixels));
      expect(Array.from(a.lines.ox)).toEqual(Array.from(b.lines.ox));
    }
    // at 0.16 µm the vertical line (centre 32.8 in pixel-edge coordinates) is found on either grid, drawn within a
    // quarter pixel of it (32.63 resampled, 33.00 on the pixels)
    const a = detectLines(s, 0.75, noise, w, h, 0.16);
    const b = detectLines(s, 0.75, noise, w, h, 0.16, { ...DEFAULT_LINE_PARAMS, resampleUm: 0 });
    expect(a.lines.pixels.length).toBeGreaterThan(50);
    expect(b.lines.pixels.length).toBeGreaterThan(50);
    const meanX = (l: typeof a) => {
      let sx = 0;
      for (let q = 0; q < l.lines.pixels.length; q++) sx += (l.lines.pixels[q] % (w * l.scale)) + 0.5 + l.lines.ox[q];
      return sx / l.lines.pixels.length / l.scale;
    };
    expect(Math.abs(meanX(a) - 32.8)).toBeLessThan(0.25);
    expect(Math.abs(meanX(b) - 32.8)).toBeLessThan(0.25);
  });
});
