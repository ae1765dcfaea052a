/**
 * How good is this image for measuring? The signal-to-noise ratio as the issue and the evaluation define it (the mean
 * peak migrasome signal above the background, over the background noise √(background + read noise²)), estimated from
 * the detected migrasomes, so that a user can look up how reliable each read-out is at that SNR and pixel size
 * (`validation.ts`: the held-out evaluation table).
 */

import { quantile } from "../stats/descriptive.ts";

/** −Φ⁻¹(0.3): how far the 30th percentile of Gaussian noise lies below its mean, in noise units */
const BACKGROUND_OFFSET_Z = 0.5244;

/** a ring of the radial profile is used when it holds at least this many pixels (rings 0.5 pixel wide near the centre hold few) */
const MIN_RING_PIXELS = 8;
/** the innermost ring is a disc of this radius (pixels; ≥ 8 pixels): a small migrasome, blurred, peaks at its centre */
const CENTRE_RADIUS_PX = 1.6;

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
    for (let k = 0; k < nb; k++) if (bins[k].length >= MIN_RING_PIXELS) peak = Math.max(peak, quantile(bins[k], 0.5));
    if (peak > -Infinity) {
      sum += peak;
      n++;
    }
  }
  // the background is the blocks' 30th percentile (`subtractBackground`), 0.524 noise units below the mean of
  // background pixels: the background-subtracted image stands that much too high
  return n ? sum / n / noiseMedian - BACKGROUND_OFFSET_Z : NaN;
}
