/**
 * Migrasome detection. Candidates are maxima of a multi-scale Hessian blob response (both
 * eigenvalues negative, noise-normalised). Each candidate is then measured by its radial
 * profile of ANGULAR MEDIANS: a ring or disc is bright all around its centre, whereas a
 * fiber segment, a junction or a crossing is bright only along 2–4 narrow arms, so the
 * angular median stays at background. The outer half-maximum radius, corrected for the
 * PSF, gives the diameter, which rejects sub-resolution dots and small vesicles.
 */
import { downsample2, gaussianBlur, gaussianKernel, kernelNoiseGain, sampleBilinear, selectK } from "./filters.ts";

export interface MigrasomeParams {
  /** object radii probed by the candidate search (µm); blob scale σ = r/√2 */
  candidateRadiiUm: number[];
  /** candidate threshold on the noise-normalised blob response */
  candidateZ: number;
  /** light smoothing before profiling (µm) */
  profileSmoothUm: number;
  /** accepted significance of the angular-median profile */
  minScore: number;
  /** accepted radius range (µm) */
  minRadiusUm: number;
  maxRadiusUm: number;
  /** lower-quartile / median at the peak radius: how evenly bright the rim is */
  minUniformity: number;
  /** rim brightness / brightest fiber arm just outside: crossings are ≲ 1.5 */
  minArmContrast: number;
  /**
   * logistic acceptance on [1, ln(armContrast), min(diameterUm, 1.2), ln(score)], fitted on tuning
   * scenes (never on scored ones); accept when the probability ≥ minProbability
   */
  weights: [number, number, number, number];
  minProbability: number;
  /** radius = outer half-maximum radius − radiusBias·σ_total */
  radiusBias: number;
  /** default PSF σ (µm) when the image gives no estimate */
  defaultPsfSigmaUm: number;
}

export const DEFAULT_MIGRASOME_PARAMS: MigrasomeParams = {
  candidateRadiiUm: [0.25, 0.38, 0.55, 0.8, 1.15, 1.6, 2.2],
  candidateZ: 3,
  profileSmoothUm: 0.07,
  minScore: 3.5,
  minRadiusUm: 0.275,
  maxRadiusUm: 1.75,
  minUniformity: 0.3,
  minArmContrast: 1.0,
  weights: [-15.51, 4.452, 7.542, 2.744],
  minProbability: 0.6,
  radiusBias: 0.2,
  defaultPsfSigmaUm: 0.12,
};

export interface Migrasome {
  /** centre in pixels */
  x: number;
  y: number;
  xUm: number;
  yUm: number;
  diameterUm: number;
  /** probability that this is a migrasome (logistic model on the features below) */
  score: number;
  /** significance of the rim (rim-quantile profile peak over its noise) */
  significance: number;
  /** lower-quartile / median of the rim brightness */
  uniformity: number;
  /** peak rim brightness above background (image units) */
  peak: number;
  /** rim brightness / brightest arm outside the object */
  armContrast: number;
}

interface Candidate {
  x: number;
  y: number;
  r: number; // µm
  z: number;
}

function secondDerivativeGain(sigmaPx: number): number {
  const g = gaussianKernel(sigmaPx);
  const d2 = new Float32Array(g.length + 2);
  for (let i = 0; i < g.length; i++) {
    d2[i] += g[i];
    d2[i + 1] -= 2 * g[i];
    d2[i + 2] += g[i];
  }
  return kernelNoiseGain(d2, g);
}

/** Local maxima of the blob response (both Hessian eigenvalues negative), per scale. */
export function blobCandidates(
  sub: Float32Array,
  noise: Float32Array,
  w: number,
  h: number,
  pxUm: number,
  radiiUm: number[],
  minZ: number,
): Candidate[] {
  const out: Candidate[] = [];
  // pyramid levels: level k has 2^k times coarser pixels
  const levels: { d: Float32Array; nz: Float32Array; w: number; h: number; f: number }[] = [{ d: sub, nz: noise, w, h, f: 1 }];
  for (const rUm of radiiUm) {
    const sUm = rUm / Math.SQRT2;
    let L = 0;
    while ((sUm / pxUm) / 2 ** L > 2.5) L++;
    while (levels.length <= L) {
      const p = levels[levels.length - 1];
      const d = downsample2(p.d, p.w, p.h);
      const nz = downsample2(p.nz, p.w, p.h);
      for (let i = 0; i < nz.data.length; i++) nz.data[i] *= 0.5;
      levels.push({ d: d.data, nz: nz.data, w: d.width, h: d.height, f: p.f * 2 });
    }
    const lv = levels[L];
    const sp = Math.max(0.8, sUm / pxUm / lv.f);
    const s = gaussianBlur(lv.d, lv.w, lv.h, sp);
    const gain = secondDerivativeGain(sp);
    const W = lv.w;
    const zmap = new Float32Array(W * lv.h);
    for (let y = 1; y < lv.h - 1; y++)
      for (let x = 1; x < W - 1; x++) {
        const i = y * W + x;
        const c = s[i];
        const xx = s[i + 1] - 2 * c + s[i - 1];
        const yy = s[i + W] - 2 * c + s[i - W];
        const xy = 0.25 * (s[i + W + 1] - s[i + W - 1] - s[i - W + 1] + s[i - W - 1]);
        const l2 = 0.5 * (xx + yy) + Math.sqrt(0.25 * (xx - yy) * (xx - yy) + xy * xy);
        if (l2 < 0) zmap[i] = -l2 / (lv.nz[i] * gain);
      }
    for (let y = 1; y < lv.h - 1; y++)
      for (let x = 1; x < W - 1; x++) {
        const i = y * W + x;
        const v = zmap[i];
        if (v < minZ) continue;
        if (
          v < zmap[i - 1] || v < zmap[i + 1] || v < zmap[i - W] || v < zmap[i + W] ||
          v < zmap[i - W - 1] || v < zmap[i - W + 1] || v < zmap[i + W - 1] || v < zmap[i + W + 1]
        )
          continue;
        // sub-pixel by parabola
        const dx = 0.5 * (zmap[i - 1] - zmap[i + 1]) / (zmap[i - 1] - 2 * v + zmap[i + 1] || -1);
        const dy = 0.5 * (zmap[i - W] - zmap[i + W]) / (zmap[i - W] - 2 * v + zmap[i + W] || -1);
        const f = lv.f;
        out.push({ x: (x + Math.max(-0.5, Math.min(0.5, dx))) * f + (f - 1) / 2, y: (y + Math.max(-0.5, Math.min(0.5, dy))) * f + (f - 1) / 2, r: rUm, z: v });
      }
  }
  return out;
}

export interface Profile {
  drUm: number;
  med: Float32Array;
  q25: Float32Array;
  n: Int32Array;
}

const angBuf = new Float32Array(4096);
/** the rim statistic: a low angular quantile, so that 2–4 fiber arms (up to ~80% of a small circle) are ignored */
export const RIM_QUANTILE = 0.15;
/** standard error factor of that quantile for Gaussian noise: √(p(1−p))/φ(z_p) */
const RIM_SE = Math.sqrt(RIM_QUANTILE * (1 - RIM_QUANTILE)) / (Math.exp(-0.5 * 1.0364 ** 2) / Math.sqrt(2 * Math.PI));

/** Angular median and lower quartile at radii k·dr around (cx, cy) (pixels). */
export function radialProfile(sm: Float32Array, w: number, h: number, cx: number, cy: number, pxUm: number, drUm: number, nr: number): Profile {
  const med = new Float32Array(nr);
  const q25 = new Float32Array(nr);
  const n = new Int32Array(nr);
  for (let k = 0; k < nr; k++) {
    const rho = (k * drUm) / pxUm;
    const N = k === 0 ? 1 : Math.min(4096, Math.max(12, Math.ceil(2 * Math.PI * rho * 1.2)));
    for (let a = 0; a < N; a++) {
      const th = (2 * Math.PI * (a + 0.5)) / N;
      angBuf[a] = sampleBilinear(sm, w, h, cx + rho * Math.cos(th), cy + rho * Math.sin(th));
    }
    if (N === 1) {
      med[k] = q25[k] = angBuf[0];
    } else {
      // quickselect: the rim quantile first, then the median in the upper part
      const kq = Math.floor(RIM_QUANTILE * (N - 1));
      q25[k] = selectK(angBuf, N, kq);
      med[k] = selectK(angBuf, N, (N - 1) >> 1);
    }
    n[k] = N;
  }
  return { drUm, med, q25, n };
}

export interface ProfileFeatures {
  /** Σ max(0, rim) over radii from the first probed radius: maximal at the object's centre */
  area: number;
  peak: number;
  peakRadiusUm: number;
  halfRadiusUm: number;
  score: number;
  uniformity: number;
}

/** Peak, outer half-maximum radius and significance of an angular-median profile. */
export function profileFeatures(p: Profile, noiseSm: number, pxUm: number, minPeakRadiusUm = 0): ProfileFeatures {
  const nr = p.med.length;
  // light smoothing over radius
  const m = new Float32Array(nr);
  const q = p.q25;
  for (let k = 0; k < nr; k++) m[k] = (q[Math.max(0, k - 1)] + 2 * q[k] + q[Math.min(nr - 1, k + 1)]) / 4;
  let kp = 0;
  let best = -Infinity;
  const k0 = Math.min(nr - 3, Math.ceil(minPeakRadiusUm / p.drUm - 1e-9));
  for (let k = Math.max(0, k0); k < nr - 2; k++) {
    if (m[k] > best) {
      best = m[k];
      kp = k;
    }
  }
  let kh = nr - 1;
  let half = p.drUm * (nr - 1);
  for (let k = kp + 1; k < nr; k++)
    if (m[k] < 0.5 * best) {
      kh = k;
      const f = (m[k - 1] - 0.5 * best) / (m[k - 1] - m[k] || 1);
      half = (k - 1 + f) * p.drUm;
      break;
    }
  void kh;
  let area = 0;
  for (let k = Math.max(0, k0); k < nr; k++) if (q[k] > 0) area += q[k];
  // noise of a median of N correlated samples (sample spacing ≈ 0.8 px)
  const neff = Math.max(1, p.n[kp] / 1.5);
  const sd = (RIM_SE * noiseSm) / Math.sqrt(neff);
  const score = best / sd;
  const uniformity = best > 0 ? Math.min(1, best / Math.max(p.med[kp], 1e-9)) : 0;
  void pxUm;
  return { area, peak: best, peakRadiusUm: kp * p.drUm, halfRadiusUm: half, score, uniformity };
}

export interface DetectOptions {
  params?: Partial<MigrasomeParams>;
  psfSigmaUm?: number;
  /** pixels where no migrasome is looked for (e.g. cell bodies) */
  exclude?: Uint8Array;
  /** called for every profiled candidate (tuning and diagnostics) */
  onCandidate?: (c: { x: number; y: number; radiusUm: number; probability: number; score: number; uniformity: number; armContrast: number; accepted: boolean }) => void;
}

/** Angular median on one circle (pixels). */
function circleMedian(sm: Float32Array, w: number, h: number, cx: number, cy: number, rho: number): { med: number; n: number } {
  const N = Math.min(4096, Math.max(12, Math.ceil(2 * Math.PI * rho * 1.2)));
  for (let a = 0; a < N; a++) {
    const th = (2 * Math.PI * (a + 0.5)) / N;
    angBuf[a] = sampleBilinear(sm, w, h, cx + rho * Math.cos(th), cy + rho * Math.sin(th));
  }
  return { med: selectK(angBuf, N, Math.floor(RIM_QUANTILE * (N - 1))), n: N };
}

/** Brightest direction on a circle (90th percentile of 3-sample angular means). */
function circleMax(sm: Float32Array, w: number, h: number, cx: number, cy: number, rho: number): number {
  const N = Math.min(4096, Math.max(16, Math.ceil(2 * Math.PI * rho * 1.2)));
  for (let a = 0; a < N; a++) {
    const th = (2 * Math.PI * (a + 0.5)) / N;
    angBuf[a] = sampleBilinear(sm, w, h, cx + rho * Math.cos(th), cy + rho * Math.sin(th));
  }
  let best = -Infinity;
  for (let a = 0; a < N; a++) {
    const v = (angBuf[(a + N - 1) % N] + angBuf[a] + angBuf[(a + 1) % N]) / 3;
    if (v > best) best = v;
  }
  return best;
}

/**
 * Detect migrasomes in a background-subtracted image `sub` with a per-pixel noise map.
 * Returns accepted detections, strongest first.
 */
export function detectMigrasomes(
  sub: Float32Array,
  noise: Float32Array,
  w: number,
  h: number,
  pxUm: number,
  opts: DetectOptions = {},
): Migrasome[] {
  const P = { ...DEFAULT_MIGRASOME_PARAMS, ...opts.params };
  const psf = opts.psfSigmaUm && Number.isFinite(opts.psfSigmaUm) ? opts.psfSigmaUm : P.defaultPsfSigmaUm;
  const cands = blobCandidates(sub, noise, w, h, pxUm, P.candidateRadiiUm, P.candidateZ);
  cands.sort((a, b) => b.z - a.z || a.y - b.y || a.x - b.x);
  const spx = Math.max(0.5, P.profileSmoothUm / pxUm);
  const sm = gaussianBlur(sub, w, h, spx);
  const gk = gaussianKernel(spx);
  const smGain = kernelNoiseGain(gk, gk);
  const sigmaT = Math.sqrt(psf * psf + (spx * pxUm) ** 2);
  const dr = Math.max(0.035, 0.5 * pxUm);
  const nr = Math.ceil((P.maxRadiusUm + 0.6) / dr) + 2;
  const accepted: Migrasome[] = [];
  // spatial hash of examined positions to skip near-duplicates
  // examined positions, hashed on a 1 µm grid, to skip near-duplicate candidates
  const cell = Math.max(1, Math.round(1 / pxUm));
  const gw = Math.ceil(w / cell) + 1;
  const seen = new Map<number, { x: number; y: number; r: number }[]>();
  const nearSeen = (x: number, y: number, rpx: number) => {
    const gx = Math.floor(x / cell);
    const gy = Math.floor(y / cell);
    for (let j = gy - 1; j <= gy + 1; j++)
      for (let i = gx - 1; i <= gx + 1; i++) {
        const l = seen.get(j * gw + i);
        if (l && l.some((s) => Math.hypot(s.x - x, s.y - y) < Math.max(0.15 / pxUm, 0.35 * Math.min(s.r, rpx)))) return true;
      }
    const key = gy * gw + gx;
    const l = seen.get(key);
    if (l) l.push({ x, y, r: rpx });
    else seen.set(key, [{ x, y, r: rpx }]);
    return false;
  };
  const minRho = Math.max(0.1, 0.8 * sigmaT);
  for (const c of cands) {
    const rpx = c.r / pxUm;
    const ci = Math.min(h - 1, Math.max(0, Math.round(c.y))) * w + Math.min(w - 1, Math.max(0, Math.round(c.x)));
    if (opts.exclude && opts.exclude[ci]) continue;
    if (nearSeen(c.x, c.y, rpx)) continue;
    if (accepted.some((a) => Math.hypot(a.x - c.x, a.y - c.y) * pxUm < a.diameterUm / 2)) continue;
    const nz = noise[ci] * smGain;
    // quick test: is any circle around the candidate bright all around?
    let quick = 0;
    for (const fr of [0.4, 0.7, 1.0]) {
      const rho = Math.max(minRho, fr * c.r) / pxUm;
      const q = circleMedian(sm, w, h, c.x, c.y, rho);
      const zq = q.med / ((RIM_SE * nz) / Math.sqrt(Math.max(1, q.n / 1.5)));
      if (zq > quick) quick = zq;
    }
    if (quick < 0.5 * P.minScore) continue;
    const nrc = Math.min(nr, Math.ceil((2 * c.r + 0.6) / dr) + 2);
    let cx = c.x;
    let cy = c.y;
    let prof = radialProfile(sm, w, h, cx, cy, pxUm, dr, nrc);
    let f = profileFeatures(prof, nz, pxUm, minRho);
    if (f.score < 0.5 * P.minScore) continue;
    // profile only as far as the object reaches (saves most of the work for large scales)
    const nrh = Math.min(nrc, Math.ceil((2 * f.halfRadiusUm + 0.6) / dr) + 2);
    // refine the centre: hill-climb on the rim's angular median
    let step = Math.max(0.5, (0.3 * Math.max(f.halfRadiusUm, 0.2)) / pxUm);
    prof = radialProfile(sm, w, h, cx, cy, pxUm, dr, nrh);
    f = profileFeatures(prof, nz, pxUm, minRho);
    for (let it = 0; it < 8; it++) {
      let moved = false;
      for (const [dx, dy] of [[step, 0], [-step, 0], [0, step], [0, -step]]) {
        const p2 = radialProfile(sm, w, h, cx + dx, cy + dy, pxUm, dr, nrh);
        const f2 = profileFeatures(p2, nz, pxUm, minRho);
        if (f2.area > f.area * 1.002) {
          cx += dx;
          cy += dy;
          prof = p2;
          f = f2;
          moved = true;
          break;
        }
      }
      if (!moved) {
        step *= 0.5;
        if (step < 0.3) break;
      }
    }
    const corr = f.halfRadiusUm - P.radiusBias * sigmaT;
    const radius = corr > 0 ? corr : 0;
    const arm = circleMax(sm, w, h, cx, cy, (radius + Math.max(0.35, 3 * sigmaT)) / pxUm);
    // the max over ~N noisy directions is biased up by ≈ 2σ of a 3-sample mean
    const armContrast = f.peak / Math.max(arm - 1.3 * nz, 1e-6 * f.peak, 1e-9);
    const wt = P.weights;
    const zlog = wt[0] + wt[1] * Math.log(Math.max(armContrast, 0.05)) + wt[2] * Math.min(2 * radius, 1.2) + wt[3] * Math.log(Math.max(f.score, 1e-3));
    const prob = 1 / (1 + Math.exp(-zlog));
    const pass = prob >= P.minProbability && armContrast >= P.minArmContrast && f.score >= P.minScore && f.uniformity >= P.minUniformity && radius >= P.minRadiusUm && radius <= P.maxRadiusUm;
    opts.onCandidate?.({ x: cx, y: cy, radiusUm: radius, probability: prob, score: f.score, uniformity: f.uniformity, armContrast, accepted: pass });
    if (!pass) continue;
    // overlap suppression: keep the more significant of two overlapping objects
    const clashes = accepted.filter((a) => Math.hypot(a.x - cx, a.y - cy) * pxUm < Math.max(a.diameterUm / 2, radius) + 0.1);
    if (clashes.some((a) => a.significance >= f.score)) continue;
    for (const a of clashes) accepted.splice(accepted.indexOf(a), 1);
    accepted.push({
      x: cx,
      y: cy,
      xUm: (cx + 0.5) * pxUm,
      yUm: (cy + 0.5) * pxUm,
      diameterUm: 2 * radius,
      score: prob,
      significance: f.score,
      uniformity: f.uniformity,
      peak: f.peak,
      armContrast,
    });
  }
  accepted.sort((a, b) => b.score - a.score || a.yUm - b.yUm || a.xUm - b.xUm);
  return accepted;
}
