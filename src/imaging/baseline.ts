/**
 * The classical baseline: multi-scale scale-normalised Laplacian of Gaussian, 3-D non-maximum
 * suppression over (x, y, scale), size from the scale (d = 2√2·σ), and fiber rejection by the
 * Hessian eigenvalue ratio at the detected scale. Thresholds tuned on tuning scenes.
 */
import { Rng } from "../util/rng.ts";
import { downsample2, gaussianBlur } from "./filters.ts";

const gainCache = new Map<number, number>();
/** Standard deviation of the discrete LoG (σ in px) applied to unit white noise (measured once). */
function logNoiseGain(sp: number): number {
  const key = Math.round(sp * 1000);
  const c = gainCache.get(key);
  if (c) return c;
  const n = 96;
  const rng = new Rng(7);
  const a = new Float32Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  const s = gaussianBlur(a, n, n, sp);
  let ss = 0;
  let k = 0;
  for (let y = 16; y < n - 16; y++)
    for (let x = 16; x < n - 16; x++) {
      const i = y * n + x;
      const v = s[i + 1] + s[i - 1] + s[i + n] + s[i - n] - 4 * s[i];
      ss += v * v;
      k++;
    }
  const g = Math.sqrt(ss / k);
  gainCache.set(key, g);
  return g;
}

export interface LogParams {
  /** blob scales σ in µm */
  sigmasUm: number[];
  /** threshold on −∇²G in units of its own noise (white-noise response) */
  threshold: number;
  /** minimum λ_small/λ_large (both negative) — lines have ≈0, blobs ≈1 */
  minEigenRatio: number;
  minDiameterUm: number;
  maxDiameterUm: number;
  /** two detections closer than this × the sum of their radii are one (the stronger is kept) */
  overlapFrac: number;
}

export const DEFAULT_LOG_PARAMS: LogParams = {
  sigmasUm: [0.1, 0.14, 0.2, 0.28, 0.4, 0.56, 0.8, 1.1],
  threshold: 9,
  minEigenRatio: 0.5,
  minDiameterUm: 0.75,
  maxDiameterUm: 3.2,
  overlapFrac: 1,
};

export interface LogDetection {
  xUm: number;
  yUm: number;
  diameterUm: number;
  score: number;
}

export function detectLog(sub: Float32Array, noise: Float32Array, w: number, h: number, pxUm: number, p: LogParams = DEFAULT_LOG_PARAMS, exclude?: Uint8Array): LogDetection[] {
  const resp: Float32Array[] = [];
  const ratio: Float32Array[] = [];
  for (const sUm of p.sigmasUm) {
    // work at full resolution (upsampling coarse levels back) for a simple 3-D NMS
    let d = sub;
    let cw = w;
    let ch = h;
    let f = 1;
    while (sUm / pxUm / f > 3 && cw > 16) {
      const q = downsample2(d, cw, ch);
      d = q.data;
      cw = q.width;
      ch = q.height;
      f *= 2;
    }
    const sp = sUm / pxUm / f;
    const gain = logNoiseGain(sp) / f;
    const s = gaussianBlur(d, cw, ch, sp);
    const r = new Float32Array(w * h);
    const q = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const X = Math.min(cw - 2, Math.max(1, Math.floor(x / f)));
        const Y = Math.min(ch - 2, Math.max(1, Math.floor(y / f)));
        const i = Y * cw + X;
        const xx = s[i + 1] - 2 * s[i] + s[i - 1];
        const yy = s[i + cw] - 2 * s[i] + s[i - cw];
        const xy = 0.25 * (s[i + cw + 1] - s[i + cw - 1] - s[i - cw + 1] + s[i - cw - 1]);
        const m = 0.5 * (xx + yy);
        const dd = Math.sqrt(0.25 * (xx - yy) ** 2 + xy * xy);
        const l1 = m - dd;
        const l2 = m + dd;
        r[y * w + x] = -(xx + yy) / (noise[y * w + x] * gain);
        q[y * w + x] = l1 < 0 ? Math.max(0, -l2) / -l1 : 0;
      }
    resp.push(r);
    ratio.push(q);
  }
  const out: LogDetection[] = [];
  const S = p.sigmasUm.length;
  for (let k = 0; k < S; k++) {
    const r = resp[k];
    for (let y = 1; y < h - 1; y++)
      for (let x = 1; x < w - 1; x++) {
        const i = y * w + x;
        const v = r[i];
        if (v < p.threshold || (exclude && exclude[i])) continue;
        let isMax = true;
        for (let kk = Math.max(0, k - 1); kk <= Math.min(S - 1, k + 1) && isMax; kk++)
          for (let dy = -1; dy <= 1 && isMax; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              if (kk === k && dx === 0 && dy === 0) continue;
              if (resp[kk][i + dy * w + dx] > v) {
                isMax = false;
                break;
              }
            }
        if (!isMax) continue;
        if (ratio[k][i] < p.minEigenRatio) continue;
        const d = 2 * Math.SQRT2 * p.sigmasUm[k];
        if (d < p.minDiameterUm || d > p.maxDiameterUm) continue;
        out.push({ xUm: (x + 0.5) * pxUm, yUm: (y + 0.5) * pxUm, diameterUm: d, score: v });
      }
  }
  // suppress overlaps (keep the stronger)
  out.sort((a, b) => b.score - a.score);
  const kept: LogDetection[] = [];
  for (const d of out) if (!kept.some((k) => Math.hypot(k.xUm - d.xUm, k.yUm - d.yUm) < (p.overlapFrac * (k.diameterUm + d.diameterUm)) / 2)) kept.push(d);
  return kept;
}
