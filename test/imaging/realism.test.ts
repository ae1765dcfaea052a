import { describe, expect, it } from "vitest";
import { renderScene } from "../../src/imaging/optics.ts";
import {
  airyIntensity,
  airyKernel,
  airyVPerPx,
  beadingFactors,
  besselJ1,
  checkRealism,
  convolve2d,
  drawVesicleShape,
  REALISM_PRESETS,
  realismActive,
  realismFromNames,
  shapedRadius,
} from "../../src/imaging/realism.ts";
import { generateScene, randomOptics, type Scene } from "../../src/imaging/scene.ts";
import { Rng } from "../../src/util/rng.ts";

describe("realism: Airy PSF", () => {
  it("J1 matches known values and the Airy pattern its zeros and first ring", () => {
    // J1(1) = 0.4400505857, J1(5) = −0.3275791376, J1(10) = 0.0434727462
    expect(besselJ1(1)).toBeCloseTo(0.4400505857, 6);
    expect(besselJ1(5)).toBeCloseTo(-0.3275791376, 6);
    expect(besselJ1(10)).toBeCloseTo(0.0434727462, 6);
    // first dark ring at v = 3.8317, first bright ring at v = 5.1356 with 1.75 % of the peak
    expect(airyIntensity(3.8317)).toBeLessThan(1e-7);
    expect(airyIntensity(5.1356)).toBeCloseTo(0.0175, 3);
    expect(airyIntensity(0)).toBe(1);
  });

  it("the kernel sums to 1, has its best-fitting Gaussian at the optics' σ and its dark ring where the Airy pattern has it", () => {
    const sigma = 4; // pixels: fine enough to see the ring
    const { k, side } = airyKernel(sigma);
    const r = (side - 1) / 2;
    let sum = 0;
    for (const v of k) sum += v;
    expect(sum).toBeCloseTo(1, 5);
    // least-squares fit of a Gaussian amplitude-and-σ to the central disc's profile along a row
    const row = (i: number) => k[r * side + r + i];
    const firstZeroPx = 3.8317 / airyVPerPx(sigma); // 0.61 λ/NA = 2.905 σ
    expect(firstZeroPx / sigma).toBeCloseTo(2.905, 2);
    let best = { s: 0, err: Infinity };
    for (let s = 3; s <= 5; s += 0.01) {
      let err = 0;
      for (let i = 0; i <= Math.floor(firstZeroPx); i++) err += (row(i) - row(0) * Math.exp(-(i * i) / (2 * s * s))) ** 2;
      if (err < best.err) best = { s, err };
    }
    expect(Math.abs(best.s - sigma) / sigma).toBeLessThan(0.05);
    // the dark ring: the row dips near 2.9 σ and rises again to the first bright ring
    const zi = Math.round(firstZeroPx);
    expect(row(zi)).toBeLessThan(0.01 * row(0));
    const ringI = Math.round(5.1356 / airyVPerPx(sigma));
    expect(row(ringI)).toBeGreaterThan(3 * row(zi));
    expect(row(ringI) / row(0)).toBeGreaterThan(0.01);
    expect(row(ringI) / row(0)).toBeLessThan(0.025);
  });

  it("convolve2d moves a point source's light into the kernel's shape and conserves it away from the edges", () => {
    const w = 61; // wider than the kernel (47 pixels at σ 1.5)
    const src = new Float32Array(w * w);
    src[30 * w + 30] = 100;
    const kern = airyKernel(1.5);
    const out = convolve2d(src, w, w, kern);
    let s = 0;
    for (const v of out) s += v;
    expect(s).toBeCloseTo(100, 3);
    const r = (kern.side - 1) / 2;
    expect(out[30 * w + 33]).toBeCloseTo(100 * kern.k[r * kern.side + r + 3], 5);
  });
});

describe("realism: fibers, vesicles, presets", () => {
  it("beading factors have mean 1, the asked coefficient of variation and correlation e⁻¹ at one correlation length", () => {
    const rng = new Rng("beads");
    const steps = new Array(200_000).fill(0.05);
    const f = beadingFactors(rng, steps, 0.5, 1);
    const mean = f.reduce((a, b) => a + b, 0) / f.length;
    const sd = Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / f.length);
    expect(mean).toBeCloseTo(1, 1);
    expect(sd / mean).toBeGreaterThan(0.44);
    expect(sd / mean).toBeLessThan(0.56);
    // log factors: correlation at 20 steps (1 µm)
    const l = f.map(Math.log);
    const lm = l.reduce((a, b) => a + b, 0) / l.length;
    let c0 = 0;
    let c1 = 0;
    for (let i = 0; i + 20 < l.length; i++) {
      c0 += (l[i] - lm) ** 2;
      c1 += (l[i] - lm) * (l[i + 20] - lm);
    }
    expect(c1 / c0).toBeCloseTo(Math.exp(-1), 1);
  });

  it("an elongated vesicle keeps its area; patchy labelling averages to 1 around the rim", () => {
    const s = drawVesicleShape(new Rng(3), { ellipticity: 0.3, rimPatchiness: 0.4 });
    expect(s.aspect).toBeGreaterThanOrEqual(1);
    expect(s.aspect).toBeLessThanOrEqual(1.3);
    // area of {shaped r ≤ 1} by grid count against π
    let inside = 0;
    const n = 400;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) if (shapedRadius(s, -2 + (4 * (i + 0.5)) / n, -2 + (4 * (j + 0.5)) / n).r <= 1) inside++;
    expect((inside * 16) / (n * n)).toBeCloseTo(Math.PI, 1);
    let m = 0;
    for (let a = 0; a < 360; a++) m += shapedRadius(s, Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)).factor;
    expect(m / 360).toBeCloseTo(1, 6);
  });

  it("presets are valid, merge by name and refuse unknown names and bad fields", () => {
    for (const p of Object.values(REALISM_PRESETS)) {
      expect(() => checkRealism(p)).not.toThrow();
      expect(realismActive(p)).toBe(true);
    }
    expect(realismActive({})).toBe(false);
    expect(realismActive({ psf: "gaussian", camera: "ideal", hazeFraction: 0 })).toBe(false);
    expect(realismFromNames("airy,emccd")).toEqual({ psf: "airy", camera: "emccd" });
    expect(() => realismFromNames("airy,fog")).toThrow(/unknown realism "fog".*airy, haze/);
    expect(() => checkRealism({ hazeFraction: -1 })).toThrow(/realism.hazeFraction must be a number in \[0, 10\]/);
    expect(() => checkRealism({ psf: "lorentz" as "airy" })).toThrow(/realism.psf/);
  });
});

describe("realism: rendering", () => {
  const scene = generateScene(7, { variant: "scoring", widthUm: 16, heightUm: 16, dense: false });
  const render = (realism?: object, snr = 7) => {
    const o = randomOptics(7, snr, "scoring", 0.1);
    if (realism) o.realism = realism;
    return renderScene(scene, o, 7);
  };

  it("with nothing set renders exactly as the plain renderer; every preset changes it", () => {
    const plain = render();
    expect(Buffer.from(render({}).counts.buffer).equals(Buffer.from(plain.counts.buffer))).toBe(true);
    expect(Buffer.from(render({ psf: "gaussian", camera: "ideal", hazeFraction: 0 }).counts.buffer).equals(Buffer.from(plain.counts.buffer))).toBe(true);
    for (const [name, p] of Object.entries(REALISM_PRESETS)) {
      const img = render(p);
      let diff = 0;
      for (let i = 0; i < img.counts.length; i++) if (img.counts[i] !== plain.counts[i]) diff++;
      // the vesicle-shape preset changes only the vesicles' pixels (about 1 % of this field)
      expect(diff, name).toBeGreaterThan(0.005 * img.counts.length);
    }
  });

  it("haze adds its fraction of the in-focus light; an EMCCD doubles the photon variance", () => {
    // one bright fiber across an empty, flat field: the mean image counts rise by the haze fraction of the signal
    const flat: Scene = { widthUm: 20, heightUm: 20, cells: [], fibers: [{ id: 1, cellId: null, brightness: 1, points: [[2, 10], [18, 10]] }], objects: [], crossings: [] } as unknown as Scene;
    const base = { ...randomOptics(1, 10, "scoring", 0.1), unevenness: 0, readNoise: 0 };
    const mean = (o: typeof base) => {
      const img = renderScene(flat, o, 1);
      let s = 0;
      for (const v of img.data) s += v;
      return { s: s / img.data.length, S: img.signalPhotons, img };
    };
    const a = mean(base);
    const b = mean({ ...base, realism: { hazeFraction: 0.3, hazeSigmaUm: 1 } });
    // signal per pixel of a 16 µm fiber of peak S over a 200 × 200 field: λ·16 µm / (20 µm)² … compare the rise with 0.3 × that
    const lam = a.S * Math.sqrt(2 * Math.PI) * (base.psfSigmaUm / 0.1); // photons per pixel of length
    const perPixel = (lam * 160) / (200 * 200);
    expect((b.s - a.s) / (0.3 * perPixel)).toBeGreaterThan(0.9);
    expect((b.s - a.s) / (0.3 * perPixel)).toBeLessThan(1.05);
    // EMCCD on the empty rows (background only): variance / mean of photons ≈ 2 against ≈ 1
    const varRatio = (o: typeof base) => {
      const img = renderScene(flat, o, 2);
      const v: number[] = [];
      for (let y = 0; y < 60; y++) for (let x = 0; x < img.width; x++) v.push(img.data[y * img.width + x] - o.offset);
      const m = v.reduce((p, q) => p + q, 0) / v.length;
      return v.reduce((p, q) => p + (q - m) ** 2, 0) / v.length / m;
    };
    const ideal = varRatio(base);
    const em = varRatio({ ...base, realism: { camera: "emccd" } });
    expect(ideal).toBeGreaterThan(0.9);
    expect(ideal).toBeLessThan(1.1);
    expect(em).toBeGreaterThan(1.8);
    expect(em).toBeLessThan(2.2);
  });
});
