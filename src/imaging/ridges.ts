/**
 * Retraction-fiber ridges: Hessian ridge strength at the first scale (its smoothing, strong pixels
 * and the PSF width from the fibers' cross-section are reused by the migrasome detector), and the
 * fiber mask for the tracer from the oriented line filter (`lines.ts`), which integrates along the
 * fiber and so finds fibers well below one noise unit per pixel. The older mask (multi-scale Hessian
 * with Steger's sub-pixel centre-line test and hysteresis) stays available as `fiberMask: "hessian"`.
 */
import { convolveSeparable, gaussianBlur, gaussianKernel, quantile, secondDerivativeGain } from "./filters.ts";
import { rowPass } from "./fastfilter.ts";
import { DEFAULT_LINE_PARAMS, detectLines, type DrawnLines, type LineMask, type LineParams } from "./lines.ts";

export interface RidgeParams {
  /** smoothing scales in µm */
  scalesUm: number[];
  /** hysteresis thresholds on the noise-normalised ridge strength */
  highZ: number;
  lowZ: number;
  /**
   * what makes the fiber mask: the oriented line filter (`lines.ts`; dim fibers, default), or the
   * Hessian centre lines of all scales with the hysteresis above (the detector before the line filter)
   */
  fiberMask?: "lines" | "hessian";
  line?: LineParams;
}

export const DEFAULT_RIDGE_PARAMS: RidgeParams = { scalesUm: [0.12, 0.2], highZ: 4.5, lowZ: 2.2, fiberMask: "lines", line: DEFAULT_LINE_PARAMS };

export interface RidgeMap {
  /**
   * the raster of `mask`, `lineZ`, `ox` and `oy`: the image's pixels split `traceScale` × `traceScale` (the line
   * filter's `traceGridUm`; 1 for the Hessian mask)
   */
  traceScale: number;
  /** 1 on fiber centre-line pixels (from the line filter, or the Hessian hysteresis) */
  mask: Uint8Array;
  /** the line filter's response (noise units) on mask pixels (line filter only) */
  lineZ?: Float32Array;
  /**
   * the line filter's centre lines as a list of raster pixels with their offsets and response (line filter only;
   * `mask`, `ox`, `oy` and `lineZ` are then made from it when first read: the tracer takes this list)
   */
  lines?: DrawnLines;
  /** noise-normalised ridge strength (max over scales; 0 where below the low hysteresis threshold) */
  z: Float32Array;
  /** sub-pixel offsets of the centre line from the pixel centre */
  ox: Float32Array;
  oy: Float32Array;
  /** PSF σ estimated from fiber cross-sections (µm), or NaN */
  psfSigmaUm: number;
  /** the image smoothed at the first scale, and that scale in pixels (reused downstream) */
  smooth: Float32Array;
  smoothSigmaPx: number;
  /**
   * pixels (ascending) where the first-scale ridge strength is ≥ `strongZ` (the low hysteresis
   * threshold), so that the ring transform, which reads the same smoothing with a higher threshold,
   * need not recompute the Hessian everywhere
   */
  strong: Int32Array;
  strongZ: number;
}


export function detectRidges(
  sub: Float32Array,
  noise: Float32Array,
  w: number,
  h: number,
  pxUm: number,
  params: RidgeParams = DEFAULT_RIDGE_PARAMS,
  /**
   * where to put the first scale's smoothing (`RidgeMap.smooth`; w·h values, fully overwritten), so that a caller
   * analysing frame after frame reuses one array instead of mapping and faulting in a fresh 16 MB one per 2048² frame
   */
  smoothOut?: Float32Array,
): RidgeMap {
  const n = w * h;
  const mode = params.fiberMask ?? "hessian";
  const lines = mode === "lines";
  // with the line filter's mask (one scale, no centre-line test) the ridge strength is nonzero only at strong
  // pixels: it is kept beside them in the strong list and made into the raster when first read; the offsets and
  // centre marks are not written at all (the line filter's own are returned), so none of these W·H rasters is made
  const z = lines ? null : new Float32Array(n);
  const ox = lines ? new Float32Array(0) : new Float32Array(n);
  const oy = lines ? new Float32Array(0) : new Float32Array(n);
  const center = lines ? new Uint8Array(0) : new Uint8Array(n);
  // (in a growing typed array: a boxed array of several hundred thousand doubles grew, and was copied, on the heap)
  const psfSamples: SampleList = { a: new Float64Array(1 << 16), n: 0 };
  let smooth: Float32Array | null = null;
  let smoothSigmaPx = 0;
  // the strong pixels, in a growing typed array (several hundred thousand at 2048²: no boxed array)
  const strongList: IndexList = { a: new Int32Array(1 << 16), z: lines ? new Float32Array(1 << 16) : null, n: 0 };
  let first = true;
  for (const sUm of mode === "lines" ? params.scalesUm.slice(0, 1) : params.scalesUm) {
    const sp = Math.max(0.7, sUm / pxUm);
    // (sp ≥ 0.7: gaussianBlur is this convolution)
    const s = first && smoothOut && smoothOut.length === n ? convolveSeparable(sub, w, h, gaussianKernel(sp), smoothOut) : gaussianBlur(sub, w, h, sp);
    if (!smooth) {
      smooth = s;
      smoothSigmaPx = sp;
    }
    const gain = secondDerivativeGain(sp);
    const lowZ = params.lowZ;
    ridgeScale(s, noise, w, h, gain, lowZ, z, ox, oy, center, psfSamples, first ? strongList : null, sp, sUm === params.scalesUm[0], mode !== "lines");
    first = false;
  }
  const strong = strongList.a.slice(0, strongList.n);
  let lm: LineMask | null = null;
  // the fiber mask comes from the line filter alone (the Hessian centre lines are not needed)
  if (lines && smooth) lm = detectLines(smooth, smoothSigmaPx, noise, w, h, pxUm, params.line ?? DEFAULT_LINE_PARAMS);
  let psfSigmaUm = NaN;
  if (psfSamples.n >= 20) {
    const v = quantile(psfSamples.a.subarray(0, psfSamples.n), 0.5);
    if (v > 0) psfSigmaUm = Math.sqrt(v) * pxUm;
  }
  const rest = { psfSigmaUm, smooth: smooth ?? Float32Array.from(sub), smoothSigmaPx, strong: smooth ? strong : new Int32Array(0), strongZ: smooth ? params.lowZ : Infinity };
  if (!lm) {
    // (the line mode gets here only without scales: nothing written, all rasters zero)
    const zr = z ?? strongRaster(strongList, n);
    const c = center.length === n ? center : new Uint8Array(n);
    const ob = (o: Float32Array) => (o.length === n ? o : new Float32Array(n));
    return { traceScale: 1, mask: hysteresis(c, zr, w, h, params.highZ, params.lowZ), ox: ob(ox), oy: ob(oy), z: zr, ...rest };
  }
  const l = lm;
  let zs: Float32Array | null = null;
  return {
    traceScale: l.scale,
    lines: l.lines,
    get z() {
      return (zs ??= strongRaster(strongList, n));
    },
    get mask() {
      return l.mask;
    },
    get ox() {
      return l.ox;
    },
    get oy() {
      return l.oy;
    },
    get lineZ() {
      return l.z;
    },
    ...rest,
  };
}

/** Hysteresis on centre-line pixels (8-connected): seeds ≥ highZ, grown through pixels ≥ lowZ. */
function hysteresis(center: Uint8Array, z: Float32Array, w: number, h: number, highZ: number, lowZ: number): Uint8Array {
  const n = w * h;
  const mask = new Uint8Array(n);
  const stack: number[] = [];
  for (let i = 0; i < n; i++)
    if (center[i] && z[i] >= highZ && !mask[i]) {
      mask[i] = 1;
      stack.push(i);
      while (stack.length) {
        const j = stack.pop() as number;
        const jx = j % w;
        const jy = (j - jx) / w;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const xx = jx + dx;
            const yy = jy + dy;
            if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
            const k = yy * w + xx;
            if (!mask[k] && center[k] && z[k] >= lowZ) {
              mask[k] = 1;
              stack.push(k);
            }
          }
      }
    }
  return mask;
}

/** A list of pixel indices: a[0 … n), and (when `z` is given) each one's ridge strength z[0 … n) (0: not written) */
/** values a[0 … n) in a growing typed array */
interface SampleList {
  a: Float64Array;
  n: number;
}

interface IndexList {
  a: Int32Array;
  z: Float32Array | null;
  n: number;
}

/** The ridge strength raster of a single-scale run without centre lines: the strong pixels' values, 0 elsewhere. */
function strongRaster(L: IndexList, n: number): Float32Array {
  const z = new Float32Array(n);
  const zl = L.z as Float32Array;
  for (let q = 0; q < L.n; q++) z[L.a[q]] = zl[q];
  return z;
}

/** One scale of the ridge test (a separate function: a small, monomorphic loop for the optimiser). */
function ridgeScale(
  s: Float32Array,
  noise: Float32Array,
  w: number,
  h: number,
  gain: number,
  lowZ: number,
  /** null: one scale without centres, the values kept in strongList.z instead (as this scale alone writes them) */
  z: Float32Array | null,
  ox: Float32Array,
  oy: Float32Array,
  center: Uint8Array,
  psfSamples: SampleList,
  strongList: IndexList | null,
  sp: number,
  firstScale: boolean,
  /** compute the centre-line test and offsets (not needed when the line filter makes the mask) */
  centres: boolean,
): void {
  // the columns of each row that pass the two skip tests below, listed by a SIMD pre-test (fastfilter.ts;
  // the same tests in the same double arithmetic); without it every column is tested here
  const pass = rowPass("ridge", s, noise, w, h, gain, lowZ);
  for (let y = 1; y < h - 1; y++) {
    const nx = pass ? pass.row(y) : w - 2;
    const list = pass ? pass.list : null;
    for (let q = 0; q < nx; q++) {
      const i = y * w + (list ? list[q] : q + 1);
      const c = s[i];
      // a fiber's centre line is brighter than the background (skips half the pixels)
      if (c <= 0) continue;
      const xx = s[i + 1] - 2 * c + s[i - 1];
      const yy = s[i + w] - 2 * c + s[i - w];
      const xy = 0.25 * (s[i + w + 1] - s[i + w - 1] - s[i - w + 1] + s[i - w - 1]);
      const m = 0.5 * (xx + yy);
      // cheap bound first: −l1 = √(¼(xx−yy)² + xy²) − m ≤ ½|xx−yy| + |xy| − m; pixels that cannot reach
      // the low threshold (the large majority) skip the root and the division. The margin (1e-9 of
      // the terms' size) is far above rounding, so exactly the same pixels pass as without the bound.
      const hd = 0.5 * Math.abs(xx - yy);
      const axy = Math.abs(xy);
      const ng = noise[i] * gain;
      if (hd + axy - m + 1e-9 * (hd + axy + Math.abs(m)) < lowZ * ng * (1 - 1e-9)) continue;
      const d = Math.sqrt(0.25 * (xx - yy) * (xx - yy) + xy * xy);
      const l1 = m - d; // most negative
      if (l1 >= 0) continue;
      const zi = -l1 / ng;
      if (strongList && !(zi < lowZ)) {
        if (strongList.n === strongList.a.length) {
          const b = new Int32Array(2 * strongList.n);
          b.set(strongList.a);
          strongList.a = b;
          if (strongList.z) {
            const bz = new Float32Array(2 * strongList.n);
            bz.set(strongList.z);
            strongList.z = bz;
          }
        }
        // (z null: the pixel's value as `z[i] = zi` below would leave it, z starting at 0)
        if (!z) (strongList.z as Float32Array)[strongList.n] = zi >= lowZ && zi > 0 ? zi : 0;
        strongList.a[strongList.n++] = i;
      }
      // below the low hysteresis threshold a pixel is never a ridge: skip the normal and centre test
      if (zi < lowZ || zi <= (z ? z[i] : 0)) continue;
      if (!centres) {
        if (z) z[i] = zi;
        // the normal is still needed for the PSF samples (strong pixels of the first scale)
        if (!(zi > 10 && firstScale)) continue;
      }
      // normal direction: eigenvector of l1
      let nx: number;
      let ny: number;
      if (Math.abs(xy) > 1e-12) {
        nx = l1 - yy;
        ny = xy;
      } else if (xx < yy) {
        nx = 1;
        ny = 0;
      } else {
        nx = 0;
        ny = 1;
      }
      const nl = Math.sqrt(nx * nx + ny * ny);
      nx /= nl;
      ny /= nl;
      const gx = 0.5 * (s[i + 1] - s[i - 1]);
      const gy = 0.5 * (s[i + w] - s[i - w]);
      const t = -(gx * nx + gy * ny) / l1;
      const px = t * nx;
      const py = t * ny;
      if (centres && z) {
        z[i] = zi;
        ox[i] = Math.max(-0.5, Math.min(0.5, px));
        oy[i] = Math.max(-0.5, Math.min(0.5, py));
        // near the centre line (relaxed Steger test, so that noisy lines stay connected; thinned later)
        center[i] = Math.abs(px) <= 1 && Math.abs(py) <= 1 ? 1 : 0;
      }
      if (Math.abs(px) <= 0.5 && Math.abs(py) <= 0.5) {
        if (zi > 10 && c > 0 && firstScale) {
          // Gaussian cross-section: −l1/c = 2(1 − exp(−1/(2σT²))) for unit spacing along the normal
          const r = -l1 / c;
          if (r < 1.9) {
            const sT2 = -1 / (2 * Math.log(1 - r / 2));
            if (psfSamples.n === psfSamples.a.length) {
              const b = new Float64Array(2 * psfSamples.n);
              b.set(psfSamples.a);
              psfSamples.a = b;
            }
            psfSamples.a[psfSamples.n++] = sT2 - sp * sp;
          }
        }
      }
    }
  }
}
