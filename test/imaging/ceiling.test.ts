/**
 * The ideal-observer site ceiling (`ceiling.ts`): its fiber detectability d' is checked against the
 * matched filter applied to rendered, noisy images (the same renderer the evaluation uses), and the
 * ceiling behaves as a bound should.
 */
import { describe, expect, it } from "vitest";
import { fiberDetectability, fiberLengthCeiling, normalCdf, siteCeiling, siteSearchCeiling } from "../../src/imaging/ceiling.ts";
import { analyzePlane } from "../../src/imaging/analyze.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { generateScene, randomOptics, type Optics, type Scene } from "../../src/imaging/scene.ts";

const optics = (snr: number, px: number, psf = 0.12): Optics => ({
  pixelSizeUm: px, psfSigmaUm: psf, ringThicknessUm: 0.1, sectionHalfUm: 0.4, snr,
  backgroundPhotons: 60, unevenness: 0, readNoise: 2, offset: 100, label: "tspan4",
});

describe("fiber detectability", () => {
  it("normal CDF", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  for (const px of [0.065, 0.1, 0.16])
    it(`d' of a known fiber segment matches the matched filter on rendered noisy images (${px} µm pixels)`, () => {
      const o = optics(3, px);
      const b = 0.4;
      const y0 = 5.03;
      const scene: Scene = { widthUm: 10, heightUm: 10, cells: [], objects: [], crossings: [], fibers: [{ id: 1, cellId: null, points: [[0, y0], [10, y0]], brightness: b }] };
      const empty: Scene = { ...scene, fibers: [] };
      // matched filter over x ∈ [3, 7) µm: template = the fiber's expected signal (its peak is b·S)
      const S = o.snr * Math.sqrt(o.backgroundPhotons + o.readNoise ** 2);
      const var0 = o.backgroundPhotons + o.readNoise ** 2;
      const stat = (data: Float32Array, W: number) => {
        let t = 0;
        let tt = 0;
        for (let j = 0; j < W; j++) {
          const u = (j + 0.5) * px - y0;
          const m = b * S * Math.exp(-(u * u) / (2 * o.psfSigmaUm ** 2));
          if (m < 1e-6 * S) continue;
          for (let i = 0; i < W; i++) {
            const x = (i + 0.5) * px;
            if (x < 3 || x >= 7) continue;
            t += (m * (data[j * W + i] - o.offset - o.backgroundPhotons)) / var0;
            tt += (m * m) / var0;
          }
        }
        return t / Math.sqrt(tt);
      };
      const on: number[] = [];
      const off: number[] = [];
      for (let s = 1; s <= 60; s++) {
        const a = renderScene(scene, o, s);
        on.push(stat(a.data, a.width));
        const z = renderScene(empty, o, s + 1000);
        off.push(stat(z.data, z.width));
      }
      const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
      const sd = (v: number[]) => Math.sqrt(mean(v.map((q) => (q - mean(v)) ** 2)));
      const d = fiberDetectability(b, o.snr, o.psfSigmaUm, 4, px);
      // separation of the two statistics' means, in units of their spread, is d' (±10 %, 60 images each)
      expect(Math.abs(mean(off))).toBeLessThan(0.35);
      expect(sd(off)).toBeGreaterThan(0.8);
      expect(sd(off)).toBeLessThan(1.2);
      expect(Math.abs(mean(on) - mean(off)) / d).toBeGreaterThan(0.9);
      expect(Math.abs(mean(on) - mean(off)) / d).toBeLessThan(1.1);
    });

  it("scales as √length, linearly with brightness and SNR, and as 1/pixel size", () => {
    const d = fiberDetectability(0.2, 4, 0.12, 1, 0.1);
    expect(fiberDetectability(0.2, 4, 0.12, 4, 0.1)).toBeCloseTo(2 * d, 10);
    expect(fiberDetectability(0.4, 4, 0.12, 1, 0.1)).toBeCloseTo(2 * d, 10);
    expect(fiberDetectability(0.2, 8, 0.12, 1, 0.1)).toBeCloseTo(2 * d, 10);
    expect(fiberDetectability(0.2, 4, 0.12, 1, 0.05)).toBeCloseTo(2 * d, 10);
    expect(fiberDetectability(0.2, 4, 0.12, 0, 0.1)).toBe(0);
  });
});

describe("site ceiling", () => {
  it("is near 1 for a tip on a bright fiber and ½ per dim arm", () => {
    const scene = (b: number): Scene => ({
      widthUm: 20, heightUm: 20, cells: [], crossings: [],
      fibers: [{ id: 1, cellId: null, points: [[2, 10], [18, 10]], brightness: b }],
      objects: [{ id: 1, x: 10, y: 10, diameterUm: 1.2, brightness: 1, kind: "migrasome", site: "along", cellId: null }],
    });
    expect(siteCeiling(scene(0.5), optics(10, 0.1)).accuracy).toBeGreaterThan(0.999);
    // two arms, each barely detectable: about ¼
    expect(siteCeiling(scene(1e-4), optics(1, 0.1)).accuracy).toBeCloseTo(0.25, 2);
  });

  it("rises with SNR and finer pixels on generated scenes", () => {
    const sc = generateScene(1001, { variant: "scoring", dense: false });
    const c = (snr: number, px: number) => siteCeiling(sc, randomOptics(1001, snr, "scoring", px)).accuracy;
    expect(c(2, 0.1)).toBeLessThan(c(4, 0.1));
    expect(c(4, 0.1)).toBeLessThan(c(7, 0.1));
    expect(c(4, 0.16)).toBeLessThan(c(4, 0.1));
    expect(c(4, 0.1)).toBeLessThan(c(4, 0.065));
    expect(c(10, 0.1)).toBeLessThanOrEqual(1);
  });
});

describe("site ceiling of a searching observer", () => {
  const along = (b: number): Scene => ({
    widthUm: 20, heightUm: 20, cells: [], crossings: [],
    fibers: [{ id: 1, cellId: null, points: [[2, 10], [18, 10]], brightness: b }],
    objects: [{ id: 1, x: 10, y: 10, diameterUm: 1.2, brightness: 1, kind: "migrasome", site: "along", cellId: null }],
  });

  it("is Φ(t)^M · Π Φ(d' − t) at its best threshold (one migrasome with two arms)", () => {
    const o = optics(4, 0.1);
    const r = siteSearchCeiling([{ scene: along(0.3), optics: o }], { directions: 24, armUm: 1.3, thresholds: [3] });
    const d = fiberDetectability(0.3, 4, o.psfSigmaUm, 1.3, 0.1);
    expect(r.threshold).toBe(3);
    expect(r.accuracy).toBeCloseTo(normalCdf(3) ** 24 * normalCdf(d - 3) ** 2, 10);
    // the best of several thresholds is at least as good as each of them
    const all = siteSearchCeiling([{ scene: along(0.3), optics: o }], { directions: 24, armUm: 1.3 });
    expect(all.accuracy).toBeGreaterThanOrEqual(r.accuracy);
  });

  it("lies below the known-path ceiling and rises with SNR and a longer look (generated scenes)", () => {
    const sc = generateScene(1001, { variant: "scoring", dense: false });
    for (const snr of [2, 4, 7]) {
      const o = randomOptics(1001, snr, "scoring", 0.1);
      const s13 = siteSearchCeiling([{ scene: sc, optics: o }]).accuracy;
      expect(s13, `SNR ${snr}`).toBeLessThan(siteCeiling(sc, o, 1.3).accuracy);
      expect(siteSearchCeiling([{ scene: sc, optics: o }], { armUm: 3.7 }).accuracy, `SNR ${snr}`).toBeGreaterThan(s13);
    }
    const at = (snr: number) => siteSearchCeiling([{ scene: sc, optics: randomOptics(1001, snr, "scoring", 0.1) }]).accuracy;
    expect(at(2)).toBeLessThan(at(4));
    expect(at(4)).toBeLessThan(at(7));
  });
});

describe("fiber-length ceiling", () => {
  const two = (b1: number, b2: number): Scene => ({
    widthUm: 20, heightUm: 20, cells: [], crossings: [], objects: [],
    fibers: [
      { id: 1, cellId: null, points: [[2, 5], [18, 5]], brightness: b1 },
      { id: 2, cellId: null, points: [[2, 15], [10, 15]], brightness: b2 },
    ],
  });
  it("counts the length of the fibers whose d' over 2 µm reaches the threshold", () => {
    const o = optics(4, 0.1);
    // brightness at which d'(2 µm) = 4 exactly
    const b4 = 4 / fiberDetectability(1, 4, o.psfSigmaUm, 2, 0.1);
    const c = fiberLengthCeiling(two(1.05 * b4, 0.95 * b4), o);
    expect(c.trueUm).toBeCloseTo(24, 1);
    expect(c.foundUm).toBeCloseTo(16, 1); // the first (16 µm) is found, the second (8 µm) not
    expect(fiberLengthCeiling(two(1.05 * b4, 1.05 * b4), o).foundUm).toBeCloseTo(24, 1);
    // a lower threshold finds both; finer pixels (more photons per µm at the same SNR) too
    expect(fiberLengthCeiling(two(1.05 * b4, 0.95 * b4), o, 20, 20, 2, 3).foundUm).toBeCloseTo(24, 1);
    expect(fiberLengthCeiling(two(1.05 * b4, 0.95 * b4), optics(4, 0.065)).foundUm).toBeCloseTo(24, 1);
  });

  it("a longer stretch finds dimmer fibers, but never integrates beyond a fiber's own length", () => {
    const o = optics(4, 0.1);
    // brightness at which d'(6 µm) = 4: over 6 µm the 16 µm fiber (and the 8 µm one) are found, over 2 µm neither
    const b6 = 4 / fiberDetectability(1, 4, o.psfSigmaUm, 6, 0.1);
    expect(fiberLengthCeiling(two(1.05 * b6, 1.05 * b6), o, 20, 20, 2).foundUm).toBe(0);
    expect(fiberLengthCeiling(two(1.05 * b6, 1.05 * b6), o, 20, 20, 6).foundUm).toBeCloseTo(24, 1);
    // over 12 µm: the 16 µm fiber at d'(12 µm) ≥ 4 is found; the 8 µm one only gives its 8 µm of evidence
    const b12 = 4 / fiberDetectability(1, 4, o.psfSigmaUm, 12, 0.1);
    const c = fiberLengthCeiling(two(1.05 * b12, 1.05 * b12), o, 20, 20, 12);
    expect(c.foundUm).toBeCloseTo(16, 1);
  });

  describe("pairs closer than the optics resolve count once", () => {
    const pair = (gapUm: number, second: [number, number][] = [[2, 10 + gapUm], [18, 10 + gapUm]]): Scene => ({
      widthUm: 20, heightUm: 20, cells: [], crossings: [], objects: [],
      fibers: [
        { id: 1, cellId: null, points: [[2, 10], [18, 10]], brightness: 0.8 },
        { id: 2, cellId: null, points: second, brightness: 1 },
      ],
    });
    const o = optics(10, 0.1, 0.12); // 2 σ_psf = 0.24 µm
    it("side by side within 2 σ_psf: the fainter fiber's length is not reachable; further apart or crossing: both", () => {
      const close = fiberLengthCeiling(pair(0.15), o, 20, 20, 2, 4, 2);
      expect(close.trueUm).toBeCloseTo(32, 1);
      expect(close.unresolvedUm).toBeCloseTo(16, 1); // the fainter one (listed first) is the one hidden
      expect(close.foundUm).toBeCloseTo(16, 1);
      expect(fiberLengthCeiling(pair(0.15), o, 20, 20, 2, 4, 0).foundUm).toBeCloseTo(32, 1); // off: as before
      expect(fiberLengthCeiling(pair(0.4), o, 20, 20, 2, 4, 2).foundUm).toBeCloseTo(32, 1);
      // a right-angle crossing is resolved (a tracer follows both lines through it)
      expect(fiberLengthCeiling(pair(0, [[10, 2], [10, 18]]), o, 20, 20, 2, 4, 2).foundUm).toBeCloseTo(32, 1);
      // a too-dim partner hides nothing: it is not findable itself
      const dim = pair(0.15);
      dim.fibers[1].brightness = 0.01;
      expect(fiberLengthCeiling(dim, o, 20, 20, 2, 4, 2).foundUm).toBeCloseTo(16, 1);
      expect(fiberLengthCeiling(dim, o, 20, 20, 2, 4, 2).unresolvedUm).toBe(0);
    });
    it("and the pipeline's tracer does draw one line there (rendered at SNR 10)", () => {
      const traced = (gapUm: number) => {
        const sc = pair(gapUm);
        const img = renderScene(sc, { ...o, backgroundPhotons: 60 }, 5);
        return analyzePlane({ width: img.width, height: img.height, data: img.data }, 0.1).fibers.totalLengthUm;
      };
      const one = traced(0.15);
      const two = traced(0.8);
      expect(one).toBeGreaterThan(13);
      expect(one).toBeLessThan(19); // one line, not two
      expect(two).toBeGreaterThan(28);
    });
  });

  it("only counts what lies inside the image and outside cells", () => {
    const sc = two(1, 1);
    sc.cells.push({ id: 1, x: 6, y: 5, rx: 2, ry: 2, angle: 0, brightness: 1 });
    const c = fiberLengthCeiling(sc, optics(10, 0.1), 10, 20);
    // fiber 1 inside x < 10 minus the cell's 4 µm chord: 8 − 4; fiber 2 inside x < 10: 8
    expect(c.trueUm).toBeCloseTo(12, 0);
    expect(c.foundUm).toBeCloseTo(c.trueUm, 6);
  });
});
