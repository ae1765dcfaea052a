/**
 * Migrasome sites (tip, along a fiber, junction) from the fiber arms leaving each migrasome: read
 * from the image (`migrasomeArms`, the pipeline's) or from the traced graph (`migrasomeSites`, older).
 */
import { insertionSortAsc, selectK } from "./filters.ts";
import { hypot } from "./hypot.ts";
import type { FiberGraph } from "./trace.ts";

/**
 * Site of each migrasome: the number of fiber arms leaving it, counted as angular clusters of
 * traced fiber vertices in an annulus just outside the migrasome (R + 0.3 … R + 1.2 µm):
 * 0 → none, 1 → tip, 2 → along, ≥3 → junction.
 */
export function migrasomeSites(
  g: FiberGraph,
  migs: { xUm: number; yUm: number; rUm: number }[],
  vertexSpacingUm = 0.1,
): { site: "tip" | "junction" | "along" | "none"; arms: number; cellId: number | null }[] {
  const GAP = (35 * Math.PI) / 180;
  return migs.map((m) => {
    const angles: number[] = [];
    const radii: number[] = [];
    let cellId: number | null = null;
    let cellDist = Infinity;
    for (const e of g.edges)
      for (const p of e.points) {
        const d = hypot(p[0] - m.xUm, p[1] - m.yUm);
        if (d >= m.rUm + 0.6 && d <= m.rUm + 1.5) {
          angles.push(Math.atan2(p[1] - m.yUm, p[0] - m.xUm));
          radii.push(d);
        }
        if (e.cellId !== null && d < cellDist) {
          cellDist = d;
          cellId = e.cellId;
        }
      }
    let arms = 0;
    if (angles.length) {
      const order = angles.map((_, i) => i).sort((a, b) => angles[a] - angles[b]);
      const A = order.map((i) => angles[i]);
      const Rr = order.map((i) => radii[i]);
      // angular clusters (split at gaps > GAP, wrapping around); an arm runs outwards (radial span ≥ 0.5 µm)
      const clusters: { lo: number; hi: number }[] = [];
      let cur = { lo: Infinity, hi: -Infinity };
      for (let i = 0; i < A.length; i++) {
        if (i > 0 && A[i] - A[i - 1] > GAP) {
          clusters.push(cur);
          cur = { lo: Infinity, hi: -Infinity };
        }
        cur.lo = Math.min(cur.lo, Rr[i]);
        cur.hi = Math.max(cur.hi, Rr[i]);
      }
      clusters.push(cur);
      if (clusters.length > 1 && A[0] + 2 * Math.PI - A[A.length - 1] <= GAP) {
        const last = clusters.pop() as { lo: number; hi: number };
        clusters[0] = { lo: Math.min(last.lo, clusters[0].lo), hi: Math.max(last.hi, clusters[0].hi) };
      }
      void vertexSpacingUm;
      arms = clusters.filter((c) => c.hi - c.lo >= 0.5).length;
    }
    const site = arms === 0 ? "none" : arms === 1 ? "tip" : arms === 2 ? "along" : "junction";
    return { site, arms, cellId: cellDist < m.rUm + 3 ? cellId : null };
  });
}

export interface ArmParams {
  /** sampling circles from R + innerUm to R + outerUm (µm) */
  innerUm: number;
  outerUm: number;
  /** angular bins */
  bins: number;
  /** an arm = mean brightness along the direction ≥ minZ noise units above the circle's median */
  minZ: number;
  /** and present (≥ 1 noise unit) on at least this fraction of the circles (a fiber runs outwards) */
  minPresence: number;
  presenceZ: number;
  /**
   * an arm starts at the rim: its mean over the circles within innerSpanUm of the innermost one must reach
   * min(innerZ, innerRel × the arm's score) noise units (a fiber passing the migrasome further out crosses only the
   * outer circles; innerZ 0 = off). First look only (R + outerUm): the second, longer look is for dim fibers
   */
  innerZ: number;
  innerRel: number;
  innerSpanUm: number;
  /** arms closer than this (degrees) are one arm */
  minSeparationDeg: number;
  /** an arm must reach this fraction of the strongest peak's score (weak side structures are not arms: at high SNR a
   * peak of a few noise units beside an arm of 30–60 is structure, not a fiber of its own) */
  relMinZ: number;
  /** and on each circle counted as present, this fraction of its own mean amplitude (a fiber is uniform outwards, a dot is not) */
  presenceFrac: number;
  /** 4 arms forming two collinear pairs (within this many degrees of 180°) are a fiber crossing under an "along" migrasome */
  collinearDeg: number;
  /** an arm's fiber must point at the migrasome: a line fitted to its crossings of the circles passes within
   * maxOffsetUm + maxOffsetFrac × R of the centre (a fiber passing beside or under it is not its arm; 0 = off) */
  maxOffsetUm: number;
  maxOffsetFrac: number;
  /** the offset test applies only to arms at least this strong (noise units): a dim arm's line is too noisy */
  offsetMinZ: number;
  /** plus offsetNoiseUm / score (µm): a dim arm's line is less certain */
  offsetNoiseUm: number;
  /** an arm may also aim at a touching migrasome (rims closer than this, µm): a cluster's fibers aim at its
   * founding member; < 0 = off */
  clusterAimGapUm: number;
  /** samples within a neighbouring migrasome's radius + this margin (µm) are ignored (its rim is not an arm); < 0 = off */
  maskGapUm: number;
  /** a peak within this many degrees of the direction opposite an aimed arm is an arm too (0 = off) */
  oppositeDeg: number;
  /** a neighbouring migrasome within reach (its rim within R + outerUm) and within this many degrees of the direction
   * opposite an arm is where that fiber runs on (a chain of migrasomes on one fiber: the arm between them is hidden
   * under the neighbour); it adds one arm (0 = off) */
  chainDeg: number;
  /** the continuation opposite an aimed arm is searched for down to this score (noise units; it is one direction, not
   * all: fewer false alarms at the same threshold); ≥ minZ = no lower */
  oppositeMinZ: number;
  /** when no arm reaches minZ, the strongest peak down to this score is the migrasome's one arm; ≥ minZ = off */
  firstMinZ: number;
  /** and to at least this fraction of the score of the arm it continues (0 = off) */
  oppositeFrac: number;
  /** when no arm is found within outerUm, the test is repeated out to this radius beyond the rim (µm; ≤ outerUm = off) */
  fallbackOuterUm: number;
  /** and with this threshold (also the tip re-check's; the longer look's mean is less noisy, and at 3 rather than 3.5
   * units it finds more dim arms than false ones on tuning scenes with the scoring ranges) */
  fallbackMinZ: number;
  /** a tip (one arm) is looked at again out to fallbackOuterUm: when that look shows the same arm and one opposite
   * it (within oppositeDeg), the fiber runs on and the migrasome is along it */
  tipRecheck: boolean;
  /**
   * an aimed arm is a passing fiber's crossing when a straight line that misses the centre by more than the aim
   * tolerance, crosses the arm's direction within the annulus and is bright on both sides (the mean of its crossings of
   * the circles on each side, in noise units) reaches passRatio × the arm's score (0 = off). A fiber passing beside the
   * migrasome crosses each circle twice at angles that move apart from circle to circle, faster than the arm follower
   * of the aim test can track, so its fitted line can pass through the centre; the searched line follows the whole
   * fiber. A real arm crossed by such a line is bright on one side of it only. First look only (R + outerUm)
   */
  passRatio: number;
  /** the searched lines cross the arm's direction at radii passStepUm apart, at angles passStepDeg apart */
  passStepUm: number;
  passStepDeg: number;
}

export const DEFAULT_ARM_PARAMS: ArmParams = { innerUm: 0.3, outerUm: 1.6, bins: 72, minZ: 3.25, minPresence: 0.6, presenceZ: 1, innerZ: 1, innerRel: 0.3, innerSpanUm: 0.3, minSeparationDeg: 35, relMinZ: 0.15, presenceFrac: 0, collinearDeg: 0, maxOffsetUm: 0.15, maxOffsetFrac: 0.4, offsetMinZ: 0, offsetNoiseUm: 0.5, clusterAimGapUm: 0.2, maskGapUm: 0.3, oppositeDeg: 20, chainDeg: 25, oppositeMinZ: 2, firstMinZ: 3.25, oppositeFrac: 0.45, fallbackOuterUm: 4, fallbackMinZ: 3, tipRecheck: true, passRatio: 0.95, passStepUm: 0.15, passStepDeg: 7.5 };

/**
 * Fiber arms leaving each migrasome, read from the image rather than from the traced graph (dim
 * fibers traced in pieces lose arms; directional sampling does not): per direction (72 bins), the mean
 * of the smoothed, background-subtracted image over circles of radius R + 0.3 … R + 1.6 µm, against the
 * median over directions. Its noise counts the correlation between neighbouring samples that the
 * smoothing brings (without it, a third of migrasomes with no fiber grew arms from noise). Samples inside
 * a neighbouring migrasome (its radius + 0.3 µm) are left out: its rim is not an arm. An arm is a peak
 * ≥ 3.25 noise units, present on ≥ 60 % of the circles (a fiber runs outwards; the rim of a touching
 * migrasome crosses the circles at changing angles).
 * Arms are the migrasome's own fibers only: the arm is followed from circle to circle (±10° a step), a
 * line is fitted to its crossings (weights capped, one refit without outliers), and it must pass within
 * 0.15 µm + 0.4 R (+ 0.5 µm / score) of the centre (a fiber passing beside it runs as a chord and misses
 * the centre), or of a touching migrasome's centre (rims ≤ 0.2 µm apart: a cluster's fibers aim at the
 * member they grew from). Nor may a straight line that misses the centre by more than that tolerance, crossing the
 * arm's direction within the annulus, be at least as bright as the arm on both sides (a passing fiber, whose crossings
 * move too fast from circle to circle for the arm follower). A peak within 20° of the direction opposite an aimed arm is that fiber's
 * continuation and counts too when it reaches 2 noise units and 0.45 × that arm's score (one direction is searched,
 * not all, and a fiber runs on about as bright as it arrives), and so does a neighbouring migrasome within 25° of that
 * opposite direction (a chain on one fiber, whose arm between the two is hidden under the neighbour).
 * When no arm is found, the test is repeated out to R + 4 µm with a 3-unit threshold (a dim fiber shows over a
 * longer stretch), and a tip is looked at again
 * that far out: the same arm plus one opposite it there make it 'along'.
 * An arm must also reach 0.15 × the strongest peak's score (weak side structures beside a bright arm are dropped).
 * Optional, off by default: presenceFrac (arm uniform outwards), collinearDeg (two collinear pairs → along).
 * 0 arms → none, 1 → tip, 2 → along, ≥ 3 → junction. (Each migrasome's cell: `assignCells` in assign.ts.)
 */
export function migrasomeArms(
  sm: Float32Array,
  noiseSm: Float32Array,
  w: number,
  h: number,
  pxUm: number,
  migs: { xUm: number; yUm: number; rUm: number }[],
  params: ArmParams = DEFAULT_ARM_PARAMS,
  /** factor on noiseSm (e.g. the smoothing's noise gain, so that the raw noise map can be passed) */
  noiseGain = 1,
  /** σ (µm) of the Gaussian smoothing of `sm`: samples closer than a few σ are correlated, which widens the
   * noise of a direction's mean (0 = independent samples) */
  smoothSigmaUm = 0,
): { site: "tip" | "junction" | "along" | "none"; arms: number; armDirsDeg: number[] }[] {
  const B = params.bins;
  const cos = new Float64Array(B);
  const sin = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    cos[b] = Math.cos((2 * Math.PI * b) / B);
    sin[b] = Math.sin((2 * Math.PI * b) / B);
  }
  const minSepBins = Math.round((params.minSeparationDeg / 360) * B);
  // angular distance between two bins (around the circle), and whether two bins are opposite within tol bins
  const sep = (a: number, b: number) => Math.min(Math.abs(a - b), B - Math.abs(a - b));
  const opposite = (a: number, b: number, tol: number) => Math.abs(sep(a, b) - B / 2) <= tol;
  const stepUm = Math.max(0.12, 1.5 * pxUm);
  // sampling geometry for an annulus R + innerUm … R + outerUm
  const geometry = (outerUm: number) => {
    // at most 16 circles: the second, longer look samples more sparsely (neighbouring samples are correlated anyway)
    const K = Math.max(2, Math.min(Math.round((outerUm - params.innerUm) / stepUm) + 1, Math.max(16, Math.round((params.outerUm - params.innerUm) / stepUm) + 1)));
    // variance factor of the mean of K samples along a radius (spacing d) of white noise smoothed by a Gaussian of σ:
    // correlation exp(−d²/4σ²) between samples, so Var(mean) = σ²_pixel · Σᵢⱼ ρ(|i−j|d) / K²
    const dUm = (outerUm - params.innerUm) / (K - 1);
    const rho = (n: number) => (smoothSigmaUm > 0 ? Math.exp(-((n * dUm) ** 2) / (4 * smoothSigmaUm * smoothSigmaUm)) : n === 0 ? 1 : 0);
    const corrSum = (n: number) => {
      let t = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t += rho(Math.abs(i - j));
      return t;
    };
    return { K, vals: new Float32Array(K * B), minValid: Math.max(3, Math.ceil(K / 4)), corrByCount: Array.from({ length: K + 1 }, (_, n) => (n ? Math.sqrt(corrSum(n)) / n : 0)) };
  };
  const geometries = new Map<number, ReturnType<typeof geometry>>();
  // the other migrasomes within a distance of a point, in input order (a grid of NG µm cells): the neighbour tests
  // below look at every migrasome within reach, and a scan of all of them for each one was quadratic
  const NG = 4;
  const ngw = Math.ceil((w * pxUm) / NG) + 1;
  const cellsOf = new Map<number, number[]>();
  migs.forEach((o, i) => {
    const k = Math.max(0, Math.floor(o.yUm / NG)) * ngw + Math.max(0, Math.floor(o.xUm / NG));
    const l = cellsOf.get(k);
    if (l) l.push(i);
    else cellsOf.set(k, [i]);
  });
  const maxR = migs.reduce((a, o) => Math.max(a, o.rUm), 0);
  const within = (x: number, y: number, reach: number): number[] => {
    const out: number[] = [];
    const gx0 = Math.max(0, Math.floor((x - reach) / NG));
    const gx1 = Math.max(0, Math.floor((x + reach) / NG));
    const gy0 = Math.max(0, Math.floor((y - reach) / NG));
    const gy1 = Math.max(0, Math.floor((y + reach) / NG));
    for (let gy = gy0; gy <= gy1; gy++)
      for (let gx = gx0; gx <= Math.min(gx1, ngw - 1); gx++) {
        const l = cellsOf.get(gy * ngw + gx);
        if (l) for (const i of l) out.push(i);
      }
    // in input order: short lists by an insertion sort (distinct indices; no comparator calls)
    if (out.length > 32) return out.sort((a, b) => a - b);
    insertionSortAsc(out, out.length);
    return out;
  };
  const mean = new Float32Array(B);
  const cnt = new Int32Array(B);
  const tmp = new Float32Array(B);
  let maskBuf = new Float64Array(48);
  // the per-look tests of armsOf's bins, made once (no closures per call): they read the current look's state
  let aVals = new Float32Array(0);
  let aK = 0;
  let aKIn = 0;
  let aMinValid = 0;
  let aCorr: number[] = [];
  let aBase = 0;
  let aNz = 1;
  const score = (b: number) => (cnt[b] >= aMinValid ? (mean[b] - aBase) / (aNz * aCorr[cnt[b]]) : 0);
  const present = (b: number) => {
    let n = 0;
    const thr = Math.max(params.presenceZ * aNz, params.presenceFrac * (mean[b] - aBase));
    for (let k = 0; k < aK; k++) {
      const o = k * B;
      const v0 = aVals[o + b];
      if (v0 !== v0) continue; // masked
      const v1 = aVals[o + ((b + 1) % B)];
      const v2 = aVals[o + ((b + B - 1) % B)];
      const v = Math.max(v0, v1 === v1 ? v1 : v0, v2 === v2 ? v2 : v0);
      if (v - aBase >= thr) n++;
    }
    return n >= params.minPresence * cnt[b];
  };
  // the arm's mean over the inner circles (within innerSpanUm of the innermost), in noise units of that mean
  const inner = (b: number) => {
    let s = 0;
    let n = 0;
    for (let k = 0; k < aKIn; k++) {
      const v = aVals[k * B + b];
      if (v !== v) continue; // masked (a neighbour's disc)
      s += v;
      n++;
    }
    return n ? (s / n - aBase) / (aNz * aCorr[n]) : Infinity;
  };
  // peaks closer than minSeparationDeg are one arm, measured between their directions refined between bins (a
  // parabola through the mean profile): on whole 5° bins, fibers 31–32° apart (one arm by the site definition) came
  // out 35° apart and two arms
  const refined = (b: number) => {
    const l = mean[(b + B - 1) % B];
    const c = mean[b];
    const r = mean[(b + 1) % B];
    const den = l - 2 * c + r;
    return den < 0 ? b + Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / den)) : b;
  };
  const sepRefined = (a: number, b: number) => {
    const d = Math.abs(refined(a) - refined(b));
    return Math.min(d, B - d);
  };
  const armsOf = (m: { xUm: number; yUm: number; rUm: number }, outerUm: number, minZ: number, firstZ: number): { kept: number[]; arms: number } => {
    let G0 = geometries.get(outerUm);
    if (!G0) geometries.set(outerUm, (G0 = geometry(outerUm)));
    const { K, vals, minValid, corrByCount } = G0;
    const cx = m.xUm / pxUm - 0.5;
    const cy = m.yUm / pxUm - 0.5;
    const ci = Math.min(h - 1, Math.max(0, Math.round(cy))) * w + Math.min(w - 1, Math.max(0, Math.round(cx)));
    const nz = Math.max(1e-9, noiseSm[ci] * noiseGain);
    mean.fill(0);
    cnt.fill(0);
    // neighbouring migrasomes whose disc reaches the sampling annulus: their rims are not arms
    let nMask = 0;
    if (params.maskGapUm >= 0)
      for (const j of within(m.xUm, m.yUm, m.rUm + outerUm + maxR + params.maskGapUm + 1e-6)) {
        const o = migs[j];
        if (o === m) continue;
        const rr = o.rUm + params.maskGapUm;
        if (hypot(o.xUm - m.xUm, o.yUm - m.yUm) < m.rUm + outerUm + rr) {
          if (3 * nMask + 3 > maskBuf.length) {
            const grown = new Float64Array(2 * maskBuf.length);
            grown.set(maskBuf);
            maskBuf = grown;
          }
          maskBuf[3 * nMask] = o.xUm / pxUm - 0.5;
          maskBuf[3 * nMask + 1] = o.yUm / pxUm - 0.5;
          maskBuf[3 * nMask + 2] = (rr / pxUm) ** 2;
          nMask++;
        }
      }
    sampleAnnulus(sm, w, h, cx, cy, m.rUm + params.innerUm, outerUm - params.innerUm, K, pxUm, cos, sin, maskBuf, nMask, vals, mean, cnt);
    let nValid = 0;
    let plain = true; // (no zero, no NaN: then every order has the sorted order's value at each rank)
    for (let b = 0; b < B; b++)
      if (cnt[b] > 0) {
        tmp[nValid] = mean[b] /= cnt[b];
        const v = tmp[nValid++];
        if (v === 0 || v !== v) plain = false;
      }
    if (nValid && plain) selectK(tmp, nValid, nValid >> 1);
    else tmp.subarray(0, nValid).sort();
    const base = nValid ? tmp[nValid >> 1] : 0;
    for (let b = 0; b < B; b++) if (cnt[b] === 0) mean[b] = base;
    // (the inner circles: within innerSpanUm of the innermost)
    const dCircle = K > 1 ? (outerUm - params.innerUm) / (K - 1) : 1;
    const kIn = Math.max(1, Math.min(K, Math.floor(params.innerSpanUm / dCircle + 1e-9) + 1));
    aVals = vals;
    aK = K;
    aKIn = kIn;
    aMinValid = minValid;
    aCorr = corrByCount;
    aBase = base;
    aNz = nz;
    // (first look only: the second, longer look is for dim fibers, whose inner part is noisy)
    const innerTest = params.innerZ > 0 && outerUm === params.outerUm;
    const order: number[] = [];
    const weak: number[] = [];
    const lowZ = Math.min(minZ, params.oppositeMinZ, firstZ);
    for (let b = 0; b < B; b++) {
      const s0 = score(b);
      if (s0 >= lowZ && s0 >= score((b + B - 1) % B) && s0 >= score((b + 1) % B) && present(b) && !(innerTest && inner(b) < Math.min(params.innerZ, params.innerRel * s0))) (s0 >= minZ ? order : weak).push(b);
    }
    order.sort((a, b) => mean[b] - mean[a]);
    weak.sort((a, b) => mean[b] - mean[a]);
    const peaks: number[] = [];
    const minSepRefined = (params.minSeparationDeg / 360) * B;
    for (const b of order) {
      if (peaks.some((p) => sepRefined(p, b) < minSepRefined)) continue;
      peaks.push(b);
    }
    if (!peaks.length && weak.length && score(weak[0]) >= firstZ) peaks.push(weak[0]);
    const top = peaks.length ? score(peaks[0]) : 0;
    // perpendicular distance from the centre (µm) of the line through the arm's crossings of the circles
    const offset = (b: number) => armOffset(b, vals, K, B, base, nz, params.presenceZ, m.rUm + params.innerUm, outerUm - params.innerUm, nbrs);
    const nbrs: [number, number][] = [];
    if (params.clusterAimGapUm >= 0)
      for (const j of within(m.xUm, m.yUm, m.rUm + maxR + params.clusterAimGapUm + 1e-6)) {
        const o = migs[j];
        if (o === m) continue;
        const dx = o.xUm - m.xUm;
        const dy = o.yUm - m.yUm;
        if (hypot(dx, dy) <= m.rUm + o.rUm + params.clusterAimGapUm) nbrs.push([dx, dy]);
      }
    // is the arm at b a crossing of a straight fiber that misses the centre by more than tolUm? The lines searched cross
    // b's direction at radius rho (within the annulus) at an angle beta to the normal (beta = 0: tangent there); a line
    // at distance p from the centre crosses the circle of radius r at psi ± acos(p / r), psi its normal's direction
    passClear();
    const passing = (b: number, tolUm: number) =>
      passesAcross((refined(b) * 2 * Math.PI) / B, m.rUm + params.innerUm, outerUm - params.innerUm, K, params.passStepUm, params.passStepDeg, params.passRatio * score(b), tolUm, vals, B, base, nz, corrByCount);
    // (first look only, like the rim test: the second look is for dim fibers, and most of the cost would be there)
    const passTest = params.passRatio > 0 && outerUm === params.outerUm;
    const maxOff = params.maxOffsetUm > 0 ? params.maxOffsetUm + params.maxOffsetFrac * m.rUm : Infinity;
    const aimed = peaks.filter((b) => {
      const tol = maxOff + params.offsetNoiseUm / score(b);
      return score(b) < params.offsetMinZ || (offset(b) <= tol && !(passTest && passing(b, tol)));
    });
    // every migrasome found on a fiber has at least its best-aimed arm
    if (!aimed.length && peaks.length && params.maxOffsetUm > 0) aimed.push(peaks.reduce((a, b) => (offset(b) < offset(a) ? b : a)));
    // a fiber running through the migrasome leaves on the opposite side: a peak within oppositeDeg of the
    // direction opposite an aimed arm is that arm's continuation (a passing fiber's two crossings are not opposite)
    if (params.oppositeDeg > 0) {
      const tol = Math.round((params.oppositeDeg / 360) * B);
      const first = aimed.slice();
      // a fiber's continuation is about as bright as the arm it continues: its threshold grows with that arm
      const need = (a: number) => Math.max(params.oppositeMinZ, params.oppositeFrac * score(a));
      for (const b of [...peaks, ...weak]) {
        if (aimed.includes(b)) continue;
        if (score(b) < params.oppositeMinZ) continue;
        if (aimed.some((p) => sep(p, b) < minSepBins)) continue;
        if (first.some((a) => opposite(a, b, tol) && score(b) >= need(a))) aimed.push(b);
      }
    }
    const kept = aimed.filter((b) => score(b) >= params.relMinZ * top);
    let arms = kept.length;
    // a chain along a fiber: a neighbouring migrasome within reach, opposite an arm, is where the fiber runs on
    if (params.chainDeg > 0 && kept.length >= 1) {
      const tolc = Math.round((params.chainDeg / 360) * B);
      for (const j of within(m.xUm, m.yUm, m.rUm + outerUm + maxR + 1e-6)) {
        const o = migs[j];
        if (o === m) continue;
        const dx = o.xUm - m.xUm;
        const dy = o.yUm - m.yUm;
        const d = hypot(dx, dy);
        if (d - o.rUm > m.rUm + outerUm || d < 0.5 * (m.rUm + o.rUm)) continue;
        const bo = Math.round(((Math.atan2(dy, dx) / (2 * Math.PI)) * B + B) % B) % B;
        if (kept.some((a) => sep(a, bo) < minSepBins)) continue;
        if (kept.some((a) => opposite(a, bo, tolc))) {
          arms++;
          break;
        }
      }
    }
    const quad = aimed.length === 4 ? aimed : kept.length === 4 ? kept : null;
    if (quad && arms >= 3 && params.collinearDeg > 0) {
      // two collinear pairs: a fiber crossing under a migrasome on a fiber → along
      const tol = Math.round((params.collinearDeg / 360) * B);
      const opp = (a: number, b: number) => opposite(a, b, tol);
      const [a, b, c, d] = quad;
      if ((opp(a, b) && opp(c, d)) || (opp(a, c) && opp(b, d)) || (opp(a, d) && opp(b, c))) arms = 2;
    }
    return { kept, arms };
  };
  const siteOf = (m: { xUm: number; yUm: number; rUm: number }): { site: "tip" | "junction" | "along" | "none"; arms: number; armDirsDeg: number[] } => {
    let { kept, arms } = armsOf(m, params.outerUm, params.minZ, params.firstMinZ);
    // nothing within outerUm: look further out (a dim fiber shows over a longer stretch)
    const far = arms === 0 && params.fallbackOuterUm > params.outerUm;
    if (far) ({ kept, arms } = armsOf(m, params.fallbackOuterUm, params.fallbackMinZ, params.fallbackMinZ));
    // one arm (found by the short look): its continuation may show further out
    if (!far && arms === 1 && kept.length === 1 && params.tipRecheck && params.fallbackOuterUm > params.outerUm) {
      const far = armsOf(m, params.fallbackOuterUm, params.fallbackMinZ, params.fallbackMinZ);
      const tol = Math.round((params.oppositeDeg / 360) * B);
      const same = far.kept.find((b) => sep(b, kept[0]) < minSepBins);
      const opp = far.kept.find((b) => opposite(b, kept[0], tol));
      if (same !== undefined && opp !== undefined) {
        kept = [kept[0], opp];
        arms = 2;
      }
    }
    const site = arms === 0 ? "none" : arms === 1 ? "tip" : arms === 2 ? "along" : "junction";
    return { site, arms, armDirsDeg: kept.map((b) => (b * 360) / B) };
  };
  // in a spatial order (bands 64 px high, along x in each): neighbouring annuli share cached lines of `sm` (each
  // migrasome's answer depends only on the inputs, not on the order)
  const bandUm = 64 * pxUm;
  const order = Array.from(migs.keys()).sort((a, b) => Math.floor(migs[a].yUm / bandUm) - Math.floor(migs[b].yUm / bandUm) || migs[a].xUm - migs[b].xUm || a - b);
  const out: ReturnType<typeof siteOf>[] = new Array(migs.length);
  for (let j = 0; j < order.length; j++) out[order[j]] = siteOf(migs[order[j]]);
  return out;
}

/**
 * Samples one migrasome's annulus (a separate, monomorphic function for the optimiser; inside the closure every
 * sample was a heap number): K circles of radius (r0 + k·span/(K − 1)) / px around (cx, cy) (px), `cos.length`
 * directions each, bilinear on `sm` (0 outside the image). Samples inside a neighbour's disc (`masks`: nMask
 * triples x, y, r², px) are NaN and left out of the per-direction sums `mean` and counts `cnt`.
 */
function sampleAnnulus(
  sm: Float32Array,
  w: number,
  h: number,
  cx: number,
  cy: number,
  r0: number,
  span: number,
  K: number,
  pxUm: number,
  cos: Float64Array,
  sin: Float64Array,
  masks: Float64Array,
  nMask: number,
  vals: Float32Array,
  mean: Float32Array,
  cnt: Int32Array,
): void {
  const B = cos.length;
  if (maskedBins.length < K * B) maskedBins = new Uint8Array(K * B);
  if (annulusRho.length < K) annulusRho = new Float64Array(K);
  const mk = maskedBins;
  const rhoK = annulusRho;
  const step = (2 * Math.PI) / B;
  // (x lies within cx ± rho and y within cy ± rho in floating point too: |cos|, |sin| ≤ 1, rounding is monotone)
  let inside = true;
  for (let k = 0; k < K; k++) {
    const rho = (rhoK[k] = (r0 + (k * span) / (K - 1)) / pxUm);
    if (!(cx - rho >= 0 && cx + rho < w - 1 && cy - rho >= 0 && cy + rho < h - 1)) inside = false;
  }
  // the samples lost to a neighbour's disc, each tested exactly as a test of every sample would: on each circle only
  // directions within the disc's angular reach (plus a bin each side) can be inside it, none when the circle passes
  // the disc by more than a rounding margin
  let anyMask = false;
  if (nMask > 0) {
    mk.fill(0, 0, K * B);
    for (let q = 0; q < nMask; q++) {
      const qx = masks[3 * q];
      const qy = masks[3 * q + 1];
      const r2 = masks[3 * q + 2];
      const dx = qx - cx;
      const dy = qy - cy;
      const d = Math.sqrt(dx * dx + dy * dy);
      const rm = Math.sqrt(r2);
      const phi = Math.atan2(dy, dx);
      for (let k = 0; k < K; k++) {
        const rho = rhoK[k];
        const tol = 1e-6 * (1 + d + rho + rm);
        if (Math.abs(d - rho) >= rm + tol) continue; // (NaN: tested below, as every direction)
        let lo = 0;
        let hi = B - 1;
        if (d > 1e-3 && rho > 1e-3 && rho < Infinity && d < Infinity) {
          const c0 = (rho * rho + d * d - rm * rm) / (2 * rho * d);
          if (c0 > -0.999) {
            const alpha = Math.acos(Math.min(1, c0));
            const jl = Math.floor((phi - alpha) / step) - 1;
            const jh = Math.ceil((phi + alpha) / step) + 1;
            if (jh - jl + 1 < B) {
              lo = jl;
              hi = jh;
            }
          }
        }
        for (let j = lo; j <= hi; j++) {
          const b = ((j % B) + B) % B;
          if (mk[k * B + b]) continue;
          const x = cx + rho * cos[b];
          const y = cy + rho * sin[b];
          if ((x - qx) * (x - qx) + (y - qy) * (y - qy) < r2) {
            mk[k * B + b] = 1;
            anyMask = true;
          }
        }
      }
    }
  }
  // along each direction (its float32 sum in the order of the circles, as circle by circle)
  for (let b = 0; b < B; b++) {
    const cb = cos[b];
    const sb = sin[b];
    let acc = mean[b];
    let n = cnt[b];
    for (let k = 0, o = b; k < K; k++, o += B) {
      if (anyMask && mk[o] === 1) {
        vals[o] = NaN;
        continue;
      }
      const rho = rhoK[k];
      const x = cx + rho * cb;
      const y = cy + rho * sb;
      let v = 0;
      if (inside || !(x < 0 || y < 0 || x >= w - 1 || y >= h - 1)) {
        const x0 = x | 0;
        const y0 = y | 0;
        const fx = x - x0;
        const fy = y - y0;
        const i = y0 * w + x0;
        v = (sm[i] * (1 - fx) + sm[i + 1] * fx) * (1 - fy) + (sm[i + w] * (1 - fx) + sm[i + w + 1] * fx) * fy;
      }
      vals[o] = v;
      acc = Math.fround(acc + v);
      n++;
    }
    mean[b] = acc;
    cnt[b] = n;
  }
}

/** sampleAnnulus' radii (px) of its circles (scratch) */
let annulusRho = new Float64Array(0);
/** sampleAnnulus' marks of the samples inside a neighbour's disc, K × B (scratch) */
let maskedBins = new Uint8Array(0);

/** the value at `bestIndex`'s answer (−∞ when no sample there is a number) */
let bestValue = -Infinity;

/** the brightest bin within ±win of bin c on circle k (the first of equals; c when none is a number), its value in `bestValue` */
function bestIndex(vals: Float32Array, k: number, B: number, c: number, win: number): number {
  let bb = c;
  let vb = -Infinity;
  for (let j = -win; j <= win; j++) {
    const q = (c + j + B) % B;
    const v = vals[k * B + q];
    if (v > vb) {
      vb = v;
      bb = q;
    }
  }
  bestValue = vb;
  return bb;
}

/**
 * Weighted total-least-squares line through the points [x, y, weight]: all of them (`by` null), or those within 0.25 µm
 * of line `by`.
 */
function fitLine(P: [number, number, number][], by: { mx: number; my: number; sn: number; cs: number } | null): { mx: number; my: number; sn: number; cs: number } {
  let sw = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < P.length; i++) {
    const p = P[i];
    if (by && !(Math.abs(by.sn * (p[0] - by.mx) + by.cs * (p[1] - by.my)) <= 0.25)) continue;
    const wk = p[2];
    sw += wk; sx += wk * p[0]; sy += wk * p[1]; sxx += wk * p[0] * p[0]; syy += wk * p[1] * p[1]; sxy += wk * p[0] * p[1];
  }
  const mx = sx / sw, my = sy / sw;
  const th = 0.5 * Math.atan2(2 * (sxy / sw - mx * my), sxx / sw - mx * mx - (syy / sw - my * my)); // major axis
  return { mx, my, sn: -Math.sin(th), cs: Math.cos(th) };
}

/** `armOffset`'s crossing (bin bb, value vb) of circle k added to P when it stands presenceZ above the base */
function addArmPoint(P: [number, number, number][], vals: Float32Array, K: number, B: number, base: number, nz: number, presenceZ: number, rIn: number, span: number, k: number, bb: number, vb: number): boolean {
  const z = (vb - base) / nz;
  if (!(z >= presenceZ)) return false;
  const rho = rIn + (k * span) / (K - 1);
  const vl = vals[k * B + ((bb + B - 1) % B)];
  const vr = vals[k * B + ((bb + 1) % B)];
  let frac = 0;
  if (vl === vl && vr === vr) {
    const den = vl - 2 * vb + vr;
    if (den < 0) frac = Math.max(-0.5, Math.min(0.5, (0.5 * (vl - vr)) / den));
  }
  const ang = ((bb + frac) * 2 * Math.PI) / B;
  // weights capped: one bright spot (a crossing fiber, a dot) must not steer the line
  P.push([rho * Math.cos(ang), rho * Math.sin(ang), Math.min(z, 3)]);
  return true;
}

/**
 * Perpendicular distance from the centre (µm) of the line through the arm's crossings of the circles (of `migrasomeArms`;
 * a function of its own: the nested closures made per call cost more than the work): the arm's crossing of each
 * circle, followed from circle to circle (±2 bins per step, so that a neighbouring fiber does not capture it), refined
 * to sub-bin by a parabola; the least of that and the distances of the line from the neighbours `nbrs` (centre offsets, µm).
 * Circle k has radius rIn + k·span/(K − 1) µm.
 */
function armOffset(b: number, vals: Float32Array, K: number, B: number, base: number, nz: number, presenceZ: number, rIn: number, span: number, nbrs: [number, number][]): number {
  const P: [number, number, number][] = [];
  let k0 = 0;
  let s0b = b;
  let s0v = -Infinity;
  for (let k = 0; k < K; k++) {
    const bb = bestIndex(vals, k, B, b, 1);
    if (bestValue > s0v) {
      s0b = bb;
      s0v = bestValue;
      k0 = k;
    }
  }
  if (!(s0v > -Infinity)) return Infinity;
  addArmPoint(P, vals, K, B, base, nz, presenceZ, rIn, span, k0, s0b, s0v);
  for (let dir = 1; dir >= -1; dir -= 2) {
    let c = s0b;
    for (let k = k0 + dir; k >= 0 && k < K; k += dir) {
      const bb = bestIndex(vals, k, B, c, 2);
      const vb = bestValue;
      if (!(vb > -Infinity)) continue;
      if (addArmPoint(P, vals, K, B, base, nz, presenceZ, rIn, span, k, bb, vb)) c = bb;
    }
  }
  if (P.length < 3) return Infinity;
  // weighted total-least-squares line, refitted once without points more than 0.25 µm off it
  let L = fitLine(P, null);
  let near = 0;
  for (let i = 0; i < P.length; i++) if (Math.abs(L.sn * (P[i][0] - L.mx) + L.cs * (P[i][1] - L.my)) <= 0.25) near++;
  if (near >= 3) L = fitLine(P, L);
  let off = Math.abs(L.sn * L.mx + L.cs * L.my);
  for (let i = 0; i < nbrs.length; i++) off = Math.min(off, Math.abs(L.sn * (L.mx - nbrs[i][0]) + L.cs * (L.my - nbrs[i][1])));
  return off;
}

/**
 * `migrasomeArms`' passing test (functions of their own: in the per-migrasome closure every side mean's arguments were
 * boxed doubles): is there a straight line missing the centre by more than tolUm that crosses the arm's direction th
 * (radians) within the annulus (circles of radius r0 + k·span/(K − 1) µm, bins of `vals`) at an angle beta to the normal
 * (beta = 0: tangent there), with both of its sides' means at least `need` (noise units)? A line at distance p from the
 * centre crosses the circle of radius r at its normal's direction psi ± acos(p / r).
 */
function passesAcross(th: number, r0: number, span: number, K: number, passStepUm: number, passStepDeg: number, need: number, tolUm: number, vals: Float32Array, B: number, base: number, nz: number, corrByCount: number[]): boolean {
  const dr = span / (K - 1);
  const nRho = Math.max(1, Math.round(span / passStepUm));
  const nBeta = Math.floor(90 / passStepDeg - 1e-9);
  const binsPerRad = B / (2 * Math.PI);
  // each line's p and crossing angles computed once per look (they do not depend on the arm tested): passState 0 =
  // not yet, 1 = p, 2 = p and the angles (passClear starts a look)
  const nPairs = nRho * (nBeta + 1);
  if (passState.length < nPairs) {
    passState = new Uint8Array(nPairs);
    passP = new Float64Array(nPairs);
  }
  if (passAcos.length < nPairs * K) passAcos = new Float64Array(nPairs * K);
  const state = passState;
  const acosT = passAcos;
  for (let ir = 0; ir < nRho; ir++) {
    for (let ib = 0; ib <= nBeta; ib++) {
      const beta = (ib * passStepDeg * Math.PI) / 180;
      const idx = ir * (nBeta + 1) + ib;
      // a line at distance p from the centre crosses the circle of radius r at its normal's direction ± acos(p / r)
      let p: number;
      if (state[idx] === 0) {
        const rho = r0 + ((ir + 0.5) / nRho) * span;
        p = rho * Math.cos(beta);
        passP[idx] = p;
        state[idx] = 1;
      } else p = passP[idx];
      if (p <= tolUm) continue;
      const k0 = Math.max(0, Math.floor((p - r0) / dr) + 1);
      const tab = idx * K;
      if (state[idx] === 1) {
        for (let k = k0; k < K; k++) acosT[tab + k] = Math.acos(Math.min(1, p / (r0 + k * dr)));
        state[idx] = 2;
      }
      // the lines at ±beta (one at beta = 0)
      if (sideMean(th - beta, k0, 1, K, acosT, tab, binsPerRad, vals, B, base, nz, corrByCount) >= need && sideMean(th - beta, k0, -1, K, acosT, tab, binsPerRad, vals, B, base, nz, corrByCount) >= need) return true;
      if (ib && sideMean(th + beta, k0, 1, K, acosT, tab, binsPerRad, vals, B, base, nz, corrByCount) >= need && sideMean(th + beta, k0, -1, K, acosT, tab, binsPerRad, vals, B, base, nz, corrByCount) >= need) return true;
    }
  }
  return false;
}

/** passesAcross' per-look cache (see there): state and p per searched line, the crossing angles K per line */
let passState = new Uint8Array(0);
let passP = new Float64Array(0);
let passAcos = new Float64Array(0);
/** starts a look for passesAcross (its lines depend on the look's radii) */
function passClear(): void {
  passState.fill(0);
}

/**
 * The mean of the image along one side (sign ±1) of a line whose normal points at psi, in noise units: on each circle
 * from k0 on (those it crosses), at psi + sign · acosBuf[tab + k], linear between bins; masked samples left out.
 */
function sideMean(psi: number, k0: number, sign: number, K: number, acosBuf: Float64Array, tab: number, binsPerRad: number, vals: Float32Array, B: number, base: number, nz: number, corrByCount: number[]): number {
  let s = 0;
  let n = 0;
  for (let k = k0; k < K; k++) {
    const f = (psi + sign * acosBuf[tab + k]) * binsPerRad + 2 * B; // > 0
    let i0 = f | 0;
    const u = f - i0;
    i0 %= B;
    const v = vals[k * B + i0] * (1 - u) + vals[k * B + (i0 + 1 === B ? 0 : i0 + 1)] * u;
    if (v === v) {
      s += v;
      n++;
    }
  }
  return n >= 2 ? (s / n - base) / (nz * corrByCount[n]) : -Infinity;
}
