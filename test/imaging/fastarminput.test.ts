/**
 * The WebAssembly kernel of the arm reader's input (fastarminput.ts) against the JavaScript input of armnet.ts, bit
 * for bit: its selection against `selectK`, and every migrasome's input on generated images (neighbours masking
 * circles, circles leaving the image, a zero median and a NaN pixel, which the kernel leaves to JavaScript).
 */
import { describe, expect, it } from "vitest";
import { ARMNET_GEOMETRY, armNetChannels, forEachArmNetInput, forEachArmNetInputJs, type ArmNetGeometry } from "../../src/imaging/armnet.ts";
import { lcg } from "../../src/imaging/armnet-train.ts";
import { armInputKernel } from "../../src/imaging/fastarminput.ts";
import { selectK } from "../../src/imaging/filters.ts";

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function inputs(js: boolean, img: Parameters<typeof forEachArmNetInput>[0], migs: { xUm: number; yUm: number; rUm: number }[], rules: number[][], g: ArmNetGeometry): number[][] {
  const out: number[][] = [];
  (js ? forEachArmNetInputJs : forEachArmNetInput)(img, migs, rules, g, (i, x) => {
    out[i] = bits(x);
  });
  return out;
}

function scene(seed: number, w: number, h: number, pxUm: number) {
  const rnd = lcg(seed);
  // a smooth background, bright fibers, noise; the values of a smoothed image (not multiples of anything)
  const sm = new Float32Array(w * h);
  const fibers = Array.from({ length: 6 }, () => ({ x: rnd() * w, y: rnd() * h, a: rnd() * Math.PI, b: 2 + 6 * rnd() }));
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = 100 + 10 * Math.sin(x / 17) * Math.cos(y / 23) + 3 * (rnd() - 0.5);
      for (const f of fibers) {
        const d = Math.abs((x - f.x) * Math.sin(f.a) - (y - f.y) * Math.cos(f.a));
        v += f.b * Math.exp(-d * d / 4);
      }
      sm[y * w + x] = v;
    }
  const noise = new Float32Array(w * h).map(() => 1 + rnd());
  const migs: { xUm: number; yUm: number; rUm: number }[] = [];
  for (let i = 0; i < 40; i++) {
    // clusters (discs masking each other's circles) and some near or past the border
    const base = i % 4 === 0 || migs.length === 0 ? { xUm: rnd() * w * pxUm, yUm: rnd() * h * pxUm } : migs[migs.length - 1];
    migs.push({ xUm: base.xUm + (rnd() - 0.5) * 3, yUm: base.yUm + (rnd() - 0.5) * 3, rUm: 0.2 + 0.5 * rnd() });
  }
  migs.push({ xUm: 0.3, yUm: 0.4, rUm: 0.4 }, { xUm: w * pxUm - 0.2, yUm: h * pxUm * 0.5, rUm: 0.3 });
  const rules = migs.map((_, i) => (i % 3 === 0 ? [] : [((i * 37) % 360) + 0.5, (i * 101) % 360]));
  return { img: { sm, noise, noiseGain: 0.7, w, h, pxUm }, migs, rules };
}

describe("arm reader input in WebAssembly", () => {
  it("its selection gives selectK's value", () => {
    const k = armInputKernel(ARMNET_GEOMETRY.bins, ARMNET_GEOMETRY.count, 512);
    expect(k).not.toBeNull();
    if (!k) return;
    const rnd = lcg(3);
    const med = new Float32Array(k.memory.buffer, k.L.med, ARMNET_GEOMETRY.bins);
    for (let t = 0; t < 2000; t++) {
      const n = 1 + Math.floor(rnd() * ARMNET_GEOMETRY.bins);
      const levels = 1 + Math.floor(rnd() * 40); // many ties sometimes
      const vals = Float32Array.from({ length: n }, () => Math.floor(rnd() * levels) - levels / 2 + 0.25 + (t % 2 ? rnd() : 0));
      const kq = t % 3 === 0 ? n >> 1 : Math.floor(rnd() * n);
      const ref = vals.slice();
      selectK(ref, n, kq);
      // no guess, a guess among the values, one near them, one outside them
      for (const guess of [NaN, vals[Math.floor(rnd() * n)], Math.fround(ref[kq] + 0.1), 1e6, -1e6]) {
        med.set(vals);
        expect(k.select(n, kq, guess)).toBe(ref[kq]);
      }
    }
  });

  it("every migrasome's input is the JavaScript one bit for bit", () => {
    for (const [seed, px] of [[1, 0.1], [2, 0.16], [3, 0.065]] as const)
      for (const g of [ARMNET_GEOMETRY, { ...ARMNET_GEOMETRY, pixelSizeChannel: true }, { ...ARMNET_GEOMETRY, superSample: 2 }, { ...ARMNET_GEOMETRY, pixelSizeChannel: true, superSample: 3 }, { ...ARMNET_GEOMETRY, pixelSizeChannel: true, count: 31 }]) {
        const s = scene(seed, 150, 120, px);
        const a = inputs(false, s.img, s.migs, s.rules, g);
        const b = inputs(true, s.img, s.migs, s.rules, g);
        expect(a.length).toBe(s.migs.length);
        expect(a[0].length).toBe(armNetChannels(g) * g.bins);
        expect(a).toEqual(b);
      }
  });

  it("the kernel computes the inputs (it is not left to JavaScript) and leaves NaN samples and zero medians to it", () => {
    for (const S of [1, 2]) {
      const g = { ...ARMNET_GEOMETRY, superSample: S };
      const s = scene(4, 150, 120, 0.1);
      const k = armInputKernel(g.bins, g.count, 512, S);
      if (!k) return;
      const out = new Float32Array(k.memory.buffer, k.L.out, g.count * g.bins);
      const last = inputs(false, s.img, s.migs, s.rules, g).at(-1) as number[];
      expect(bits(new Float32Array(k.memory.buffer, k.L.out, out.length))).toEqual(last.slice(0, out.length));
      // a zero region (zero medians) and a NaN pixel
      for (let y = 0; y < 60; y++) s.img.sm.fill(0, y * 150, y * 150 + 75);
      s.img.sm[90 * 150 + 100] = NaN;
      s.migs.push({ xUm: 3, yUm: 3, rUm: 0.5 }, { xUm: 10, yUm: 9, rUm: 0.5 });
      s.rules.push([], []);
      expect(inputs(false, s.img, s.migs, s.rules, g)).toEqual(inputs(true, s.img, s.migs, s.rules, g));
    }
  });
});
