/**
 * How good is this image for measuring? The signal-to-noise ratio as the issue and the evaluation define it (the mean
 * peak migrasome signal above the background, over the background noise √(background + read noise²)), estimated from
 * the detected migrasomes, so that a user can look up how reliable each read-out is at that SNR and pixel size
 * (`validation.ts`: the held-out evaluation table).
 */

import { hypot } from "./hypot.ts";

/** −Φ⁻¹(0.3): how far the 30th percentile of Gaussian noise lies below its mean, in noise units */
const BACKGROUND_OFFSET_Z = 0.5244;

/** a ring of the radial profile is used when it holds at least this many pixels (rings 0.5 pixel wide near the centre hold few) */
const MIN_RING_PIXELS = 8;
/** the innermost ring is a disc of this radius (pixels; ≥ 8 pixels): a small migrasome, blurred, peaks at its centre */
const CENTRE_RADIUS_PX = 1.6;

/**
 * `quantile(values, 0.5)` of stats/descriptive.ts (a sorted Float64Array copy, then a[lo] + (h − lo)·(a[hi] − a[lo]))
 * of the n values a[off … off + n) (a scratch slice, sorted in place): by insertion when none is zero or NaN (then <
 * orders them as the typed sort does, and equal values are the same bits), else by the typed sort.
 */
function ringMedian(a: Float64Array, off: number, n: number): number {
  let odd = false;
  for (let j = off; j < off + n; j++) {
    const v = a[j];
    if (!(v !== 0 && v === v)) odd = true;
  }
  if (odd) a.subarray(off, off + n).sort();
  else
    for (let j = off + 1; j < off + n; j++) {
      const x = a[j];
      let k = j - 1;
      while (k >= off && a[k] > x) {
        a[k + 1] = a[k];
        k--;
      }
      a[k + 1] = x;
    }
  const h = (n - 1) * 0.5;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return a[off + lo] + (h - lo) * (a[off + hi] - a[off + lo]);
}

/** scratch of estimateSnr: each box pixel's ring (−1: outside), the rings' counts and starts, the values by ring */
let ringOf = new Int32Array(0);
let ringCount = new Int32Array(0);
let ringStart = new Int32Array(0);
let ringVals = new Float64Array(0);

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
  for (let q = 0; q < migs.length; q++) {
    const m = migs[q];
    const rOut = (m.diameterUm / 2 + 0.3) / pxUm;
    const nb = Math.ceil(rOut / 0.5) + 1;
    const x0 = Math.max(0, Math.floor(m.x - rOut));
    const x1 = Math.min(w - 1, Math.ceil(m.x + rOut));
    const y0 = Math.max(0, Math.floor(m.y - rOut));
    const y1 = Math.min(h - 1, Math.ceil(m.y + rOut));
    const np = Math.max(0, x1 - x0 + 1) * Math.max(0, y1 - y0 + 1);
    if (ringOf.length < np) {
      ringOf = new Int32Array(2 * np);
      ringVals = new Float64Array(2 * np);
    }
    if (ringCount.length < nb + 1) {
      ringCount = new Int32Array(2 * nb + 2);
      ringStart = new Int32Array(2 * nb + 2);
    }
    // each pixel's ring (rings 0.5 pixel wide outside the centre disc), then the values grouped by ring in scan order
    ringCount.fill(0, 0, nb);
    let t = 0;
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const k = Math.floor(Math.max(0, hypot(x - m.x, y - m.y) - CENTRE_RADIUS_PX) / 0.5);
        if (k < nb) {
          ringOf[t] = k;
          ringCount[k]++;
        } else ringOf[t] = -1;
        t++;
      }
    let s0 = 0;
    for (let k = 0; k < nb; k++) {
      ringStart[k] = s0;
      s0 += ringCount[k];
    }
    t = 0;
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const k = ringOf[t++];
        if (k >= 0) ringVals[ringStart[k]++] = sub[y * w + x];
      }
    let peak = -Infinity;
    for (let k = 0; k < nb; k++) {
      const c = ringCount[k];
      if (c >= MIN_RING_PIXELS) peak = Math.max(peak, ringMedian(ringVals, ringStart[k] - c, c));
    }
    if (peak > -Infinity) {
      sum += peak;
      n++;
    }
  }
  // the background is the blocks' 30th percentile (`subtractBackground`), 0.524 noise units below the mean of
  // background pixels: the background-subtracted image stands that much too high
  return n ? sum / n / noiseMedian - BACKGROUND_OFFSET_Z : NaN;
}
