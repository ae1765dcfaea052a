/**
 * Dim retraction fibers: an oriented line filter that integrates the ridge signal along the
 * fiber. At low SNR a fiber is well under one noise unit per pixel, so a pixel-wise Hessian
 * test cannot see it; summing the cross-fiber second derivative over ~1.5 µm of line gains
 * √(samples) in SNR. Runs on a coarse grid (≈ 0.2 µm spacing, block means of the ridge
 * detector's first-scale smoothing), takes the best of a bank of orientations, normalises by the
 * filter's own noise gain and the noise map, thins by non-maximum suppression across the line,
 * and keeps lines by hysteresis that follows one orientation (noise spurs leave a line at an
 * angle); short gaps in front of line ends are bridged. Samples are capped so that a bright dot or
 * a blob's flank cannot pose as a line. The centre line is drawn back into a full-resolution mask
 * with sub-pixel offsets for the fiber tracer. Cost: about six sweeps over the coarse grid (mirror
 * orientations share one), each reading whole rows in memory order.
 */
import { convolveSeparable, gaussianBlur, gaussianKernel } from "./filters.ts";
import { type LinePasses, linePasses } from "./fastlines.ts";
import { setPixels } from "./mask.ts";
import { stageMemory, stageScratchBorrowed, withStageScratch } from "./stagescratch.ts";

export interface LineParams {
  /** length of the line filter, µm */
  lengthUm: number;
  /** number of filter orientations over 180° */
  orientations: number;
  /** target spacing of the coarse grid, µm (blocks of the largest whole number of pixels not above it) */
  gridUm: number;
  /** hysteresis thresholds on the noise-normalised line response */
  highZ: number;
  lowZ: number;
  /** each second-derivative sample is capped at this many of its own noise units (a bright dot is not a line) */
  clipZ: number;
  /**
   * where the smaller Hessian curvature is this many noise units bright too (a blob: migrasome, dot,
   * vesicle; not a line), the samples there and one coarse pixel around are capped at `blobCapZ`
   * (their tangential curvature would make spokes)
   */
  blobZ: number;
  blobCapZ: number;
  /** hysteresis grows only between pixels whose orientations differ by at most this many steps (noise spurs leave a line at an angle) */
  turnSteps: number;
  /** gaps up to this long in front of a line end, along its orientation, are bridged (µm; 0 = off) */
  bridgeUm: number;
  /**
   * a second, wider pass of the filter: the image smoothed to this σ (µm; 0 = off), where a fiber's blurred
   * profile fills the second derivative better (Method 3); its response replaces the first pass's where it is
   * higher by more than `wideMarginZ` noise units (the better of two tests has a longer noise tail)
   */
  wideSigmaUm: number;
  wideMarginZ: number;
  /** the wide pass is not used within `wideGuardUm` (µm) of pixels where the first pass reaches `wideGuardZ` */
  wideGuardZ: number;
  wideGuardUm: number;
  /**
   * target spacing of the raster the centre lines are drawn into for thinning and tracing, µm: the image's pixels
   * split s × s with s the smallest whole number that brings them to this or below (0 = the image's pixels).
   * Two fibers 0.4 µm apart are 2.5 pixels of 0.16 µm apart, and drawn there they touch and thinning merges them
   */
  traceGridUm: number;
  /**
   * when the pixel is coarser than half of `gridUm` (block factor 1) and finer than this, sample the smoothed image
   * bilinearly at this spacing (µm) instead of running the filter on the pixels themselves (0 or absent: off)
   */
  resampleUm?: number;
}

export const DEFAULT_LINE_PARAMS: LineParams = { lengthUm: 1.6, orientations: 10, gridUm: 0.2, highZ: 3.8, lowZ: 2.2, clipZ: 8, blobZ: 3, blobCapZ: 1, turnSteps: 1, bridgeUm: 0.8, wideSigmaUm: 0.3, wideMarginZ: 1, wideGuardZ: 5, wideGuardUm: 0.4, traceGridUm: 0.1, resampleUm: 0.18 };

export interface LineMask {
  /** the raster of `mask`, `ox`, `oy` and `z`: the image's pixels split `scale` × `scale` (`traceGridUm`) */
  scale: number;
  /** 1 on fiber centre-line pixels (full resolution, or finer by `scale`) */
  mask: Uint8Array;
  /** sub-pixel offsets of the centre line from the pixel centre */
  ox: Float32Array;
  oy: Float32Array;
  /** the line response (noise units) of the coarse centre-line pixel each drawn pixel comes from (0 elsewhere) */
  z: Float32Array;
  /** the same lines as a list of raster pixels (the rasters above are made from it when first read) */
  lines: DrawnLines;
}

/** Drawn centre lines: their raster pixels (ascending) and each one's offsets and line response (as in `LineMask`). */
export interface DrawnLines {
  pixels: Int32Array;
  ox: Float32Array;
  oy: Float32Array;
  z: Float32Array;
}

/** A coarse grid: block means of f×f pixels (edge blocks clamped) and the noise at each block centre. */
export interface Grid {
  /** grid spacing in image pixels (whole for block means; any value > 1 for a bilinear resampling) */
  f: number;
  /** bilinear samples at ((X + ½)·f − ½, (Y + ½)·f − ½) instead of block means */
  bilinear?: boolean;
  W: number;
  H: number;
  img: Float32Array;
  noise: Float32Array;
}

/**
 * Module scratch for detectLines' transient coarse-grid arrays (named slots, reused when the grid is not larger): a
 * slot is handed out zeroed, or, with zero = false, only to code that writes every element before reading it, so
 * results never depend on earlier calls. Fewer 13 MB allocations per frame at 0.16 µm (less GC).
 */
const scratchSlots = new Map<string, Float32Array | Uint8Array | Int32Array>();
function scratchArray(kind: "f32" | "u8" | "i32", slot: string, n: number, zero: boolean): Float32Array | Uint8Array | Int32Array {
  const a = scratchSlots.get(slot);
  if (!a || !(kind === "f32" ? a instanceof Float32Array : kind === "u8" ? a instanceof Uint8Array : a instanceof Int32Array) || a.length < n) {
    const b = kind === "f32" ? new Float32Array(n) : kind === "u8" ? new Uint8Array(n) : new Int32Array(n);
    scratchSlots.set(slot, b);
    return b;
  }
  const s = a.subarray(0, n);
  if (zero) s.fill(0);
  return s;
}
const scratchF32 = (slot: string, n: number, zero: boolean) => scratchArray("f32", slot, n, zero) as Float32Array;
const scratchU8 = (slot: string, n: number, zero: boolean) => scratchArray("u8", slot, n, zero) as Uint8Array;
/** (a list: only the elements written are read) */
const scratchI32 = (slot: string, n: number) => scratchArray("i32", slot, n, false) as Int32Array;

/** Block-mean downsampling by an integer factor (f = 1 copies), with the noise map read at block centres. */
export function coarseGrid(src: Float32Array, noise: Float32Array, w: number, h: number, f: number, reuse = false): Grid {
  const W = Math.ceil(w / f);
  const H = Math.ceil(h / f);
  // (reuse: into module scratch; every element is written below)
  const img = reuse ? scratchF32("gridImg", W * H, false) : new Float32Array(W * H);
  const nz = reuse ? scratchF32("gridNoise", W * H, false) : new Float32Array(W * H);
  const inv = 1 / (f * f);
  const c = f >> 1;
  for (let Y = 0; Y < H; Y++) {
    const full = Y * f + f <= h;
    for (let X = 0; X < W; X++) {
      let s = 0;
      if (full && X * f + f <= w) {
        // interior block: no clamping
        for (let dy = 0; dy < f; dy++) {
          const o = (Y * f + dy) * w + X * f;
          for (let dx = 0; dx < f; dx++) s += src[o + dx];
        }
      } else
        for (let dy = 0; dy < f; dy++) {
          const y = Math.min(h - 1, Y * f + dy);
          for (let dx = 0; dx < f; dx++) s += src[y * w + Math.min(w - 1, X * f + dx)];
        }
      img[Y * W + X] = s * inv;
      nz[Y * W + X] = noise[Math.min(h - 1, Y * f + c) * w + Math.min(w - 1, X * f + c)];
    }
  }
  return { f, W, H, img, noise: nz };
}

/** Bilinear samples of `src` at spacing g > 1 pixels, at ((X + ½)·g − ½, (Y + ½)·g − ½); the noise map at the nearest pixel. */
export function resampleGrid(src: Float32Array, noise: Float32Array, w: number, h: number, g: number, useSimd = true, reuse = false): Grid {
  const W = Math.max(1, Math.round(w / g));
  const H = Math.max(1, Math.round(h / g));
  // (reuse: into module scratch; every element is written below)
  const img = reuse ? scratchF32("gridImg", W * H, false) : new Float32Array(W * H);
  const nz = reuse ? scratchF32("gridNoise", W * H, false) : new Float32Array(W * H);
  // per column (the same values the per-sample formula gives): the left and right samples, the weight, the noise column
  const x0s = new Int32Array(W);
  const x1s = new Int32Array(W);
  const fxs = new Float64Array(W);
  const ncs = new Int32Array(W);
  for (let X = 0; X < W; X++) {
    const x = Math.min(w - 1, Math.max(0, (X + 0.5) * g - 0.5));
    const xs = Math.min(w - 2, Math.floor(x));
    const x0 = Math.max(0, xs);
    const fx = x - xs + (xs - x0);
    x0s[X] = x0;
    x1s[X] = Math.min(w - 1, x0 + 1);
    fxs[X] = fx;
    ncs[X] = Math.min(w - 1, Math.round(x0 + fx));
  }
  const rowOf = (Y: number) => {
    const y = Math.min(h - 1, Math.max(0, (Y + 0.5) * g - 0.5));
    const y0 = Math.max(0, Math.min(h - 2, Math.floor(y)));
    return { r0: y0 * w, r1: Math.min(h - 1, y0 + 1) * w, fy: y - y0, ny: Math.min(h - 1, Math.round(y)) * w };
  };
  // the samples in WebAssembly (fastlines.ts resampleRow: the same double operations) when the image is finite
  const a16 = (b: number) => (b + 15) & ~15;
  const at = { src: 0, x0s: a16(4 * w * h), x1s: 0, fxs: 0, out: 0, end: 0 };
  at.x1s = at.x0s + a16(4 * W);
  at.fxs = at.x1s + a16(4 * W);
  at.out = at.fxs + a16(8 * W);
  at.end = at.out + a16(4 * W * H);
  const L = useSimd && w >= 2 ? linePasses(at.end) : null;
  let done = false;
  if (L) {
    const buf = L.memory.buffer;
    const s = new Float32Array(buf, at.src, w * h);
    s.set(src);
    const n4 = (w * h) & ~3;
    let finite = !L.nonFinite(at.src, at.src + 4 * n4);
    for (let i = n4; finite && i < w * h; i++) finite = Number.isFinite(s[i]);
    if (finite) {
      new Int32Array(buf, at.x0s, W).set(x0s);
      new Int32Array(buf, at.x1s, W).set(x1s);
      new Float64Array(buf, at.fxs, W).set(fxs);
      for (let Y = 0; Y < H; Y++) {
        const { r0, r1, fy } = rowOf(Y);
        L.resampleRow(at.src + 4 * r0, at.src + 4 * r1, at.x0s, at.x1s, at.fxs, at.out + 4 * Y * W, W, fy);
      }
      img.set(new Float32Array(buf, at.out, W * H));
      done = true;
    }
  }
  for (let Y = 0; Y < H; Y++) {
    const { r0, r1, fy, ny } = rowOf(Y);
    if (!done)
      for (let X = 0; X < W; X++) {
        const x0 = x0s[X];
        const fx = fxs[X];
        const x1 = x1s[X];
        const a = src[r0 + x0] + fx * (src[r0 + x1] - src[r0 + x0]);
        const b = src[r1 + x0] + fx * (src[r1 + x1] - src[r1 + x0]);
        img[Y * W + X] = a + fy * (b - a);
      }
    gatherRow(noise, ny, ncs, nz, Y * W, W);
  }
  return { f: g, bilinear: true, W, H, img, noise: nz };
}

/** dst[o + X] = src[row + cols[X]] for X < n (a function of its own: a small monomorphic loop for the optimiser). */
function gatherRow(src: Float32Array, row: number, cols: Int32Array, dst: Float32Array, o: number, n: number): void {
  for (let X = 0; X < n; X++) dst[o + X] = src[row + cols[X]];
}

/** Second derivatives (xx, yy, xy) by central differences into the given planes; border pixels are 0. */
function hessianPlanes(s: Float32Array, W: number, H: number, xx: Float32Array, yy: Float32Array, xy: Float32Array): void {
  const n = W * H;
  for (const p of [xx, yy, xy]) {
    p.fill(0, 0, Math.min(n, W));
    p.fill(0, Math.max(0, n - W), n);
    for (let y = 1; y < H - 1; y++) {
      p[y * W] = 0;
      p[y * W + W - 1] = 0;
    }
  }
  for (let y = 1; y < H - 1; y++)
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      const c = s[i];
      xx[i] = s[i + 1] - 2 * c + s[i - 1];
      yy[i] = s[i + W] - 2 * c + s[i - W];
      xy[i] = 0.25 * (s[i + W + 1] - s[i + W - 1] - s[i - W + 1] + s[i - W - 1]);
    }
}

/**
 * `hessianPlanes` with the interior rows in WebAssembly (fastlines.ts hessian: the same double operations), the
 * image copied into the fifth plane first; false (nothing written) when the image is not all finite (NaN
 * payloads are not specified alike in both engines).
 */
function hessianSimd(L: LinePasses, s: Float32Array, W: number, H: number, planes: Float32Array[]): boolean {
  const n = W * H;
  const [xx, yy, xy, , img] = planes;
  img.set(s);
  const n4 = n & ~3;
  if (L.nonFinite(img.byteOffset, img.byteOffset + 4 * n4)) return false;
  for (let i = n4; i < n; i++) if (!Number.isFinite(img[i])) return false;
  for (const p of [xx, yy, xy]) {
    p.fill(0, 0, Math.min(n, W));
    p.fill(0, Math.max(0, n - W), n);
    for (let y = 1; y < H - 1; y++) {
      p[y * W] = 0;
      p[y * W + W - 1] = 0;
    }
  }
  if (W < 3) return true;
  const o = img.byteOffset;
  for (let y = 1; y < H - 1; y++) {
    const r = 4 * y * W;
    L.hessian(o + r - 4 * W, o + r, o + r + 4 * W, xx.byteOffset + r + 4, yy.byteOffset + r + 4, xy.byteOffset + r + 4, W - 2);
  }
  return true;
}

/**
 * Transpose a W×H plane into an H×W one, in 16×16 tiles, each output row written contiguously (with
 * power-of-two rows, writing down a tile's column thrashes the cache: every row maps to the same sets).
 */
function transpose(a: Float32Array, W: number, H: number, t: Float32Array): void {
  const B = 16;
  for (let y0 = 0; y0 < H; y0 += B)
    for (let x0 = 0; x0 < W; x0 += B) {
      const y1 = Math.min(H, y0 + B);
      const x1 = Math.min(W, x0 + B);
      for (let x = x0; x < x1; x++) for (let y = y0, j = x * H + y0; y < y1; y++, j++) t[j] = a[y * W + x];
    }
}

/**
 * One steep orientation of the filter, direction (sl, 1)/|·| with |sl| ≤ 1 (shallow ones run on the
 * transposed planes). Each output pixel sums the capped cross-line second derivative −nᵀHn over
 * the 2m + 1 pixels of a digital line through
 * it, one per row (x offsets round(sl·v) − round(sl·y)). All lines advance together row by row:
 * cumulative sums per line are kept for the last 2m + 2 rows, and a window is the difference of two
 * of them, so every pass reads and writes whole rows in memory order. Pixels where the noise-scaled
 * sum beats `best` take it and the orientation index `k`. The sums are float32 (every operation rounded to
 * float32, as the WebAssembly passes do four pixels at a time; over the ~2000 rows of a 2048² frame at 0.16 µm
 * the cumulative sums' rounding stays far below a noise unit, and the tuning scenes' scores are unchanged).
 */
function steepSums(
  xx: Float32Array,
  yy: Float32Array,
  xy: Float32Array,
  u: Float32Array,
  P: LineParams,
  W: number,
  H: number,
  sl: number,
  m: number,
  invGain: number,
  k: number,
  best: Float32Array,
  bestK: Uint8Array,
): void {
  const c2 = 1 / (1 + sl * sl);
  // −nᵀHn with n = (1, −sl)/√(1 + sl²) (float32 line sums: every operation rounded to float32)
  const fr = Math.fround;
  const a = fr(-c2);
  const b = fr(2 * sl * c2);
  const d = fr(-sl * sl * c2);
  const clip = fr(P.clipZ);
  const nb = fr(-P.blobCapZ);
  const g = fr(invGain);
  const r = new Int32Array(H);
  for (let v = 0; v < H; v++) r[v] = Math.round(sl * v);
  const rMin = Math.min(r[0], r[H - 1]);
  const rMax = Math.max(r[0], r[H - 1]);
  // the line through pixel (x, v) has index x − r[v] + rMax
  const Lw = W + rMax - rMin;
  const R = 2 * m + 2;
  const ring = new Float32Array(R * Lw);
  for (let q = 0; q < H + m; q++) {
    if (q < H) {
      // cumulative sums through row q
      const slot = (q % R) * Lw;
      if (q === 0) ring.fill(0, slot, slot + Lw);
      else {
        const ps = ((q - 1) % R) * Lw;
        ring.copyWithin(slot, ps, ps + Lw);
      }
      const base = slot + rMax - r[q];
      const o = q * W;
      for (let x = 0; x < W; x++) {
        const i = o + x;
        const X = xx[i];
        const Y = yy[i];
        const Z = xy[i];
        const v = fr(fr(fr(a * X) + fr(b * Z)) + fr(d * Y));
        // capped at clipZ noise units (blobCapZ at blobs and their flanks)
        const ui = u[i];
        const cp = ui < 0 ? fr(nb * ui) : fr(clip * ui);
        ring[base + x] += v > cp ? cp : v;
      }
    }
    const v = q - m;
    if (v < 0) continue;
    const hi = (Math.min(v + m, H - 1) % R) * Lw + rMax - r[v];
    const o = v * W;
    if (v - m - 1 >= 0) {
      const lo = ((v - m - 1) % R) * Lw + rMax - r[v];
      for (let x = 0; x < W; x++) {
        const z = fr(fr(ring[hi + x] - ring[lo + x]) * g);
        if (z > best[o + x]) {
          best[o + x] = z;
          bestK[o + x] = k;
        }
      }
    } else
      for (let x = 0; x < W; x++) {
        const z = fr(fr(ring[hi + x] - 0) * g);
        if (z > best[o + x]) {
          best[o + x] = z;
          bestK[o + x] = k;
        }
      }
  }
}

/**
 * Two mirror orientations, slopes sl and −sl, in one sweep (as `steepSums`; the planes are read once
 * for both). `k1` and `k2` are their orientation indices.
 */
function steepSumsPair(
  xx: Float32Array,
  yy: Float32Array,
  xy: Float32Array,
  u: Float32Array,
  P: LineParams,
  W: number,
  H: number,
  sl: number,
  m: number,
  invGain1: number,
  invGain2: number,
  k1: number,
  k2: number,
  best: Float32Array,
  bestK: Uint8Array,
): void {
  const { a: a0, b: b0, d: d0, r1, r2, span1, span2, Lw1, Lw2, R } = steepGeometry(sl, m, W, H);
  // (float32 line sums: every operation rounded to float32)
  const fr = Math.fround;
  const [a, b, d] = [fr(a0), fr(b0), fr(d0)];
  const clip = fr(P.clipZ);
  const nb = fr(-P.blobCapZ);
  const [g1, g2] = [fr(invGain1), fr(invGain2)];
  const ring1 = new Float32Array(R * Lw1);
  const ring2 = new Float32Array(R * Lw2);
  for (let q = 0; q < H + m; q++) {
    if (q < H) {
      const s1 = (q % R) * Lw1;
      const s2 = (q % R) * Lw2;
      if (q === 0) {
        ring1.fill(0, s1, s1 + Lw1);
        ring2.fill(0, s2, s2 + Lw2);
      } else {
        const p1 = ((q - 1) % R) * Lw1;
        const p2 = ((q - 1) % R) * Lw2;
        ring1.copyWithin(s1, p1, p1 + Lw1);
        ring2.copyWithin(s2, p2, p2 + Lw2);
      }
      const b1 = s1 + span1 - r1[q];
      const b2 = s2 + span2 - r2[q];
      const o = q * W;
      for (let x = 0; x < W; x++) {
        const i = o + x;
        const X = xx[i];
        const Y = yy[i];
        const Z = xy[i];
        const ui = u[i];
        const cp = ui < 0 ? fr(nb * ui) : fr(clip * ui);
        const base = fr(fr(a * X) + fr(d * Y));
        const bz = fr(b * Z);
        const v1 = fr(base + bz);
        const v2 = fr(base - bz);
        ring1[b1 + x] += v1 > cp ? cp : v1;
        ring2[b2 + x] += v2 > cp ? cp : v2;
      }
    }
    const v = q - m;
    if (v < 0) continue;
    const top = Math.min(v + m, H - 1) % R;
    const hi1 = top * Lw1 + span1 - r1[v];
    const hi2 = top * Lw2 + span2 - r2[v];
    const hasLo = v - m - 1 >= 0;
    const bot = hasLo ? (v - m - 1) % R : 0;
    const lo1 = bot * Lw1 + span1 - r1[v];
    const lo2 = bot * Lw2 + span2 - r2[v];
    const o = v * W;
    for (let x = 0; x < W; x++) {
      const z1 = fr(fr(ring1[hi1 + x] - (hasLo ? ring1[lo1 + x] : 0)) * g1);
      const z2 = fr(fr(ring2[hi2 + x] - (hasLo ? ring2[lo2 + x] : 0)) * g2);
      const zb = z1 >= z2 ? z1 : z2;
      if (zb > best[o + x]) {
        best[o + x] = zb;
        bestK[o + x] = z1 >= z2 ? k1 : k2;
      }
    }
  }
}

/** chainGain values by their arguments (a cache of fixed values: the same arguments give the same number) */
const chainGains = new Map<string, number>();

/**
 * White-noise gain of the whole linear chain for one orientation: Gaussian smoothing (σ in full-
 * resolution pixels), f×f block mean (or bilinear samples at spacing f: the squared gain averaged over the
 * phases of the samples against the pixels), the −nᵀHn stencil, and the sum over the digital line taps
 * (0, 0), (±j, round(±t·j)), j ≤ m (x-major). The kernel of one output pixel is built on the
 * coarse grid, expanded to full resolution and blurred; the gain is its root sum of squares.
 */
function chainGain(t: number, m: number, f: number, sigmaPx: number, coarseSigma = 0, bilinear = false): number {
  const key = `${t} ${m} ${f} ${sigmaPx} ${coarseSigma} ${bilinear}`;
  let v = chainGains.get(key);
  if (v === undefined) {
    if (chainGains.size > 4096) chainGains.clear();
    v = chainGainOf(t, m, f, sigmaPx, coarseSigma, bilinear);
    chainGains.set(key, v);
  }
  return v;
}

function chainGainOf(t: number, m: number, f: number, sigmaPx: number, coarseSigma: number, bilinear: boolean): number {
  const c2 = 1 / (1 + t * t);
  const a = -t * t * c2;
  const b = 2 * t * c2;
  const d = -c2;
  const gcK = coarseSigma > 0 ? gaussianKernel(coarseSigma) : null;
  const gcr = gcK ? (gcK.length - 1) >> 1 : 0;
  const R = m + 2 + gcr;
  const N = 2 * R + 1;
  const kc = new Float64Array(N * N);
  const add = (x: number, y: number, v: number) => {
    kc[(y + R) * N + x + R] += v;
  };
  for (let j = -m; j <= m; j++) {
    const x = j;
    const y = Math.round(t * j);
    // xx
    add(x + 1, y, a);
    add(x, y, -2 * a);
    add(x - 1, y, a);
    // yy
    add(x, y + 1, d);
    add(x, y, -2 * d);
    add(x, y - 1, d);
    // xy
    add(x + 1, y + 1, 0.25 * b);
    add(x - 1, y + 1, -0.25 * b);
    add(x + 1, y - 1, -0.25 * b);
    add(x - 1, y - 1, 0.25 * b);
  }
  // the coarse grid's own smoothing (the wide pass): the kernel convolved with it
  if (gcK) kc.set(blurSquare(kc, N, gcK));
  const g = gaussianKernel(sigmaPx);
  const gr = (g.length - 1) >> 1;
  if (bilinear) {
    // each coarse weight spread bilinearly over the pixels around its sample point; the sample points' phases
    // against the pixels repeat along the grid, so the squared gain is averaged over the phases that occur
    const phases: number[] = [];
    for (let X = 0; X < 16; X++) {
      const p = Math.round((((X + 0.5) * f - 0.5) % 1) * 1e6) / 1e6;
      if (!phases.includes(p)) phases.push(p);
    }
    const M = Math.ceil(N * f) + 2 + 2 * gr;
    let acc = 0;
    for (const py of phases)
      for (const px of phases) {
        const full = new Float64Array(M * M);
        for (let Y = 0; Y < N; Y++)
          for (let X = 0; X < N; X++) {
            const v = kc[Y * N + X];
            if (v === 0) continue;
            const x = X * f + px + gr;
            const y = Y * f + py + gr;
            const x0 = Math.floor(x);
            const y0 = Math.floor(y);
            const ax = x - x0;
            const ay = y - y0;
            full[y0 * M + x0] += v * (1 - ax) * (1 - ay);
            full[y0 * M + x0 + 1] += v * ax * (1 - ay);
            full[(y0 + 1) * M + x0] += v * (1 - ax) * ay;
            full[(y0 + 1) * M + x0 + 1] += v * ax * ay;
          }
        const out = blurSquare(full, M, g);
        for (let i = 0; i < M * M; i++) acc += out[i] * out[i];
      }
    return Math.sqrt(acc / (phases.length * phases.length));
  }
  const M = N * f + 2 * gr;
  // full-resolution kernel: each coarse weight spread over its block (mean: weight / f²)
  const full = new Float64Array(M * M);
  for (let Y = 0; Y < N; Y++)
    for (let X = 0; X < N; X++) {
      const v = kc[Y * N + X] / (f * f);
      if (v === 0) continue;
      for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) full[(Y * f + dy + gr) * M + X * f + dx + gr] += v;
    }
  // the smoothing's adjoint (a symmetric Gaussian)
  const out = blurSquare(full, M, g);
  let ss = 0;
  for (let i = 0; i < M * M; i++) ss += out[i] * out[i];
  return Math.sqrt(ss);
}

/** An M×M array convolved with a symmetric kernel, rows then columns, zero outside. */
function blurSquare(src: Float64Array, M: number, k: Float32Array): Float64Array {
  const r = (k.length - 1) >> 1;
  const tmp = new Float64Array(M * M);
  for (let y = 0; y < M; y++)
    for (let x = 0; x < M; x++) {
      let s = 0;
      for (let q = -r; q <= r; q++) if (x + q >= 0 && x + q < M) s += k[q + r] * src[y * M + x + q];
      tmp[y * M + x] = s;
    }
  const out = new Float64Array(M * M);
  for (let y = 0; y < M; y++)
    for (let x = 0; x < M; x++) {
      let s = 0;
      for (let q = -r; q <= r; q++) if (y + q >= 0 && y + q < M) s += k[q + r] * tmp[(y + q) * M + x];
      out[y * M + x] = s;
    }
  return out;
}

/** One sweep of the filter bank: orientation k (and its mirror k2 ≥ 0 in the same sweep), slope sl, half-length m. */
interface Sweep {
  k: number;
  k2: number;
  sl: number;
  m: number;
  steep: boolean;
  gain1: number;
  gain2: number;
}

/** Line-filter response over all orientations: the best noise-normalised z per coarse pixel and its orientation index. */
export function lineResponse(
  grid: Grid,
  pxUm: number,
  sigmaPx: number,
  P: LineParams,
  /** false: the JavaScript passes only (tests compare the two) */
  useSimd = true,
  /** σ (coarse pixels) of a smoothing already applied to `grid.img` on the coarse grid (the wide pass), for the noise gains */
  coarseSigma = 0,
  /** module-scratch slot names for z and k (detectLines; every element is written), else new arrays */
  outSlots?: [string, string],
  /**
   * z and k may be views of the WebAssembly passes' memory (valid only until that memory is next used: detectLines'
   * wide pass, read once right after)
   */
  view = false,
): { z: Float32Array; k: Uint8Array; angles: Float64Array } {
  const { W, H, f } = grid;
  const bil = grid.bilinear ?? false;
  const cUm = pxUm * f;
  const n = W * H;
  const K = P.orientations;
  const angles = new Float64Array(K);
  for (let k = 0; k < K; k++) angles[k] = (Math.PI * k) / K;
  const sweeps: Sweep[] = [];
  for (let k = 0; k < K; k++) {
    const c = Math.cos(angles[k]);
    const s = Math.sin(angles[k]);
    const steep = Math.abs(s) > Math.abs(c) + 1e-12;
    const sl = steep ? c / s : s / c;
    // the mirror orientation (slope −sl in the same set) runs in the same sweep as this one
    const mirror = sl > 1e-12 ? (K - k) % K : -1;
    if (sl < -1e-12) continue;
    const m = Math.max(1, Math.round(P.lengthUm / (2 * cUm) / Math.sqrt(1 + sl * sl)));
    sweeps.push({ k, k2: mirror, sl, m, steep, gain1: 1 / chainGain(sl, m, f, sigmaPx, coarseSigma, bil), gain2: mirror < 0 ? NaN : 1 / chainGain(-sl, m, f, sigmaPx, coarseSigma, bil) });
  }
  // the planes, best responses and line sums: in the WebAssembly passes' memory when available (scratch,
  // every value written before it is read), else in new arrays; five planes hold the four and, later,
  // their transposes (each transpose goes to the plane its source left free)
  const a16 = (b: number) => (b + 15) & ~15;
  const planeB = a16(4 * n);
  const mMax = sweeps.reduce((a, sw) => Math.max(a, sw.m), 1);
  const ringCap = (2 * mMax + 2) * (W + H + 1);
  // (two line-sum rings per sweep of the larger orientation set: a set's sweeps run together, see steepSetSimd)
  const setSize = Math.max(sweeps.filter((sw) => sw.steep).length, sweeps.filter((sw) => !sw.steep).length, 1);
  const at = { planes: 0, best: 5 * planeB, bestT: 6 * planeB, bestK: 7 * planeB, bestKT: 7 * planeB + a16(n), rings: 7 * planeB + 2 * a16(n), ringCap, zero: 0, end: 0 };
  at.zero = at.rings + 2 * setSize * 8 * ringCap;
  at.end = at.zero + a16(8 * (Math.max(W, H) + 2));
  const fast = useSimd ? linePasses(at.end) : null;
  const buf = fast ? fast.memory.buffer : null;
  const f32 = (o: number) => (buf ? new Float32Array(buf, o, n) : new Float32Array(n));
  const u8 = (o: number) => (buf ? new Uint8Array(buf, o, n) : new Uint8Array(n));
  const planes = [0, 1, 2, 3, 4].map((i) => f32(at.planes + i * planeB));
  const [xx, yy, xy, u] = planes;
  if (!fast || !hessianSimd(fast, grid.img, W, H, planes)) hessianPlanes(grid.img, W, H, xx, yy, xy);
  // the noise of one (θ = 0) second-derivative sample per pixel; negative at blobs and their flanks
  const g1 = chainGain(0, 0, f, sigmaPx, coarseSigma, bil);
  if (!fast || !blobNoiseSimd(fast, planes, f32(at.best), grid.noise, g1, P.blobZ, W, H)) blobNoise(xx, yy, xy, u, grid.noise, g1, P.blobZ, W, H);
  // the SIMD passes only on finite planes (NaN payloads are not specified alike in both engines)
  const finite = (p: Float32Array) => {
    if (!fast) return false;
    const n4 = n & ~3;
    if (fast.nonFinite(p.byteOffset, p.byteOffset + 4 * n4)) return false;
    for (let i = n4; i < n; i++) if (!Number.isFinite(p[i])) return false;
    return true;
  };
  const simd = fast && finite(xx) && finite(yy) && finite(xy) && finite(u) ? fast : null;
  const best = f32(at.best);
  const bestK = u8(at.bestK);
  // (zeroed unless the SIMD sweeps run: their first sweep of each set writes every pixel as if over zeros)
  if (!simd) {
    best.fill(0);
    bestK.fill(0);
  }
  let bestT: Float32Array | null = null;
  let bestKT: Uint8Array | null = null;
  // steep orientations on the planes, then the shallow ones as steep ones on the transposed planes (x ↔ y
  // swaps xx and yy); the two sets write separate best rows, so the order between them does not matter
  // (the SIMD passes run a set's sweeps together: steepSetSimd)
  const run = (sw: Sweep, pl: Float32Array[], Ws: number, Hs: number, out: Float32Array, outK: Uint8Array) => {
    if (sw.k2 < 0) steepSums(pl[0], pl[1], pl[2], pl[3], P, Ws, Hs, sw.sl, sw.m, sw.gain1, sw.k, out, outK);
    else steepSumsPair(pl[0], pl[1], pl[2], pl[3], P, Ws, Hs, sw.sl, sw.m, sw.gain1, sw.gain2, sw.k, sw.k2, out, outK);
  };
  const steepSet = sweeps.filter((sw) => sw.steep);
  if (simd && steepSet.length) steepSetSimd(simd, at, [xx, yy, xy, u], P, W, H, steepSet, best, bestK);
  else if (!simd) for (const sw of steepSet) run(sw, [xx, yy, xy, u], W, H, best, bestK);
  if (!steepSet.length && simd) {
    // (no steep orientation: the rows were not written)
    best.fill(0);
    bestK.fill(0);
  }
  if (sweeps.some((sw) => !sw.steep)) {
    const [p0, p1, p2, p3, p4] = planes;
    // (in WebAssembly when the SIMD passes run: the same bits)
    const tr = simd ? (a: Float32Array, t: Float32Array) => transposeSimd(simd, a, W, H, t) : (a: Float32Array, t: Float32Array) => transpose(a, W, H, t);
    tr(p1, p4); // xxT = yyᵀ
    tr(p0, p1); // yyT = xxᵀ
    tr(p2, p0); // xyT = xyᵀ
    tr(p3, p2); // uT = uᵀ
    bestT = f32(at.bestT);
    bestKT = u8(at.bestKT);
    // (as best: the first shallow sweep writes every pixel; there is one)
    if (!simd) {
      bestT.fill(0);
      bestKT.fill(0);
    }
    const shallowSet = sweeps.filter((sw) => !sw.steep);
    if (simd) steepSetSimd(simd, at, [p4, p1, p0, p2], P, H, W, shallowSet, bestT, bestKT);
    else for (const sw of shallowSet) run(sw, [p4, p1, p0, p2], H, W, bestT, bestKT);
  }
  // the better of the two orientation sets, in noise units (into new arrays: the rows above may be scratch; with
  // `view` and the WebAssembly merge, its output planes themselves)
  const direct = view && bestT && bestKT && simd;
  const z = direct ? planes[0] : outSlots ? scratchF32(outSlots[0], n, false) : new Float32Array(n);
  const kOut = direct ? u8(at.planes + planeB) : outSlots ? scratchU8(outSlots[1], n, false) : new Uint8Array(n);
  if (bestT && bestKT && simd) {
    // bestT back to rows (into the plane the transposed sweeps left free), then merged row by row
    const rows = planes[3];
    transposeSimd(simd, bestT, H, W, rows);
    // in WebAssembly (the same operations, selects for the branch): the noise in, z and k out through free planes
    const [zw, nw] = [planes[0], planes[4]];
    const kw = u8(at.planes + planeB);
    nw.set(grid.noise);
    simd.merge(best.byteOffset, bestK.byteOffset, rows.byteOffset, bestKT.byteOffset, nw.byteOffset, zw.byteOffset, kw.byteOffset, W, H);
    if (!direct) {
      z.set(zw);
      kOut.set(kw);
    }
  } else if (bestT && bestKT) mergeSets(best, bestK, bestT, bestKT, grid.noise, W, H, z, kOut);
  else
    for (let i = 0; i < n; i++) {
      z[i] = best[i] / grid.noise[i];
      kOut[i] = bestK[i];
    }
  return { z, k: kOut, angles };
}

/**
 * The per-pixel noise of one second-derivative sample into u (u = g1·noise), negated at blobs and their
 * flanks (one coarse pixel around). (A function of its own: V8 compiles such small typed-array loops far
 * better than the same loops inside lineResponse.)
 */
function blobNoise(xx: Float32Array, yy: Float32Array, xy: Float32Array, u: Float32Array, gNoise: Float32Array, g1: number, blobZ: number, W: number, H: number): void {
  const n = W * H;
  const blobs: number[] = [];
  for (let i = 0; i < n; i++) {
    const ui = g1 * gNoise[i];
    u[i] = ui;
    // the curvature along the line (the larger eigenvalue m + e) is ~0 on a line and strongly negative on
    // a blob: −(m + e) > blobZ·u ⇔ e < −m − blobZ·u (compared squared, no root)
    const xxi = xx[i];
    const yyi = yy[i];
    const m = 0.5 * (xxi + yyi);
    const q = -m - blobZ * ui;
    if (q <= 0) continue;
    const hd = 0.5 * (xxi - yyi);
    const xyi = xy[i];
    if (hd * hd + xyi * xyi < q * q) blobs.push(i);
  }
  negateBlobFlanks(blobs, blobs.length, u, W, H);
}

/** Blobs and their flanks (one coarse pixel around) get negative noise: their tangential curvature makes spokes. */
function negateBlobFlanks(blobs: ArrayLike<number>, count: number, u: Float32Array, W: number, H: number): void {
  for (let b = 0; b < count; b++) {
    const i = blobs[b];
    const x = i % W;
    const y = (i - x) / W;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx2 = x + dx;
        const yy2 = y + dy;
        if (xx2 < 0 || yy2 < 0 || xx2 >= W || yy2 >= H) continue;
        const j = yy2 * W + xx2;
        if (u[j] > 0) u[j] = -u[j];
      }
  }
}

/**
 * `blobNoise` with its first loop in WebAssembly (fastlines.ts blobs: the same double operations and test): the
 * noise copied into `nzw` (scratch), the blob list into the fifth plane; false (nothing done) when the noise is
 * not all finite.
 */
function blobNoiseSimd(L: LinePasses, planes: Float32Array[], nzw: Float32Array, gNoise: Float32Array, g1: number, blobZ: number, W: number, H: number): boolean {
  const n = W * H;
  const [xx, yy, xy, u, p4] = planes;
  nzw.set(gNoise);
  const n4 = n & ~3;
  if (L.nonFinite(nzw.byteOffset, nzw.byteOffset + 4 * n4)) return false;
  for (let i = n4; i < n; i++) if (!Number.isFinite(nzw[i])) return false;
  const count = L.blobs(xx.byteOffset, yy.byteOffset, xy.byteOffset, u.byteOffset, nzw.byteOffset, n, p4.byteOffset, g1, blobZ);
  const blobs = new Int32Array(p4.buffer, p4.byteOffset, count);
  negateBlobFlanks(blobs, count, u, W, H);
  return true;
}

/**
 * The better of the two orientation sets (bT, bKT: the transposed set, H × W), in noise units, into z and
 * kOut; 16 × 16 tiles: bT is read down its columns, and more rows than that thrash the cache.
 */
function mergeSets(best: Float32Array, bestK: Uint8Array, bT: Float32Array, bKT: Uint8Array, nz: Float32Array, W: number, H: number, z: Float32Array, kOut: Uint8Array): void {
  for (let y0 = 0; y0 < H; y0 += 16)
    for (let x0 = 0; x0 < W; x0 += 16) {
      const y1 = Math.min(H, y0 + 16);
      const x1 = Math.min(W, x0 + 16);
      for (let y = y0; y < y1; y++)
        for (let x = x0, i = y * W + x0, j = x0 * H + y; x < x1; x++, i++, j += H) {
          let b = best[i];
          let bk = bestK[i];
          const t = bT[j];
          if (t > b) {
            b = t;
            bk = bKT[j];
          }
          z[i] = b / nz[i];
          kOut[i] = bk;
        }
    }
}

/** `transpose` with the 4 × 4 blocks in WebAssembly (both planes in its memory), the edge strips here. */
function transposeSimd(L: LinePasses, a: Float32Array, W: number, H: number, t: Float32Array): void {
  const W4 = W & ~3;
  const H4 = H & ~3;
  if (W4 > 0 && H4 > 0) L.transpose(a.byteOffset, t.byteOffset, W, H, W4, H4);
  for (let y = 0; y < H; y++) for (let x = y < H4 ? W4 : 0; x < W; x++) t[x * H + y] = a[y * W + x];
}

/**
 * `steepSums` / `steepSumsPair` for a whole orientation set (its sweeps in order) with the row passes in WebAssembly
 * (fastlines.ts; the same values): the planes lie in its memory; the line sums and a zero row (the window's lower end
 * before it is full) too. The set's sweeps advance together row by row, so that each plane row is read from memory
 * once for all of them (the others find it in the cache), and the best rows likewise: every sweep adds row q to its
 * own line sums, then every sweep, in the set's order, takes its window of row v = q − mMax (mMax: the set's largest
 * half-length; each sweep keeps m + mMax + 2 rows of sums for it). Each best row thus sees the sweeps' updates in the
 * same order as sweep after sweep: the same values. The first sweep writes every pixel as if the rows held zeros.
 */
function steepSetSimd(
  L: LinePasses,
  at: { rings: number; ringCap: number; zero: number },
  pl: Float32Array[],
  P: LineParams,
  W: number,
  H: number,
  sws: Sweep[],
  best: Float32Array,
  bestK: Uint8Array,
): void {
  const buf = L.memory.buffer;
  new Float32Array(buf, at.zero, W).fill(0);
  const [xx, yy, xy, u] = pl.map((p) => p.byteOffset);
  // (float32 line sums: the kernels take float32 constants and round every operation to float32)
  const fr = Math.fround;
  const nb = fr(-P.blobCapZ);
  const clip = fr(P.clipZ);
  const mMax = sws.reduce((a, sw) => Math.max(a, sw.m), 0);
  const st = sws.map((sw, j) => {
    // as steepSumsPair (for one slope, steepSums: the same line indices, since its rMin is 0 or its rMax is)
    const g = steepGeometry(sw.sl, sw.m, W, H);
    const R = sw.m + mMax + 2;
    const at1 = at.rings + 4 * at.ringCap * (2 * j);
    const at2 = at1 + 4 * at.ringCap;
    return { sw, g, R, at1, at2, ring1: new Float32Array(buf, at1, R * g.Lw1), ring2: new Float32Array(buf, at2, R * g.Lw2), pair: sw.k2 >= 0, a: fr(g.a), b: fr(g.b), d: fr(g.d), g1: fr(sw.gain1), g2: fr(sw.gain2) };
  });
  for (let q = 0; q < H + mMax; q++) {
    if (q < H)
      for (const t of st) {
        const { r1, r2, span1, span2, Lw1, Lw2 } = t.g;
        const { R, ring1, ring2, pair, a, b, d } = t;
        const s1 = (q % R) * Lw1;
        const s2 = (q % R) * Lw2;
        // the row's sums: the previous row's plus this row's terms; the accumulation reads the previous row where it
        // adds (its W columns from the row's shift on), the rest of the row is copied (row 0: zeros, added in place)
        const c1 = s1 + span1 - r1[q];
        const c2 = s2 + span2 - r2[q];
        let p1 = s1;
        let p2 = s2;
        if (q === 0) {
          ring1.fill(0, s1, s1 + Lw1);
          if (pair) ring2.fill(0, s2, s2 + Lw2);
        } else {
          p1 = ((q - 1) % R) * Lw1;
          ring1.copyWithin(s1, p1, p1 + (c1 - s1));
          ring1.copyWithin(c1 + W, p1 + (c1 - s1) + W, p1 + Lw1);
          if (pair) {
            p2 = ((q - 1) % R) * Lw2;
            ring2.copyWithin(s2, p2, p2 + (c2 - s2));
            ring2.copyWithin(c2 + W, p2 + (c2 - s2) + W, p2 + Lw2);
          }
        }
        const b1 = t.at1 + 4 * c1;
        const q1 = t.at1 + 4 * (p1 + (c1 - s1));
        const o = 4 * q * W;
        if (pair) L.accumulatePair(xx + o, yy + o, xy + o, u + o, W, b1, t.at2 + 4 * c2, q1, t.at2 + 4 * (p2 + (c2 - s2)), a, b, d, clip, nb);
        else L.accumulate(xx + o, yy + o, xy + o, u + o, W, b1, q1, a, b, d, clip, nb);
      }
    const v = q - mMax;
    if (v < 0) continue;
    const bAt = best.byteOffset + 4 * v * W;
    const kAt = bestK.byteOffset + v * W;
    for (let j = 0; j < st.length; j++) {
      const t = st[j];
      const { sw, R } = t;
      const { Lw1, Lw2, span1, span2, r1, r2 } = t.g;
      const m = sw.m;
      const top = Math.min(v + m, H - 1) % R;
      const hasLo = v - m - 1 >= 0;
      const bot = hasLo ? (v - m - 1) % R : 0;
      const hi1 = t.at1 + 4 * (top * Lw1 + span1 - r1[v]);
      const lo1 = hasLo ? t.at1 + 4 * (bot * Lw1 + span1 - r1[v]) : at.zero;
      const init = j === 0;
      if (t.pair) {
        const hi2 = t.at2 + 4 * (top * Lw2 + span2 - r2[v]);
        const lo2 = hasLo ? t.at2 + 4 * (bot * Lw2 + span2 - r2[v]) : at.zero;
        (init ? L.windowPairInit : L.windowPair)(hi1, lo1, hi2, lo2, bAt, kAt, W, t.g1, t.g2, sw.k, sw.k2);
      } else (init ? L.windowInit : L.window)(hi1, lo1, bAt, kAt, W, t.g1, sw.k);
    }
  }
}

/**
 * The shared geometry of the steep sums (slopes ±sl, half-length m rows, a W × H grid): the −nᵀHn weights
 * (slope +sl: a·xx + b·xy + d·yy; slope −sl flips the xy term), each row's column shift along the two
 * lines, the shifts' spans, the padded row widths and the ring-buffer depth.
 */
function steepGeometry(sl: number, m: number, W: number, H: number) {
  const c2 = 1 / (1 + sl * sl);
  const r1 = new Int32Array(H);
  const r2 = new Int32Array(H);
  for (let v = 0; v < H; v++) {
    r1[v] = Math.round(sl * v);
    r2[v] = Math.round(-sl * v);
  }
  return {
    a: -c2,
    b: 2 * sl * c2,
    d: -sl * sl * c2,
    r1,
    r2,
    span1: Math.max(r1[0], r1[H - 1]),
    span2: Math.max(r2[0], r2[H - 1]),
    Lw1: W + Math.abs(r1[H - 1]),
    Lw2: W + Math.abs(r2[H - 1]),
    R: 2 * m + 2,
  };
}

/**
 * Non-maximum suppression across the line (the neighbour pair nearest the normal) and hysteresis
 * (seeds ≥ highZ, grown 8-connected through maxima ≥ lowZ). Returns the coarse centre-line mask and
 * the sub-pixel offset along the normal (parabola through the three responses), in coarse pixels.
 */
export function centreLines(
  z: Float32Array,
  kIdx: Uint8Array,
  angles: Float64Array,
  W: number,
  H: number,
  P: LineParams,
  /**
   * into module scratch (detectLines: the results do not outlive the call); dx and dy are then written at the
   * candidates only (undefined elsewhere: the caller zeroes any other pixel it adds to the mask)
   */
  reuse = false,
): {
  mask: Uint8Array;
  dx: Float32Array;
  dy: Float32Array;
  /** nonzero at the candidates (maxima across the line ≥ lowZ): 2 where in the mask, else 1 */
  cand: Uint8Array;
} {
  const n = W * H;
  // (slots the wide pass's arrays and the grid have left free)
  const cand = reuse ? scratchU8("k2", n, true) : new Uint8Array(n);
  const dx = reuse ? scratchF32("z2", n, false) : new Float32Array(n);
  const dy = reuse ? scratchF32("gridImg", n, false) : new Float32Array(n);
  const K = angles.length;
  // unit normal (−sin, cos) of each orientation
  const nxs = new Float64Array(K);
  const nys = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    nxs[k] = -Math.sin(angles[k]);
    nys[k] = Math.cos(angles[k]);
  }
  const seeds: number[] = [];
  nonMaxima(z, kIdx, nxs, nys, W, H, P.lowZ, P.highZ, cand, dx, dy, seeds);
  const mask = reuse ? scratchU8("near", n, true) : new Uint8Array(n);
  growLines(mask, cand, kIdx, seeds, W, H, K, P.turnSteps);
  return { mask, dx, dy, cand };
}

/**
 * centreLines' candidates: the pixels (2 from the border) with z ≥ lowZ that are a maximum across the line (Canny:
 * the neighbours bilinear in z one pixel along the exact normal (nxs, nys)[k]), marked in cand with their parabola
 * offset in dx, dy; seeds (z ≥ highZ) appended in scan order. (A function of its own with the bilinear samples
 * inline: the same double operations as a closure per sample, without the calls.)
 */
function nonMaxima(z: Float32Array, kIdx: Uint8Array, nxs: Float64Array, nys: Float64Array, W: number, H: number, lowZ: number, highZ: number, cand: Uint8Array, dx: Float32Array, dy: Float32Array, seeds: number[]): void {
  for (let y = 2; y < H - 2; y++)
    for (let x = 2, i = y * W + 2; x < W - 2; x++, i++) {
      const zi = z[i];
      if (zi < lowZ) continue;
      const k = kIdx[i];
      const nx = nxs[k];
      const ny = nys[k];
      // zp first (both are pure): a pixel below it is no maximum whatever zm is
      const xp = x + nx;
      const yp = y + ny;
      const xp0 = Math.floor(xp);
      const yp0 = Math.floor(yp);
      const fxp = xp - xp0;
      const fyp = yp - yp0;
      const ip = yp0 * W + xp0;
      const zp = (z[ip] * (1 - fxp) + z[ip + 1] * fxp) * (1 - fyp) + (z[ip + W] * (1 - fxp) + z[ip + W + 1] * fxp) * fyp;
      if (!(zi >= zp)) continue;
      const xm = x - nx;
      const ym = y - ny;
      const xm0 = Math.floor(xm);
      const ym0 = Math.floor(ym);
      const fxm = xm - xm0;
      const fym = ym - ym0;
      const im = ym0 * W + xm0;
      const zm = (z[im] * (1 - fxm) + z[im + 1] * fxm) * (1 - fym) + (z[im + W] * (1 - fxm) + z[im + W + 1] * fxm) * fym;
      if (!(zi > zm)) continue;
      cand[i] = 1;
      if (zi >= highZ) seeds.push(i);
      const den = zm - 2 * zi + zp;
      const tt = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (zm - zp)) / den)) : 0;
      dx[i] = tt * nx;
      dy[i] = tt * ny;
    }
}

/**
 * centreLines' hysteresis: from each seed in order, grown 8-connected (depth first) through candidates whose
 * orientation turns ≤ turnSteps. A candidate taken into the mask is marked 2 in cand as well (cand: 0 none, 1
 * candidate, 2 candidate in the mask), so that each neighbour test reads one array.
 */
function growLines(mask: Uint8Array, cand: Uint8Array, kIdx: Uint8Array, seeds: number[], W: number, H: number, K: number, turnSteps: number): void {
  const stack: number[] = [];
  for (let s = 0; s < seeds.length; s++) {
    const i = seeds[s];
    if (mask[i]) continue;
    mask[i] = 1;
    cand[i] = 2;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop() as number;
      const kj = kIdx[j];
      const jx = j % W;
      const jy = (j - jx) / W;
      for (let oy = -1; oy <= 1; oy++)
        for (let ox = -1; ox <= 1; ox++) {
          const xx = jx + ox;
          const yy = jy + oy;
          if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
          const q = yy * W + xx;
          if (cand[q] !== 1) continue;
          const dk = Math.abs(kIdx[q] - kj);
          if (Math.min(dk, K - dk) > turnSteps) continue;
          mask[q] = 1;
          cand[q] = 2;
          stack.push(q);
        }
    }
  }
}

/**
 * Bridge gaps in front of line ends (in place): where two lines meet, the stronger one's response
 * suppresses the other's maxima over about half a filter length, and a dim line breaks where the
 * noise dips. From every end pixel (one neighbour), step along the line's orientation, away from the
 * neighbour, up to `maxPx` pixels; if a line pixel lies there (or beside the path), the path between
 * becomes line too.
 */
function bridgeGaps(mask: Uint8Array, kIdx: Uint8Array, angles: Float64Array, W: number, H: number, maxPx: number, cand: Uint8Array, dx: Float32Array, dy: Float32Array): void {
  if (maxPx < 2) return;
  // the interior line pixels with one neighbour, ascending (the mask's set pixels listed by words first)
  const set = setPixels(mask);
  const ends: number[] = [];
  for (let q = 0; q < set.length; q++) {
    const i = set[q];
    const x = i % W;
    const y = (i - x) / W;
    if (x < 1 || y < 1 || x >= W - 1 || y >= H - 1) continue;
    let c = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if ((dx || dy) && mask[i + dy * W + dx]) c++;
    if (c === 1) ends.push(i);
  }
  for (const i of ends) {
    const x = i % W;
    const y = (i - x) / W;
    // the neighbour: the line runs on from it through this end
    let nx = 0;
    let ny = 0;
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if ((dx || dy) && mask[i + dy * W + dx]) (nx = dx), (ny = dy);
    let tx = Math.cos(angles[kIdx[i]]);
    let ty = Math.sin(angles[kIdx[i]]);
    if (tx * -nx + ty * -ny < 0) (tx = -tx), (ty = -ty);
    let hit = -1;
    for (let s = 2; s <= maxPx && hit < 0; s++) {
      const px = Math.round(x + s * tx);
      const py = Math.round(y + s * ty);
      if (px < 1 || py < 1 || px >= W - 1 || py >= H - 1) break;
      // the target or a pixel beside it (not the end's own neighbourhood)
      for (let dy = -1; dy <= 1 && hit < 0; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const qx = px + dx;
          const qy = py + dy;
          if (Math.max(Math.abs(qx - x), Math.abs(qy - y)) < 2) continue;
          if (mask[qy * W + qx]) {
            hit = qy * W + qx;
            break;
          }
        }
    }
    if (hit < 0) continue;
    const hx = hit % W;
    const hy = (hit - hx) / W;
    const n = Math.max(Math.abs(hx - x), Math.abs(hy - y));
    for (let s = 1; s < n; s++) {
      const p = Math.round(y + ((hy - y) * s) / n) * W + Math.round(x + ((hx - x) * s) / n);
      mask[p] = 1;
      // (centreLines' offsets are written at its candidates only: 0 at the others, as zeroed arrays held)
      if (!cand[p]) {
        dx[p] = 0;
        dy[p] = 0;
      }
    }
  }
}

/** drawCentreLines' plot log: raster index, offsets and z of plots 0 … m − 1 */
interface PlotLog {
  J: Int32Array;
  LX: Float32Array;
  LY: Float32Array;
  LZ: Float32Array;
  m: number;
}

/** The log's arrays at twice their length (the plots kept). */
function growLog(L: PlotLog): void {
  const cap = 2 * L.J.length;
  const grown = <A extends Int32Array | Float32Array>(a: A, b: A): A => {
    b.set(a);
    return b;
  };
  L.J = grown(L.J, new Int32Array(cap));
  L.LX = grown(L.LX, new Float32Array(cap));
  L.LY = grown(L.LY, new Float32Array(cap));
  L.LZ = grown(L.LZ, new Float32Array(cap));
}

/**
 * The plots of drawCentreLines, in drawing order: each line pixel i at its sub-pixel position (fx(i), fy(i)) with its
 * z, then the segments to its right, lower, lower-right and lower-left neighbours (as drawCentreLines states), one
 * plot per step along the major axis with the nearer end's z. Everything inline (no call per plot: the doubles
 * passed to a closure were boxed, one allocation per plot).
 */
function logPlots(cm: Uint8Array, dxs: Float32Array, dys: Float32Array, zc: Float32Array, W: number, H: number, f: number, w: number, h: number, L: PlotLog): void {
  const half = (f - 1) / 2;
  const set = setPixels(cm);
  let m = L.m;
  // (the log's arrays in locals, taken again after a growth)
  let J = L.J;
  let LX = L.LX;
  let LY = L.LY;
  let LZ = L.LZ;
  for (let q = 0; q < set.length; q++) {
    const i = set[q];
    const X = i % W;
    const Y = (i - X) / W;
    const x0 = ((i % W) + dxs[i]) * f + half;
    const y0 = (Math.floor(i / W) + dys[i]) * f + half;
    // the point's raster pixel when logged (else −1), and whether the last plot logged there is the point's own
    let J0 = -1;
    let same = false;
    {
      const PX = Math.round(x0);
      const PY = Math.round(y0);
      if (!(PX < 0 || PY < 0 || PX >= w || PY >= h)) {
        J0 = PY * w + PX;
        same = true;
        if (m === J.length) {
          growLog(L);
          ({ J, LX, LY, LZ } = L);
        }
        J[m] = PY * w + PX;
        LX[m] = x0 - PX;
        LY[m] = y0 - PY;
        LZ[m] = zc[i];
        m++;
      }
    }
    const right = X + 1 < W && cm[i + 1] === 1;
    const down = Y + 1 < H && cm[i + W] === 1;
    // the segments' far ends, in drawing order (−1: none)
    const e0 = right ? i + 1 : -1;
    const e1 = down ? i + W : -1;
    const e2 = X + 1 < W && Y + 1 < H && cm[i + W + 1] && !right && !down ? i + W + 1 : -1;
    const e3 = X > 0 && Y + 1 < H && cm[i + W - 1] && !cm[i - 1] && !down ? i + W - 1 : -1;
    for (let t = 0; t < 4; t++) {
      const j = t === 0 ? e0 : t === 1 ? e1 : t === 2 ? e2 : e3;
      if (j < 0) continue;
      const x1 = ((j % W) + dxs[j]) * f + half;
      const y1 = (Math.floor(j / W) + dys[j]) * f + half;
      // one step per pixel along the major axis: an 8-connected line without 4-connected corners
      const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
      // the far end's own point plot (j's, logged later when in the raster)
      const PX1 = Math.round(x1);
      const PY1 = Math.round(y1);
      for (let s = 0; s <= steps; s++) {
        const x = x0 + ((x1 - x0) * s) / steps;
        const y = y0 + ((y1 - y0) * s) / steps;
        const PX = Math.round(x);
        const PY = Math.round(y);
        if (PX < 0 || PY < 0 || PX >= w || PY >= h) continue;
        // plots that cannot change the drawn lines are not logged (each pixel keeps its last plot): the first, when it
        // repeats the point's own plot (the same position and z) and that is still the last one at its pixel; the
        // last, when it falls on the pixel of the far end's point plot, which comes later and overwrites it
        const atPoint = s === 0 && x === x0 && y === y0;
        if (atPoint && same) continue;
        if (s === steps && PX === PX1 && PY === PY1) continue;
        if (PY * w + PX === J0) same = atPoint;
        if (m === J.length) {
          growLog(L);
          ({ J, LX, LY, LZ } = L);
        }
        J[m] = PY * w + PX;
        LX[m] = x - PX;
        LY[m] = y - PY;
        LZ[m] = 2 * s <= steps ? zc[i] : zc[j];
        m++;
      }
    }
  }
  L.m = m;
}

/**
 * Draw the coarse centre line into a full-resolution mask: every pair of 8-neighbouring line pixels
 * is joined by a segment between their sub-pixel positions (diagonal pairs only when no 4-neighbour
 * path joins them, so that corners do not form little triangles). Each drawn pixel keeps the offset of
 * the segment point from its centre.
 */
function drawCentreLines(cm: Uint8Array, dxs: Float32Array, dys: Float32Array, zc: Float32Array, W: number, H: number, f: number, w: number, h: number): DrawnLines {
  // the plot log and the sort's arrays (transient, every element read written first) in the shared stage scratch
  // at its present size (stagescratch.ts: the line passes are done, and their pages are already touched), not
  // ~20 MB of fresh pages per frame at 2048² and 0.16 µm; without it (or while it is borrowed) in new arrays
  const mem = stageScratchBorrowed() ? null : stageMemory();
  if (!mem) return drawWith(cm, dxs, dys, zc, W, H, f, w, h, null);
  return withStageScratch(mem.buffer.byteLength, (buf) => drawWith(cm, dxs, dys, zc, W, H, f, w, h, buf));
}

function drawWith(cm: Uint8Array, dxs: Float32Array, dys: Float32Array, zc: Float32Array, W: number, H: number, f: number, w: number, h: number, buf: ArrayBuffer | null): DrawnLines {
  // every plot is logged (raster index, offsets, z); the last plot of a pixel gives its values, as drawing into
  // rasters did, without touching rasters of which only a few per cent are drawn. In `buf`: the log's four arrays
  // of cap plots in its first half, the sort's four arrays of m ≤ cap plots in its second (a log grown past cap
  // is in new arrays, and so is the sort then)
  const cap = buf ? Math.floor(buf.byteLength / 32) : 0;
  const log: PlotLog =
    cap >= 1 << 16
      ? { J: new Int32Array(buf as ArrayBuffer, 0, cap), LX: new Float32Array(buf as ArrayBuffer, 4 * cap, cap), LY: new Float32Array(buf as ArrayBuffer, 8 * cap, cap), LZ: new Float32Array(buf as ArrayBuffer, 12 * cap, cap), m: 0 }
      : { J: new Int32Array(1 << 16), LX: new Float32Array(1 << 16), LY: new Float32Array(1 << 16), LZ: new Float32Array(1 << 16), m: 0 };
  logPlots(cm, dxs, dys, zc, W, H, f, w, h, log);
  const { J, LX, LY, LZ, m } = log;
  // the plots ordered by pixel, stably (LSD radix sort, 12 bits a pass, each plot's pixel carried along with its
  // index: no gather per pass), then the last plot of each pixel
  const inBuf = cap >= 1 << 16 && J.buffer === buf && m <= cap;
  const sortArray = (k: number) => (inBuf ? new Int32Array(buf as ArrayBuffer, 16 * cap + 4 * k * m, m) : new Int32Array(m));
  let a = sortArray(0);
  let b = sortArray(1);
  let ka = sortArray(2);
  ka.set(J.subarray(0, m));
  let kb = sortArray(3);
  for (let q = 0; q < m; q++) a[q] = q;
  const cnt = new Int32Array(4096);
  for (let shift = 0; shift === 0 || w * h - 1 >= 2 ** shift; shift += 12) {
    cnt.fill(0);
    for (let q = 0; q < m; q++) cnt[(ka[q] >>> shift) & 4095]++;
    let acc = 0;
    for (let d = 0; d < 4096; d++) {
      const c = cnt[d];
      cnt[d] = acc;
      acc += c;
    }
    for (let q = 0; q < m; q++) {
      const k = ka[q];
      const d = cnt[(k >>> shift) & 4095]++;
      b[d] = a[q];
      kb[d] = k;
    }
    const t = a;
    a = b;
    b = t;
    const tk = ka;
    ka = kb;
    kb = tk;
  }
  let u = 0;
  for (let q = 0; q < m; q++) if (q === m - 1 || ka[q + 1] !== ka[q]) u++;
  const pixels = new Int32Array(u);
  const ox = new Float32Array(u);
  const oy = new Float32Array(u);
  const z = new Float32Array(u);
  u = 0;
  for (let q = 0; q < m; q++) {
    if (q < m - 1 && ka[q + 1] === ka[q]) continue;
    const e = a[q];
    pixels[u] = ka[q];
    ox[u] = LX[e];
    oy[u] = LY[e];
    z[u] = LZ[e];
    u++;
  }
  return { pixels, ox, oy, z };
}

/**
 * A LineMask over drawn lines: the rasters are made when first read (the tracer reads the lines themselves). `ox` /
 * `oy`, when given and of the raster's size, receive the offsets at line pixels (others keep their values).
 */
function lineMask(d: DrawnLines, n: number, scale: number, ox?: Float32Array, oy?: Float32Array): LineMask {
  let mask: Uint8Array | undefined;
  let oxs: Float32Array | undefined;
  let oys: Float32Array | undefined;
  let zs: Float32Array | undefined;
  const fill = (dst: Float32Array, v: Float32Array) => {
    for (let q = 0; q < d.pixels.length; q++) dst[d.pixels[q]] = v[q];
    return dst;
  };
  return {
    scale,
    lines: d,
    get mask() {
      if (!mask) {
        mask = new Uint8Array(n);
        for (let q = 0; q < d.pixels.length; q++) mask[d.pixels[q]] = 1;
      }
      return mask;
    },
    get ox() {
      return (oxs ??= fill(ox && ox.length === n ? ox : new Float32Array(n), d.ox));
    },
    get oy() {
      return (oys ??= fill(oy && oy.length === n ? oy : new Float32Array(n), d.oy));
    },
    get z() {
      return (zs ??= fill(new Float32Array(n), d.z));
    },
  };
}

/**
 * Fiber centre lines from the line filter. `smooth` is the image smoothed by a Gaussian of
 * `smoothSigmaPx` (full-resolution pixels), `noise` the raw per-pixel noise map. The offsets are
 * written into `ox`/`oy` when given and of the raster's size (only line pixels are written; others keep
 * their values). The lines are drawn on the image's pixels split `scale` × `scale` (`traceGridUm`).
 */
export function detectLines(
  smooth: Float32Array,
  smoothSigmaPx: number,
  noise: Float32Array,
  w: number,
  h: number,
  pxUm: number,
  params: LineParams = DEFAULT_LINE_PARAMS,
  ox?: Float32Array,
  oy?: Float32Array,
): LineMask {
  const fBlock = Math.max(1, Math.floor(params.gridUm / pxUm + 1e-6));
  // block factor 1 with pixels coarser than half the grid: optionally a bilinear resampling at gridUm
  const rUm = params.resampleUm ?? 0;
  const resample = rUm > 0 && fBlock === 1 && rUm / pxUm > 1.05;
  const f = resample ? rUm / pxUm : fBlock;
  const sc = traceScale(pxUm, params);
  // the grid, the responses and the centre-line planes in module scratch (none outlives this call)
  const grid = resample ? resampleGrid(smooth, noise, w, h, f, true, true) : coarseGrid(smooth, noise, w, h, f, true);
  const { z, k, angles } = lineResponse(grid, pxUm, smoothSigmaPx, params, true, 0, ["z1", "k1"]);
  // the wide pass: the coarse grid smoothed on to σ = wideSigmaUm (a Gaussian on the grid, so that no second
  // full-resolution blur is needed); it takes a pixel where it beats the first pass by more than wideMarginZ
  const s1Um = smoothSigmaPx * pxUm;
  if (params.wideSigmaUm > s1Um) {
    const sc = Math.sqrt(params.wideSigmaUm ** 2 - s1Um ** 2) / (pxUm * f);
    // (the same passes as gaussianBlur; the result as a view of the blur's WebAssembly memory where it runs, valid
    // until its next call: the wide pass copies it into its own planes first, and nothing blurs in between)
    const img = sc <= 0.05 ? gaussianBlur(grid.img, grid.W, grid.H, sc) : convolveSeparable(grid.img, grid.W, grid.H, gaussianKernel(sc), undefined, { view: true });
    const wide = lineResponse({ ...grid, img }, pxUm, smoothSigmaPx, params, true, sc, ["z2", "k2"], true);
    const mz = params.wideMarginZ;
    // not within wideGuardUm of a line the first pass sees at ≥ wideGuardZ: beside a bright fiber the wide
    // filter's broad response (turned a step off the fiber, it still overlaps it) moved the centre line and
    // grew spurs; bright fibers do not need the wide pass
    mergeWide(z, k, wide.z, wide.k, grid.W, grid.H, mz, params.wideGuardZ, Math.round(params.wideGuardUm / (pxUm * f)), scratchI32("wideList", z.length), scratchI32("wideHits", z.length), scratchU8("near", z.length, false));
  }
  const { mask, dx, dy, cand } = centreLines(z, k, angles, grid.W, grid.H, params, true);
  bridgeGaps(mask, k, angles, grid.W, grid.H, Math.round(params.bridgeUm / (pxUm * f)), cand, dx, dy);
  const ws = w * sc;
  const hs = h * sc;
  // drawn with blocks of f·sc raster pixels: a grid pixel's centre (X + ½)·f image pixels is (X + ½)·f·sc raster pixels
  return lineMask(drawCentreLines(mask, dx, dy, z, grid.W, grid.H, f * sc, ws, hs), ws * hs, sc, ox, oy);
}

/** The split of the image's pixels for the centre-line raster: the smallest whole s with pxUm / s ≤ traceGridUm (1 when off). */
export function traceScale(pxUm: number, params: LineParams = DEFAULT_LINE_PARAMS): number {
  const g = params.traceGridUm ?? 0;
  return g > 0 ? Math.max(1, Math.ceil(pxUm / g - 1e-6)) : 1;
}

/**
 * The wide pass merged into the first (z, k in place): a pixel takes the wide response less `mz` where that is
 * higher, unless a pixel within the square of half-width r around it (clipped to the grid) has a first-pass z ≥ thr.
 * One scan lists the candidates (higher: ~8 % of the pixels) and the pixels ≥ thr (~1 %); the squares around the
 * latter are marked in `near` (zeroed first), then the candidates not marked are written: the same result as
 * dilating over the whole grid first (z is not written before the marks are complete).
 */
function mergeWide(z: Float32Array, k: Uint8Array, wz: Float32Array, wk: Uint8Array, W: number, H: number, mz: number, thr: number, r: number, list: Int32Array, hits: Int32Array, near: Uint8Array): void {
  const n = W * H;
  let c = 0;
  let nh = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i];
    if (wz[i] - mz > zi) list[c++] = i;
    if (zi >= thr) hits[nh++] = i;
  }
  near.fill(0);
  if (r >= 0)
    for (let q = 0; q < nh; q++) {
      const i = hits[q];
      const x = i % W;
      const y = (i - x) / W;
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(W - 1, x + r);
      const y1 = Math.min(H - 1, y + r);
      for (let yy = Math.max(0, y - r); yy <= y1; yy++) for (let j = yy * W + x0, e = yy * W + x1; j <= e; j++) near[j] = 1;
    }
  for (let q = 0; q < c; q++) {
    const i = list[q];
    if (near[i]) continue;
    z[i] = wz[i] - mz;
    k[i] = wk[i];
  }
}
