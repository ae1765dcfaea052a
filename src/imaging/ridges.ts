/**
 * Retraction-fiber ridges: Hessian ridge strength at the first scale (its smoothing, strong pixels
 * and the PSF width from the fibers' cross-section are reused by the migrasome detector), and the
 * fiber mask for the tracer from the oriented line filter (`lines.ts`), which integrates along the
 * fiber and so finds fibers well below one noise unit per pixel. The older mask (multi-scale Hessian
 * with Steger's sub-pixel centre-line test and hysteresis) stays available as `fiberMask: "hessian"`.
 */
import { gaussianBlur, quantile, secondDerivativeGain } from "./filters.ts";
import { DEFAULT_LINE_PARAMS, detectLines, type LineParams } from "./lines.ts";

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
  /** 1 on fiber centre-line pixels (from the line filter, or the Hessian hysteresis) */
  mask: Uint8Array;
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
): RidgeMap {
  const n = w * h;
  const z = new Float32Array(n);
  const ox = new Float32Array(n);
  const oy = new Float32Array(n);
  const center = new Uint8Array(n);
  const psfSamples: number[] = [];
  let smooth: Float32Array | null = null;
  let smoothSigmaPx = 0;
  let strongList: number[] = [];
  let first = true;
  const mode = params.fiberMask ?? "hessian";
  for (const sUm of mode === "lines" ? params.scalesUm.slice(0, 1) : params.scalesUm) {
    const sp = Math.max(0.7, sUm / pxUm);
    const s = gaussianBlur(sub, w, h, sp);
    if (!smooth) {
      smooth = s;
      smoothSigmaPx = sp;
    }
    const gain = secondDerivativeGain(sp);
    const lowZ = params.lowZ;
    ridgeScale(s, noise, w, h, gain, lowZ, z, ox, oy, center, psfSamples, first ? strongList : null, sp, sUm === params.scalesUm[0], mode !== "lines");
    first = false;
  }
  const strong = Int32Array.from(strongList);
  strongList = [];
  let mask: Uint8Array;
  let maskOx: Float32Array = ox;
  let maskOy: Float32Array = oy;
  if (mode === "lines" && smooth) {
    // the fiber mask comes from the line filter alone (the Hessian centre lines are not needed)
    const lm = detectLines(smooth, smoothSigmaPx, noise, w, h, pxUm, params.line ?? DEFAULT_LINE_PARAMS, ox, oy);
    mask = lm.mask;
    maskOx = lm.ox;
    maskOy = lm.oy;
  } else {
    mask = hysteresis(center, z, w, h, params.highZ, params.lowZ);
  }
  let psfSigmaUm = NaN;
  if (psfSamples.length >= 20) {
    const v = quantile(psfSamples, 0.5);
    if (v > 0) psfSigmaUm = Math.sqrt(v) * pxUm;
  }
  return { mask, z, ox: maskOx, oy: maskOy, psfSigmaUm, smooth: smooth ?? Float32Array.from(sub), smoothSigmaPx, strong: smooth ? strong : new Int32Array(0), strongZ: smooth ? params.lowZ : Infinity };
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

/** One scale of the ridge test (a separate function: a small, monomorphic loop for the optimiser). */
function ridgeScale(
  s: Float32Array,
  noise: Float32Array,
  w: number,
  h: number,
  gain: number,
  lowZ: number,
  z: Float32Array,
  ox: Float32Array,
  oy: Float32Array,
  center: Uint8Array,
  psfSamples: number[],
  strongList: number[] | null,
  sp: number,
  firstScale: boolean,
  /** compute the centre-line test and offsets (not needed when the line filter makes the mask) */
  centres: boolean,
): void {
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
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
      if (strongList && !(zi < lowZ)) strongList.push(i);
      // below the low hysteresis threshold a pixel is never a ridge: skip the normal and centre test
      if (zi < lowZ || zi <= z[i]) continue;
      if (!centres) {
        z[i] = zi;
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
      if (centres) {
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
            psfSamples.push(sT2 - sp * sp);
          }
        }
      }
    }
}

/**
 * Zhang–Suen deletion tables: bit k of the code is neighbour p(k + 2) of the scheme (p2 = north,
 * then clockwise: p3 = north-east … p9 = north-west); entry 1 when the pixel is deleted in that pass.
 */
function zhangSuenTables(): [Uint8Array, Uint8Array] {
  const t0 = new Uint8Array(256);
  const t1 = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    const p = (k: number) => (c >> (k - 2)) & 1; // p(2) … p(9)
    const B = p(2) + p(3) + p(4) + p(5) + p(6) + p(7) + p(8) + p(9);
    if (B < 2 || B > 6) continue;
    let A = 0;
    for (let k = 2; k <= 9; k++) if (!p(k) && p(k === 9 ? 2 : k + 1)) A++;
    if (A !== 1) continue;
    if (p(2) * p(4) * p(6) === 0 && p(4) * p(6) * p(8) === 0) t0[c] = 1;
    if (p(2) * p(4) * p(8) === 0 && p(2) * p(6) * p(8) === 0) t1[c] = 1;
  }
  return [t0, t1];
}

/**
 * Indices (ascending) of the set pixels of a mask. Empty stretches are skipped four bytes at a time
 * (fiber masks are sparse).
 */
export function setPixels(mask: Uint8Array): number[] {
  const out: number[] = [];
  const n = mask.length;
  const aligned = mask.byteOffset % 4 === 0;
  const nw = aligned ? n >> 2 : 0;
  const words = new Uint32Array(mask.buffer, mask.byteOffset, nw);
  for (let k = 0; k < nw; k++) {
    if (words[k] === 0) continue;
    const i = k << 2;
    if (mask[i]) out.push(i);
    if (mask[i + 1]) out.push(i + 1);
    if (mask[i + 2]) out.push(i + 2);
    if (mask[i + 3]) out.push(i + 3);
  }
  for (let i = nw << 2; i < n; i++) if (mask[i]) out.push(i);
  return out;
}

/**
 * Zhang–Suen thinning of a binary mask in place (8-connected one-pixel lines). `pixels`, when given,
 * lists the set pixels in ascending order (saves a scan). Returns the set pixels afterwards, ascending.
 */
export function thin(mask: Uint8Array, w: number, h: number, pixels?: number[]): number[] {
  const tables = zhangSuenTables();
  let pts: number[] = [];
  for (const i of pixels ?? setPixels(mask)) {
    const x = i % w;
    const y = (i - x) / w;
    if (x === 0 || y === 0 || x === w - 1 || y === h - 1) mask[i] = 0;
    else pts.push(i);
  }
  const del: number[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      const t = tables[pass];
      del.length = 0;
      for (const i of pts) {
        if (!mask[i]) continue;
        const c =
          mask[i - w] |
          (mask[i - w + 1] << 1) |
          (mask[i + 1] << 2) |
          (mask[i + w + 1] << 3) |
          (mask[i + w] << 4) |
          (mask[i + w - 1] << 5) |
          (mask[i - 1] << 6) |
          (mask[i - w - 1] << 7);
        if (t[c]) del.push(i);
      }
      if (del.length) changed = true;
      for (const i of del) mask[i] = 0;
    }
    if (changed) pts = pts.filter((i) => mask[i]);
  }
  return pts;
}

/**
 * Remove redundant pixels from a thinned (8-connected) mask in place: a pixel with two or more
 * neighbours that stay 8-connected among themselves without it (a staircase corner, a pixel beside a
 * diagonal step) carries nothing, and left in place it makes a three-way "junction" of a plain line.
 * Pixels are visited in raster order (`pixels`, when given, lists the set pixels ascending); border
 * pixels are left alone. Returns the set pixels afterwards, ascending.
 */
export function removeCorners(mask: Uint8Array, w: number, h: number, pixels?: number[]): number[] {
  // ring N, NE, E, SE, S, SW, W, NW
  const off = [-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1];
  const on = new Uint8Array(8);
  const kept: number[] = [];
  for (const i of pixels ?? setPixels(mask)) {
    if (!mask[i]) continue;
    const x = i % w;
    const y = (i - x) / w;
    kept.push(i);
    if (x === 0 || y === 0 || x === w - 1 || y === h - 1) continue;
    let cnt = 0;
    for (let k = 0; k < 8; k++) cnt += on[k] = mask[i + off[k]];
    if (cnt < 2) continue;
    // 8-connected groups among the ring: neighbours on the ring are adjacent, and so are two
    // 4-neighbours one step apart (N and E touch diagonally)
    let groups = 0;
    for (let k = 0; k < 8; k++) {
      if (!on[k]) continue;
      const prev = (k + 7) & 7;
      const prev2 = (k + 6) & 7;
      const joined = on[prev] || (k % 2 === 0 && on[prev2]);
      if (!joined) groups++;
    }
    // a full circle of joins counts as no start: at least one group
    if (groups === 0) groups = 1;
    if (groups === 1) {
      mask[i] = 0;
      kept.pop();
    }
  }
  return kept;
}
