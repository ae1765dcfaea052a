/**
 * Cell bodies: large, thick bright regions. Found on a coarse (~0.4 µm) copy of the image,
 * against a background that ignores structures smaller than ~40 µm, and kept when their area
 * and thickness exceed those of any migrasome.
 */
import { blockMap, downsample2, gaussianBlur, gaussianKernel, kernelNoiseGain, quantile, selectK } from "./filters.ts";

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
}

export const DEFAULT_CELL_PARAMS: CellParams = { minAreaUm2: 100, minHalfThicknessUm: 3.5, relThreshold: 0.3, minFilled: 0.6, noiseZ: 6, noiseFrom: "highpass", minStep: 0.5, spreadZ: 2 };

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
function nearDistance(mask: Uint8Array, w: number, h: number, limit: number): { d: Float32Array; runs: Int32Array[] | null } {
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
  const d = new Float32Array(w * h).fill(1e9);
  for (let y = 0; y < h; y++) {
    const run = runs[y >> 5];
    for (let r = 0; r < run.length; r += 2) for (let i = y * w + run[r], e = y * w + run[r + 1]; i < e; i++) if (!mask[i]) d[i] = 0;
  }
  for (let y = 0; y < h; y++) {
    const run = runs[y >> 5];
    for (let r = 0; r < run.length; r += 2) forwardRun(d, w, y, run[r], run[r + 1]);
  }
  for (let y = h - 1; y >= 0; y--) {
    const run = runs[y >> 5];
    for (let r = run.length - 2; r >= 0; r -= 2) backwardRun(d, w, h, y, run[r], run[r + 1]);
  }
  return { d, runs };
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

/** Connected components (8-connected) of a mask; returns labels 1..n and the count. */
export function components(mask: Uint8Array, w: number, h: number): { labels: Int32Array; count: number } {
  const labels = new Int32Array(w * h);
  let count = 0;
  const stack: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || labels[i]) continue;
    labels[i] = ++count;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop() as number;
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
            stack.push(k);
          }
        }
    }
  }
  return { labels, count };
}

/** Detect cell bodies in an image (raw intensities); labels are at full resolution. */
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
  const bm = blockMap(sm, cw, ch, block, (buf, n) => selectK(buf, n, Math.floor(0.2 * (n - 1))));
  // lower envelope over neighbouring blocks, so that a cell filling a block is not background
  const g = new Float32Array(bm.grid.length);
  for (let y = 0; y < bm.gh; y++)
    for (let x = 0; x < bm.gw; x++) {
      let m = Infinity;
      for (let j = Math.max(0, y - 1); j <= Math.min(bm.gh - 1, y + 1); j++)
        for (let i = Math.max(0, x - 1); i <= Math.min(bm.gw - 1, x + 1); i++) m = Math.min(m, bm.grid[j * bm.gw + i]);
      g[y * bm.gw + x] = m;
    }
  // smooth the envelope by re-using blockMap's upsampling on the min grid
  const bgc = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++)
    for (let x = 0; x < cw; x++) {
      const gxf = Math.min(bm.gw - 1, Math.max(0, (x + 0.5) / block - 0.5));
      const gyf = Math.min(bm.gh - 1, Math.max(0, (y + 0.5) / block - 0.5));
      const x0 = Math.floor(gxf);
      const y0 = Math.floor(gyf);
      const x1 = Math.min(bm.gw - 1, x0 + 1);
      const y1 = Math.min(bm.gh - 1, y0 + 1);
      const fx = gxf - x0;
      const fy = gyf - y0;
      bgc[y * cw + x] =
        (g[y0 * bm.gw + x0] * (1 - fx) + g[y0 * bm.gw + x1] * fx) * (1 - fy) + (g[y1 * bm.gw + x0] * (1 - fx) + g[y1 * bm.gw + x1] * fx) * fy;
    }
  const diff = new Float32Array(cw * ch);
  for (let i = 0; i < diff.length; i++) diff[i] = sm[i] - bgc[i];
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
  const loose = new Uint8Array(cw * ch);
  for (let i = 0; i < diff.length; i++) loose[i] = fine[i] - bgc[i] > thr ? 1 : 0;
  const dl = distanceToOutside(loose, cw, ch);
  const rOpen = params.minHalfThicknessUm / cpx;
  const notCore = new Uint8Array(cw * ch);
  for (let i = 0; i < dl.length; i++) notCore[i] = dl[i] >= rOpen ? 0 : 1;
  const toCore = distanceToOutside(notCore, cw, ch);
  const mask = new Uint8Array(cw * ch);
  for (let i = 0; i < diff.length; i++) mask[i] = loose[i] && toCore[i] <= rOpen + 1 ? 1 : 0;
  const { labels: lab, count } = components(mask, cw, ch);
  const dist = distanceToOutside(mask, cw, ch);
  const area = new Float64Array(count + 1);
  const thick = new Float64Array(count + 1);
  const filled = new Float64Array(count + 1);
  const sx = new Float64Array(count + 1);
  const sy = new Float64Array(count + 1);
  for (let i = 0; i < lab.length; i++) {
    const l = lab[i];
    if (!l) continue;
    area[l]++;
    if (d[i] - bgc[i] > thr) filled[l]++; // unsmoothed coarse pixel is bright too
    if (dist[i] > thick[l]) thick[l] = dist[i];
    sx[l] += i % cw;
    sy[l] += Math.floor(i / cw);
  }
  const remap = new Int32Array(count + 1);
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
    const R = Math.ceil(b1) + 2;
    for (const l of keep) {
      // the box grown by the band; distances to the component inside it (distanceToOutside also counts the
      // box's edge as near, so only pixels nearer to the component than to the edge are used)
      const x0 = Math.max(0, bx0[l] - R);
      const y0 = Math.max(0, by0[l] - R);
      const x1 = Math.min(cw - 1, bx1[l] + R);
      const y1 = Math.min(ch - 1, by1[l] + R);
      const bw = x1 - x0 + 1;
      const bh = y1 - y0 + 1;
      const sub = new Uint8Array(bw * bh);
      for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) sub[y * bw + x] = lab[(y + y0) * cw + x + x0] === l ? 0 : 1;
      const dOut = distanceToOutside(sub, bw, bh);
      const a: number[] = [];
      const o: number[] = [];
      for (let y = 0; y < bh; y++)
        for (let x = 0; x < bw; x++) {
          const i = (y + y0) * cw + x + x0;
          if (lab[i] === l) {
            if (dist[i] >= b0 && dist[i] <= b1) a.push(fine[i] - bgc[i]);
            continue;
          }
          const dv = dOut[y * bw + x];
          const edge = Math.min(x, y, bw - 1 - x, bh - 1 - y) + 1;
          if (!lab[i] && dv >= b0 && dv <= b1 && dv < edge) o.push(fine[i] - bgc[i]);
        }
      inner.set(l, a);
      outer.set(l, o);
    }
    const level = new Float64Array(count + 1);
    keep = keep.filter((l) => {
      const a = inner.get(l) as number[];
      const o = outer.get(l) as number[];
      if (a.length === 0 || o.length === 0) return true;
      const vin = quantile(a, 0.5);
      const vout = quantile(o, 0.5);
      level[l] = 0.5 * (vin + vout);
      return vin > 0 && vin - vout >= params.minStep * vin;
    });
    // the body ends half-way between its level and its surroundings' (a low threshold also takes in the background around it)
    for (let i = 0; i < lab.length; i++) {
      const l = lab[i];
      if (l && level[l] > 0 && fine[i] - bgc[i] < level[l]) lab[i] = 0;
    }
    area.fill(0);
    sx.fill(0);
    sy.fill(0);
    for (let i = 0; i < lab.length; i++) {
      const l = lab[i];
      if (!l) continue;
      area[l]++;
      sx[l] += i % cw;
      sy[l] += Math.floor(i / cw);
    }
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
  const inv = new Uint8Array(w * h);
  for (let i = 0; i < inv.length; i++) inv[i] = labels[i] ? 0 : 1;
  const r = marginUm / pxUm;
  const { d, runs } = nearDistance(inv, w, h, r);
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
