/**
 * The WebAssembly SIMD kernels must give the same bits as the JavaScript code they replace
 * (src/imaging/fastblur.ts, fastcircle.ts): results may not depend on whether SIMD is available.
 */
import { describe, expect, it } from "vitest";
import { convolveSeparableWasm } from "../../src/imaging/fastblur.ts";
import { profileSampler, SELECT_MAX_NEED } from "../../src/imaging/fastcircle.ts";
import { quarterSelect, rowPass } from "../../src/imaging/fastfilter.ts";
import { convolveSeparableScalar, gaussianKernel, selectK } from "../../src/imaging/filters.ts";
import { linePasses } from "../../src/imaging/fastlines.ts";
import { DEFAULT_LINE_PARAMS, lineResponse, resampleGrid } from "../../src/imaging/lines.ts";
import { RIM_QUANTILE, radialProfile, trigTable } from "../../src/imaging/migrasomes.ts";
import { Rng } from "../../src/util/rng.ts";

const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));


/** The scalar bilinear sample of the circle code (float32 result), the reference for the WebAssembly sampler. */
function bilinearAt(sm: Float32Array, w: number, x: number, y: number): number {
  const x0 = x | 0;
  const y0 = y | 0;
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * w + x0;
  return Math.fround((sm[i] * (1 - fx) + sm[i + 1] * fx) * (1 - fy) + (sm[i + w] * (1 - fx) + sm[i + w + 1] * fx) * fy);
}
describe("WebAssembly kernels are bit-identical to the JavaScript ones", () => {
  it("separable Gaussian blur: odd sizes, thin images, small and large σ", () => {
    const rng = new Rng(3);
    let compared = 0;
    for (const [w, h] of [[1, 1], [1, 7], [7, 1], [2, 40], [40, 2], [3, 5], [13, 9], [101, 37], [256, 65]])
      for (const sigma of [0.3, 0.7, 1.2, 2, 4, 8]) {
        const src = new Float32Array(w * h);
        for (let i = 0; i < src.length; i++) src[i] = (rng.uniform() - 0.3) * 1000 * (rng.uniform() < 0.1 ? 1e-3 : 1);
        const k = gaussianKernel(sigma);
        const b = convolveSeparableWasm(src, w, h, k);
        if (!b) continue; // no SIMD on this runtime: the JS passes are used
        compared++;
        expect(same(convolveSeparableScalar(src, w, h, k), b), `${w}×${h}, σ ${sigma}`).toBe(true);
      }
    // Node 20 has WebAssembly SIMD: make sure the comparison really ran
    expect(compared).toBeGreaterThan(30);
    const nan = new Float32Array(100);
    nan[50] = NaN;
    expect(convolveSeparableWasm(nan, 10, 10, gaussianKernel(1))).toBeNull();
  });

  it("radial-profile circle samples equal the scalar bilinear formula", () => {
    const w = 160;
    const h = 120;
    const rng = new Rng(5);
    const sm = new Float32Array(w * h);
    for (let i = 0; i < sm.length; i++) sm[i] = (rng.uniform() - 0.3) * 100;
    const trig = trigTable; // the tables radial profiles use
    for (const [px, dr] of [[0.1, 0.05], [0.065, 0.035], [0.16, 0.08]]) {
      const nrMax = 40;
      const counts = (k: number) => {
        const rho = (k * dr) / px;
        return { rho, N: Math.min(4096, Math.max(12, Math.ceil(2 * Math.PI * rho * 1.2))) };
      };
      const S = profileSampler(sm, w, h, px, dr, nrMax, counts, trig);
      expect(S).not.toBeNull();
      if (!S) return;
      let bad = 0;
      let total = 0;
      for (let it = 0; it < 40; it++) {
        const nr = 2 + Math.floor(rng.uniform() * (nrMax - 2));
        const rmax = ((nr - 1) * dr) / px;
        const cx = rmax + rng.uniform() * (w - 1 - 2 * rmax - 1e-6);
        const cy = rmax + rng.uniform() * (h - 1 - 2 * rmax - 1e-6);
        if (!(cx - rmax >= 0 && cy - rmax >= 0 && cx + rmax < w - 1 && cy + rmax < h - 1)) continue;
        const out = S.sample(cx, cy, nr);
        for (let k = 1; k < nr; k++) {
          const { rho, N } = counts(k);
          const t = trig(N);
          for (let a = 0; a < N; a++) {
            total++;
            if (!Object.is(bilinearAt(sm, w, cx + rho * t[2 * a], cy + rho * t[2 * a + 1]), out[S.offsets[k] + a])) bad++;
          }
        }
      }
      expect(total).toBeGreaterThan(1000);
      expect(bad, `pixel ${px} µm`).toBe(0);
      // single circles of any radius (`circle`: counts the profile radii do not use, odd and even), between profiles
      let circles = 0;
      for (let it = 0; it < 60; it++) {
        const rho = 0.3 + rng.uniform() * 50;
        const N = Math.min(4096, Math.max(12, Math.ceil(2 * Math.PI * rho * 1.2)));
        const cx = rho + rng.uniform() * (w - 1 - 2 * rho - 1e-6);
        const cy = rho + rng.uniform() * (h - 1 - 2 * rho - 1e-6);
        if (!(cx - rho >= 0 && cy - rho >= 0 && cx + rho < w - 1 && cy + rho < h - 1)) continue;
        const got = S.circle(cx, cy, rho, N);
        expect(got).not.toBeNull();
        if (!got) continue;
        const t = trig(N);
        for (let a = 0; a < N; a++) if (!Object.is(bilinearAt(sm, w, cx + rho * t[2 * a], cy + rho * t[2 * a + 1]), got[a])) bad++;
        circles++;
        if (it % 7 === 0) S.sample(w / 2, h / 2, 2);
      }
      expect(circles).toBeGreaterThan(10);
      expect(bad, `circles, pixel ${px} µm`).toBe(0);
    }
  });

  it("line filter: the SIMD row passes give the JavaScript passes' responses and orientations (odd sizes too)", () => {
    // the kernels assemble and validate (else lineResponse would quietly run the JavaScript passes twice)
    expect(linePasses(64)).not.toBeNull();
    const rng = new Rng(11);
    for (const [W, H, f] of [[64, 48, 2], [37, 53, 1], [101, 29, 2], [5, 7, 1], [150, 71, 1]]) {
      const img = new Float32Array(W * H);
      const noise = new Float32Array(W * H);
      for (let i = 0; i < img.length; i++) {
        img[i] = (rng.uniform() - 0.5) * 10;
        noise[i] = 0.5 + rng.uniform();
      }
      // a few bright lines and a blob, so that lines, caps and blob flanks all occur
      for (let t = 0; t < 40; t++) {
        const x = Math.round(3 + t * 0.7) % W;
        const y = Math.round(2 + t * 0.4) % H;
        img[y * W + x] += 40;
        img[((y + 9) % H) * W + ((x * 3) % W)] += 25;
      }
      img[Math.floor(H / 2) * W + Math.floor(W / 2)] += 300;
      const grid = { f, W, H, img, noise };
      // (one orientation: no steep sweep, so the steep best rows are cleared instead of written by a first sweep)
      for (const P of [DEFAULT_LINE_PARAMS, { ...DEFAULT_LINE_PARAMS, orientations: 7, lengthUm: 1 }, { ...DEFAULT_LINE_PARAMS, orientations: 1 }, { ...DEFAULT_LINE_PARAMS, orientations: 2 }]) {
        const js = lineResponse(grid, 0.1, 1.2, P, false);
        const simd = lineResponse(grid, 0.1, 1.2, P);
        expect(same(js.z, simd.z), `${W}×${H}`).toBe(true);
        expect(Buffer.from(js.k).equals(Buffer.from(simd.k)), `${W}×${H}`).toBe(true);
      }
    }
  });

  it("resampled line grid: the WebAssembly bilinear rows give the JavaScript samples (odd sizes, several spacings)", () => {
    const rng = new Rng(12);
    for (const [w, h] of [[97, 61], [2, 5], [40, 1], [256, 130]])
      for (const g of [1.125, 1.6, 2.37]) {
        const src = new Float32Array(w * h);
        const noise = new Float32Array(w * h);
        for (let i = 0; i < src.length; i++) {
          src[i] = (rng.uniform() - 0.5) * 100;
          noise[i] = rng.uniform();
        }
        const js = resampleGrid(src, noise, w, h, g, false);
        const simd = resampleGrid(src, noise, w, h, g);
        expect(same(js.img, simd.img), `${w}×${h} g ${g}`).toBe(true);
        expect(same(js.noise, simd.noise), `${w}×${h} g ${g}`).toBe(true);
      }
  });

  it("radial profiles: the batched WebAssembly rim quantiles equal the JavaScript ones (with and without guesses)", () => {
    const w = 140;
    const h = 120;
    const rng = new Rng(21);
    const sm = new Float32Array(w * h);
    // smooth bumps plus noise, some flat (tied) patches and zeros
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) sm[y * w + x] = 20 * Math.sin(x / 7) * Math.cos(y / 9) + (rng.uniform() - 0.5) * 6;
    sm.fill(0, 30 * w, 36 * w);
    const px = 0.1;
    const dr = 0.05;
    const nrMax = 40;
    const count = (rho: number) => Math.min(4096, Math.max(12, Math.ceil(2 * Math.PI * rho * 1.2)));
    const S = profileSampler(sm, w, h, px, dr, nrMax, (k) => {
      const rho = (k * dr) / px;
      const N = count(rho);
      return { rho, N, kq: Math.floor(RIM_QUANTILE * (N - 1)) };
    }, trigTable);
    expect(S).not.toBeNull();
    let compared = 0;
    let bad = 0;
    for (let it = 0; it < 200; it++) {
      const nr = 2 + Math.floor(rng.uniform() * (nrMax - 2));
      const cx = 25 + rng.uniform() * (w - 50);
      const cy = 25 + rng.uniform() * (h - 50);
      const ref = radialProfile(sm, w, h, cx, cy, px, dr, nr, false, null);
      // guesses: none, the profile of a nearby centre (shorter, equal or longer), or noise
      const near = radialProfile(sm, w, h, cx + 0.5, cy - 0.5, px, dr, Math.max(2, nr + Math.floor((rng.uniform() - 0.5) * 10)), false, null);
      const junk = Float32Array.from({ length: nr }, () => (rng.uniform() - 0.5) * 50);
      for (const hint of [null, near.q25, junk]) {
        const p = radialProfile(sm, w, h, cx, cy, px, dr, nr, false, S, hint);
        compared++;
        if (!same(p.q25, ref.q25) || !same(p.med, ref.med) || !Buffer.from(p.n.buffer, p.n.byteOffset, p.n.byteLength).equals(Buffer.from(ref.n.buffer, ref.n.byteOffset, ref.n.byteLength))) bad++;
      }
    }
    expect(compared).toBe(600);
    expect(bad).toBe(0);
    // near and across the border: the circles inside by the sampler, the others in JavaScript (with and without medians)
    let partial = 0;
    for (let it = 0; it < 300; it++) {
      const nr = 2 + Math.floor(rng.uniform() * (nrMax - 2));
      const cx = it % 2 ? -3 + rng.uniform() * 30 : w - 27 + rng.uniform() * 30;
      const cy = it % 3 ? 2 + rng.uniform() * (h - 4) : -3 + rng.uniform() * (h + 6);
      const wm = it % 4 === 0;
      const ref = radialProfile(sm, w, h, cx, cy, px, dr, nr, wm, null);
      const near = radialProfile(sm, w, h, cx + 0.5, cy - 0.5, px, dr, nr, false, null);
      for (const hint of [null, near.q25]) {
        const p = radialProfile(sm, w, h, cx, cy, px, dr, nr, wm, S, hint);
        const rhoMax = ((nr - 1) * dr) / px;
        if (cx - dr / px >= 0 && cy - dr / px >= 0 && cx + dr / px < w - 1 && cy + dr / px < h - 1 && !(cx - rhoMax >= 0 && cx + rhoMax < w - 1 && cy - rhoMax >= 0 && cy + rhoMax < h - 1)) partial++;
        if (!same(p.q25, ref.q25) || !same(p.med, ref.med) || !Buffer.from(p.n.buffer, p.n.byteOffset, p.n.byteLength).equals(Buffer.from(ref.n.buffer, ref.n.byteOffset, ref.n.byteLength))) bad++;
      }
    }
    expect(partial).toBeGreaterThan(100);
    expect(bad).toBe(0);
  });

  it("ridge and blob row pre-tests list exactly the columns the JavaScript tests keep (NaN, zeros, any row order)", () => {
    const rng = new Rng(31);
    let kept = 0;
    let extra = 0;
    for (const [w, h] of [[37, 20], [64, 31], [5, 5], [4, 9], [3, 3]]) {
      const s = new Float32Array(w * h);
      const nz = new Float32Array(w * h);
      for (let i = 0; i < s.length; i++) {
        s[i] = (rng.uniform() - 0.45) * 10;
        nz[i] = rng.uniform() * 2;
        if (rng.uniform() < 0.02) s[i] = NaN;
        if (rng.uniform() < 0.05) s[i] = 0;
        if (rng.uniform() < 0.02) nz[i] = 0;
      }
      const gain = 0.37;
      const lowZ = 0.8;
      const bound = 0.5 * (1 - 1e-6);
      const keep = (kind: string, i: number) => {
        const c = s[i];
        const xx = s[i + 1] - 2 * c + s[i - 1];
        const yy = s[i + w] - 2 * c + s[i - w];
        const m = 0.5 * (xx + yy);
        if (kind === "blob") return !(-m < bound * (nz[i] * gain)) && !(m >= 0);
        if (c <= 0) return false;
        const xy = 0.25 * (s[i + w + 1] - s[i + w - 1] - s[i - w + 1] + s[i - w - 1]);
        const hd = 0.5 * Math.abs(xx - yy);
        const axy = Math.abs(xy);
        return !(hd + axy - m + 1e-9 * (hd + axy + Math.abs(m)) < lowZ * (nz[i] * gain) * (1 - 1e-9));
      };
      for (const kind of ["ridge", "blob"] as const) {
        const P = rowPass(kind, s, nz, w, h, gain, kind === "ridge" ? lowZ : bound);
        expect(P).not.toBeNull();
        if (!P) return;
        // rows in order, then shuffled (the ring of rows must not matter)
        const ys = Array.from({ length: h - 2 }, (_, k) => k + 1);
        const shuffled = [...ys].sort(() => rng.uniform() - 0.5);
        for (const y of [...ys, ...shuffled]) {
          const n = P.row(y);
          const want: number[] = [];
          for (let x = 1; x < w - 1; x++) if (keep(kind, y * w + x)) want.push(x);
          const got = Array.from(P.list.subarray(0, n));
          if (kind === "ridge") expect(got, `${kind} ${w}×${h} row ${y}`).toEqual(want);
          else {
            // the blob pre-test (float32, see blob4Function) may list more columns, never fewer, ascending, in range
            const listed = new Set(got);
            expect(want.every((x) => listed.has(x)), `${kind} ${w}×${h} row ${y}`).toBe(true);
            expect(got.every((x, q) => x >= 1 && x <= w - 2 && (q === 0 || x > got[q - 1])), `${kind} ${w}×${h} row ${y} order`).toBe(true);
            extra += got.length - want.length;
            kept += want.length;
            continue;
          }
          kept += n;
        }
      }
    }
    expect(kept).toBeGreaterThan(1000);
    // (the blob pre-test lists few columns the exact test drops: the tails of rows and those within its margin)
    expect(extra).toBeLessThan(kept);
  });

  it("block percentiles by counting: the WebAssembly passes give quickselect's value or leave the block to it", () => {
    const rng = new Rng(41);
    let decided = 0;
    let left = 0;
    for (let it = 0; it < 3000; it++) {
      const n = 1 + Math.floor(rng.uniform() * 1700);
      const buf = new Float32Array(n);
      const quarter = rng.uniform() < 0.8;
      const spread = [4, 50, 1000, 1e5, 1e7][Math.floor(rng.uniform() * 5)];
      for (let i = 0; i < n; i++) buf[i] = quarter ? Math.round((rng.uniform() - 0.3) * spread * 4) / 4 : (rng.uniform() - 0.5) * spread;
      if (rng.uniform() < 0.1) buf[Math.floor(rng.uniform() * n)] = [NaN, Infinity, -0, 3e38, 2 ** 31, 0.1, -(2 ** 29)][Math.floor(rng.uniform() * 7)];
      const k = Math.floor(rng.uniform() * n);
      const q = quarterSelect(buf, n, k);
      expect(q).not.toBeNull();
      // (a zero is left to the JavaScript code too: quickselect's sign of zero)
      if (q === null || q !== q || q === 0) {
        left++;
        continue;
      }
      decided++;
      expect(q / 4).toBe(selectK(Float32Array.from(buf), n, k));
    }
    expect(decided).toBeGreaterThan(1000);
    expect(left).toBeGreaterThan(300);
  });

  it("the rim-quantile selection from a guess equals the sorted order statistic (with many ties)", () => {
    const w = 120;
    const h = 120;
    const rng = new Rng(9);
    const sm = new Float32Array(w * h);
    // quarter steps: many equal samples
    for (let i = 0; i < sm.length; i++) sm[i] = Math.round((rng.uniform() - 0.3) * 40) / 4;
    const dr = 0.05;
    const px = 0.1;
    const counts = (k: number) => {
      const rho = (k * dr) / px;
      return { rho, N: Math.min(4096, Math.max(12, Math.ceil(2 * Math.PI * rho * 1.2))) };
    };
    const S = profileSampler(sm, w, h, px, dr, 30, counts, trigTable);
    expect(S).not.toBeNull();
    if (!S) return;
    let decided = 0;
    let bad = 0;
    for (let it = 0; it < 300; it++) {
      const out = S.sample(30 + rng.uniform() * 60, 30 + rng.uniform() * 60, 30);
      for (let k = 1; k < 30; k++) {
        const N = S.offsets[k + 1] - S.offsets[k];
        const sorted = Array.from(out.subarray(S.offsets[k], S.offsets[k] + N)).sort((a, b) => a - b);
        const kq = Math.floor(rng.uniform() * N);
        // a guess near the answer (a sample value, or between samples)
        const g = sorted[Math.max(0, Math.min(N - 1, kq + Math.round((rng.uniform() - 0.5) * 3 * SELECT_MAX_NEED)))];
        const t = Math.fround(g + (rng.uniform() < 0.3 ? rng.uniform() - 0.5 : 0));
        const r = S.select(k, kq, t);
        if (r !== r) continue; // too far off: left to JavaScript
        decided++;
        if (r !== sorted[kq]) bad++;
      }
    }
    expect(decided).toBeGreaterThan(3000);
    expect(bad).toBe(0);
  });
});
