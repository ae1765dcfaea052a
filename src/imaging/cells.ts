/**
 * Cell bodies: large, thick bright regions. Found on a coarse (~0.4 µm) copy of the image,
 * against a background that ignores structures smaller than ~40 µm, and kept when their area
 * and thickness exceed those of any migrasome and they end in a step (a broad background bump
 * fades out). A body on such a bump is looked for inside the bump's region at higher thresholds. Each body
 * is cut at its level and opened below its own scale: fibers and migrasomes above the cut stay off it.
 */
import { blockGrid, downsample2, gaussianBlur, gaussianKernel, kernelNoiseGain, quantile, selectK } from "./filters.ts";
import { withStageScratch } from "./stagescratch.ts";

export interface CellParams {
  minAreaUm2: number;
  /** a cell is at least this thick (µm, radius of the largest inscribed disc) */
  minHalfThicknessUm: number;
  /** threshold as a fraction of the bright-structure level (99.5th percentile) */
  relThreshold: number;
  /** a cell body is filled: this fraction of its (unsmoothed) pixels is above threshold; clusters of migrasomes and fibers are not */
  minFilled: number;
  /**
   * noise guard: the threshold is at least this many noise units of the smoothed image. "spread" (the
   * older rule) measures the noise as the spread of the lower half of the background-subtracted image,
   * which also holds the background's unevenness; "highpass" measures the pixel noise (MAD of a
   * pixel-minus-neighbours high-pass) and relies on the edge test below to reject background bumps
   */
  noiseZ: number;
  noiseFrom: "spread" | "highpass";
  /**
   * edge test ("highpass" only): a cell body ends in a step, a broad background bump fades out. The
   * median level 0.5–2 µm outside a component must be at most (1 − minStep) of the level 0.5–2 µm inside
   */
  minStep: number;
  /** "highpass" only: the threshold is also at least this many times the spread of the lower half (the unevenness) */
  spreadZ: number;
  /**
   * "highpass" only, a body on a background bump (see `findInner`): the component then holds the bump too and
   * fails the edge test. This many thresholds between the first one and the component's peak are tried inside
   * it (0 = none); a body found there must end in a step (median level 0.5–2 µm inside minus 0.5–2 µm outside)
   * at least `stepOverFall` times the fall of the level from 0.5–2 µm to 3–5 µm outside (a bump's level falls
   * about as fast beyond its edge as across it) and at least `minInnerStep` of its inner level
   */
  retryLevels: number;
  stepOverFall: number;
  minInnerStep: number;
  /** such a body is cut half-way between its level and its surroundings', then opened again (`reopen`) and
   * trimmed to `ellipseTrim` times its moment ellipse (0 = no trim): fibers and migrasomes next to it are cut off */
  reopen: boolean;
  ellipseTrim: number;
  /** such a body is not taken when it touches two image borders (a corner): its edge shows on two sides at most */
  cornerRule: boolean;
  /**
   * "highpass" only: after the cut at its level, every body is opened by a disc of this radius (µm; 0 = none)
   * and only its largest piece is kept. Fibers converging on a body and migrasomes next to it, bright above
   * the cut, join it in ragged lobes thinner than that; the body (≥ `minHalfThicknessUm` thick) keeps its shape
   */
  bodyOpenUm: number;
  /** the lower envelope is taken about a plane fitted to the block levels (a gradient across the field is background) */
  detrend: boolean;
  /**
   * "highpass" only: up to this many times, the level is measured again on the body it cut (half-way between
   * the medians 0.5–2 µm inside and outside its edge) and, while it rises, the body is cut again there (from its
   * pixels before the first cut) and opened (`bodyOpenUm`). A level measured on a body with a lobe (a migrasome
   * cluster or a bump beside it, joined at the low threshold) is pulled down by the lobe's pixels in the inner
   * band, so the lobe stays above it; cut again, the lobe comes off and the body's step grows. The cut with the
   * largest step (vin − vout) / vin is kept if it beats the first by `refineGain` (a cut moving into a dim
   * body's own edge raises the outside level instead); a body a re-cut leaves below `minAreaUm2` is dropped
   */
  refineCuts: number;
  refineGain: number;
  /**
   * touching bodies ("highpass" only; 0 = off): a body is split at a neck (watershed of its distance to its edge)
   * when the neck's half-width is below this fraction of the inscribed radius of the thinner of the two parts
   * it joins, both parts are at least `minHalfThicknessUm` thick and at least `minAreaUm2` large. Two touching
   * cells are joined by a neck much narrower than either; a single elongated or lobed cell is not
   */
  splitNeck: number;
}

export const DEFAULT_CELL_PARAMS: CellParams = { minAreaUm2: 100, minHalfThicknessUm: 3.5, relThreshold: 0.3, minFilled: 0.6, noiseZ: 6, noiseFrom: "highpass", minStep: 0.5, spreadZ: 2, retryLevels: 6, stepOverFall: 3, minInnerStep: 0.25, reopen: true, ellipseTrim: 1, cornerRule: true, bodyOpenUm: 1.5, detrend: true, refineCuts: 3, refineGain: 0.04, splitNeck: 0.5 };

export interface CellBody {
  id: number;
  xUm: number;
  yUm: number;
  areaUm2: number;
}

export interface CellMap {
  /** per pixel: 0 = no cell, k = cell id */
  labels: Int32Array;
  cells: CellBody[];
}

/** Two-pass chamfer distance (in pixels) to the nearest 0 pixel. */
export function distanceToOutside(mask: Uint8Array, w: number, h: number): Float32Array {
  const d = new Float32Array(w * h);
  const INF = 1e9;
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? INF : 0;
  const a = 1;
  const b = Math.SQRT2;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!d[i]) continue;
      let v = d[i];
      if (x > 0) v = Math.min(v, d[i - 1] + a);
      else v = Math.min(v, a);
      if (y > 0) {
        v = Math.min(v, d[i - w] + a);
        if (x > 0) v = Math.min(v, d[i - w - 1] + b);
        if (x < w - 1) v = Math.min(v, d[i - w + 1] + b);
      } else v = Math.min(v, a);
      d[i] = v;
    }
  for (let y = h - 1; y >= 0; y--)
    for (let x = w - 1; x >= 0; x--) {
      const i = y * w + x;
      if (!d[i]) continue;
      let v = d[i];
      if (x < w - 1) v = Math.min(v, d[i + 1] + a);
      else v = Math.min(v, a);
      if (y < h - 1) {
        v = Math.min(v, d[i + w] + a);
        if (x < w - 1) v = Math.min(v, d[i + w + 1] + b);
        if (x > 0) v = Math.min(v, d[i + w - 1] + b);
      } else v = Math.min(v, a);
      d[i] = v;
    }
  return d;
}

/**
 * One forward-pass update (left and upper neighbours; outside the image counts as 0, one step away).
 * min is order-independent here (no NaN, no −0), so the runs below may group the terms differently.
 */
function forwardPixel(d: Float32Array, w: number, x: number, y: number): void {
  const i = y * w + x;
  if (!d[i]) return;
  let v = d[i];
  if (x > 0) v = Math.min(v, d[i - 1] + 1);
  else v = Math.min(v, 1);
  if (y > 0) {
    v = Math.min(v, d[i - w] + 1);
    if (x > 0) v = Math.min(v, d[i - w - 1] + Math.SQRT2);
    if (x < w - 1) v = Math.min(v, d[i - w + 1] + Math.SQRT2);
  } else v = Math.min(v, 1);
  d[i] = v;
}

/** One backward-pass update (right and lower neighbours). */
function backwardPixel(d: Float32Array, w: number, h: number, x: number, y: number): void {
  const i = y * w + x;
  if (!d[i]) return;
  let v = d[i];
  if (x < w - 1) v = Math.min(v, d[i + 1] + 1);
  else v = Math.min(v, 1);
  if (y < h - 1) {
    v = Math.min(v, d[i + w] + 1);
    if (x < w - 1) v = Math.min(v, d[i + w + 1] + Math.SQRT2);
    if (x > 0) v = Math.min(v, d[i + w - 1] + Math.SQRT2);
  } else v = Math.min(v, 1);
  d[i] = v;
}

/**
 * Forward updates of pixels x0 … x1 − 1 of row y, left to right: edge pixels by `forwardPixel`, the
 * interior with the upper row's terms first, off the left-to-right dependency chain.
 */
function forwardRun(d: Float32Array, w: number, y: number, x0: number, x1: number): void {
  let x = x0;
  if (y === 0) {
    for (; x < x1; x++) forwardPixel(d, w, x, y);
    return;
  }
  if (x === 0 && x < x1) forwardPixel(d, w, x++, y);
  const xe = Math.min(x1, w - 1);
  const b = Math.SQRT2;
  for (; x < xe; x++) {
    const i = y * w + x;
    const c = d[i];
    if (!c) continue;
    const up = Math.min(c, d[i - w] + 1, d[i - w - 1] + b, d[i - w + 1] + b);
    d[i] = Math.min(up, d[i - 1] + 1);
  }
  for (; x < x1; x++) forwardPixel(d, w, x, y);
}

/** Backward updates of pixels x1 − 1 … x0 of row y, right to left (see `forwardRun`). */
function backwardRun(d: Float32Array, w: number, h: number, y: number, x0: number, x1: number): void {
  let x = x1 - 1;
  if (y === h - 1) {
    for (; x >= x0; x--) backwardPixel(d, w, h, x, y);
    return;
  }
  if (x === w - 1 && x >= x0) backwardPixel(d, w, h, x--, y);
  const xe = Math.max(x0, 1);
  const b = Math.SQRT2;
  for (; x >= xe; x--) {
    const i = y * w + x;
    const c = d[i];
    if (!c) continue;
    const down = Math.min(c, d[i + w] + 1, d[i + w + 1] + b, d[i + w - 1] + b);
    d[i] = Math.min(down, d[i + 1] + 1);
  }
  for (; x >= x0; x--) backwardPixel(d, w, h, x, y);
}

/** tile size of `distanceWithin` (rows of a tile band: y >> 5) */
const NEAR_TILE = 32;

/**
 * `distanceToOutside` where it is ≤ `limit` (the same float32 values), and a value > `limit`
 * elsewhere, visiting only the tiles that can hold such pixels. Every computed value is at least the
 * Chebyshev distance to the nearest 0 pixel or to the outside (each step adds 1 or √2 and moves one
 * pixel), so a value ≤ limit is reached by a chain of updates through pixels within R = ⌈limit⌉ + 1
 * of a 0 pixel or the border: those lie in tiles next to a tile with a 0 pixel, or near the border.
 * The two passes run over those tiles in the same order; all other pixels stay at INF. Values can
 * only grow by that (every update is a min of sums, monotone), and along the chains they are
 * unchanged, so values ≤ limit are exactly those of the full transform and the rest stay > limit.
 */
export function distanceWithin(mask: Uint8Array, w: number, h: number, limit: number): Float32Array {
  return nearDistance(mask, w, h, limit).d;
}

/** `distanceWithin` and the visited column ranges per 32-row band (null: all pixels were visited). */
function nearDistance(mask: Uint8Array, w: number, h: number, limit: number, out?: Float32Array): { d: Float32Array; runs: Int32Array[] | null } {
  const R = Math.ceil(limit) + 1;
  const T = NEAR_TILE;
  if (!(R >= 0 && R <= T)) return { d: distanceToOutside(mask, w, h), runs: null };
  const tw = Math.ceil(w / T);
  const th = Math.ceil(h / T);
  const zero = new Uint8Array(tw * th);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const to = (y >> 5) * tw;
    for (let x = 0; x < w; x++) if (!mask[o + x]) zero[to + (x >> 5)] = 1;
  }
  const runs = nearRuns(zero, tw, th, w, h, R);
  // far pixels keep INF (no 0 pixel lies in a far tile)
  const d = (out ?? new Float32Array(w * h)).fill(1e9);
  for (let y = 0; y < h; y++) {
    const run = runs[y >> 5];
    for (let r = 0; r < run.length; r += 2) for (let i = y * w + run[r], e = y * w + run[r + 1]; i < e; i++) if (!mask[i]) d[i] = 0;
  }
  sweepRuns(d, w, h, runs);
  return { d, runs };
}

/** The distance transform's forward and backward sweeps over the pixel runs of the near tiles (`nearRuns`). */
function sweepRuns(d: Float32Array, w: number, h: number, runs: Int32Array[]): void {
  for (let y = 0; y < h; y++) {
    const run = runs[y >> 5];
    for (let r = 0; r < run.length; r += 2) forwardRun(d, w, y, run[r], run[r + 1]);
  }
  for (let y = h - 1; y >= 0; y--) {
    const run = runs[y >> 5];
    for (let r = run.length - 2; r >= 0; r -= 2) backwardRun(d, w, h, y, run[r], run[r + 1]);
  }
}

/**
 * `nearDistance(inv, w, h, limit, out)` for inv = labels ? 0 : 1, with the labels read in its place (the same tiles,
 * runs and values); `inv` is scratch for the fallback to the full transform.
 */
function nearCellDistance(labels: Int32Array, w: number, h: number, limit: number, out: Float32Array, inv: Uint8Array): { d: Float32Array; runs: Int32Array[] | null } {
  const R = Math.ceil(limit) + 1;
  const T = NEAR_TILE;
  if (!(R >= 0 && R <= T)) {
    for (let i = 0; i < inv.length; i++) inv[i] = labels[i] ? 0 : 1;
    return nearDistance(inv, w, h, limit, out);
  }
  const tw = Math.ceil(w / T);
  const th = Math.ceil(h / T);
  const zero = labelledTiles(labels, w, h, tw, th);
  const runs = nearRuns(zero, tw, th, w, h, R);
  const d = out.fill(1e9);
  for (let y = 0; y < h; y++) {
    const run = runs[y >> 5];
    for (let r = 0; r < run.length; r += 2) for (let i = y * w + run[r], e = y * w + run[r + 1]; i < e; i++) if (labels[i]) d[i] = 0;
  }
  sweepRuns(d, w, h, runs);
  return { d, runs };
}

/**
 * Which tiles (NEAR_TILE pixels square; tw × th) hold a labelled pixel. A row's span of a tile already marked is not
 * read again, and with an even width and an 8-byte aligned array the labels are read two at a time through a
 * Float64Array view (a pair of int32 labels is +0 only when both are 0: no label is −2³¹): the same tiles as testing
 * every pixel.
 */
function labelledTiles(labels: Int32Array, w: number, h: number, tw: number, th: number): Uint8Array {
  const zero = new Uint8Array(tw * th);
  const pairs = w % 2 === 0 && labels.byteOffset % 8 === 0 ? new Float64Array(labels.buffer, labels.byteOffset, (w * h) >> 1) : null;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const to = (y >> 5) * tw;
    for (let t = 0; t < tw; t++) {
      if (zero[to + t]) continue;
      const xs = t * NEAR_TILE;
      const xe = Math.min(w, xs + NEAR_TILE);
      if (pairs) {
        for (let k = (o + xs) >> 1, e = (o + xe) >> 1; k < e; k++)
          if (pairs[k] !== 0) {
            zero[to + t] = 1;
            break;
          }
      } else
        for (let x = xs; x < xe; x++)
          if (labels[o + x]) {
            zero[to + t] = 1;
            break;
          }
    }
  }
  return zero;
}

/**
 * Per tile row, the pixel column ranges [x0, x1) (flattened pairs, ascending) of the tiles that are
 * next to a tile holding a 0 pixel (`zero`, tw × th) or within R pixels of the image border.
 */
function nearRuns(zero: Uint8Array, tw: number, th: number, w: number, h: number, R: number): Int32Array[] {
  const T = NEAR_TILE;
  const runs: Int32Array[] = [];
  for (let ty = 0; ty < th; ty++) {
    const y0 = ty * T;
    const y1 = Math.min(h, y0 + T) - 1;
    const rowNear = y0 <= R || y1 >= h - 1 - R;
    const list: number[] = [];
    for (let tx = 0; tx < tw; tx++) {
      const x0 = tx * T;
      const x1 = Math.min(w, x0 + T) - 1;
      let near = rowNear || x0 <= R || x1 >= w - 1 - R;
      for (let j = Math.max(0, ty - 1); !near && j <= Math.min(th - 1, ty + 1); j++)
        for (let i = Math.max(0, tx - 1); i <= Math.min(tw - 1, tx + 1); i++) if (zero[j * tw + i]) near = true;
      if (!near) continue;
      if (list.length && list[list.length - 1] === x0) list[list.length - 1] = x1 + 1;
      else list.push(x0, x1 + 1);
    }
    runs.push(Int32Array.from(list));
  }
  return runs;
}

/** A block's 20th percentile (lower of the two ranks), for `blockGrid`: one function for the process, not one per call. */
const blockP20 = (buf: Float32Array, n: number): number => selectK(buf, n, Math.floor(0.2 * (n - 1)));

/** Connected components (8-connected) of a mask; returns labels 1..n and the count. */
export function components(mask: Uint8Array, w: number, h: number): { labels: Int32Array; count: number } {
  const labels = new Int32Array(w * h);
  let count = 0;
  // the pixels still to visit, last in first out, in a typed array grown by doubling (a number[] stack had V8
  // deoptimise this function again and again on the first large frame)
  let stack = new Int32Array(1024);
  let top = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || labels[i]) continue;
    labels[i] = ++count;
    stack[top++] = i;
    while (top > 0) {
      const j = stack[--top];
      const x = j % w;
      const y = (j - x) / w;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const k = yy * w + xx;
          if (mask[k] && !labels[k]) {
            labels[k] = count;
            if (top === stack.length) {
              const grown = new Int32Array(2 * top);
              grown.set(stack);
              stack = grown;
            }
            stack[top++] = k;
          }
        }
    }
  }
  return { labels, count };
}

/**
 * Levels (0.4 µm smoothing minus the envelope) in bands around one component (`lab` = l, or the pixels of
 * `sel` if given, all inside component l): inside at b0–b1 from its edge, outside at b0–b1 and f0–f1 (coarse
 * pixels; outside pixels belong to no other component). The box is the component's bounding box grown by R;
 * distances are taken inside it, and only pixels nearer to the component than to the box's edge are used.
 * With `dist` (distance to the outside of the whole mask, which counts the image border as outside) the
 * inner band is taken from it; without, the image border is no edge: the mask is continued beyond it
 * (nearest pixel), so that a region cut by the border is judged only on its sides inside the image.
 */
function bandLevels(
  lab: Int32Array, l: number, sel: Uint8Array | null, fine: Float32Array, bgc: Float32Array, cw: number, ch: number,
  bx0: number, by0: number, bx1: number, by1: number, b0: number, b1: number, f0: number, f1: number, R: number, dist: Float32Array | null,
): { a: number[]; o: number[]; far: number[] } {
  const x0 = dist ? Math.max(0, bx0 - R) : bx0 - R;
  const y0 = dist ? Math.max(0, by0 - R) : by0 - R;
  const x1 = dist ? Math.min(cw - 1, bx1 + R) : bx1 + R;
  const y1 = dist ? Math.min(ch - 1, by1 + R) : by1 + R;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const sub = new Uint8Array(bw * bh);
  const ins = dist ? null : new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    const yy = Math.min(ch - 1, Math.max(0, y + y0));
    for (let x = 0; x < bw; x++) {
      const i = yy * cw + Math.min(cw - 1, Math.max(0, x + x0));
      const m = sel ? sel[i] : lab[i] === l ? 1 : 0;
      sub[y * bw + x] = m ? 0 : 1;
      if (ins) ins[y * bw + x] = m;
    }
  }
  const dOut = distanceToOutside(sub, bw, bh);
  const dIn = ins ? distanceToOutside(ins, bw, bh) : null;
  const a: number[] = [];
  const o: number[] = [];
  const far: number[] = [];
  for (let y = Math.max(0, y0); y <= Math.min(ch - 1, y1); y++)
    for (let x = Math.max(0, x0); x <= Math.min(cw - 1, x1); x++) {
      const i = y * cw + x;
      const k = (y - y0) * bw + x - x0;
      if (!sub[k]) {
        const di = dIn ? dIn[k] : (dist as Float32Array)[i];
        if (di >= b0 && di <= b1) a.push(fine[i] - bgc[i]);
        continue;
      }
      if (lab[i] && lab[i] !== l) continue;
      const dv = dOut[k];
      const edge = Math.min(x - x0, y - y0, x1 - x, y1 - y) + 1;
      if (dv >= edge) continue;
      if (dv >= b0 && dv <= b1) o.push(fine[i] - bgc[i]);
      else if (dv >= f0 && dv <= f1) far.push(fine[i] - bgc[i]);
    }
  return { a, o, far };
}

/**
 * Opening of a mask by a disc of radius r (pixels, via distance transforms): pixels within r + slack of a pixel at
 * least r inside (slack 1 lets shallow bumps of one pixel through; with 0 a straight edge is still kept whole).
 */
function openDisc(m: Uint8Array, w: number, h: number, r: number, slack = 1): Uint8Array {
  const dl = distanceToOutside(m, w, h);
  const notCore = new Uint8Array(w * h);
  for (let i = 0; i < dl.length; i++) notCore[i] = dl[i] >= r ? 0 : 1;
  const toCore = distanceToOutside(notCore, w, h);
  const op = new Uint8Array(w * h);
  for (let i = 0; i < op.length; i++) op[i] = m[i] && toCore[i] <= r + slack ? 1 : 0;
  return op;
}

/**
 * Opens the pixels of label l (all inside the box x0…x1, y0…y1) by a disc of radius r (pixels, `openDisc`
 * without slack) and keeps the largest piece; its other pixels are set to 0.
 */
function openBody(lab: Int32Array, l: number, cw: number, x0: number, y0: number, x1: number, y1: number, r: number): void {
  if (x1 < x0 || y1 < y0) return;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const m = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) m[y * bw + x] = lab[(y + y0) * cw + x + x0] === l ? 1 : 0;
  const { labels: cl, count: cc } = components(openDisc(m, bw, bh, r, 0), bw, bh);
  const ca = new Float64Array(cc + 1);
  for (let q = 0; q < cl.length; q++) ca[cl[q]]++;
  let best = 0;
  for (let c = 1; c <= cc; c++) if (!best || ca[c] > ca[best]) best = c;
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) if (m[y * bw + x] && (!best || cl[y * bw + x] !== best)) lab[(y + y0) * cw + x + x0] = 0;
}

/**
 * The step (vin − vout) / vin of body l (inside the box x0…x1, y0…y1) and the level half-way between vin and vout:
 * the medians b0…b1 pixels inside and outside its edge (`refineCut`), or null.
 */
function measureCut(
  l: number, lab: Int32Array, fine: Float32Array, bgc: Float32Array, cw: number, ch: number,
  x0: number, y0: number, x1: number, y1: number, b0: number, b1: number, R: number,
): { step: number; mid: number } | null {
  let sx0 = x1 + 1, sy0 = y1 + 1, sx1 = x0 - 1, sy1 = y0 - 1;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      if (lab[y * cw + x] !== l) continue;
      if (x < sx0) sx0 = x;
      if (x > sx1) sx1 = x;
      if (y < sy0) sy0 = y;
      if (y > sy1) sy1 = y;
    }
  if (sx1 < sx0) return null;
  const { a, o } = bandLevels(lab, l, null, fine, bgc, cw, ch, sx0, sy0, sx1, sy1, b0, b1, 0, 0, R, null);
  if (!a.length || !o.length) return null;
  const vin = quantile(a, 0.5);
  const vout = quantile(o, 0.5);
  return { step: vin > 0 ? (vin - vout) / vin : -Infinity, mid: 0.5 * (vin + vout) };
}

/** body l's pixels (from `pre`, inside the box x0…x1, y0…y1) cut at level t above the background, opened by rOpen */
function cutBodyAt(
  l: number, lab: Int32Array, pre: Int32Array, fine: Float32Array, bgc: Float32Array, cw: number,
  x0: number, y0: number, x1: number, y1: number, rOpen: number, t: number,
): void {
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const i = y * cw + x;
      if (pre[i] === l) lab[i] = fine[i] - bgc[i] >= t ? l : 0;
    }
  if (rOpen > 0) openBody(lab, l, cw, x0, y0, x1, y1, rOpen);
}

/**
 * The cut of body l measured again (`CellParams.refineCuts`): up to that many times, the level half-way between
 * the medians 0.5–2 µm inside and outside the body's edge (the image border is no edge) is taken and, while it
 * rises, the body's pixels before the first cut (`pre`, all inside the box x0…x1, y0…y1) are cut there and
 * opened by `bodyOpenUm` (largest piece). Of the first cut and these, the body whose step (vin − vout) / vin is
 * largest is kept, if it beats the first cut's by `refineGain`; otherwise the first cut is restored. A body that
 * a re-cut leaves smaller than `minAreaUm2` is dropped.
 */
function refineCut(
  l: number, lab: Int32Array, pre: Int32Array, fine: Float32Array, bgc: Float32Array, cw: number, ch: number,
  x0: number, y0: number, x1: number, y1: number, level: number, cpx: number, params: CellParams,
): void {
  const b0 = 0.5 / cpx;
  const b1 = 2 / cpx;
  const R = Math.ceil(b1) + 2;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const rOpen = params.bodyOpenUm / cpx;
  // (module functions, not closures made per call: V8 compiled such closures afresh every frame)
  const measure = (): { step: number; mid: number } | null => measureCut(l, lab, fine, bgc, cw, ch, x0, y0, x1, y1, b0, b1, R);
  const cutAt = (t: number): void => cutBodyAt(l, lab, pre, fine, bgc, cw, x0, y0, x1, y1, rOpen, t);
  const m0 = measure();
  if (!m0) return;
  const first = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) first[y * bw + x] = lab[(y + y0) * cw + x + x0] === l ? 1 : 0;
  let m = m0;
  let best = 0;
  let bestStep = m0.step;
  let bestLevel = level;
  let last = 0;
  for (let k = 1; k <= params.refineCuts && m.mid > level; k++) {
    level = m.mid;
    cutAt(level);
    last = k;
    const mk = measure();
    if (!mk) break;
    if (mk.step > bestStep) {
      best = k;
      bestStep = mk.step;
      bestLevel = level;
    }
    m = mk;
  }
  if (!last) return;
  if (!best || bestStep < m0.step + params.refineGain) {
    for (let y = 0; y < bh; y++)
      for (let x = 0; x < bw; x++) {
        const i = (y + y0) * cw + x + x0;
        if (first[y * bw + x]) lab[i] = l;
        else if (lab[i] === l) lab[i] = 0;
      }
    return;
  }
  if (best !== last) cutAt(bestLevel);
  let n = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (lab[y * cw + x] === l) n++;
  if (n * cpx * cpx < params.minAreaUm2)
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (lab[y * cw + x] === l) lab[y * cw + x] = 0;
}

/**
 * Splits body l (all inside the box x0…x1, y0…y1) at narrow necks (`CellParams.splitNeck`): its pixels are flooded
 * from the highest distance to its edge down (8-connected; ties by pixel index), each local maximum starting a
 * part. Where a pixel joins two parts (a saddle at distance s), they merge unless s < splitNeck × the smaller of
 * their two peaks (inscribed radii) and that peak is ≥ `minHalfThicknessUm` (holes in the body are filled first); every pixel goes to the part of its
 * neighbour farthest from the edge (steepest ascent). A resulting part below `minAreaUm2` joins the neighbouring part it shares most border with.
 * The parts but the largest take labels first, first + 1, …; returns their number.
 */
function splitBody(lab: Int32Array, l: number, cw: number, x0: number, y0: number, x1: number, y1: number, first: number, cpx: number, params: CellParams): number {
  if (x1 < x0 || y1 < y0) return 0;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const m = new Uint8Array(bw * bh);
  let n = 0;
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++)
      if (lab[(y + y0) * cw + x + x0] === l) {
        m[y * bw + x] = 1;
        n++;
      }
  const rMin = params.minHalfThicknessUm / cpx;
  const aMin = params.minAreaUm2 / (cpx * cpx);
  if (n < 2 * aMin) return 0;
  // holes (pixels of the box not 4-connected to its edge outside the body) are filled: a hole left by the cut in a dim
  // body is no neck; the distance is to its outer edge
  const filled = new Uint8Array(bw * bh).fill(1);
  const stack: number[] = [];
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) {
      const i = y * bw + x;
      if ((x === 0 || y === 0 || x === bw - 1 || y === bh - 1) && !m[i] && filled[i]) {
        filled[i] = 0;
        stack.push(i);
      }
    }
  while (stack.length) {
    const i = stack.pop() as number;
    const x = i % bw;
    const y = (i - x) / bw;
    for (const j of [x > 0 ? i - 1 : -1, x < bw - 1 ? i + 1 : -1, y > 0 ? i - bw : -1, y < bh - 1 ? i + bw : -1])
      if (j >= 0 && !m[j] && filled[j]) {
        filled[j] = 0;
        stack.push(j);
      }
  }
  n = 0;
  for (let i = 0; i < filled.length; i++) n += filled[i];
  const dist = distanceToOutside(filled, bw, bh);
  const order = new Int32Array(n);
  for (let i = 0, k = 0; i < filled.length; i++) if (filled[i]) order[k++] = i;
  order.sort((a, b) => dist[b] - dist[a] || a - b);
  // union-find over parts (indexed by their first pixel); peak = distance at that pixel
  const part = new Int32Array(bw * bh).fill(-1);
  const parent = new Map<number, number>();
  const find = (a: number): number => {
    let r = a;
    while (parent.get(r) !== r) r = parent.get(r) as number;
    while (a !== r) {
      const p = parent.get(a) as number;
      parent.set(a, r);
      a = p;
    }
    return r;
  };
  const roots: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const x = i % bw;
    const y = (i - x) / bw;
    roots.length = 0;
    let up = -1;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if ((!dx && !dy) || xx < 0 || yy < 0 || xx >= bw || yy >= bh) continue;
        const j = yy * bw + xx;
        if (part[j] < 0) continue;
        if (up < 0 || dist[j] > dist[up] || (dist[j] === dist[up] && j < up)) up = j;
        const r = find(part[j]);
        if (!roots.includes(r)) roots.push(r);
      }
    if (!roots.length) {
      parent.set(i, i);
      part[i] = i;
      continue;
    }
    // highest peak first (ties: lower index)
    roots.sort((a, b) => dist[b] - dist[a] || a - b);
    const s = dist[i];
    for (let q = 1; q < roots.length; q++) {
      const a = find(roots[0]);
      const b = find(roots[q]);
      if (a === b) continue;
      const lo = Math.min(dist[a], dist[b]);
      if (lo < rMin || s >= params.splitNeck * lo) {
        const [hiR, loR] = dist[a] > dist[b] || (dist[a] === dist[b] && a < b) ? [a, b] : [b, a];
        parent.set(loR, hiR);
      }
    }
    part[i] = find(part[up]);
  }
  // the parts, and small ones joined to the neighbour they share most border with
  for (;;) {
    const size = new Map<number, number>();
    for (let i = 0; i < part.length; i++) if (part[i] >= 0) {
      const r = find(part[i]);
      part[i] = r;
      size.set(r, (size.get(r) ?? 0) + 1);
    }
    if (size.size < 2) return 0;
    let small = -1;
    for (const [r, a] of size) if (a < aMin && (small < 0 || a < (size.get(small) as number) || (a === size.get(small) && r < small))) small = r;
    if (small < 0) {
      const ids = [...size.keys()].sort((a, b) => (size.get(b) as number) - (size.get(a) as number) || a - b);
      for (let i = 0; i < part.length; i++) {
        if (part[i] < 0) continue;
        const q = ids.indexOf(part[i]);
        if (q > 0 && m[i]) lab[(Math.floor(i / bw) + y0) * cw + (i % bw) + x0] = first + q - 1;
      }
      return ids.length - 1;
    }
    const shared = new Map<number, number>();
    for (let i = 0; i < part.length; i++) {
      if (part[i] !== small) continue;
      const x = i % bw;
      const y = (i - x) / bw;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= bw || yy >= bh) continue;
          const r = part[yy * bw + xx];
          if (r >= 0 && r !== small) shared.set(r, (shared.get(r) ?? 0) + 1);
        }
    }
    let to = -1;
    for (const [r, c] of shared) if (to < 0 || c > (shared.get(to) as number) || (c === shared.get(to) && r < to)) to = r;
    if (to < 0) return 0;
    parent.set(small, to);
  }
}

/**
 * Keeps the pixels of `sel` (inside the box) within `scale` times the ellipse of the same second moments
 * (a filled ellipse's edge lies at Mahalanobis distance 2): lobes of fibers and migrasomes that join a
 * body where they meet it stick out of it.
 */
function trimToEllipse(sel: Uint8Array, cw: number, bx0: number, by0: number, bw: number, bh: number, scale: number): void {
  let n = 0, mx = 0, my = 0;
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++)
      if (sel[(y + by0) * cw + x + bx0]) {
        n++;
        mx += x;
        my += y;
      }
  if (!n) return;
  mx /= n;
  my /= n;
  let sxx = 0, syy = 0, sxy = 0;
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++)
      if (sel[(y + by0) * cw + x + bx0]) {
        sxx += (x - mx) ** 2;
        syy += (y - my) ** 2;
        sxy += (x - mx) * (y - my);
      }
  sxx = sxx / n + 1 / 12;
  syy = syy / n + 1 / 12;
  sxy /= n;
  const det = sxx * syy - sxy * sxy;
  if (!(det > 0)) return;
  const lim = (2 * scale) ** 2;
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) {
      const i = (y + by0) * cw + x + bx0;
      if (!sel[i]) continue;
      const dx = x - mx;
      const dy = y - my;
      if ((syy * dx * dx - 2 * sxy * dx * dy + sxx * dy * dy) / det > lim) sel[i] = 0;
    }
}

/**
 * Inside a component that failed the edge test (a body on a background bump, with the bump around it),
 * the body at the lowest of `retryLevels` thresholds between thr and the component's peak (98th
 * percentile) that survives the opening, is large, thick and filled enough, and ends in a step (see
 * `CellParams.stepOverFall`, `minInnerStep`; the image border is no edge, so a bump cut by the border is
 * judged only on its sides inside the image). Its pixels (in `sel`, coarse grid; only inside the box are
 * set) are cut at its level, opened again and trimmed to its moment ellipse. Returns them and the cut
 * level, or null.
 */
function findInner(
  l: number, lab: Int32Array, d: Float32Array, fine: Float32Array, bgc: Float32Array, cw: number, ch: number,
  bx0: number, by0: number, bx1: number, by1: number, thr: number, cpx: number, params: CellParams,
): { sel: Uint8Array; level: number } | null {
  const bw = bx1 - bx0 + 1;
  const bh = by1 - by0 + 1;
  const vals: number[] = [];
  for (let y = by0; y <= by1; y++) for (let x = bx0; x <= bx1; x++) if (lab[y * cw + x] === l) vals.push(fine[y * cw + x] - bgc[y * cw + x]);
  const pk = quantile(vals, 0.98);
  const rOpen = params.minHalfThicknessUm / cpx;
  const b0 = 0.5 / cpx;
  const b1 = 2 / cpx;
  const f0 = 3 / cpx;
  const f1 = 5 / cpx;
  const R = Math.ceil(f1) + 2;
  const m = new Uint8Array(bw * bh);
  const sel = new Uint8Array(cw * ch);
  const K = params.retryLevels;
  for (let k = 1; k <= K; k++) {
    const t = thr + ((pk - thr) * k) / (K + 1);
    for (let y = 0; y < bh; y++)
      for (let x = 0; x < bw; x++) {
        const i = (y + by0) * cw + x + bx0;
        m[y * bw + x] = lab[i] === l && fine[i] - bgc[i] > t ? 1 : 0;
      }
    const op = openDisc(m, bw, bh, rOpen);
    const { labels: sl, count: sc } = components(op, bw, bh);
    if (!sc) break;
    const dd = distanceToOutside(op, bw, bh);
    const area = new Float64Array(sc + 1);
    const thick = new Float64Array(sc + 1);
    const filled = new Float64Array(sc + 1);
    for (let y = 0; y < bh; y++)
      for (let x = 0; x < bw; x++) {
        const s = sl[y * bw + x];
        if (!s) continue;
        const i = (y + by0) * cw + x + bx0;
        area[s]++;
        if (d[i] - bgc[i] > t) filled[s]++;
        if (dd[y * bw + x] > thick[s]) thick[s] = dd[y * bw + x];
      }
    const order: number[] = [];
    for (let s = 1; s <= sc; s++)
      if (area[s] * cpx * cpx >= params.minAreaUm2 && thick[s] * cpx >= params.minHalfThicknessUm && filled[s] / area[s] >= params.minFilled) order.push(s);
    order.sort((p, q) => area[q] - area[p]);
    for (const s of order) {
      let sx0 = bw, sy0 = bh, sx1 = -1, sy1 = -1;
      for (let y = 0; y < bh; y++)
        for (let x = 0; x < bw; x++) {
          sel[(y + by0) * cw + x + bx0] = sl[y * bw + x] === s ? 1 : 0;
          if (sl[y * bw + x] !== s) continue;
          if (x < sx0) sx0 = x;
          if (x > sx1) sx1 = x;
          if (y < sy0) sy0 = y;
          if (y > sy1) sy1 = y;
        }
      const { a, o, far } = bandLevels(lab, l, sel, fine, bgc, cw, ch, sx0 + bx0, sy0 + by0, sx1 + bx0, sy1 + by0, b0, b1, f0, f1, R, null);
      if (!a.length || !o.length || !far.length) continue;
      const vin = quantile(a, 0.5);
      const vout = quantile(o, 0.5);
      const vfar = quantile(far, 0.5);
      const ok = vin > 0 && vin - vout >= params.stepOverFall * Math.max(0, vout - vfar) && vin - vout >= params.minInnerStep * vin;
      if (!ok) continue;
      // a body cut by two image borders (in a corner) shows its edge on two sides at most: a bump or a
      // fiber bundle in the corner can pass for one, so it is not taken here
      if (params.cornerRule) {
        const X0 = sx0 + bx0, Y0 = sy0 + by0, X1 = sx1 + bx0, Y1 = sy1 + by0;
        if (Number(X0 === 0) + Number(Y0 === 0) + Number(X1 === cw - 1) + Number(Y1 === ch - 1) >= 2) continue;
      }
      // cut at the level half-way between the body and its surroundings, and open again: fibers and
      // migrasomes on the bump next to the body are bright too, but thin
      const level = 0.5 * (vin + vout);
      if (params.reopen) {
        for (let y = 0; y < bh; y++)
          for (let x = 0; x < bw; x++) {
            const i = (y + by0) * cw + x + bx0;
            m[y * bw + x] = sel[i] && fine[i] - bgc[i] >= level ? 1 : 0;
          }
        const op2 = openDisc(m, bw, bh, rOpen);
        const { labels: cl, count: cc } = components(op2, bw, bh);
        const ca = new Float64Array(cc + 1);
        for (let q = 0; q < cl.length; q++) ca[cl[q]]++;
        let best = 0;
        for (let c = 1; c <= cc; c++) if (!best || ca[c] > ca[best]) best = c;
        if (!best || ca[best] * cpx * cpx < params.minAreaUm2) continue;
        for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) sel[(y + by0) * cw + x + bx0] = cl[y * bw + x] === best ? 1 : 0;
      }
      if (params.ellipseTrim > 0) trimToEllipse(sel, cw, bx0, by0, bw, bh, params.ellipseTrim);
      return { sel, level };
    }
  }
  return null;
}

/** Detect cell bodies in an image (raw intensities); labels are at full resolution. */
/** The envelope's bilinear upsampling to the coarse image (cw × ch), plus the plane when `detrend`. */
function envelopeMap(
  g: Float32Array, gw: number, gh: number, block: number, cw: number, ch: number, detrend: boolean,
  pa: number, pbx: number, pby: number, mxc: number, myc: number,
): Float32Array {
  const bgc = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++)
    for (let x = 0; x < cw; x++) {
      const gxf = Math.min(gw - 1, Math.max(0, (x + 0.5) / block - 0.5));
      const gyf = Math.min(gh - 1, Math.max(0, (y + 0.5) / block - 0.5));
      const x0 = Math.floor(gxf);
      const y0 = Math.floor(gyf);
      const x1 = Math.min(gw - 1, x0 + 1);
      const y1 = Math.min(gh - 1, y0 + 1);
      const fx = gxf - x0;
      const fy = gyf - y0;
      bgc[y * cw + x] =
        (g[y0 * gw + x0] * (1 - fx) + g[y0 * gw + x1] * fx) * (1 - fy) + (g[y1 * gw + x0] * (1 - fx) + g[y1 * gw + x1] * fx) * fy +
        (detrend ? pa + pbx * (x + 0.5 - mxc) + pby * (y + 0.5 - myc) : 0);
    }
  return bgc;
}

/** a − b per pixel (float32) */
function differenceMap(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** 1 where a − b > thr */
function aboveMask(a: Float32Array, b: Float32Array, thr: number): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i] - b[i] > thr ? 1 : 0;
  return out;
}

/**
 * Per label: pixel count, Σx, Σy (row width cw), and with `d` the pixels where d − bgc > thr (`filled`) and the
 * largest `dist` (`thick`).
 */
function componentStats(
  lab: Int32Array, cw: number, d: Float32Array | null, bgc: Float32Array | null, thr: number, dist: Float32Array | null,
  area: Float64Array, filled: Float64Array | null, thick: Float64Array | null, sx: Float64Array, sy: Float64Array,
): void {
  for (let i = 0; i < lab.length; i++) {
    const l = lab[i];
    if (!l) continue;
    area[l]++;
    if (d && bgc && filled && d[i] - bgc[i] > thr) filled[l]++; // unsmoothed coarse pixel is bright too
    if (dist && thick && dist[i] > thick[l]) thick[l] = dist[i];
    sx[l] += i % cw;
    sy[l] += Math.floor(i / cw);
  }
}

/** Each label's bounding box (row width cw) into bx0 … by1 (initialised by the caller). */
function boundingBoxes(lab: Int32Array, cw: number, bx0: Int32Array, by0: Int32Array, bx1: Int32Array, by1: Int32Array): void {
  for (let i = 0; i < lab.length; i++) {
    const l = lab[i];
    if (!l) continue;
    const x = i % cw;
    const y = (i - x) / cw;
    if (x < bx0[l]) bx0[l] = x;
    if (x > bx1[l]) bx1[l] = x;
    if (y < by0[l]) by0[l] = y;
    if (y > by1[l]) by1[l] = y;
  }
}

/** Pixels of a label with a level > 0 whose fine − bgc is below it leave the label. */
function cutBelowLevel(lab: Int32Array, fine: Float32Array, bgc: Float32Array, level: Float64Array): void {
  for (let i = 0; i < lab.length; i++) {
    const l = lab[i];
    if (l && level[l] > 0 && fine[i] - bgc[i] < level[l]) lab[i] = 0;
  }
}

export function detectCells(img: Float32Array, w: number, h: number, pxUm: number, params: CellParams = DEFAULT_CELL_PARAMS): CellMap {
  let cw = w;
  let ch = h;
  let d = img;
  let f = 1;
  while (pxUm * f < 0.4 && cw > 16 && ch > 16) {
    const p = downsample2(d, cw, ch);
    d = p.data;
    cw = p.width;
    ch = p.height;
    f *= 2;
  }
  const cpx = pxUm * f;
  const sm = gaussianBlur(d, cw, ch, 1 / cpx);
  const block = Math.max(4, Math.round(12 / cpx));
  const bm = blockGrid(sm, cw, ch, block, blockP20);
  // a gradient across the field: least-squares plane through the block levels (at the blocks' centres; on the
  // block grid x and y are uncorrelated); the envelope below is taken about it
  let pa = 0, pbx = 0, pby = 0, mxc = 0, myc = 0;
  if (params.detrend) {
    const bxc = new Float64Array(bm.gw);
    const byc = new Float64Array(bm.gh);
    for (let x = 0; x < bm.gw; x++) bxc[x] = 0.5 * (x * block + Math.min(cw, (x + 1) * block));
    for (let y = 0; y < bm.gh; y++) byc[y] = 0.5 * (y * block + Math.min(ch, (y + 1) * block));
    for (let x = 0; x < bm.gw; x++) mxc += bxc[x] / bm.gw;
    for (let y = 0; y < bm.gh; y++) myc += byc[y] / bm.gh;
    let sxx = 0, syy = 0, sxz = 0, syz = 0;
    for (let y = 0; y < bm.gh; y++)
      for (let x = 0; x < bm.gw; x++) {
        const z = bm.grid[y * bm.gw + x];
        pa += z / bm.grid.length;
        sxx += (bxc[x] - mxc) ** 2;
        syy += (byc[y] - myc) ** 2;
        sxz += (bxc[x] - mxc) * z;
        syz += (byc[y] - myc) * z;
      }
    pbx = sxx > 0 ? sxz / sxx : 0;
    pby = syy > 0 ? syz / syy : 0;
    for (let y = 0; y < bm.gh; y++)
      for (let x = 0; x < bm.gw; x++) bm.grid[y * bm.gw + x] -= pa + pbx * (bxc[x] - mxc) + pby * (byc[y] - myc);
  }
  // lower envelope over neighbouring blocks, so that a cell filling a block is not background
  const g = new Float32Array(bm.grid.length);
  for (let y = 0; y < bm.gh; y++)
    for (let x = 0; x < bm.gw; x++) {
      let m = Infinity;
      for (let j = Math.max(0, y - 1); j <= Math.min(bm.gh - 1, y + 1); j++)
        for (let i = Math.max(0, x - 1); i <= Math.min(bm.gw - 1, x + 1); i++) m = Math.min(m, bm.grid[j * bm.gw + i]);
      g[y * bm.gw + x] = m;
    }
  // smooth the envelope: bilinear on the min grid (blockMap's upsampling)
  // (the per-pixel loops of this function, called once per frame, are functions of their own: in one large function
  // V8 ran them partly unoptimised, boxing doubles, and deoptimised it where a branch had not yet been taken)
  const bgc = envelopeMap(g, bm.gw, bm.gh, block, cw, ch, !!params.detrend, pa, pbx, pby, mxc, myc);
  const diff = differenceMap(sm, bgc);
  const hi = quantile(diff, 0.995);
  let noiseSm: number;
  if (params.noiseFrom === "spread") {
    // noise of the smoothed difference, from its lower half (mostly background, but also its unevenness)
    noiseSm = quantile(diff, 0.5) - quantile(diff, 0.16);
  } else {
    // pixel noise of the coarse copy (MAD of x − mean of 4-neighbours, σ_hp = σ·√1.25; every other row and
    // column), times the smoothing's gain
    const hp = new Float32Array(Math.max(1, (cw >> 1) * (ch >> 1)));
    let k = 0;
    for (let y = 1; y < ch - 1; y += 2)
      for (let x = 1; x < cw - 1; x += 2) {
        const i = y * cw + x;
        hp[k++] = Math.abs(d[i] - 0.25 * (d[i - 1] + d[i + 1] + d[i - cw] + d[i + cw]));
      }
    const gk = gaussianKernel(1 / cpx);
    noiseSm = ((1.4826 / Math.sqrt(1.25)) * quantile(hp.subarray(0, k), 0.5)) * kernelNoiseGain(gk, gk);
  }
  // the spread of the lower half also holds the background's unevenness (broad bumps): a softer guard against it
  const spread = params.noiseFrom === "spread" ? 0 : params.spreadZ * (quantile(diff, 0.5) - quantile(diff, 0.16));
  const thr = Math.max(params.relThreshold * hi, params.noiseZ * Math.max(noiseSm, 1e-6), spread);
  // morphological opening by a disc of radius minHalfThickness (via distance transforms) on a
  // lightly smoothed mask: cell bodies survive, clusters of migrasomes and fibers do not
  const fine = gaussianBlur(d, cw, ch, 0.4 / cpx);
  const loose = aboveMask(fine, bgc, thr);
  const rOpen = params.minHalfThicknessUm / cpx;
  const mask = openDisc(loose, cw, ch, rOpen);
  const { labels: lab, count } = components(mask, cw, ch);
  const dist = distanceToOutside(mask, cw, ch);
  let area = new Float64Array(count + 1);
  const thick = new Float64Array(count + 1);
  const filled = new Float64Array(count + 1);
  let sx = new Float64Array(count + 1);
  let sy = new Float64Array(count + 1);
  componentStats(lab, cw, d, bgc, thr, dist, area, filled, thick, sx, sy);
  let remap = new Int32Array(count + 1);
  const cells: CellBody[] = [];
  // order cells by position (top-left first) for deterministic ids
  let keep: number[] = [];
  for (let l = 1; l <= count; l++)
    if (area[l] * cpx * cpx >= params.minAreaUm2 && thick[l] * cpx >= params.minHalfThicknessUm && filled[l] / area[l] >= params.minFilled) keep.push(l);
  if (params.noiseFrom === "highpass" && keep.length) {
    // edge test: levels (0.4 µm smoothing minus the envelope) in bands 0.5–2 µm inside and outside each component
    const inner = new Map<number, number[]>();
    const outer = new Map<number, number[]>();
    const b0 = 0.5 / cpx;
    const b1 = 2 / cpx;
    // bounding boxes of the components
    const bx0 = new Int32Array(count + 1).fill(cw);
    const by0 = new Int32Array(count + 1).fill(ch);
    const bx1 = new Int32Array(count + 1).fill(-1);
    const by1 = new Int32Array(count + 1).fill(-1);
    boundingBoxes(lab, cw, bx0, by0, bx1, by1);
    const R = Math.ceil(b1) + 2;
    for (const l of keep) {
      const { a, o } = bandLevels(lab, l, null, fine, bgc, cw, ch, bx0[l], by0[l], bx1[l], by1[l], b0, b1, 0, 0, R, dist);
      inner.set(l, a);
      outer.set(l, o);
    }
    const level = new Float64Array(count + 1);
    const failed: number[] = [];
    keep = keep.filter((l) => {
      const a = inner.get(l) as number[];
      const o = outer.get(l) as number[];
      if (a.length === 0 || o.length === 0) return true;
      const vin = quantile(a, 0.5);
      const vout = quantile(o, 0.5);
      level[l] = 0.5 * (vin + vout);
      const ok = vin > 0 && vin - vout >= params.minStep * vin;
      if (!ok) failed.push(l);
      return ok;
    });
    // a body on a background bump: the component holds the bump around it, and its edge is the bump's
    // (smooth). Look for a body inside it at higher thresholds, judged by a step much larger than the
    // fall of the level just outside it (a bump's level falls as fast outside its edge as across it)
    if (params.retryLevels > 0)
      for (const l of failed) {
        const r = findInner(l, lab, d, fine, bgc, cw, ch, bx0[l], by0[l], bx1[l], by1[l], thr, cpx, params);
        if (!r) continue;
        for (let y = by0[l]; y <= by1[l]; y++)
          for (let x = bx0[l]; x <= bx1[l]; x++) {
            const i = y * cw + x;
            if (lab[i] === l && !r.sel[i]) lab[i] = 0;
          }
        level[l] = r.level;
        keep.push(l);
      }
    // the body ends half-way between its level and its surroundings' (a low threshold also takes in the background around it)
    const pre = params.refineCuts > 0 ? lab.slice() : null;
    cutBelowLevel(lab, fine, bgc, level);
    // open every body below its own scale: lobes of fibers and migrasomes above the cut come off
    if (params.bodyOpenUm > 0) for (const l of keep) openBody(lab, l, cw, bx0[l], by0[l], bx1[l], by1[l], params.bodyOpenUm / cpx);
    if (pre) for (const l of keep) refineCut(l, lab, pre, fine, bgc, cw, ch, bx0[l], by0[l], bx1[l], by1[l], level[l], cpx, params);
    // touching bodies: split at narrow necks, the parts taking new labels after the last one
    if (params.splitNeck > 0) {
      let next = count + 1;
      for (const l of keep.slice()) {
        const parts = splitBody(lab, l, cw, bx0[l], by0[l], bx1[l], by1[l], next, cpx, params);
        for (let q = 0; q < parts; q++) keep.push(next + q);
        next += parts;
      }
      if (next > count + 1) {
        area = new Float64Array(next);
        sx = new Float64Array(next);
        sy = new Float64Array(next);
        remap = new Int32Array(next);
      }
    }
    area.fill(0);
    sx.fill(0);
    sy.fill(0);
    componentStats(lab, cw, null, null, 0, null, area, null, null, sx, sy);
    keep = keep.filter((l) => area[l] > 0);
  }
  keep.sort((a, b) => sy[a] / area[a] - sy[b] / area[b] || sx[a] / area[a] - sx[b] / area[b]);
  keep.forEach((l, k) => {
    remap[l] = k + 1;
    cells.push({ id: k + 1, xUm: (sx[l] / area[l] + 0.5) * cpx, yUm: (sy[l] / area[l] + 0.5) * cpx, areaUm2: area[l] * cpx * cpx });
  });
  return { labels: upsampleLabels(lab, remap, cw, ch, w, h, f), cells };
}

/**
 * Full-resolution labels from the coarse ones (nearest coarse pixel, factor f, edges clamped, ids
 * remapped): the coarse column of every x is tabulated once, and rows that fall on the same coarse
 * row (f of them) are copies of the first.
 */
function upsampleLabels(lab: Int32Array, remap: Int32Array, cw: number, ch: number, w: number, h: number, f: number): Int32Array {
  const labels = new Int32Array(w * h);
  const col = new Int32Array(w);
  for (let x = 0; x < w; x++) col[x] = Math.min(cw - 1, Math.floor(x / f));
  let prevCy = -1;
  for (let y = 0; y < h; y++) {
    const cy = Math.min(ch - 1, Math.floor(y / f));
    const o = y * w;
    if (cy === prevCy) {
      labels.copyWithin(o, o - w, o);
      continue;
    }
    prevCy = cy;
    const base = cy * cw;
    for (let x = 0; x < w; x++) labels[o + x] = remap[lab[base + col[x]]];
  }
  return labels;
}

/** Mask of cell pixels grown by `marginUm`. */
export function cellExclusion(labels: Int32Array, w: number, h: number, pxUm: number, marginUm: number): Uint8Array {
  // scratch: the tiled distance map (filled with its "far" value by nearDistance) and the inverted labels (fully
  // written), used only during the call, in the shared stage scratch (stagescratch.ts): the ridge stage's line
  // filter then reuses those 5 bytes per pixel already touched, instead of a first frame faulting in both
  const n = w * h;
  return withStageScratch(5 * n, (buf) => exclusionWith(labels, w, h, pxUm, marginUm, new Float32Array(buf, 0, n), new Uint8Array(buf, 4 * n, n)));
}

function exclusionWith(labels: Int32Array, w: number, h: number, pxUm: number, marginUm: number, dist: Float32Array, inv: Uint8Array): Uint8Array {
  const r = marginUm / pxUm;
  // the distance to the cells: nearDistance of the inverted labels, read from the labels themselves where it can
  // be (no inverted copy; its 0 pixels are the cell pixels)
  const { d, runs } = nearCellDistance(labels, w, h, r, dist, inv);
  const m = new Uint8Array(w * h);
  if (!runs) {
    for (let i = 0; i < m.length; i++) m[i] = labels[i] || d[i] <= r ? 1 : 0;
    return m;
  }
  // outside the visited tiles there is no cell pixel and the distance is > r: m stays 0
  for (let y = 0; y < h; y++) {
    const run = runs[y >> 5];
    for (let k = 0; k < run.length; k += 2)
      for (let i = y * w + run[k], e = y * w + run[k + 1]; i < e; i++) m[i] = labels[i] || d[i] <= r ? 1 : 0;
  }
  return m;
}
