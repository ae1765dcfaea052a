/**
 * How good is this image for measuring? The signal-to-noise ratio as the issue and the evaluation define it (the mean
 * peak migrasome signal above the background, over the background noise √(background + read noise²)), estimated from
 * the detected migrasomes, so that a user can look up how reliable each read-out is at that SNR and pixel size
 * (`validation.ts`: the held-out evaluation table).
 */

import { insertionSortAsc } from "./filters.ts";

/** −Φ⁻¹(0.3): how far the 30th percentile of Gaussian noise lies below its mean, in noise units */
const BACKGROUND_OFFSET_Z = 0.5244;

/** a ring of the radial profile is used when it holds at least this many pixels (rings 0.5 pixel wide near the centre hold few) */
const MIN_RING_PIXELS = 8;
/** the innermost ring is a disc of this radius (pixels; ≥ 8 pixels): a small migrasome, blurred, peaks at its centre */
const CENTRE_RADIUS_PX = 1.6;

let medianBuf = new Float64Array(64);

/**
 * `quantile(values, 0.5)` of stats/descriptive.ts (a sorted Float64Array copy, then a[lo] + (h − lo)·(a[hi] − a[lo]))
 * without the typed array and its runtime sort per ring: the values sorted in a scratch row by insertion when none is
 * zero or NaN (then < orders them as the typed sort does, and equal values are the same bits), else by the typed sort.
 */
function ringMedian(values: number[]): number {
  const n = values.length;
  if (medianBuf.length < n) medianBuf = new Float64Array(2 * n);
  const a = medianBuf;
  let odd = false;
  for (let j = 0; j < n; j++) {
    const v = values[j];
    if (!(v !== 0 && v === v)) odd = true;
    a[j] = v;
  }
  if (odd) a.subarray(0, n).sort();
  else insertionSortAsc(a, n);
  const h = (n - 1) * 0.5;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return a[lo] + (h - lo) * (a[hi] - a[lo]);
}

/** one detected migrasome: centre in pixels and diameter in µm */
export interface SnrMigrasome {
  x: number;
  y: number;
  diameterUm: number;
}

/**
 * The mean, over the detected migrasomes, of each one's peak signal above the background, in units of the image's
 * background noise (`noiseMedian`, the median of the noise map). A migrasome's peak is the highest ring of its radial
 * profile (the median of the background-subtracted image `sub` over rings 0.5 pixel wide, out to its rim + 0.3 µm,
 * the innermost ring a disc of 1.6 pixels' radius, rings of at least 8 pixels): the ring at the membrane's radius, so that the estimate does not take the noisiest
 * pixel as the peak, and its median, so that the fibers crossing the ring (0.1–0.5 × its brightness on top) do not
 * count. NaN
 * without migrasomes or noise.
 */
export function estimateSnr(sub: Float32Array, w: number, h: number, pxUm: number, noiseMedian: number, migs: readonly SnrMigrasome[]): number {
  if (!(noiseMedian > 0) || migs.length === 0) return NaN;
  let sum = 0;
  let n = 0;
  const bins: number[][] = [];
  for (let q = 0; q < migs.length; q++) {
    const m = migs[q];
    const rOut = (m.diameterUm / 2 + 0.3) / pxUm;
    const nb = Math.ceil(rOut / 0.5) + 1;
    for (let k = 0; k < nb; k++) (bins[k] ??= []).length = 0;
    const x0 = Math.max(0, Math.floor(m.x - rOut));
    const x1 = Math.min(w - 1, Math.ceil(m.x + rOut));
    const y0 = Math.max(0, Math.floor(m.y - rOut));
    const y1 = Math.min(h - 1, Math.ceil(m.y + rOut));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const k = Math.floor(Math.max(0, Math.hypot(x - m.x, y - m.y) - CENTRE_RADIUS_PX) / 0.5);
        if (k < nb) bins[k].push(sub[y * w + x]);
      }
    let peak = -Infinity;
    for (let k = 0; k < nb; k++) if (bins[k].length >= MIN_RING_PIXELS) peak = Math.max(peak, ringMedian(bins[k]));
    if (peak > -Infinity) {
      sum += peak;
      n++;
    }
  }
  // the background is the blocks' 30th percentile (`subtractBackground`), 0.524 noise units below the mean of
  // background pixels: the background-subtracted image stands that much too high
  return n ? sum / n / noiseMedian - BACKGROUND_OFFSET_Z : NaN;
}
