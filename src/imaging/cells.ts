/**
 * Cell bodies: large, thick bright regions. Found on a coarse (~0.4 µm) copy of the image,
 * against a background that ignores structures smaller than ~40 µm, and kept when their area
 * and thickness exceed those of any migrasome.
 */
import { blockMap, downsample2, gaussianBlur, quantile, selectK } from "./filters.ts";

export interface CellParams {
  minAreaUm2: number;
  /** a cell is at least this thick (µm, radius of the largest inscribed disc) */
  minHalfThicknessUm: number;
  /** threshold as a fraction of the bright-structure level (99.5th percentile) */
  relThreshold: number;
  /** a cell body is filled: this fraction of its (unsmoothed) pixels is above threshold; clusters of migrasomes and fibers are not */
  minFilled: number;
}

export const DEFAULT_CELL_PARAMS: CellParams = { minAreaUm2: 100, minHalfThicknessUm: 3.5, relThreshold: 0.3, minFilled: 0.6 };

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
  // noise of the smoothed difference, from its lower half (mostly background)
  const lowHalf = quantile(diff, 0.5) - quantile(diff, 0.16);
  const thr = Math.max(params.relThreshold * hi, 6 * Math.max(lowHalf, 1e-6));
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
  const keep: number[] = [];
  for (let l = 1; l <= count; l++)
    if (area[l] * cpx * cpx >= params.minAreaUm2 && thick[l] * cpx >= params.minHalfThicknessUm && filled[l] / area[l] >= params.minFilled) keep.push(l);
  keep.sort((a, b) => sy[a] / area[a] - sy[b] / area[b] || sx[a] / area[a] - sx[b] / area[b]);
  keep.forEach((l, k) => {
    remap[l] = k + 1;
    cells.push({ id: k + 1, xUm: (sx[l] / area[l] + 0.5) * cpx, yUm: (sy[l] / area[l] + 0.5) * cpx, areaUm2: area[l] * cpx * cpx });
  });
  const labels = new Int32Array(w * h);
  for (let y = 0; y < h; y++) {
    const cy = Math.min(ch - 1, Math.floor(y / f));
    for (let x = 0; x < w; x++) labels[y * w + x] = remap[lab[cy * cw + Math.min(cw - 1, Math.floor(x / f))]];
  }
  return { labels, cells };
}

/** Mask of cell pixels grown by `marginUm`. */
export function cellExclusion(labels: Int32Array, w: number, h: number, pxUm: number, marginUm: number): Uint8Array {
  const inv = new Uint8Array(w * h);
  for (let i = 0; i < inv.length; i++) inv[i] = labels[i] ? 0 : 1;
  const d = distanceToOutside(inv, w, h);
  const m = new Uint8Array(w * h);
  const r = marginUm / pxUm;
  for (let i = 0; i < m.length; i++) m[i] = labels[i] || d[i] <= r ? 1 : 0;
  return m;
}
