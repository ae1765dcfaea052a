/**
 * Migrasome sites (tip, along a fiber, junction) from the fiber arms leaving each migrasome: read
 * from the image (`migrasomeArms`, the pipeline's) or from the traced graph (`migrasomeSites`, older).
 */
import { circularParabolaPeak, insertionSortAsc, selectK } from "./filters.ts";
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
  migs: Circle[],
  params: ArmParams = DEFAULT_ARM_PARAMS,
  /** factor on noiseSm (e.g. the smoothing's noise gain, so that the raw noise map can be passed) */
  noiseGain = 1,
  /** σ (µm) of the Gaussian smoothing of `sm`: samples closer than a few σ are correlated, which widens the
   * noise of a direction's mean (0 = independent samples) */
  smoothSigmaUm = 0,
): ArmSite[] {
  const reader = new ArmReader(sm, noiseSm, w, h, pxUm, migs, params, noiseGain, smoothSigmaUm);
  // in a spatial order (bands 64 px high, along x in each): neighbouring annuli share cached lines of `sm` (each
  // migrasome's answer depends only on the inputs, not on the order)
  const order = spatialOrder(migs, 64 * pxUm);
  const out: ArmSite[] = new Array(migs.length);
  for (let j = 0; j < order.length; j++) out[order[j]] = reader.siteOf(migs[order[j]]);
  return out;
}

type Circle = { xUm: number; yUm: number; rUm: number };
type ArmSite = { site: "tip" | "junction" | "along" | "none"; arms: number; armDirsDeg: number[] };

/** angular distance between two of B bins (around the circle) */
function binSep(a: number, b: number, B: number): number {
  return Math.min(Math.abs(a - b), B - Math.abs(a - b));
}

/** whether two of B bins are opposite within tol bins */
function binsOpposite(a: number, b: number, tol: number, B: number): boolean {
  return Math.abs(binSep(a, b, B) - B / 2) <= tol;
}

/** the migrasomes `bySpatial` orders, and its band height (µm) */
let spatialMigs: Circle[] = [];
let spatialBandUm = 1;
/** bands of spatialBandUm in y, along x in each, then input order (a module function: a comparator made per call was
 * compiled afresh every frame) */
function bySpatial(a: number, b: number): number {
  const migs = spatialMigs;
  return Math.floor(migs[a].yUm / spatialBandUm) - Math.floor(migs[b].yUm / spatialBandUm) || migs[a].xUm - migs[b].xUm || a - b;
}
/** the indices of migs in bands bandUm high, along x in each */
function spatialOrder(migs: Circle[], bandUm: number): number[] {
  spatialMigs = migs;
  spatialBandUm = bandUm;
  const order = Array.from(migs.keys()).sort(bySpatial);
  spatialMigs = [];
  return order;
}

/**
 * Sorts the directions in `list` by `mean`, brighter first, equals in their order (a stable insertion sort: the lists
 * are short, and Array.prototype.sort copied each one; the same order, as the means are numbers)
 */
function sortByMeanDesc(list: number[], mean: Float32Array): void {
  for (let j = 1; j < list.length; j++) {
    const x = list[j];
    const mx = mean[x];
    let k = j - 1;
    while (k >= 0 && mean[list[k]] < mx) {
      list[k + 1] = list[k];
      k--;
    }
    list[k + 1] = x;
  }
}

/** one look's sampling geometry (annulus R + innerUm … R + outerUm) */
interface LookGeometry {
  /** circles */
  K: number;
  /** the samples, K × bins */
  vals: Float32Array;
  /** a direction counts with at least this many unmasked samples */
  minValid: number;
  /** noise factor of the mean of n samples along a radius, by n */
  corrByCount: number[];
}

/** the sampling geometry of a look out to R + outerUm (for `ArmReader`) */
function lookGeometry(params: ArmParams, outerUm: number, stepUm: number, smoothSigmaUm: number): LookGeometry {
  // at most 16 circles: the second, longer look samples more sparsely (neighbouring samples are correlated anyway)
  const K = Math.max(2, Math.min(Math.round((outerUm - params.innerUm) / stepUm) + 1, Math.max(16, Math.round((params.outerUm - params.innerUm) / stepUm) + 1)));
  // variance factor of the mean of K samples along a radius (spacing d) of white noise smoothed by a Gaussian of σ:
  // correlation exp(−d²/4σ²) between samples, so Var(mean) = σ²_pixel · Σᵢⱼ ρ(|i−j|d) / K²
  const dUm = (outerUm - params.innerUm) / (K - 1);
  const corrByCount: number[] = [0];
  for (let n = 1; n <= K; n++) {
    let t = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t += sampleCorr(Math.abs(i - j), dUm, smoothSigmaUm);
    corrByCount.push(Math.sqrt(t) / n);
  }
  return { K, vals: new Float32Array(K * params.bins), minValid: Math.max(3, Math.ceil(K / 4)), corrByCount };
}

/** correlation of Gaussian-smoothed (σ sigmaUm) white noise between samples n steps of dUm apart */
function sampleCorr(n: number, dUm: number, sigmaUm: number): number {
  return sigmaUm > 0 ? Math.exp(-((n * dUm) ** 2) / (4 * sigmaUm * sigmaUm)) : n === 0 ? 1 : 0;
}

/** cell size of ArmReader's migrasome grid, µm */
const NG = 4;

/**
 * The state of one `migrasomeArms` call and its tests as methods (on the prototype, not closures made per call: V8
 * kept the optimised code of such closures only while they lived, so every frame compiled them afresh, and ran them
 * unoptimised meanwhile). One look (an annulus sampled around one migrasome, `armsOf`) at a time: its state is in
 * the fields below `look`.
 */
class ArmReader {
  readonly B: number;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  readonly minSepBins: number;
  readonly stepUm: number;
  readonly geometries = new Map<number, LookGeometry>();
  // the other migrasomes within a distance of a point, in input order (a grid of NG µm cells): the neighbour tests
  // look at every migrasome within reach, and a scan of all of them for each one was quadratic
  readonly ngw: number;
  readonly cellsOf = new Map<number, number[]>();
  readonly maxR: number;
  /** `within`'s answer (its first nNear entries) */
  near = new Int32Array(64);
  /** per direction: the mean over the look's circles (then as compared with `base`), and its sample count */
  readonly mean: Float32Array;
  readonly cnt: Int32Array;
  /** the valid means, for their median */
  readonly tmp: Float32Array;
  /** neighbours' discs to leave out of the samples (triples x, y, r², px) */
  maskBuf = new Float64Array(48);
  /** neighbours an arm may aim at (centre offsets dx, dy, µm; nNbrs pairs) */
  nbrs = new Float64Array(16);
  nNbrs = 0;
  // the look's candidate directions: peaks ≥ minZ (by brightness), weaker ones, arms (peaks ≥ minSeparationDeg apart),
  // and the aimed arms
  readonly order: number[] = [];
  readonly weak: number[] = [];
  readonly peaks: number[] = [];
  readonly aimed: number[] = [];
  /** the arms `armsOf` kept (a new array each look: the caller keeps it) */
  kept: number[] = [];
  // the look: its samples, circles (of radius rIn + k·span/(K − 1) µm; the inner test's first kIn), the least count of
  // a direction's samples, noise factors by count, the median over directions, and the noise unit
  vals: Float32Array = new Float32Array(0);
  K = 0;
  kIn = 0;
  rIn = 0;
  span = 0;
  minValid = 0;
  corr: number[] = [];
  base = 0;
  nz = 1;

  constructor(
    readonly sm: Float32Array,
    readonly noiseSm: Float32Array,
    readonly w: number,
    readonly h: number,
    readonly pxUm: number,
    readonly migs: Circle[],
    readonly P: ArmParams,
    readonly noiseGain: number,
    readonly smoothSigmaUm: number,
  ) {
    const B = (this.B = P.bins);
    this.cos = new Float64Array(B);
    this.sin = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      this.cos[b] = Math.cos((2 * Math.PI * b) / B);
      this.sin[b] = Math.sin((2 * Math.PI * b) / B);
    }
    this.minSepBins = Math.round((P.minSeparationDeg / 360) * B);
    this.stepUm = Math.max(0.12, 1.5 * pxUm);
    this.ngw = Math.ceil((w * pxUm) / NG) + 1;
    let maxR = 0;
    for (let i = 0; i < migs.length; i++) {
      const o = migs[i];
      const k = Math.max(0, Math.floor(o.yUm / NG)) * this.ngw + Math.max(0, Math.floor(o.xUm / NG));
      const l = this.cellsOf.get(k);
      if (l) l.push(i);
      else this.cellsOf.set(k, [i]);
      maxR = Math.max(maxR, o.rUm);
    }
    this.maxR = maxR;
    this.mean = new Float32Array(B);
    this.cnt = new Int32Array(B);
    this.tmp = new Float32Array(B);
  }

  /** the migrasomes in the grid cells within reach of (x, y) (µm), in input order, into `near`; their count */
  within(x: number, y: number, reach: number): number {
    let n = 0;
    const gx0 = Math.max(0, Math.floor((x - reach) / NG));
    const gx1 = Math.max(0, Math.floor((x + reach) / NG));
    const gy0 = Math.max(0, Math.floor((y - reach) / NG));
    const gy1 = Math.max(0, Math.floor((y + reach) / NG));
    for (let gy = gy0; gy <= gy1; gy++)
      for (let gx = gx0; gx <= Math.min(gx1, this.ngw - 1); gx++) {
        const l = this.cellsOf.get(gy * this.ngw + gx);
        if (!l) continue;
        if (n + l.length > this.near.length) {
          const grown = new Int32Array(2 * (n + l.length));
          grown.set(this.near);
          this.near = grown;
        }
        for (let t = 0; t < l.length; t++) this.near[n++] = l[t];
      }
    // in input order (distinct indices: any sort gives the one order); short lists by an insertion sort
    if (n > 32) this.near.subarray(0, n).sort();
    else insertionSortAsc(this.near, n);
    return n;
  }

  /** the arm site of migrasome m: the short look, the longer one when it finds nothing, the tip re-check */
  siteOf(m: Circle): ArmSite {
    const P = this.P;
    let arms = this.armsOf(m, P.outerUm, P.minZ, P.firstMinZ);
    let kept = this.kept;
    // nothing within outerUm: look further out (a dim fiber shows over a longer stretch)
    const far = arms === 0 && P.fallbackOuterUm > P.outerUm;
    if (far) {
      arms = this.armsOf(m, P.fallbackOuterUm, P.fallbackMinZ, P.fallbackMinZ);
      kept = this.kept;
    }
    // one arm (found by the short look): its continuation may show further out
    if (!far && arms === 1 && kept.length === 1 && P.tipRecheck && P.fallbackOuterUm > P.outerUm) {
      this.armsOf(m, P.fallbackOuterUm, P.fallbackMinZ, P.fallbackMinZ);
      const farKept = this.kept;
      const tol = Math.round((P.oppositeDeg / 360) * this.B);
      let same = false;
      let opp = -1;
      for (let i = 0; i < farKept.length && !same; i++) same = binSep(farKept[i], kept[0], this.B) < this.minSepBins;
      for (let i = 0; i < farKept.length && opp < 0; i++) if (binsOpposite(farKept[i], kept[0], tol, this.B)) opp = farKept[i];
      if (same && opp >= 0) {
        kept = [kept[0], opp];
        arms = 2;
      }
    }
    const site = arms === 0 ? "none" : arms === 1 ? "tip" : arms === 2 ? "along" : "junction";
    const armDirsDeg: number[] = [];
    for (let i = 0; i < kept.length; i++) armDirsDeg.push((kept[i] * 360) / this.B);
    return { site, arms, armDirsDeg };
  }

  /**
   * One look at migrasome m out to R + outerUm: its arms (in `kept`, new) and their count (with a chain neighbour's).
   * Arms reach minZ (or, when none does, the strongest peak reaches firstZ).
   */
  armsOf(m: Circle, outerUm: number, minZ: number, firstZ: number): number {
    const P = this.P;
    const B = this.B;
    let G = this.geometries.get(outerUm);
    if (!G) this.geometries.set(outerUm, (G = lookGeometry(P, outerUm, this.stepUm, this.smoothSigmaUm)));
    const K = G.K;
    const vals = G.vals;
    const pxUm = this.pxUm;
    const cx = m.xUm / pxUm - 0.5;
    const cy = m.yUm / pxUm - 0.5;
    const ci = Math.min(this.h - 1, Math.max(0, Math.round(cy))) * this.w + Math.min(this.w - 1, Math.max(0, Math.round(cx)));
    this.mean.fill(0);
    this.cnt.fill(0);
    const nMask = P.maskGapUm >= 0 ? this.maskNeighbours(m, outerUm) : 0;
    sampleAnnulus(this.sm, this.w, this.h, cx, cy, m.rUm + P.innerUm, outerUm - P.innerUm, K, pxUm, this.cos, this.sin, this.maskBuf, nMask, vals, this.mean, this.cnt);
    // (the inner circles: within innerSpanUm of the innermost)
    const dCircle = K > 1 ? (outerUm - P.innerUm) / (K - 1) : 1;
    this.vals = vals;
    this.K = K;
    this.kIn = Math.max(1, Math.min(K, Math.floor(P.innerSpanUm / dCircle + 1e-9) + 1));
    this.rIn = m.rUm + P.innerUm;
    this.span = outerUm - P.innerUm;
    this.minValid = G.minValid;
    this.corr = G.corrByCount;
    this.base = this.directionMeans();
    this.nz = Math.max(1e-9, this.noiseSm[ci] * this.noiseGain);
    // (first look only: the second, longer look is for dim fibers, whose inner part is noisy)
    this.findPeaks(minZ, firstZ, P.innerZ > 0 && outerUm === P.outerUm);
    this.aimNeighbours(m);
    // (first look only, like the rim test: the second look is for dim fibers, and most of the cost would be there)
    this.aimArms(m, P.passRatio > 0 && outerUm === P.outerUm);
    const peaks = this.peaks;
    const aimed = this.aimed;
    const top = peaks.length ? this.score(peaks[0]) : 0;
    const kept: number[] = [];
    for (let i = 0; i < aimed.length; i++) if (this.score(aimed[i]) >= P.relMinZ * top) kept.push(aimed[i]);
    this.kept = kept;
    let arms = kept.length;
    if (P.chainDeg > 0 && kept.length >= 1 && this.chainNeighbour(m, outerUm)) arms++;
    const quad = aimed.length === 4 ? aimed : kept.length === 4 ? kept : null;
    if (quad && arms >= 3 && P.collinearDeg > 0) {
      // two collinear pairs: a fiber crossing under a migrasome on a fiber → along
      const tol = Math.round((P.collinearDeg / 360) * B);
      const [a, b, c, d] = quad;
      if ((binsOpposite(a, b, tol, B) && binsOpposite(c, d, tol, B)) || (binsOpposite(a, c, tol, B) && binsOpposite(b, d, tol, B)) || (binsOpposite(a, d, tol, B) && binsOpposite(b, c, tol, B))) arms = 2;
    }
    return arms;
  }

  /** the neighbouring migrasomes whose disc (radius + maskGapUm) reaches m's annulus, into maskBuf (their rims are not
   * arms); their count */
  maskNeighbours(m: Circle, outerUm: number): number {
    const P = this.P;
    const pxUm = this.pxUm;
    let nMask = 0;
    const n = this.within(m.xUm, m.yUm, m.rUm + outerUm + this.maxR + P.maskGapUm + 1e-6);
    for (let t = 0; t < n; t++) {
      const o = this.migs[this.near[t]];
      if (o === m) continue;
      const rr = o.rUm + P.maskGapUm;
      if (hypot(o.xUm - m.xUm, o.yUm - m.yUm) < m.rUm + outerUm + rr) {
        if (3 * nMask + 3 > this.maskBuf.length) {
          const grown = new Float64Array(2 * this.maskBuf.length);
          grown.set(this.maskBuf);
          this.maskBuf = grown;
        }
        this.maskBuf[3 * nMask] = o.xUm / pxUm - 0.5;
        this.maskBuf[3 * nMask + 1] = o.yUm / pxUm - 0.5;
        this.maskBuf[3 * nMask + 2] = (rr / pxUm) ** 2;
        nMask++;
      }
    }
    return nMask;
  }

  /** `mean` from sums to means, its median over the sampled directions (returned), and that median for the directions
   * with no sample */
  directionMeans(): number {
    const B = this.B;
    const mean = this.mean;
    const cnt = this.cnt;
    const tmp = this.tmp;
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
    return base;
  }

  /** the look's direction b in noise units above the median (0 with too few samples) */
  score(b: number): number {
    const c = this.cnt[b];
    return c >= this.minValid ? (this.mean[b] - this.base) / (this.nz * this.corr[c]) : 0;
  }

  /** whether direction b (or a neighbour bin) is present on enough of the circles (a fiber runs outwards) */
  present(b: number): boolean {
    const P = this.P;
    const B = this.B;
    const vals = this.vals;
    const base = this.base;
    let n = 0;
    const thr = Math.max(P.presenceZ * this.nz, P.presenceFrac * (this.mean[b] - base));
    for (let k = 0; k < this.K; k++) {
      const o = k * B;
      const v0 = vals[o + b];
      if (v0 !== v0) continue; // masked
      const v1 = vals[o + ((b + 1) % B)];
      const v2 = vals[o + ((b + B - 1) % B)];
      const v = Math.max(v0, v1 === v1 ? v1 : v0, v2 === v2 ? v2 : v0);
      if (v - base >= thr) n++;
    }
    return n >= P.minPresence * this.cnt[b];
  }

  /** direction b's mean over the inner circles (within innerSpanUm of the innermost), in noise units of that mean */
  inner(b: number): number {
    const B = this.B;
    const vals = this.vals;
    let s = 0;
    let n = 0;
    for (let k = 0; k < this.kIn; k++) {
      const v = vals[k * B + b];
      if (v !== v) continue; // masked (a neighbour's disc)
      s += v;
      n++;
    }
    return n ? (s / n - this.base) / (this.nz * this.corr[n]) : Infinity;
  }

  /** bin b refined between bins by a parabola through the mean profile */
  refined(b: number): number {
    return circularParabolaPeak(this.mean, b);
  }

  /** angular distance (bins) between the refined directions of bins a and b: peaks closer than minSeparationDeg are
   * one arm (on whole 5° bins, fibers 31–32° apart, one arm by the site definition, came out 35° apart and two arms) */
  sepRefined(a: number, b: number): number {
    const d = Math.abs(this.refined(a) - this.refined(b));
    return Math.min(d, this.B - d);
  }

  /**
   * The look's local maxima of the mean profile that are present outwards (and, innerTest, start at the rim), by
   * brightness: those ≥ minZ into `order`, the weaker down to the lowest threshold used into `weak`; the arms among
   * them (≥ minSeparationDeg apart; or the strongest weak one ≥ firstZ when none reaches minZ) into `peaks`.
   */
  findPeaks(minZ: number, firstZ: number, innerTest: boolean): void {
    const P = this.P;
    const B = this.B;
    const order = this.order;
    const weak = this.weak;
    const peaks = this.peaks;
    order.length = 0;
    weak.length = 0;
    peaks.length = 0;
    const lowZ = Math.min(minZ, P.oppositeMinZ, firstZ);
    for (let b = 0; b < B; b++) {
      const s0 = this.score(b);
      if (s0 >= lowZ && s0 >= this.score((b + B - 1) % B) && s0 >= this.score((b + 1) % B) && this.present(b) && !(innerTest && this.inner(b) < Math.min(P.innerZ, P.innerRel * s0))) (s0 >= minZ ? order : weak).push(b);
    }
    sortByMeanDesc(order, this.mean);
    sortByMeanDesc(weak, this.mean);
    const minSepRefined = (P.minSeparationDeg / 360) * B;
    for (let i = 0; i < order.length; i++) {
      const b = order[i];
      let close = false;
      for (let j = 0; j < peaks.length && !close; j++) close = this.sepRefined(peaks[j], b) < minSepRefined;
      if (!close) peaks.push(b);
    }
    if (!peaks.length && weak.length && this.score(weak[0]) >= firstZ) peaks.push(weak[0]);
  }

  /** the touching migrasomes (rims within clusterAimGapUm) an arm of m may aim at, into nbrs: a cluster's fibers aim at
   * the member they grew from */
  aimNeighbours(m: Circle): void {
    const P = this.P;
    this.nNbrs = 0;
    if (!(P.clusterAimGapUm >= 0)) return;
    const n = this.within(m.xUm, m.yUm, m.rUm + this.maxR + P.clusterAimGapUm + 1e-6);
    for (let t = 0; t < n; t++) {
      const o = this.migs[this.near[t]];
      if (o === m) continue;
      const dx = o.xUm - m.xUm;
      const dy = o.yUm - m.yUm;
      if (hypot(dx, dy) <= m.rUm + o.rUm + P.clusterAimGapUm) {
        if (2 * this.nNbrs + 2 > this.nbrs.length) {
          const grown = new Float64Array(2 * this.nbrs.length);
          grown.set(this.nbrs);
          this.nbrs = grown;
        }
        this.nbrs[2 * this.nNbrs] = dx;
        this.nbrs[2 * this.nNbrs + 1] = dy;
        this.nNbrs++;
      }
    }
  }

  /** perpendicular distance from the centre (or the nearest aimed-at neighbour, µm) of the line through the arm's
   * crossings of the circles */
  offset(b: number): number {
    return armOffset(b, this.vals, this.K, this.B, this.base, this.nz, this.P.presenceZ, this.rIn, this.span, this.nbrs, this.nNbrs);
  }

  /** is the arm at b a crossing of a straight fiber that misses the centre by more than tolUm (see passesAcross)? */
  passing(b: number, tolUm: number): boolean {
    const P = this.P;
    return passesAcross((this.refined(b) * 2 * Math.PI) / this.B, this.rIn, this.span, this.K, P.passStepUm, P.passStepDeg, P.passRatio * this.score(b), tolUm, this.vals, this.B, this.base, this.nz, this.corr);
  }

  /**
   * The arms among `peaks` that are m's own, into `aimed`: their fiber's line passes near the centre (and, passTest,
   * is no passing fiber's crossing); at least the best-aimed one; and the peaks opposite those, their continuations.
   */
  aimArms(m: Circle, passTest: boolean): void {
    const P = this.P;
    const B = this.B;
    const peaks = this.peaks;
    const weak = this.weak;
    const aimed = this.aimed;
    aimed.length = 0;
    passClear();
    const maxOff = P.maxOffsetUm > 0 ? P.maxOffsetUm + P.maxOffsetFrac * m.rUm : Infinity;
    for (let i = 0; i < peaks.length; i++) {
      const b = peaks[i];
      const tol = maxOff + P.offsetNoiseUm / this.score(b);
      if (this.score(b) < P.offsetMinZ || (this.offset(b) <= tol && !(passTest && this.passing(b, tol)))) aimed.push(b);
    }
    // every migrasome found on a fiber has at least its best-aimed arm (the first of the least offset)
    if (!aimed.length && peaks.length && P.maxOffsetUm > 0) {
      let best = peaks[0];
      let bestOff = this.offset(best);
      for (let i = 1; i < peaks.length; i++) {
        const off = this.offset(peaks[i]);
        if (off < bestOff) {
          best = peaks[i];
          bestOff = off;
        }
      }
      aimed.push(best);
    }
    // a fiber running through the migrasome leaves on the opposite side: a peak within oppositeDeg of the
    // direction opposite an aimed arm is that arm's continuation (a passing fiber's two crossings are not opposite)
    if (P.oppositeDeg > 0) {
      const tol = Math.round((P.oppositeDeg / 360) * B);
      // (the arms aimed so far: aimed[0 … nFirst))
      const nFirst = aimed.length;
      const nPeaks = peaks.length;
      for (let i = 0; i < nPeaks + weak.length; i++) {
        const b = i < nPeaks ? peaks[i] : weak[i - nPeaks];
        if (aimed.includes(b)) continue;
        const s = this.score(b);
        if (s < P.oppositeMinZ) continue;
        let near = false;
        for (let j = 0; j < aimed.length && !near; j++) near = binSep(aimed[j], b, B) < this.minSepBins;
        if (near) continue;
        // a fiber's continuation is about as bright as the arm it continues: its threshold grows with that arm
        for (let j = 0; j < nFirst; j++) {
          const a = aimed[j];
          if (binsOpposite(a, b, tol, B) && s >= Math.max(P.oppositeMinZ, P.oppositeFrac * this.score(a))) {
            aimed.push(b);
            break;
          }
        }
      }
    }
  }

  /** a chain along a fiber: is a neighbouring migrasome within reach (its rim within R + outerUm) within chainDeg of
   * the direction opposite one of the kept arms, and not along one? There the fiber runs on */
  chainNeighbour(m: Circle, outerUm: number): boolean {
    const B = this.B;
    const kept = this.kept;
    const tolc = Math.round((this.P.chainDeg / 360) * B);
    const n = this.within(m.xUm, m.yUm, m.rUm + outerUm + this.maxR + 1e-6);
    for (let t = 0; t < n; t++) {
      const o = this.migs[this.near[t]];
      if (o === m) continue;
      const dx = o.xUm - m.xUm;
      const dy = o.yUm - m.yUm;
      const d = hypot(dx, dy);
      if (d - o.rUm > m.rUm + outerUm || d < 0.5 * (m.rUm + o.rUm)) continue;
      const bo = Math.round(((Math.atan2(dy, dx) / (2 * Math.PI)) * B + B) % B) % B;
      let along = false;
      for (let i = 0; i < kept.length && !along; i++) along = binSep(kept[i], bo, B) < this.minSepBins;
      if (along) continue;
      for (let i = 0; i < kept.length; i++) if (binsOpposite(kept[i], bo, tolc, B)) return true;
    }
    return false;
  }
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
const bestValue = new Float64Array([-Infinity]);

/** the brightest bin within ±win of bin c on circle k (the first of equals; c when none is a number), its value in `bestValue[0]` */
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
  bestValue[0] = vb;
  return bb;
}

/** `armOffset`'s points (x, y, weight triples, µm; scratch) and their count */
let armPts = new Float64Array(48);
let nArmPts = 0;

/** `fitLine`'s answer: a point on the line (mx, my, µm) and its normal (sn, cs) (in a typed array: a module variable
 * holding a double is a boxed number, a new one each write) */
const fitted = new Float64Array(4);

/**
 * Weighted total-least-squares line through `armPts`: all of them, or (`near`) those within 0.25 µm of the current
 * line; into `fitted`.
 */
function fitLine(near: boolean): void {
  const P = armPts;
  const bmx = fitted[0], bmy = fitted[1], bsn = fitted[2], bcs = fitted[3];
  let sw = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < 3 * nArmPts; i += 3) {
    const px = P[i], py = P[i + 1];
    if (near && !(Math.abs(bsn * (px - bmx) + bcs * (py - bmy)) <= 0.25)) continue;
    const wk = P[i + 2];
    sw += wk; sx += wk * px; sy += wk * py; sxx += wk * px * px; syy += wk * py * py; sxy += wk * px * py;
  }
  const mx = sx / sw, my = sy / sw;
  const th = 0.5 * Math.atan2(2 * (sxy / sw - mx * my), sxx / sw - mx * mx - (syy / sw - my * my)); // major axis
  fitted[0] = mx;
  fitted[1] = my;
  fitted[2] = -Math.sin(th);
  fitted[3] = Math.cos(th);
}

/** `armOffset`'s crossing (bin bb, value vb) of circle k added to `armPts` when it stands presenceZ above the base */
function addArmPoint(vals: Float32Array, K: number, B: number, base: number, nz: number, presenceZ: number, rIn: number, span: number, k: number, bb: number, vb: number): boolean {
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
  const i = 3 * nArmPts++;
  armPts[i] = rho * Math.cos(ang);
  armPts[i + 1] = rho * Math.sin(ang);
  armPts[i + 2] = Math.min(z, 3);
  return true;
}

/**
 * Perpendicular distance from the centre (µm) of the line through the arm's crossings of the circles (of `migrasomeArms`;
 * a function of its own: the nested closures made per call cost more than the work): the arm's crossing of each
 * circle, followed from circle to circle (±2 bins per step, so that a neighbouring fiber does not capture it), refined
 * to sub-bin by a parabola; the least of that and the distances of the line from the neighbours `nbrs` (nNbrs centre
 * offsets dx, dy, µm). Circle k has radius rIn + k·span/(K − 1) µm.
 */
function armOffset(b: number, vals: Float32Array, K: number, B: number, base: number, nz: number, presenceZ: number, rIn: number, span: number, nbrs: Float64Array, nNbrs: number): number {
  // (at most one point per circle)
  if (armPts.length < 3 * K) armPts = new Float64Array(3 * K);
  nArmPts = 0;
  let k0 = 0;
  let s0b = b;
  let s0v = -Infinity;
  for (let k = 0; k < K; k++) {
    const bb = bestIndex(vals, k, B, b, 1);
    if (bestValue[0] > s0v) {
      s0b = bb;
      s0v = bestValue[0];
      k0 = k;
    }
  }
  if (!(s0v > -Infinity)) return Infinity;
  addArmPoint(vals, K, B, base, nz, presenceZ, rIn, span, k0, s0b, s0v);
  for (let dir = 1; dir >= -1; dir -= 2) {
    let c = s0b;
    for (let k = k0 + dir; k >= 0 && k < K; k += dir) {
      const bb = bestIndex(vals, k, B, c, 2);
      const vb = bestValue[0];
      if (!(vb > -Infinity)) continue;
      if (addArmPoint(vals, K, B, base, nz, presenceZ, rIn, span, k, bb, vb)) c = bb;
    }
  }
  if (nArmPts < 3) return Infinity;
  // weighted total-least-squares line, refitted once without points more than 0.25 µm off it
  fitLine(false);
  let near = 0;
  for (let i = 0; i < 3 * nArmPts; i += 3) if (Math.abs(fitted[2] * (armPts[i] - fitted[0]) + fitted[3] * (armPts[i + 1] - fitted[1])) <= 0.25) near++;
  if (near >= 3) fitLine(true);
  const mx = fitted[0], my = fitted[1], sn = fitted[2], cs = fitted[3];
  let off = Math.abs(sn * mx + cs * my);
  for (let i = 0; i < nNbrs; i++) off = Math.min(off, Math.abs(sn * (mx - nbrs[2 * i]) + cs * (my - nbrs[2 * i + 1])));
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
