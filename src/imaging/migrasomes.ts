/**
 * Migrasome detection. Candidates are maxima of a multi-scale Hessian blob response (both
 * eigenvalues negative, noise-normalised). Each candidate is then measured by its radial
 * profile of ANGULAR MEDIANS: a ring or disc is bright all around its centre, whereas a
 * fiber segment, a junction or a crossing is bright only along 2–4 narrow arms, so the
 * angular median stays at background. The outer half-maximum radius, corrected for the
 * PSF, gives the diameter, which rejects sub-resolution dots and small vesicles. A small object on two
 * straight fiber lines (pairs of opposite arms) that is no brighter than the two lines' sum is a crossing
 * of fibers (`crossingMeasure`): at a crossing the centre is that sum, an object on it adds its own.
 */
import { rowPass } from "./fastfilter.ts";
import { withStageScratch } from "./stagescratch.ts";
import { hypot } from "./hypot.ts";
import { profileSampler, type ProfileSampler } from "./fastcircle.ts";
import { convolveSeparable, downsample2, gaussianBlur, gaussianKernel, kernelNoiseGain, secondDerivativeGain, sampleBilinear, selectK } from "./filters.ts";

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
  weights: number[];
  minProbability: number;
  /** radius = outer half-maximum radius − radiusBias·σ_total */
  radiusBias: number;
  /** default PSF σ (µm) when the image gives no estimate */
  defaultPsfSigmaUm: number;
  /** add ring candidates from the circular Hough transform and keep overlapping rings */
  hough: boolean;
  /** a detection within this margin (µm) of lying inside a larger one is part of it */
  containUm: number;
  /** Hough rings at least this complete mask their rims from neighbours' arm contrast */
  strongRingZ: number;
  /** smallest radius accepted from a ring (Hough) candidate, µm */
  minHoughRadiusUm: number;
  /** pre-test before profiling: rim-quantile significance on circles around the candidate (3 for a ring candidate) */
  quickZ: number;
  /** the pre-test's circles for a blob candidate run from 0.4 to 1 × its radius at most this far apart (µm), so a thin ring between them is not missed */
  quickStepUm: number;
  /** a blob candidate at least this large (µm) that fails the pre-test does not mark its place examined: a smaller scale there may still catch the ring */
  failedBlobKeepsPlaceUm: number;
  /** a blob candidate within this fraction of an accepted detection's radius is not profiled */
  blobSkip: number;
  /**
   * a blob candidate that `blobSkip` would skip but that lies at least this fraction of the accepted detection's
   * radius off its centre is still profiled, as a challenger: it is kept only if it replaces that detection (the
   * larger circle is then a halo of fibers and blur through it, see challengePeakRatio, or a circle through its rim,
   * the overlap rule), never beside it (≥ blobSkip = off)
   */
  blobChallenge: number;
  /** a challenger replaces the detection it lies in only when its rim peak is at least this many times that detection's */
  challengePeakRatio: number;
  /** measure the rim against the rim quantile on a circle outside the object */
  localBaseline: boolean;
  /** ridge strength (noise units) of a voting rim pixel at houghRefPxUm; at other pixel sizes see houghThreshold */
  houghZ: number;
  houghRefPxUm: number;
  /** a Hough peak is a candidate with at least this fraction of a complete rim's votes */
  houghMinFrac: number;
  /** how the rim pixels' threshold follows the pixel size (see houghThreshold) */
  houghZRule: "falseRate" | "linear" | "hybrid";
  /**
   * an object without a ridge rim (Hough completeness < rimlessRingZ) that is no brighter than the brightest
   * direction just outside it (arm contrast < rimlessMinArmContrast) is a piece of a larger bright structure
   * (the edge of a cell body the cell detector missed, a bright bundle), not a vesicle: rejected whatever its
   * significance
   */
  rimlessRingZ: number;
  rimlessMinArmContrast: number;
  /**
   * the sampling's blur variance (µm², bilinear samples px²/6 + radial smoothing dr²/2) beyond samplingBlurRefUm2
   * (its value at 0.1 µm pixels, where radiusBias was calibrated) is removed from the squared half-maximum radius
   * with this factor (1.18²)
   */
  samplingBlurFactor: number;
  samplingBlurRefUm2: number;
  /** a detection inside a larger one beats it when its rim peak is ≥ this many times the larger's (the larger is its halo) */
  haloPeakRatio: number;
  /** an overlapping detection this many times dimmer than its neighbour is a circle through that neighbour's rim and fibers… */
  overlapPeakRatio: number;
  /** …and is dropped when its arm contrast is below this (no brighter than the fibers around it) */
  overlapMaxArmContrast: number;
  /** …when the two circles overlap or their rims come within this distance (µm; touching rims blur into each other) */
  overlapMarginUm: number;
  /** centre / rim brightness above which an object is rejected (a dot or small vesicle, or a circle centred on one, peaks at its centre) */
  maxFill: number;
  /**
   * dim flat objects, judged against the image's own migrasomes once all are found: a detection whose rim peak is
   * below `dimMinRelPeak` × the median rim peak of the clear ones (arm contrast ≥ `dimRefArmContrast`, at least
   * `dimRefMinCount` of them) and whose arm contrast is below `dimMaxArmContrast` (no brighter than the fibers
   * around it) is dropped: a circle through fiber crossings, halos and neighbours' rims. 0 turns it off.
   */
  dimMinRelPeak: number;
  dimMaxArmContrast: number;
  dimRefArmContrast: number;
  dimRefMinCount: number;
  /**
   * …but a detection at least dimKeepMinRadiusUm in radius whose ring-transform completeness (`ringZ`) is ≥
   * dimKeepRingZ is kept (0: off): a large ring with a complete rim of its own, whose rim quantile is low because its
   * label is uneven or it is oval (the `shapes` departure), not a circle through fibers or a neighbour's rim. Modelling
   * assumption, tuned on tuning seeds (101–160): no dropped false detection there had both (the largest radius among
   * them 1.16 µm with ringZ 0.68; the largest ringZ 1.89 at 0.55 µm), every dropped true one (5, radius ≥ 0.94 µm,
   * ringZ ≥ 2.0) did.
   */
  dimKeepRingZ: number;
  dimKeepMinRadiusUm: number;
  /**
   * crossing test for small objects (radius < crossingMaxRadiusUm): fiber lines through the object (pairs of opposite
   * arms within crossingPairTolDeg, arms ≥ crossingArmZ noise units, measured on a crossingBandUm wide band outside
   * the object, see `crossingMeasure`). With at least two lines, the object is a crossing of fibers (no object of its
   * own) when its centre is at most crossingCentreRatio × the sum of the two brightest lines (at a crossing the centre
   * is that sum; a third "line" is often a neighbour's rim in a cluster) and its rim peak at most crossingRimRatio ×
   * that sum (a crossing's rim quantile lies between the arms, below the sum; an object on a crossing adds its own
   * brightness to both). Chosen on tuning scenes: no true migrasome lost, most crossings at 0.065–0.16 µm removed.
   */
  crossingMaxRadiusUm: number;
  crossingCentreRatio: number;
  crossingRimRatio: number;
  /** …and its arm contrast is below this (at a crossing the brightest arm is one of the lines: ≲ 2) */
  crossingMaxArmContrast: number;
  crossingPairTolDeg: number;
  crossingArmZ: number;
  crossingBandUm: number;
  /** the arm circle is averaged over (px / armRefPxUm)² radii (≥ 1), so its noise per µm of arm stays as at this pixel size (µm) */
  armRefPxUm: number;
  /** spacing of those radii outwards, µm */
  armBandStepUm: number;
  /** the least spacing of those radii, pixels */
  armBandStepPx: number;
  /**
   * oval vesicles (modelling assumption: rims elongated up to an aspect of ~1.3, the `shapes` departure): for a hollow
   * detection whose half-maximum radius is ≥ ovalMinRadiusUm and whose rim is uneven (uniformity below
   * ovalMaxUniformity), the rim quantile is also read along ellipses r(θ) = ρ·(1 + e·cos 2(θ − φ)) (`searchOval`: e in
   * ovalEs and φ in 15° steps, then a climb on e, φ and the centre, at most ovalMaxE and ovalMaxShiftUm off); when that
   * rim peak is ≥ ovalMinGain × the circles' one, the object is measured again along that ellipse (from that centre),
   * its local baseline and arm test start beyond the major axis, and the overlap rules use each object's radius towards
   * the other. Not for filled discs (rim quantile at half the peak radius ≥ 0.75 × the peak), along the circles as
   * along the ellipse (nor for an ellipse whose centre is ≥ 0.75 × its rim peak: the clash rules would take it for a
   * filled disc). false = circles only (the detections are then exactly those of the circles alone).
   */
  ovalRefine: boolean;
  /**
   * …only for rims whose 15th percentile is below this fraction of their angular median (`uniformity`; an even round
   * rim is near 1, an oval one read along circles is low): the gate that keeps the search off most rings (its cost)
   */
  ovalMaxUniformity: number;
  /** the least half-maximum radius (µm) of a detection searched for an oval rim */
  ovalMinRadiusUm: number;
  /** the ovalities e tried (dimensionless; aspect ≈ (1 + e) / (1 − e)) */
  ovalEs: number[];
  /** the least gain in rim quantile (ratio) of the best ellipse over the round circles for the object to be an oval */
  ovalMinGain: number;
  /** the largest ovality (dimensionless) the oval's refinement may reach (modelling assumption: aspect ≤ ~1.4) */
  ovalMaxE: number;
  /** the largest shift of the centre (µm) the oval's refinement may make */
  ovalMaxShiftUm: number;
  /**
   * …and only when the ring transform's completeness (`ringZ`) at the ellipse's centre and mean radius is ≥ this: an
   * ellipse drawn in the gap between touching rings through pieces of their rims has few votes of its own (0: no test)
   */
  ovalMinRingZ: number;
  /**
   * centreContain: a detection whose centre lies at least centreContainUm inside a larger one's rim (negative: at most
   * that far outside it) and whose radius is < centreContainMaxRatio × its is contained in it (the larger wins, see
   * haloPeakRatio): a circle fitting one end of an oval ring. With centreContainOvalOnly only when the larger one was
   * measured as an oval (ovalRefine): the rule for every ring took members of dense clusters as pieces of their
   * neighbours.
   */
  centreContain: boolean;
  centreContainUm: number;
  /** (ratio of the radii, dimensionless) */
  centreContainMaxRatio: number;
  centreContainOvalOnly: boolean;
  /**
   * ring around a bright centre: a ring (Hough) candidate whose rim quantile profile has, beyond houghMinPeakFrac × its
   * ring-transform radius, a peak separated from a bright centre (the brightest radius inside at least houghCentre ×
   * that peak) by a valley below houghValley × that peak has its rim looked for only beyond that radius, also while its
   * centre is refined (0: off). A large ring with a fiber junction or crossing at its centre and a low rim quantile (an
   * unevenly labelled or oval rim, the `shapes` departure) was measured as the small bright centre and lost; a filled
   * disc (no valley) keeps its profile. Modelling assumptions (the ring transform's radius within ~50 % of the rim's;
   * a rim falling to ≤ half its peak between centre and rim), tuned on tuning seeds (101–160).
   */
  houghMinPeakFrac: number;
  /** (see houghMinPeakFrac; a fraction of the outer peak, dimensionless) */
  houghValley: number;
  /** (see houghMinPeakFrac; a fraction of the outer peak, dimensionless) */
  houghCentre: number;
  /**
   * …and only when that rim's significance (as minScore, before the local baseline) is at least this: a faint outer rim
   * is not worth the larger profiles of the centre's refinement (the rule's cost: 114 ring candidates of a 2048² frame
   * at 0.1 µm switched without it, +40–70 ms; 35 with it). Tuned on tuning seeds (101–160) and that frame's timing.
   */
  houghRingMinScore: number;
  /**
   * a small circle inside a complete hollow ring: a detection whose centre lies inside a larger one's rim, whose radius
   * is ≤ ringContainMaxRatio × the larger's, and whose rim peak is ≤ 1 / ringContainPeakRatio × the larger's is
   * contained in it (the larger wins) when the larger is a complete ring of its own (ring-transform completeness
   * `ringZ` ≥ ringContainRingZ) and hollow (fill < 0.75, not a filled disc). With an unevenly labelled or oval rim (the
   * `shapes` departure), a circle drawn through the ring's bright patch, the hollow inside it and a fiber beyond passed
   * as an object of its own (its arm test sees the ring's dimmer parts only). 0 = off. Modelling assumption, tuned on
   * tuning seeds (101–160, confirmed on 161–220): a smaller member of a dense cluster whose centre lies inside a
   * neighbour's rim is as bright as or brighter than that neighbour (the one such member lost at peak ratio 1 had 1.03).
   */
  ringContainRingZ: number;
  /** (see ringContainRingZ; ratio of the radii, dimensionless) */
  ringContainMaxRatio: number;
  /** (see ringContainRingZ; the larger's rim peak over the smaller's, dimensionless) */
  ringContainPeakRatio: number;
}

export const DEFAULT_MIGRASOME_PARAMS: MigrasomeParams = {
  candidateRadiiUm: [0.25, 0.38, 0.55, 0.8, 1.15, 1.6, 2.2],
  candidateZ: 3,
  profileSmoothUm: 0.07,
  minScore: 3.225,
  minRadiusUm: 0.26,
  maxRadiusUm: 1.75,
  minUniformity: 0.3,
  minArmContrast: 0,
  // (intercept −15.51 and thresholds 3.5 with the older noise rule, whose significance at 0.1 µm pixels was 1.085×
  // this one's: shifted so that 0.1 µm images are scored as before)
  weights: [-15.285, 4.452, 7.542, 2.744],
  minProbability: 0.6,
  radiusBias: 0.2,
  defaultPsfSigmaUm: 0.12,
  hough: true,
  containUm: 0.2,
  strongRingZ: 1.5,
  minHoughRadiusUm: 0.4,
  quickZ: 3.225,
  quickStepUm: 0.2,
  failedBlobKeepsPlaceUm: 1.5,
  blobSkip: 1,
  blobChallenge: 0.5,
  challengePeakRatio: 3,
  localBaseline: true,
  houghZ: 3,
  houghRefPxUm: 0.1,
  houghMinFrac: 0.7,
  houghZRule: "hybrid",
  rimlessRingZ: 0.3,
  rimlessMinArmContrast: 1,
  samplingBlurFactor: 1.39,
  samplingBlurRefUm2: 0.0029,
  haloPeakRatio: 2,
  overlapPeakRatio: 2.5,
  overlapMaxArmContrast: 1.2,
  overlapMarginUm: 0.1,
  maxFill: 1.8,
  dimMinRelPeak: 0.4,
  dimMaxArmContrast: 1.5,
  dimRefArmContrast: 2,
  dimRefMinCount: 3,
  dimKeepRingZ: 2,
  dimKeepMinRadiusUm: 0.9,
  crossingMaxRadiusUm: 0.45,
  crossingCentreRatio: 1.5,
  crossingRimRatio: 1.2,
  crossingMaxArmContrast: 2.5,
  crossingPairTolDeg: 20,
  crossingArmZ: 3,
  crossingBandUm: 0.6,
  armRefPxUm: 0.1,
  armBandStepUm: 0.15,
  armBandStepPx: 1.5,
  ovalRefine: true,
  ovalMaxUniformity: 0.65,
  ovalMinRadiusUm: 1.0,
  ovalEs: [0.04, 0.08, 0.12, 0.16],
  ovalMinGain: 1.15,
  ovalMaxE: 0.16,
  ovalMaxShiftUm: 0.15,
  ovalMinRingZ: 1.3,
  centreContain: true,
  centreContainUm: -0.1,
  centreContainMaxRatio: 0.75,
  centreContainOvalOnly: true,
  houghMinPeakFrac: 0.5,
  houghValley: 0.5,
  houghCentre: 0.5,
  houghRingMinScore: 6.5,
  ringContainRingZ: 2,
  ringContainMaxRatio: 0.6,
  ringContainPeakRatio: 1.2,
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
  /** centre / rim brightness (≈ 1 for a filled disc, low for a hollow ring) */
  fill: number;
  /** ring completeness from the Hough transform at the final centre and radius (0 without it) */
  ringZ: number;
}

interface Candidate {
  x: number;
  y: number;
  r: number; // µm
  z: number;
  /** from the ring Hough transform (radius estimated, position accurate) */
  hough?: boolean;
  /** (set by detectWith) the index of its nearest pixel, the exclusion mask and the noise map there */
  ci?: number;
  ex?: number;
  nz0?: number;
}

/**
 * Each candidate's nearest pixel and the exclusion mask and noise there, read while the candidates are still in
 * the order they were found (raster order per scale): the detection loop takes them in the order of their
 * strength, all over the image, where each of these reads was a cache miss.
 */
function annotateCandidates(cs: Candidate[], w: number, h: number, exclude: Uint8Array | undefined, noise: Float32Array): void {
  for (let q = 0; q < cs.length; q++) {
    const c = cs[q];
    const ci = Math.min(h - 1, Math.max(0, Math.round(c.y))) * w + Math.min(w - 1, Math.max(0, Math.round(c.x)));
    c.ci = ci;
    c.ex = exclude ? exclude[ci] : 0;
    c.nz0 = noise[ci];
  }
}


const byStrength = (a: Candidate, b: Candidate): number => b.z - a.z || a.y - b.y || a.x - b.x;
const zBits = new Float32Array(1);
const zBitsU = new Uint32Array(zBits.buffer);
const IDX = 2097152; // 2^21

/**
 * `cs.sort(byStrength)` (stable: equal candidates keep their order) without a comparator call per pair when every z
 * is a positive finite float32 (the blob responses) and every x, y finite: a numeric sort of (descending z bits, index)
 * packed exactly in doubles (2^32 · 2^21 = 2^53), then the runs of equal z by y, x and index, the order the stable
 * sort gives those ties (distinct float32 values differ in double subtraction, so z decides wherever it differs).
 */
function sortByStrength(cs: Candidate[]): void {
  const n = cs.length;
  if (n >= IDX) {
    cs.sort(byStrength);
    return;
  }
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = cs[i];
    const z = c.z;
    if (!(z > 0 && z < Infinity && Math.fround(z) === z && Math.abs(c.x) < Infinity && Math.abs(c.y) < Infinity)) {
      cs.sort(byStrength);
      return;
    }
    zBits[0] = z;
    keys[i] = (0xffffffff - zBitsU[0]) * IDX + i;
  }
  keys.sort();
  const src = cs.slice();
  for (let q = 0; q < n; ) {
    const zq = Math.floor(keys[q] / IDX);
    let e = q + 1;
    while (e < n && Math.floor(keys[e] / IDX) === zq) e++;
    if (e - q === 1) cs[q] = src[keys[q] % IDX];
    else {
      const run: number[] = [];
      for (let t = q; t < e; t++) run.push(keys[t] % IDX);
      run.sort((a, b) => src[a].y - src[b].y || src[a].x - src[b].x || a - b);
      for (let t = 0; t < run.length; t++) cs[q + t] = src[run[t]];
    }
    q = e;
  }
}

/** scratch of blobCandidates: a level's smoothing (rewritten for every scale; never returned; a plane of the shared stage scratch during detectMigrasomes) */
let blobScratch = new Float32Array(0);
/** scratch of blobCandidates: its pyramid levels, one after another while they fit (a plane of the shared stage scratch during detectMigrasomes, else none) */
let pyramidScratch: Float32Array | null = null;

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
  let lastLevel: Float32Array | null = null;
  // a level's array: the next free part of pyramidScratch, else new (every element is written by downsample2)
  let used = 0;
  const levelArray = (len: number): Float32Array | undefined => {
    if (!pyramidScratch || used + len > pyramidScratch.length) return undefined;
    used += len;
    return pyramidScratch.subarray(used - len, used);
  };
  for (const rUm of radiiUm) {
    const sUm = rUm / Math.SQRT2;
    let L = 0;
    while ((sUm / pxUm) / 2 ** L > 2.5) L++;
    while (levels.length <= L) {
      const p = levels[levels.length - 1];
      const len = Math.ceil(p.w / 2) * Math.ceil(p.h / 2);
      const d = downsample2(p.d, p.w, p.h, levelArray(len));
      const nz = noiseDown(p.nz, p.w, p.h, levelArray(len));
      levels.push({ d: d.data, nz, w: d.width, h: d.height, f: p.f * 2 });
    }
    const lv = levels[L];
    const sp = Math.max(0.8, sUm / pxUm / lv.f);
    // the level's smoothing: a view of the blur's memory, else into reused scratch (read only in this iteration); a
    // level smoothed again (the levels are not written after they are made) reuses its copy in the blur's memory
    if (blobScratch.length < lv.w * lv.h) blobScratch = new Float32Array(lv.w * lv.h);
    const s = convolveSeparable(lv.d, lv.w, lv.h, gaussianKernel(sp), blobScratch.subarray(0, lv.w * lv.h), { sameInput: lv.d === lastLevel, view: true });
    lastLevel = lv.d;
    const gain = secondDerivativeGain(sp);
    if (minZ > 0) blobMaximaSparse(s, lv.nz, lv.w, lv.h, gain, minZ, lv.f, rUm, out);
    else blobMaximaFull(s, lv.nz, lv.w, lv.h, gain, minZ, lv.f, rUm, out);
  }
  return out;
}

/**
 * A noise level of the pyramid: `downsample2` (filters.ts) of the noise map, each value then halved, in one pass: the
 * same float32 mean (rounded as downsample2 stores it), times 0.5 (exact in double), rounded as the halving stored it.
 */
function noiseDown(src: Float32Array, w: number, h: number, into?: Float32Array): Float32Array {
  return downsample2(src, w, h, into, 0.5).data;
}

/**
 * The blob response at pixel i as the full map stores it (float32): −l2 / (noise · gain) where both
 * Hessian eigenvalues are negative, 0 elsewhere and on the border.
 */
function blobZ(s: Float32Array, nz: Float32Array, W: number, H: number, gain: number, i: number): number {
  const x = i % W;
  const y = (i - x) / W;
  if (x < 1 || y < 1 || x >= W - 1 || y >= H - 1) return 0;
  const c = s[i];
  const xx = s[i + 1] - 2 * c + s[i - 1];
  const yy = s[i + W] - 2 * c + s[i - W];
  const m = 0.5 * (xx + yy);
  if (m >= 0) return 0;
  const xy = 0.25 * (s[i + W + 1] - s[i + W - 1] - s[i - W + 1] + s[i - W - 1]);
  const l2 = m + Math.sqrt(0.25 * (xx - yy) * (xx - yy) + xy * xy);
  return l2 < 0 ? Math.fround(-l2 / (nz[i] * gain)) : 0;
}

/** A local maximum of the blob response at (x, y) of a level with pixel factor f, refined by parabolas. */
function pushBlob(out: Candidate[], x: number, y: number, v: number, l: number, r: number, u: number, d: number, f: number, rUm: number): void {
  const dx = 0.5 * (l - r) / (l - 2 * v + r || -1);
  const dy = 0.5 * (u - d) / (u - 2 * v + d || -1);
  out.push({ x: (x + Math.max(-0.5, Math.min(0.5, dx))) * f + (f - 1) / 2, y: (y + Math.max(-0.5, Math.min(0.5, dy))) * f + (f - 1) / 2, r: rUm, z: v });
}

/** Local maxima ≥ minZ of the blob response of the smoothed level s (a full response map; any minZ). */
function blobMaximaFull(s: Float32Array, nz: Float32Array, W: number, H: number, gain: number, minZ: number, f: number, rUm: number, out: Candidate[]): void {
  const zmap = new Float32Array(W * H);
  for (let i = 0; i < zmap.length; i++) zmap[i] = blobZ(s, nz, W, H, gain, i);
  for (let y = 1; y < H - 1; y++)
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      const v = zmap[i];
      if (v < minZ) continue;
      if (
        v < zmap[i - 1] || v < zmap[i + 1] || v < zmap[i - W] || v < zmap[i + W] ||
        v < zmap[i - W - 1] || v < zmap[i - W + 1] || v < zmap[i + W - 1] || v < zmap[i + W + 1]
      )
        continue;
      pushBlob(out, x, y, v, zmap[i - 1], zmap[i + 1], zmap[i - W], zmap[i + W], f, rUm);
    }
}

/**
 * The same maxima as `blobMaximaFull` for minZ > 0, without the map: a pixel can reach minZ only if
 * −m ≥ minZ · noise · gain (as −l2 ≤ −m); pixels below that with a 1e-6 margin (far above double and
 * float32 rounding) are skipped before the root and the division, which most pixels never reach.
 * The response of a passing pixel and of its 8 neighbours is computed exactly as the map stores it
 * (`blobZ`), and maxima are emitted in the same raster order.
 */
function blobMaximaSparse(s: Float32Array, nz: Float32Array, W: number, H: number, gain: number, minZ: number, f: number, rUm: number, out: Candidate[]): void {
  const bound = minZ * (1 - 1e-6);
  // the columns of each row that pass the two skip tests below, listed by a SIMD pre-test (fastfilter.ts;
  // the same tests in the same double arithmetic); without it every column is tested here
  const pass = rowPass("blob", s, nz, W, H, gain, bound);
  // the responses computed so far on rows y − 1 … y + 1 (`cachedZ`), none yet
  if (zStamp.length < 3 * W) {
    zCache = new Float32Array(3 * W);
    zStamp = new Int32Array(3 * W);
  } else zStamp.fill(0, 0, 3 * W);
  for (let y = 1; y < H - 1; y++) {
    const nx = pass ? pass.row(y) : W - 2;
    const list = pass ? pass.list : null;
    for (let q = 0; q < nx; q++) {
      const x = list ? list[q] : q + 1;
      const i = y * W + x;
      const c = s[i];
      const xx = s[i + 1] - 2 * c + s[i - 1];
      const yy = s[i + W] - 2 * c + s[i - W];
      const m = 0.5 * (xx + yy);
      const g = nz[i] * gain;
      // (g ≤ 0 or NaN: the comparison fails and the pixel is computed exactly)
      // the bound first: it rejects almost every pixel (a predictable branch), while m ≥ 0 holds for about
      // half of them at random; both are pure skip tests, so their order does not change which pixels pass
      if (-m < bound * g) continue;
      if (m >= 0) continue;
      const xy = 0.25 * (s[i + W + 1] - s[i + W - 1] - s[i - W + 1] + s[i - W - 1]);
      const l2 = m + Math.sqrt(0.25 * (xx - yy) * (xx - yy) + xy * xy);
      if (!(l2 < 0)) continue;
      const v = Math.fround(-l2 / g);
      // (blobZ's value at i: the same operations)
      zCache[(y % 3) * W + x] = v;
      zStamp[(y % 3) * W + x] = y + 1;
      if (v < minZ) continue;
      const zl = cachedZ(s, nz, W, H, gain, x - 1, y);
      const zr = cachedZ(s, nz, W, H, gain, x + 1, y);
      const zu = cachedZ(s, nz, W, H, gain, x, y - 1);
      const zd = cachedZ(s, nz, W, H, gain, x, y + 1);
      if (v < zl || v < zr || v < zu || v < zd) continue;
      if (
        v < cachedZ(s, nz, W, H, gain, x - 1, y - 1) || v < cachedZ(s, nz, W, H, gain, x + 1, y - 1) ||
        v < cachedZ(s, nz, W, H, gain, x - 1, y + 1) || v < cachedZ(s, nz, W, H, gain, x + 1, y + 1)
      )
        continue;
      pushBlob(out, x, y, v, zl, zr, zu, zd, f, rUm);
    }
  }
}

/**
 * blobMaximaSparse's responses of the three rows around the current one: row r's value at column x in slot
 * (r mod 3)·W + x when zStamp there is r + 1 (each pixel's response is computed once, not once for each
 * passing neighbour; the same values)
 */
let zCache = new Float32Array(0);
let zStamp = new Int32Array(0);

/** `blobZ` at (x, y) through zCache */
function cachedZ(s: Float32Array, nz: Float32Array, W: number, H: number, gain: number, x: number, y: number): number {
  const slot = (y % 3) * W + x;
  if (zStamp[slot] === y + 1) return zCache[slot];
  const z = blobZ(s, nz, W, H, gain, y * W + x);
  zCache[slot] = z;
  zStamp[slot] = y + 1;
  return z;
}

/**
 * The Hough votes of ringCandidates (a function of its own: called once per frame, its loop ran partly unoptimised
 * inside the larger function): every centre-line pixel of `s` (those in `list`, ascending, or all) with −l1 ≥ minZ ·
 * noise · gain votes along its normal on both sides at r0 … r1 (step dstep) into acc (weight) and accR (weight · r).
 */
function castVotes(
  s: Float32Array, noise: Float32Array, list: Int32Array | null, w: number, h: number, gain: number, minZ: number,
  r0: number, r1: number, dstep: number, acc: Float32Array, accR: Float32Array,
): void {
  const nIter = list ? list.length : w * h;
  // pixels come in ascending order: the row is tracked instead of divided out
  let y = 0;
  let rowEnd = w;
  // the largest |r| of the votes
  const rb = Math.max(Math.abs(r0), Math.abs(r1));
  for (let q = 0; q < nIter; q++) {
    const i = list ? list[q] : q;
    while (i >= rowEnd) {
      y++;
      rowEnd += w;
    }
    const x = i - (rowEnd - w);
    if (x < 2 || y < 2 || x >= w - 2 || y >= h - 2) continue;
    const c = s[i];
    if (c <= 0) continue;
    const xx = s[i + 1] - 2 * c + s[i - 1];
    const yy = s[i + w] - 2 * c + s[i - w];
    const xy = 0.25 * (s[i + w + 1] - s[i + w - 1] - s[i - w + 1] + s[i - w - 1]);
    const m = 0.5 * (xx + yy);
    const d = Math.sqrt(0.25 * (xx - yy) * (xx - yy) + xy * xy);
    const l1 = m - d;
    if (l1 >= 0) continue;
    const zi = -l1 / (noise[i] * gain);
    if (zi < minZ) continue;
    let nx: number;
    let ny: number;
    if (Math.abs(xy) > 1e-12) {
      nx = l1 - yy;
      ny = xy;
    } else if (xx < yy) {
      nx = 1;
      ny = 0;
    } else {
      nx = 0;
      ny = 1;
    }
    const nl = hypot(nx, ny);
    nx /= nl;
    ny /= nl;
    const gx = 0.5 * (s[i + 1] - s[i - 1]);
    const gy = 0.5 * (s[i + w] - s[i - w]);
    const t = -(gx * nx + gy * ny) / l1;
    if (Math.abs(t) > 0.5) continue; // centre line only
    const wv = Math.min(zi / minZ, 3);
    const cx = x + t * nx;
    const cy = y + t * ny;
    // every vote inside the image when the farthest ones are (|r| ≤ rb, and rounding is monotone, so
    // cx − rb·|nx| ≤ cx ∓ r·nx ≤ cx + rb·|nx|, and alike in y): then no test per vote
    const ax = rb * Math.abs(nx);
    const ay = rb * Math.abs(ny);
    if (Math.round(cx - ax) >= 0 && Math.round(cx + ax) <= w - 1 && Math.round(cy - ay) >= 0 && Math.round(cy + ay) <= h - 1) {
      for (let r = r0; r <= r1; r += dstep) {
        const ux = r * nx;
        const uy = r * ny;
        let k = Math.round(cy - uy) * w + Math.round(cx - ux);
        acc[k] += wv;
        accR[k] += wv * r;
        k = Math.round(cy + uy) * w + Math.round(cx + ux);
        acc[k] += wv;
        accR[k] += wv * r;
      }
      continue;
    }
    for (let r = r0; r <= r1; r += dstep) {
      // both sides: (±r)·n is ±(r·n) exactly, so cx ∓ r·nx are the positions cx + sg·r·nx
      const ux = r * nx;
      const uy = r * ny;
      let X = Math.round(cx - ux);
      let Y = Math.round(cy - uy);
      if (X >= 0 && Y >= 0 && X < w && Y < h) {
        const k = Y * w + X;
        acc[k] += wv;
        accR[k] += wv * r;
      }
      X = Math.round(cx + ux);
      Y = Math.round(cy + uy);
      if (X >= 0 && Y >= 0 && X < w && Y < h) {
        const k = Y * w + X;
        acc[k] += wv;
        accR[k] += wv * r;
      }
    }
  }
}

/** accR blurred by the kernel bk at (x, y) (edges clamped): the sums of the separable passes at one pixel */
function blurAt(a: Float32Array, w: number, h: number, bk: Float32Array, x: number, y: number): number {
  const br = (bk.length - 1) >> 1;
  let s = 0;
  if (x >= br && y >= br && x < w - br && y < h - br) {
    // away from the edges no index is clamped: the same sums without the clamps
    for (let j = -br; j <= br; j++) {
      const o = (y + j) * w + x - br;
      let row = 0;
      for (let i = 0; i <= 2 * br; i++) row += bk[i] * a[o + i];
      s += bk[j + br] * row;
    }
    return s;
  }
  for (let j = -br; j <= br; j++) {
    const yy = Math.min(h - 1, Math.max(0, y + j)) * w;
    let row = 0;
    for (let i = -br; i <= br; i++) row += bk[i + br] * a[yy + Math.min(w - 1, Math.max(0, x + i))];
    s += bk[j + br] * row;
  }
  return s;
}

/**
 * The ring candidates of ringCandidates: the local maxima of the blurred votes A with enough rim length
 * and completeness, in raster order (a function of its own: its loop over all pixels ran slower inside the
 * once-per-frame function, whose closures hold A, w and h).
 */
function ringPeaks(
  A: Float32Array, accR: Float32Array, w: number, h: number, pxUm: number, bk: Float32Array, peakGain: number,
  minVotesUm: number, minFrac: number, out: Candidate[],
): void {
  // a conservative bound on v for the rim-length test below (a 1e-9 margin, far above rounding): one
  // predictable comparison for the many pixels with few votes
  const vLow = minVotesUm > 0 ? (minVotesUm / pxUm) * peakGain * (1 - 1e-9) : -Infinity;
  let np = 0;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      // four pixels at once below vLow (all four fail the test below; a NaN compares false, so its four are looked at
      // one by one): one branch for the many pixels with few votes (four comparisons, not Math.max of the four, which
      // decides the same and took a third longer on a real vote plane: 34 → 24 ms at 2048²)
      if (x + 4 <= w - 1 && A[i] < vLow && A[i + 1] < vLow && A[i + 2] < vLow && A[i + 3] < vLow) {
        x += 3;
        continue;
      }
      const v = A[i];
      if (v < vLow || v <= 0) continue;
      // the rim-length test first (it needs only v): most voted pixels fail it, and the tests are
      // pure, so testing it before the neighbours selects the same peaks
      const lenUm = (v / peakGain) * pxUm; // weighted rim length voting here (µm)
      if (lenUm < minVotesUm) continue;
      if (
        v < A[i - 1] || v <= A[i + 1] || v < A[i - w] || v <= A[i + w] ||
        v < A[i - w - 1] || v < A[i - w + 1] || v <= A[i + w - 1] || v <= A[i + w + 1]
      )
        continue;
      const rPx = blurAt(accR, w, h, bk, x, y) / v;
      // votes expected from a complete rim of that radius (pixels of rim ≈ 2πr), times the peak gain
      const full = (2 * Math.PI * rPx) * peakGain;
      if (v < minFrac * full) continue;
      if (4 * np === peakRows.length) {
        const grown = new Float64Array(2 * peakRows.length);
        grown.set(peakRows);
        peakRows = grown;
      }
      peakRows[4 * np] = x;
      peakRows[4 * np + 1] = y;
      peakRows[4 * np + 2] = rPx * pxUm;
      peakRows[4 * np + 3] = v / full;
      np++;
    }
  for (let k = 0; k < np; k++) out.push({ x: peakRows[4 * k], y: peakRows[4 * k + 1], r: peakRows[4 * k + 2], z: peakRows[4 * k + 3], hough: true });
}

/**
 * ringPeaks' peaks (x, y, r, z per row) while it scans: its candidates are made after the scan, as the object literal
 * inside the 4-million-pixel loop deoptimised it now and then (its fields' representation changed) and the rest of
 * the scan then ran unoptimised
 */
let peakRows = new Float64Array(4 * 1024);

/** scratch of ringCandidates: the two vote accumulators (planes of the shared stage scratch during detectMigrasomes) */
let voteScratch = new Float32Array(0);

/**
 * Ring candidates by a circular Hough transform on ridge pixels: every rim pixel (a thin bright
 * ridge) votes along its normal, on both sides, for centres at distances rMin…rMax. A ring's rim
 * votes into its centre from all directions; a fiber spreads its votes over two parallel bands.
 * Unlike a blob filter, touching or overlapping rings keep separate peaks. A second accumulator of
 * vote·distance gives the mean voting radius at each peak.
 */
export function ringCandidates(
  sub: Float32Array,
  noise: Float32Array,
  w: number,
  h: number,
  pxUm: number,
  rMinUm: number,
  rMaxUm: number,
  minZ = 3,
  minVotesUm = 1.2,
  minFrac = 0.8,
  pre?: { s: Float32Array; sigmaPx: number; strong?: Int32Array; strongZ?: number; noise?: Float32Array },
  /** w × h scratch for the blurred votes (fully written; `completeness` reads it, so only for callers done with it before the next use) */
  aOut?: Float32Array,
): { candidates: Candidate[]; completeness: (x: number, y: number, rUm: number) => number } {
  const sp = pre ? pre.sigmaPx : Math.max(0.7, 0.1 / pxUm);
  const s = pre ? pre.s : gaussianBlur(sub, w, h, sp);
  const gain = secondDerivativeGain(sp);
  // the vote accumulators: reused scratch (zeroed here, as its contents are undefined: detectMigrasomes sets it to
  // the shared stage scratch), so that a large frame does not map and fault in 2 × 4 bytes per pixel afresh every
  // time (only A, their blur, leaves this function)
  if (voteScratch.length < 2 * w * h) voteScratch = new Float32Array(2 * w * h);
  else voteScratch.fill(0, 0, 2 * w * h);
  const acc = voteScratch.subarray(0, w * h);
  const accR = voteScratch.subarray(w * h, 2 * w * h);
  const r0 = rMinUm / pxUm;
  const r1 = rMaxUm / pxUm;
  const dstep = 0.7;
  // the ridge detector's list of pixels at or above its (lower) threshold on the same smoothing and
  // noise map: the only pixels that can vote, in the same (ascending) order as a full scan
  const list = pre && pre.strong && pre.noise === noise && (pre.strongZ ?? Infinity) <= minZ ? pre.strong : null;
  castVotes(s, noise, list, w, h, gain, minZ, r0, r1, dstep, acc, accR);
  const bs = Math.max(0.8, 0.06 / pxUm);
  // (into aOut when given: the same passes as gaussianBlur, bs ≥ 0.8)
  const A = aOut ? convolveSeparable(acc, w, h, gaussianKernel(bs), aOut) : gaussianBlur(acc, w, h, bs);
  // the radius accumulator is needed only at peaks: blurred there (same kernel)
  const bk = gaussianKernel(bs);
  // a full ring of radius R gives ≈ 2πR/(px·dstep)… votes spread over the blur; threshold ∝ rim length
  const peakGain = 1 / (2 * Math.PI * bs * bs);
  const out: Candidate[] = [];
  ringPeaks(A, accR, w, h, pxUm, bk, peakGain, minVotesUm, minFrac, out);
  // ring completeness at any centre (pixels) and radius (µm): weighted votes / votes of a full rim
  const completeness = (x: number, y: number, rUm: number) => {
    let v = 0;
    const X = Math.round(x);
    const Y = Math.round(y);
    for (let j = -1; j <= 1; j++)
      for (let i = -1; i <= 1; i++) {
        const xx = X + i;
        const yy = Y + j;
        if (xx >= 0 && yy >= 0 && xx < w && yy < h) v = Math.max(v, A[yy * w + xx]);
      }
    return v / (2 * Math.PI * Math.max(rUm / pxUm, 1) * peakGain);
  };
  return { candidates: out, completeness };
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
/** the standard normal quantile of RIM_QUANTILE */
const RIM_Z = -1.0364;

/**
 * Correlation of the indicators [X < z] and [Y < z] of two standard normal variables with correlation
 * ρ ≥ 0 (z = the rim quantile's normal quantile): (Φ₂(z, z; ρ) − p²) / (p(1 − p)), with
 * dΦ₂/dρ = exp(−z²/(1 + ρ)) / (2π√(1 − ρ²)) integrated over ρ = sin t.
 */
function indicatorCorrelation(rho: number): number {
  if (!(rho > 0)) return 0;
  const T = Math.asin(Math.min(1, rho));
  const n = 64;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp((-RIM_Z * RIM_Z) / (1 + Math.sin(((i + 0.5) / n) * T)));
  return (s * (T / n)) / (2 * Math.PI) / (RIM_QUANTILE * (1 - RIM_QUANTILE));
}

const noiseFactors = new Map<number, number>();
/**
 * The noise of the rim quantile of N circle samples (spaced 1/1.2 px) of white noise smoothed by a
 * Gaussian of sigmaPx pixels and sampled bilinearly: RIM_SE · noiseSm · F / √N, where noiseSm is the
 * smoothing's noise gain (`kernelNoiseGain`). F counts (i) the lower variance of a bilinear sample
 * between pixels and (ii) the correlation of neighbouring samples, through the correlation of their
 * indicators below the quantile (the variance of a sample quantile of a correlated sequence is
 * p(1 − p)·Σ_lag ρ_I / (N φ(z)²)). Both follow from the discrete kernel, averaged over the direction of
 * the circle and the position of the samples between pixels, so the significance means the same at
 * every pixel size. (The previous rule, one independent sample per max(1.25 px, 0.125 µm), made noise
 * 0.82× too large at 0.16 µm pixels and 1.09–1.14× too small at 0.065–0.1 µm: on pure noise the
 * measured spread of the quantile is 1.0 ± 0.08 × this model at 0.05–0.2 µm.)
 */
export function rimNoiseFactor(sigmaPx: number): number {
  const cached = noiseFactors.get(sigmaPx);
  if (cached !== undefined) return cached;
  const k = gaussianKernel(sigmaPx);
  const r = (k.length - 1) >> 1;
  // autocorrelation of the 1-D kernel at integer lags
  const ac = new Float64Array(2 * r + 2);
  for (let m = 0; m < ac.length; m++) for (let i = 0; i + m < k.length; i++) ac[m] += k[i] * k[i + m];
  const A = (dx: number, dy: number) => {
    const mx = Math.abs(dx);
    const my = Math.abs(dy);
    return mx < ac.length && my < ac.length ? ac[mx] * ac[my] : 0;
  };
  const nz2 = ac[0] * ac[0];
  const cov = (px: number, py: number, qx: number, qy: number) => {
    const x0 = Math.floor(px);
    const y0 = Math.floor(py);
    const fx = px - x0;
    const fy = py - y0;
    const x1 = Math.floor(qx);
    const y1 = Math.floor(qy);
    const gx = qx - x1;
    const gy = qy - y1;
    const wp = [(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy];
    const wq = [(1 - gx) * (1 - gy), gx * (1 - gy), (1 - gx) * gy, gx * gy];
    let s = 0;
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++) s += wp[a] * wq[b] * A(x0 + (a & 1) - x1 - (b & 1), y0 + (a >> 1) - y1 - (b >> 1));
    return s;
  };
  const step = 1 / 1.2;
  const J = Math.ceil((2 * r + 2) / step);
  let varSum = 0;
  let rhoSum = 0;
  let cnt = 0;
  for (let ai = 0; ai < 6; ai++) {
    const th = ((ai + 0.5) / 6) * (Math.PI / 4);
    const ux = Math.cos(th) * step;
    const uy = Math.sin(th) * step;
    for (let oy = 0; oy < 3; oy++)
      for (let ox = 0; ox < 3; ox++) {
        const x = (ox + 0.5) / 3;
        const y = (oy + 0.5) / 3;
        const v0 = cov(x, y, x, y);
        let sum = 1;
        for (let j = 1; j <= J; j++)
          for (const sg of [1, -1]) {
            const qx = x + sg * j * ux;
            const qy = y + sg * j * uy;
            sum += indicatorCorrelation(cov(x, y, qx, qy) / Math.sqrt(v0 * cov(qx, qy, qx, qy)));
          }
        varSum += v0;
        rhoSum += sum;
        cnt++;
      }
  }
  const F = Math.sqrt(varSum / cnt / nz2) * Math.sqrt(rhoSum / cnt);
  noiseFactors.set(sigmaPx, F);
  return F;
}

/** cos/sin tables of N equally spaced angles (half-step offset), cached by N */
const trig = new Map<number, Float64Array>();
export function trigTable(N: number): Float64Array {
  let t = trig.get(N);
  if (!t) {
    t = new Float64Array(2 * N);
    for (let a = 0; a < N; a++) {
      const th = (2 * Math.PI * (a + 0.5)) / N;
      t[2 * a] = Math.cos(th);
      t[2 * a + 1] = Math.sin(th);
    }
    trig.set(N, t);
  }
  return t;
}

/** Bilinear sample of sm at (x, y) (pixels) where (x, y) and (x + 1, y + 1) lie inside the image (no clamping). */
function bilinearInside(sm: Float32Array, w: number, x: number, y: number): number {
  const x0 = x | 0;
  const y0 = y | 0;
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * w + x0;
  return (sm[i] * (1 - fx) + sm[i + 1] * fx) * (1 - fy) + (sm[i + w] * (1 - fx) + sm[i + w + 1] * fx) * fy;
}

/** Sample N points of the circle of radius rho (pixels) around (cx, cy) into angBuf (bilinear, clamped). */
function sampleCircle(sm: Float32Array, w: number, h: number, cx: number, cy: number, rho: number, N: number): void {
  const t = trigTable(N);
  const inside = cx - rho >= 0 && cy - rho >= 0 && cx + rho < w - 1 && cy + rho < h - 1;
  for (let a = 0; a < N; a++) {
    const x = cx + rho * t[2 * a];
    const y = cy + rho * t[2 * a + 1];
    if (!inside) {
      angBuf[a] = sampleBilinear(sm, w, h, x, y);
      continue;
    }
    angBuf[a] = bilinearInside(sm, w, x, y);
  }
}

/** a max-heap of the kq + 1 smallest samples of a circle (scratch of lowQuantile; rewritten per call) */
const lowBuf = new Float32Array(4096);

/** The kq-th smallest (0-based) of the N samples of a circle (`sampleCircle`, then `lowQuantile`). */
function circleQuantile(sm: Float32Array, w: number, h: number, cx: number, cy: number, rho: number, N: number, kq: number): number {
  sampleCircle(sm, w, h, cx, cy, rho, N);
  return lowQuantile(angBuf, 0, N, kq);
}

/**
 * The kq-th smallest (0-based) of buf[off … off + N), the value `selectK` returns on those samples in
 * angBuf, in one pass: a max-heap of the kq + 1 smallest so far, whose root is replaced when a sample
 * is below it. kq is a low quantile (15 %), so the heap is small and most samples cost one comparison;
 * no partitioning passes (on real profiles about 20 % faster than quickselect or a sorted list). An
 * order statistic is one value whatever the algorithm, so the result is the same; with a NaN sample
 * (where comparisons are not a total order) the samples go to angBuf (if not there) and the original
 * quickselect is used on them.
 */
function lowQuantile(buf: Float32Array, off: number, N: number, kq: number): number {
  const hp = lowBuf;
  const K = kq + 1;
  for (let i = 0; i < K; i++) {
    const v = buf[off + i];
    if (v !== v) return selectOnAngBuf(buf, off, N, kq);
    let c = i;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (hp[p] >= v) break;
      hp[c] = hp[p];
      c = p;
    }
    hp[c] = v;
  }
  for (let a = off + K, e = off + N; a < e; a++) {
    const v = buf[a];
    if (!(v < hp[0])) {
      if (v !== v) return selectOnAngBuf(buf, off, N, kq);
      continue;
    }
    let c = 0;
    for (;;) {
      let l = 2 * c + 1;
      if (l >= K) break;
      if (l + 1 < K && hp[l + 1] > hp[l]) l++;
      if (!(hp[l] > v)) break;
      hp[c] = hp[l];
      c = l;
    }
    hp[c] = v;
  }
  return hp[0];
}

/** scratch of `splitQuantile`: the samples at or below, and above, the guess */
const splitLo = new Float32Array(4096);
const splitHi = new Float32Array(4096);

/**
 * `lowQuantile` of finite samples, faster when `t` is a good guess of the result (the same radius of a
 * nearby centre's profile, or the previous radius): one branch-free pass splits the samples into those
 * ≤ t and those > t, and the kq-th smallest lies in one part at a known rank, usually near that part's
 * end, where a heap of a few values finds it. An order statistic is one value whatever the algorithm;
 * only a zero result (+0 and −0 tie) is recomputed by `lowQuantile` to return the same sign.
 */
function splitQuantile(buf: Float32Array, off: number, N: number, kq: number, t: number): number {
  const lo = splitLo;
  const hi = splitHi;
  let cl = 0;
  let ch = 0;
  for (let a = off, e = off + N; a < e; a++) {
    const v = buf[a];
    lo[cl] = v;
    hi[ch] = v;
    const le = v <= t ? 1 : 0;
    cl += le;
    ch += 1 - le;
  }
  const r = cl > kq ? rankOf(lo, cl, kq) : rankOf(hi, ch, kq - cl);
  return r === 0 ? lowQuantile(buf, off, N, kq) : r;
}

/**
 * The kq-th smallest of radius k's samples in `samples` (a sampler's last `sample`), given a guess t (a float32
 * value: the profile rows are float32): by the sampler's SIMD passes (`select` in fastcircle.ts), else (a guess
 * too far off) by `splitQuantile`, which also recomputes a zero result so that its sign is the heap's.
 */
function guessedQuantile(fast: ProfileSampler, samples: Float32Array, k: number, N: number, kq: number, t: number): number {
  const r = fast.select(k, kq, t);
  return r === r && r !== 0 ? r : splitQuantile(samples, fast.offsets[k], N, kq, t);
}

/** the r-th smallest of b[0 … m) (finite), by a heap from the nearer end */
function rankOf(b: Float32Array, m: number, r: number): number {
  return r <= m - 1 - r ? lowQuantile(b, 0, m, r) : highQuantile(b, m, m - 1 - r);
}

/** the r-th largest (0-based) of the finite b[0 … m): a min-heap of the r + 1 largest (mirror of `lowQuantile`) */
function highQuantile(b: Float32Array, m: number, r: number): number {
  const hp = lowBuf;
  const K = r + 1;
  for (let i = 0; i < K; i++) {
    const v = b[i];
    let c = i;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (hp[p] <= v) break;
      hp[c] = hp[p];
      c = p;
    }
    hp[c] = v;
  }
  for (let a = K; a < m; a++) {
    const v = b[a];
    if (!(v > hp[0])) continue;
    let c = 0;
    for (;;) {
      let l = 2 * c + 1;
      if (l >= K) break;
      if (l + 1 < K && hp[l + 1] < hp[l]) l++;
      if (!(hp[l] < v)) break;
      hp[c] = hp[l];
      c = l;
    }
    hp[c] = v;
  }
  return hp[0];
}

/** selectK on the samples buf[off … off + N) in angBuf (copied there unless they are there). */
function selectOnAngBuf(buf: Float32Array, off: number, N: number, kq: number): number {
  if (buf !== angBuf || off !== 0) angBuf.set(buf.subarray(off, off + N));
  return selectK(angBuf, N, kq);
}

/** views of scratch profile rows (radialProfile's `into`) by length: the first nr radii of each row (with the rows they view) */
const profileViews = new WeakMap<Profile, ({ v: Profile; of: Profile } | undefined)[]>();
function rowViews(into: Profile, nr: number, drUm: number): Profile {
  let l = profileViews.get(into);
  if (!l) profileViews.set(into, (l = []));
  const e = l[nr];
  if (e && e.v.drUm === drUm && e.of.med === into.med && e.of.q25 === into.q25 && e.of.n === into.n) return e.v;
  const v = { drUm, med: into.med.subarray(0, nr), q25: into.q25.subarray(0, nr), n: into.n.subarray(0, nr) };
  l[nr] = { v, of: { drUm, med: into.med, q25: into.q25, n: into.n } };
  return v;
}

/** Samples on a circle of radius rho pixels (at least 12, about 1.2 per pixel of circumference). */
function circleCount(rho: number): number {
  return Math.min(4096, Math.max(12, Math.ceil(2 * Math.PI * rho * 1.2)));
}

/**
 * Rim quantile (and, with `withMedian`, the angular median) at radii k·dr around (cx, cy) (pixels).
 * With a `sampler` for this image, radius step and pixel size (see fastcircle.ts), circles wholly
 * inside the image are sampled there (the same values) and only the selection runs here.
 * `hint`: rim quantiles of a nearby profile (same radii), a guess that speeds up the selection only.
 * `into`: scratch rows to write the profile into (the result then views them; not the hint's rows).
 */
export function radialProfile(
  sm: Float32Array,
  w: number,
  h: number,
  cx: number,
  cy: number,
  pxUm: number,
  drUm: number,
  nr: number,
  withMedian = true,
  sampler: ProfileSampler | null = null,
  hint: Float32Array | null = null,
  into: Profile | null = null,
): Profile {
  // with `into` (scratch rows of at least nr radii, every one rewritten below): views of it, no new
  // buffers (each small typed array has its own off-heap store, costly to allocate and collect)
  const reuse = into !== null && into.med.length >= nr && into.q25.length >= nr && into.n.length >= nr;
  // (the views of `into` for each length are made once: a climb asks for the same lengths thousands of times)
  const views = reuse ? rowViews(into, nr, drUm) : null;
  const med = views ? views.med : new Float32Array(nr);
  const q25 = views ? views.q25 : new Float32Array(nr);
  const n = views ? views.n : new Int32Array(nr);
  const result: Profile = views ?? { drUm, med, q25, n };
  const rhoMax = ((nr - 1) * drUm) / pxUm;
  const usable =
    sampler && sampler.live() && sampler.src === sm && sampler.w === w && sampler.h === h && sampler.pxUm === pxUm && sampler.drUm === drUm && nr >= 2 && nr <= sampler.nrMax
      ? sampler
      : null;
  // the radii 0 … nrIn − 1 whose circles lie inside the image (sampleCircle's test; monotone in the radius)
  let nrIn = nr;
  if (usable && !(cx - rhoMax >= 0 && cy - rhoMax >= 0 && cx + rhoMax < w - 1 && cy + rhoMax < h - 1)) {
    nrIn = 1;
    for (; nrIn < nr; nrIn++) {
      const rho = (nrIn * drUm) / pxUm;
      if (!(cx - rho >= 0 && cy - rho >= 0 && cx + rho < w - 1 && cy + rho < h - 1)) break;
    }
  }
  const fast = usable && nrIn === nr ? usable : null;
  // all circles by the sampler, or (near the border) those inside by it and the others below by sampleCircle
  const samples = fast ? fast.sample(cx, cy, nr) : usable && nrIn >= 2 ? usable.sample(cx, cy, nrIn) : null;
  if (samples && fast && !withMedian) {
    // all radii's rim quantiles in one WebAssembly call (see ProfileSampler.quantiles); a radius it leaves
    // (no guess, a guess too far off, a zero) is selected here, and the call goes on from the next one
    med[0] = q25[0] = sampleBilinear(sm, w, h, cx, cy);
    n[0] = 1;
    for (let k = 1; k < nr; ) {
      k = fast.quantiles(k, nr, hint, q25);
      if (k >= nr) break;
      const N = fast.offsets[k + 1] - fast.offsets[k];
      const kq = Math.floor(RIM_QUANTILE * (N - 1));
      const t = hint && k < hint.length ? hint[k] : k > 1 ? q25[k - 1] : NaN;
      q25[k] = t === t ? splitQuantile(samples, fast.offsets[k], N, kq, t) : lowQuantile(samples, fast.offsets[k], N, kq);
      k++;
    }
    for (let k = 1; k < nr; k++) {
      med[k] = q25[k];
      n[k] = fast.offsets[k + 1] - fast.offsets[k];
    }
    return result;
  }
  for (let k = 0; k < nr; k++) {
    const rho = (k * drUm) / pxUm;
    const N = k === 0 ? 1 : circleCount(rho);
    if (N === 1) {
      med[k] = q25[k] = sampleBilinear(sm, w, h, cx, cy);
    } else {
      const kq = Math.floor(RIM_QUANTILE * (N - 1));
      // the guess of splitQuantile: this radius in `hint`, else the previous radius (finite samples only)
      const t = hint && k < hint.length ? hint[k] : k > 1 ? q25[k - 1] : NaN;
      const part = samples !== null && usable !== null && k < nrIn ? usable : null;
      if (samples && part) angBuf.set(samples.subarray(part.offsets[k], part.offsets[k] + N));
      else sampleCircle(sm, w, h, cx, cy, rho, N);
      q25[k] = samples && part && t === t ? guessedQuantile(part, samples, k, N, kq, t) : lowQuantile(angBuf, 0, N, kq);
      med[k] = withMedian ? selectK(angBuf, N, (N - 1) >> 1) : q25[k];
    }
    n[k] = N;
  }
  return result;
}

/**
 * The angular median of radius k of `radialProfile(…, withMedian = true)` at (cx, cy): the same samples
 * (`sampleCircle` gives the sampler's values on circles inside the image) and the same selections on them
 * (the rim quantile's `lowQuantile` first: on samples with a NaN it reorders angBuf as it did there).
 */
function medianAt(sm: Float32Array, w: number, h: number, cx: number, cy: number, pxUm: number, drUm: number, k: number, sampler: ProfileSampler | null = null): number {
  if (k === 0) return sampleBilinear(sm, w, h, cx, cy);
  const rho = (k * drUm) / pxUm;
  const N = circleCount(rho);
  // (by the sampler: finite samples, so that lowQuantile leaves them in place)
  const samples = circleSamples(sampler, w, h, cx, cy, rho, N);
  if (samples) return selectK(samples, N, (N - 1) >> 1);
  sampleCircle(sm, w, h, cx, cy, rho, N);
  lowQuantile(angBuf, 0, N, Math.floor(RIM_QUANTILE * (N - 1)));
  return selectK(angBuf, N, (N - 1) >> 1);
}

/** The first nr radii of a profile. */
function truncateProfile(p: Profile, nr: number): Profile {
  return { drUm: p.drUm, med: p.med.subarray(0, nr), q25: p.q25.subarray(0, nr), n: p.n.subarray(0, nr) };
}

export interface ProfileFeatures {
  /** Σ max(0, rim) over radii from the first probed radius: maximal at the object's centre */
  area: number;
  peak: number;
  peakRadiusUm: number;
  /** the peak's radius index (peakRadiusUm / drUm) */
  peakIndex: number;
  halfRadiusUm: number;
  score: number;
  uniformity: number;
}

/** scratch of profileFeatures: the radially smoothed rim profile */
let featBuf = new Float32Array(256);

/** Peak, outer half-maximum radius and significance of an angular-median profile. */
export function profileFeatures(p: Profile, noiseSm: number, pxUm: number, minPeakRadiusUm = 0, noiseFactor = NaN): ProfileFeatures {
  const nr = p.med.length;
  // light smoothing over radius (in a reused scratch row: fully written before it is read)
  if (featBuf.length < nr) featBuf = new Float32Array(nr);
  const m = featBuf;
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
  const area = profileArea(p, minPeakRadiusUm);
  // noise of a median of N correlated samples (sample spacing ≈ 0.8 px)
  // independent samples on the circle: one per max(1.25 px, 0.125 µm) of circumference — the noise is correlated
  // over the PSF and smoothing, which do not shrink with the pixel (so fine pixels do not inflate the significance)
  // with the smoothing's noise factor (`rimNoiseFactor`), the modelled noise of the rim quantile; without it, the older
  // rule of one independent sample per max(1.25 px, 0.125 µm)
  const neff = noiseFactor > 0 ? p.n[kp] / (noiseFactor * noiseFactor) : Math.max(1, (p.n[kp] / 1.2) * (pxUm / Math.max(1.25 * pxUm, 0.125)));
  const sd = (RIM_SE * noiseSm) / Math.sqrt(neff);
  const score = best / sd;
  const uniformity = best > 0 ? Math.min(1, best / Math.max(p.med[kp], 1e-9)) : 0;
  void pxUm;
  return { area, peak: best, peakRadiusUm: kp * p.drUm, peakIndex: kp, halfRadiusUm: half, score, uniformity };
}

/** A profile's area: the sum of its positive rim quantiles from the smallest radius a peak may have (`profileFeatures`' area; the climb compares areas alone) */
function profileArea(p: Profile, minPeakRadiusUm: number): number {
  const nr = p.med.length;
  const q = p.q25;
  const k0 = Math.min(nr - 3, Math.ceil(minPeakRadiusUm / p.drUm - 1e-9));
  let area = 0;
  for (let k = Math.max(0, k0); k < nr; k++) if (q[k] > 0) area += q[k];
  return area;
}

export interface DetectOptions {
  params?: Partial<MigrasomeParams>;
  psfSigmaUm?: number;
  /** pixels where no migrasome is looked for (e.g. cell bodies) */
  exclude?: Uint8Array;
  /** the image already smoothed at ~0.1 µm (e.g. by the ridge detector), reused by the ring transform */
  smoothed?: { s: Float32Array; sigmaPx: number; strong?: Int32Array; strongZ?: number; noise?: Float32Array };
  /** called for every profiled candidate (tuning and diagnostics) */
  onCandidate?: (c: {
    x: number;
    y: number;
    radiusUm: number;
    probability: number;
    score: number;
    uniformity: number;
    armContrast: number;
    /** ring completeness from the Hough transform (0 without it) */
    ringZ: number;
    accepted: boolean;
    fill?: number;
    peak?: number;
    halfRadiusUm?: number;
    hough?: boolean;
    cross?: CrossingMeasure;
    /** the ovality e the object was measured with (ovalRefine; 0: along circles) */
    ovalE?: number;
  }) => void;
}

/**
 * The image's own scale for "dim": the median rim peak of its clear detections (arm contrast ≥ dimRefArmContrast).
 * Detections below dimMinRelPeak × that and no brighter than the fibers around them (arm contrast <
 * dimMaxArmContrast) are dropped. Judged after all detections are made, so the result does not depend on their order.
 */
export function dropDimFlat(
  found: Migrasome[],
  P: Pick<MigrasomeParams, "dimMinRelPeak" | "dimMaxArmContrast" | "dimRefArmContrast" | "dimRefMinCount"> & Partial<Pick<MigrasomeParams, "dimKeepRingZ" | "dimKeepMinRadiusUm">>,
): Migrasome[] {
  const ref = found.filter((m) => m.armContrast >= P.dimRefArmContrast).map((m) => m.peak);
  if (ref.length < Math.max(1, P.dimRefMinCount)) return found;
  ref.sort((a, b) => a - b);
  const n = ref.length;
  const med = n % 2 ? ref[(n - 1) >> 1] : 0.5 * (ref[n / 2 - 1] + ref[n / 2]);
  // (a large complete ring is kept: see dimKeepRingZ)
  const keepZ = P.dimKeepRingZ ?? 0;
  const keepR = P.dimKeepMinRadiusUm ?? 0;
  return found.filter((m) => !(m.armContrast < P.dimMaxArmContrast && m.peak < P.dimMinRelPeak * med) || (keepZ > 0 && m.ringZ >= keepZ && m.diameterUm / 2 >= keepR));
}

/** Angular median on one circle (pixels). */
function circleMedian(sm: Float32Array, w: number, h: number, cx: number, cy: number, rho: number, sampler: ProfileSampler | null = null): { med: number; n: number } {
  const N = circleCount(rho);
  const kq = Math.floor(RIM_QUANTILE * (N - 1));
  const samples = circleSamples(sampler, w, h, cx, cy, rho, N);
  return { med: samples ? lowQuantile(samples, 0, N, kq) : circleQuantile(sm, w, h, cx, cy, rho, N, kq), n: N };
}

/**
 * The samples of `sampleCircle` on a circle inside the image by the sampler (the same values, in WebAssembly; its image
 * must be the one sampled), else null (then sampleCircle).
 */
function circleSamples(sampler: ProfileSampler | null, w: number, h: number, cx: number, cy: number, rho: number, N: number): Float32Array | null {
  const inside = cx - rho >= 0 && cy - rho >= 0 && cx + rho < w - 1 && cy + rho < h - 1;
  return inside && sampler !== null && sampler.live() && sampler.w === w && sampler.h === h ? sampler.circle(cx, cy, rho, N) : null;
}

/**
 * Sample N points of the ellipse r(θ) = rho·(1 + e·cos 2(θ − φ)) (rho in pixels; c2p = cos 2φ, s2p = sin 2φ) around
 * (cx, cy) into angBuf (bilinear, clamped; `sampleCircle` along an oval).
 */
function sampleOval(sm: Float32Array, w: number, h: number, cx: number, cy: number, rho: number, N: number, e: number, c2p: number, s2p: number): void {
  const t = trigTable(N);
  const rm = rho * (1 + Math.abs(e));
  const inside = cx - rm >= 0 && cy - rm >= 0 && cx + rm < w - 1 && cy + rm < h - 1;
  for (let a = 0; a < N; a++) {
    const c = t[2 * a];
    const sn = t[2 * a + 1];
    const g = rho * (1 + e * ((c * c - sn * sn) * c2p + 2 * c * sn * s2p));
    const x = cx + g * c;
    const y = cy + g * sn;
    if (!inside) {
      angBuf[a] = sampleBilinear(sm, w, h, x, y);
      continue;
    }
    angBuf[a] = bilinearInside(sm, w, x, y);
  }
}

/**
 * `radialProfile` (with the angular median) along the ellipses r(θ) = k·dr·(1 + e·cos 2(θ − φ)) instead of circles,
 * written into the scratch rows `into` (the result views them).
 */
function ovalProfile(sm: Float32Array, w: number, h: number, cx: number, cy: number, pxUm: number, drUm: number, nr: number, e: number, phi: number, into: Profile): Profile {
  const p = rowViews(into, nr, drUm);
  const c2p = Math.cos(2 * phi);
  const s2p = Math.sin(2 * phi);
  for (let k = 0; k < nr; k++) {
    const rho = (k * drUm) / pxUm;
    const N = k === 0 ? 1 : circleCount(rho);
    if (N === 1) {
      p.med[k] = p.q25[k] = sampleBilinear(sm, w, h, cx, cy);
    } else {
      sampleOval(sm, w, h, cx, cy, rho, N, e, c2p, s2p);
      p.q25[k] = lowQuantile(angBuf, 0, N, Math.floor(RIM_QUANTILE * (N - 1)));
      p.med[k] = selectK(angBuf, N, (N - 1) >> 1);
    }
    p.n[k] = N;
  }
  return p;
}

/**
 * The highest rim quantile (lightly smoothed over radius, as in profileFeatures) along the ellipses of shape (e, φ)
 * around (cx, cy) at radii k0…k1 (radius k·dr).
 */
function ovalRimPeak(sm: Float32Array, w: number, h: number, cx: number, cy: number, pxUm: number, drUm: number, k0: number, k1: number, e: number, phi: number): number {
  const c2p = Math.cos(2 * phi);
  const s2p = Math.sin(2 * phi);
  let best = -Infinity;
  let prev = NaN;
  let prev2 = NaN;
  for (let k = Math.max(1, k0); k <= k1; k++) {
    const rho = (k * drUm) / pxUm;
    const N = circleCount(rho);
    sampleOval(sm, w, h, cx, cy, rho, N, e, c2p, s2p);
    const q = lowQuantile(angBuf, 0, N, Math.floor(RIM_QUANTILE * (N - 1)));
    const v = prev === prev ? (prev2 === prev2 ? (prev2 + 2 * prev + q) / 4 : prev) : -Infinity;
    if (v > best) best = v;
    prev2 = prev;
    prev = q;
  }
  return best;
}

/** searchOval's result: e, φ, the rim peak along that oval, the rim peak along circles (e = 0), the centre x, y */
export const OVAL_E = 0;
export const OVAL_PHI = 1;
export const OVAL_PEAK = 2;
export const OVAL_ROUND_PEAK = 3;
export const OVAL_X = 4;
export const OVAL_Y = 5;
const ovalOut = new Float64Array(6);

/**
 * The oval shape (e in `es`, φ in 12 steps of 15°) whose ellipses around (cx0, cy0) give the highest rim quantile at
 * radii k0…k1 (radius k·dr), then a coordinate ascent on the centre (within maxShiftPx) and the shape's components
 * (e·cos 2φ, e·sin 2φ; e ≤ maxE); e = 0 (round) is the reference. The result is in a shared scratch array (see OVAL_E
 * …), rewritten by the next call.
 */
export function searchOval(sm: Float32Array, w: number, h: number, cx0: number, cy0: number, pxUm: number, drUm: number, k0: number, k1: number, es: readonly number[], maxE = 0.3, maxShiftPx = 3): Float64Array {
  let cx = cx0;
  let cy = cy0;
  const roundPeak = ovalRimPeak(sm, w, h, cx, cy, pxUm, drUm, k0, k1, 0, 0);
  let e0 = 0;
  let phi0 = 0;
  let peak = roundPeak;
  for (let i = 0; i < es.length; i++)
    for (let j = 0; j < 12; j++) {
      const phi = (j * Math.PI) / 12;
      const q = ovalRimPeak(sm, w, h, cx, cy, pxUm, drUm, k0, k1, es[i], phi);
      if (q > peak) {
        peak = q;
        e0 = es[i];
        phi0 = phi;
      }
    }
  if (e0 > 0) {
    let ex = e0 * Math.cos(2 * phi0);
    let ey = e0 * Math.sin(2 * phi0);
    let sp = 1;
    let se = 0.03;
    for (let it = 0; it < 30 && sp >= 0.25; it++) {
      let moved = false;
      for (let j = 0; j < 8 && !moved; j++) {
        const sg = j & 1 ? -1 : 1;
        const x = j >> 1 === 0 ? cx + sg * sp : cx;
        const y = j >> 1 === 1 ? cy + sg * sp : cy;
        const a = j >> 1 === 2 ? ex + sg * se : ex;
        const b = j >> 1 === 3 ? ey + sg * se : ey;
        if (hypot(a, b) > maxE || hypot(x - cx0, y - cy0) > maxShiftPx) continue;
        const v = ovalRimPeak(sm, w, h, x, y, pxUm, drUm, k0, k1, hypot(a, b), 0.5 * Math.atan2(b, a));
        if (v > peak * 1.002) {
          peak = v;
          cx = x;
          cy = y;
          ex = a;
          ey = b;
          moved = true;
        }
      }
      if (!moved) {
        sp *= 0.5;
        se *= 0.5;
      }
    }
    e0 = hypot(ex, ey);
    phi0 = 0.5 * Math.atan2(ey, ex);
  }
  ovalOut[OVAL_E] = e0;
  ovalOut[OVAL_PHI] = phi0;
  ovalOut[OVAL_PEAK] = peak;
  ovalOut[OVAL_ROUND_PEAK] = roundPeak;
  ovalOut[OVAL_X] = cx;
  ovalOut[OVAL_Y] = cy;
  return ovalOut;
}

/**
 * An object's radius (µm) from its profile's outer half-maximum radius: the sampling blurs the profile too (bilinear
 * samples between pixels, variance px²/6, and the radial smoothing, dr²/2, both growing with the pixel), removed in
 * quadrature (the outer half-maximum of a blurred object of width s lies at ≈ 1.18·√(s² + σ²)), so that a small object
 * measures the same at every pixel size; then the PSF's bias.
 */
function objectRadius(halfRadiusUm: number, P: Pick<MigrasomeParams, "samplingBlurFactor" | "samplingBlurRefUm2" | "radiusBias">, sampVar: number, sigmaT: number): number {
  const hq = halfRadiusUm * halfRadiusUm - P.samplingBlurFactor * (sampVar - P.samplingBlurRefUm2);
  const corr = (hq > 0.25 * halfRadiusUm * halfRadiusUm ? Math.sqrt(hq) : 0.5 * halfRadiusUm) - P.radiusBias * sigmaT;
  return corr > 0 ? corr : 0;
}

/** the radius (same units as r) of an object of radius r and oval shape (e, φ) towards the direction (dx, dy) */
function radiusToward(r: number, e: number, phi: number, dx: number, dy: number): number {
  return r * (1 + e * Math.cos(2 * (Math.atan2(dy, dx) - phi)));
}

/**
 * Brightest direction on a circle (max of 3-sample angular means), ignoring directions that lie on
 * the rim of a neighbouring ring (`rings`: centre and radius in pixels, `tol` in pixels).
 */
function circleMax(
  sm: Float32Array,
  w: number,
  h: number,
  cx: number,
  cy: number,
  rho: number,
  rings: { x: number; y: number; r: number }[] = [],
  tol = 0,
  bands = 1,
  bandStep = 0,
): number {
  const N = Math.min(4096, Math.max(16, Math.ceil(2 * Math.PI * rho * 1.2)));
  // (reused scratch, cleared: no new array per candidate)
  if (circleMaxMask.length < N) circleMaxMask = new Uint8Array(N);
  const masked = circleMaxMask;
  masked.fill(0, 0, N);
  // cos and sin of θ = 2π(a + ½)/N from the cached table (the same expression, so the same values)
  const tt = trigTable(N);
  // every sample within [0, w − 1) × [0, h − 1) (as in sampleCircle): sampleBilinear's formula without its clamps
  const rMax = rho + (bands - 1) * bandStep;
  const inside = cx - rMax >= 0 && cy - rMax >= 0 && cx + rMax < w - 1 && cy + rMax < h - 1;
  for (let a = 0; a < N; a++) {
    const c = tt[2 * a];
    const sn = tt[2 * a + 1];
    const x = cx + rho * c;
    const y = cy + rho * sn;
    // the mean over `bands` radii rho, rho + bandStep, … (pixels) in this direction
    let v = 0;
    if (inside)
      for (let b = 0; b < bands; b++) {
        const px = cx + (rho + b * bandStep) * c;
        const py = cy + (rho + b * bandStep) * sn;
        const x0 = px | 0;
        const y0 = py | 0;
        const fx = px - x0;
        const fy = py - y0;
        const i = y0 * w + x0;
        v += (sm[i] * (1 - fx) + sm[i + 1] * fx) * (1 - fy) + (sm[i + w] * (1 - fx) + sm[i + w + 1] * fx) * fy;
      }
    else for (let b = 0; b < bands; b++) v += sampleBilinear(sm, w, h, cx + (rho + b * bandStep) * c, cy + (rho + b * bandStep) * sn);
    angBuf[a] = v / bands;
    for (const r of rings) if (Math.abs(hypot(x - r.x, y - r.y) - r.r) < tol) masked[a] = 1;
  }
  let best = -Infinity;
  for (let a = 0; a < N; a++) {
    if (masked[a]) continue;
    const v = (angBuf[(a + N - 1) % N] + angBuf[a] + angBuf[(a + 1) % N]) / 3;
    if (v > best) best = v;
  }
  return best === -Infinity ? 0 : best;
}

/** circleMax's marks of the directions on a neighbour's rim (scratch) */
let circleMaxMask = new Uint8Array(256);

/** what `crossingMeasure` finds around a small object: fiber lines through it and its centre against their sum */
export interface CrossingMeasure {
  /** straight lines through the centre (pairs of opposite arms) */
  lines: number;
  /** the two brightest lines' brightness above the local background (mean of the band, image units) */
  b1: number;
  b2: number;
  /** the brightest point near the centre above the same background */
  centre: number;
  /** the summed brightness of all lines */
  sum: number;
  /** centre / (b1 + b2) (Infinity with fewer than two lines) */
  ratio: number;
}

const crossBuf = new Float64Array(512);
const crossSorted = new Float64Array(512);

/**
 * The r-th of p[0 … N) in ascending order, as `Array.from(…).sort((x, y) => x − y)[r]` gives it: by a numeric sort of a
 * typed copy (no comparator calls) when every value is finite and not zero (then the order is total and every sort puts the
 * same value at each rank), else by that sort (its order of ±0 ties, and whatever it does with NaN or ∞ − ∞).
 */
function lowBackground(p: Float64Array, N: number, r: number): number {
  const t = crossSorted.subarray(0, N);
  for (let a = 0; a < N; a++) {
    const v = p[a];
    if (v === 0 || !(Math.abs(v) < Infinity)) return Array.from(p.subarray(0, N)).sort((x, y) => x - y)[r];
    t[a] = v;
  }
  t.sort();
  return t[r];
}
/**
 * Fiber lines through (cx, cy) (pixels): the angular profile of the mean brightness over radii r0Um…r1Um
 * (N directions), its local maxima at least zArm noise units above its lower quantile are arms, and two
 * arms within pairTolDeg of opposite directions are one straight line through the centre. At a crossing
 * of two fibers the centre is the sum of the two lines' brightness; an object on a crossing adds its own.
 */
export function crossingMeasure(
  sm: Float32Array,
  w: number,
  h: number,
  cx: number,
  cy: number,
  pxUm: number,
  r0Um: number,
  r1Um: number,
  noiseSm: number,
  zArm: number,
  pairTolDeg: number,
  centreUm: number,
): CrossingMeasure {
  const N = 72;
  const t = trigTable(N);
  const nR = Math.max(2, Math.ceil((r1Um - r0Um) / Math.max(pxUm, 0.05)) + 1);
  const p = crossBuf;
  for (let a = 0; a < N; a++) {
    let v = 0;
    for (let k = 0; k < nR; k++) {
      const rho = (r0Um + ((r1Um - r0Um) * k) / (nR - 1)) / pxUm;
      v += sampleBilinear(sm, w, h, cx + rho * t[2 * a], cy + rho * t[2 * a + 1]);
    }
    p[a] = v / nR;
  }
  // the local background: a low quantile of the directions (most directions miss the fibers)
  const bg = lowBackground(p, N, Math.floor(0.2 * N));
  // noise of a band mean: about one independent sample per 0.2 µm of radius
  const nzBand = noiseSm / Math.sqrt(Math.max(1, (r1Um - r0Um) / 0.2));
  const arms: { a: number; v: number }[] = [];
  for (let a = 0; a < N; a++) {
    const v = p[a];
    let isMax = true;
    for (let d = 1; d <= 3 && isMax; d++) if (p[(a + d) % N] > v || p[(a - d + N) % N] >= v) isMax = false;
    if (isMax && v - bg >= zArm * nzBand) arms.push({ a, v: v - bg });
  }
  const tolA = (pairTolDeg / 360) * N;
  const lines: { v: number }[] = [];
  const used = new Set<number>();
  const pairs: { i: number; j: number; v: number }[] = [];
  for (let i = 0; i < arms.length; i++)
    for (let j = i + 1; j < arms.length; j++) {
      const d = Math.abs(arms[i].a - arms[j].a);
      if (Math.abs(d - N / 2) <= tolA) pairs.push({ i, j, v: Math.min(arms[i].v, arms[j].v) });
    }
  pairs.sort((x, y) => y.v - x.v);
  for (const q of pairs) {
    if (used.has(q.i) || used.has(q.j)) continue;
    used.add(q.i);
    used.add(q.j);
    lines.push({ v: q.v });
  }
  // the centre: the brightest of 13 points within centreUm (the object's centre may be a pixel off the crossing)
  let centre = -Infinity;
  const rc = centreUm / pxUm;
  for (let j = -2; j <= 2; j++)
    for (let i = -2; i <= 2; i++) if (i * i + j * j <= 4) centre = Math.max(centre, sampleBilinear(sm, w, h, cx + (i * rc) / 2, cy + (j * rc) / 2));
  centre -= bg;
  const b1 = lines.length > 0 ? lines[0].v : 0;
  const b2 = lines.length > 1 ? lines[1].v : 0;
  let sum = 0;
  for (const l of lines) sum += l.v;
  return { lines: lines.length, b1, b2, centre, sum, ratio: lines.length >= 2 ? centre / (b1 + b2) : Infinity };
}

/**
 * hypot(dx, dy)·scale < lim (scale > 0), without the root when max(|dx|, |dy|)·scale ≥ lim:
 * hypot(dx, dy) ≥ max(|dx|, |dy|) (V8 returns √(Σ (v/max)²)·max with the sum ≥ 1) and rounding
 * is monotone, so the answer is the same.
 */
function closerThan(dx: number, dy: number, scale: number, lim: number): boolean {
  if (Math.max(Math.abs(dx), Math.abs(dy)) * scale >= lim) return false;
  return hypot(dx, dy) * scale < lim;
}

/**
 * The ridge strength (noise units) of a voting rim pixel. Noise pixels reach z with probability ∝ exp(−z²/2) and
 * an image has 1/px² pixels per µm², so the same density of noise voters per µm² as houghZ at houghRefPxUm needs
 * z² = houghZ² + 4 ln(houghRefPxUm / px): higher at finer pixels, lower at coarser ones ("linear" (older rule):
 * houghZ · max(1, houghRefPxUm / px)).
 */
function houghThreshold(P: MigrasomeParams, pxUm: number): number {
  if (P.houghZRule === "linear" || (P.houghZRule === "hybrid" && pxUm <= P.houghRefPxUm)) return P.houghZ * Math.max(1, P.houghRefPxUm / pxUm);
  return Math.sqrt(Math.max(1, P.houghZ * P.houghZ + 4 * Math.log(P.houghRefPxUm / pxUm)));
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
  // the profiles' smoothing goes into reused scratch (fully written, read only during the call); a nested
  // call (from onCandidate) gets a new array
  if (smBusy) return detectWith(sub, noise, w, h, pxUm, opts, new Float32Array(w * h));
  // the profiles' smoothing, the blurred votes, the two vote accumulators, the blob stage's smoothing and its
  // pyramid: six planes in the shared stage scratch (stagescratch.ts: memory the ridge stage's line filter has
  // already touched, not ~90 MB of fresh pages at 2048²), set as this module's scratch for the call
  const n = w * h;
  const saved = { votes: voteScratch, blob: blobScratch, pyramid: pyramidScratch };
  smBusy = true;
  try {
    return withStageScratch(6 * 4 * n, (buf) => {
      const plane = (k: number, len = n) => new Float32Array(buf, 4 * n * k, len);
      voteScratch = plane(2, 2 * n);
      blobScratch = plane(4);
      pyramidScratch = plane(5);
      return detectWith(sub, noise, w, h, pxUm, opts, plane(0), plane(1));
    });
  } finally {
    voteScratch = saved.votes;
    blobScratch = saved.blob;
    pyramidScratch = saved.pyramid;
    smBusy = false;
  }
}

let smBusy = false;

/** the positions one centre climb has profiled (detectWith; at most 1 + 8 · 4 per candidate) */
const climbX = new Float64Array(40);
const climbY = new Float64Array(40);

/**
 * Lists by integer key, as a Map of arrays, but keys in [0, size) (a grid's cells) in a dense array: the same
 * lists for the same keys (a key outside the range, e.g. a cell left of or above the image, goes to the Map).
 */
class CellLists<T> {
  private readonly dense: (T[] | undefined)[];
  private readonly other = new Map<number, T[]>();
  constructor(private readonly size: number) {
    this.dense = new Array<T[] | undefined>(size).fill(undefined);
  }
  get(key: number): T[] | undefined {
    return key >= 0 && key < this.size ? this.dense[key] : this.other.get(key);
  }
  /** appends v to the list of key (a new list if none) */
  push(key: number, v: T): void {
    const l = this.get(key);
    if (l) l.push(v);
    else if (key >= 0 && key < this.size) this.dense[key] = [v];
    else this.other.set(key, [v]);
  }
}

/**
 * Points (x, y, r) listed by integer key, in typed arrays (no object per point): each key's list linked through
 * `next` from `first(key)`, newest first; keys in [0, size) (a grid's cells) in a dense array, others in a Map.
 */
class PointLists {
  private readonly head: Int32Array;
  private readonly other = new Map<number, number>();
  x = new Float64Array(1024);
  y = new Float64Array(1024);
  r = new Float64Array(1024);
  next = new Int32Array(1024);
  private n = 0;
  constructor(private readonly size: number) {
    this.head = new Int32Array(size).fill(-1);
  }
  /** the newest point of key's list, −1 when none */
  first(key: number): number {
    return key >= 0 && key < this.size ? this.head[key] : (this.other.get(key) ?? -1);
  }
  push(key: number, x: number, y: number, r: number): void {
    if (this.n === this.x.length) {
      const grow = <A extends Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
        const b = make(2 * a.length);
        b.set(a);
        return b;
      };
      this.x = grow(this.x, (n) => new Float64Array(n));
      this.y = grow(this.y, (n) => new Float64Array(n));
      this.r = grow(this.r, (n) => new Float64Array(n));
      this.next = grow(this.next, (n) => new Int32Array(n));
    }
    const p = this.n++;
    this.x[p] = x;
    this.y[p] = y;
    this.r[p] = r;
    this.next[p] = this.first(key);
    if (key >= 0 && key < this.size) this.head[key] = p;
    else this.other.set(key, p);
  }
}

/**
 * A candidate's centre: its radial profile (nrc radii) at (c.x, c.y), then a hill climb on the profile's area (the
 * rim's angular median); null when the first profile scores below minScore. The profiles are written into the two
 * scratch rows (the current one and the one being tried). A function of its own, not part of `detectWith`'s
 * candidate loop: V8 then compiles it (and the loop) in smaller pieces.
 */
function climbCentre(
  c: Candidate, sm: Float32Array, w: number, h: number, pxUm: number, dr: number, nrc: number, sampler: ProfileSampler | null,
  rowsA: Profile, rowsB: Profile, nz: number, minRho: number, noiseF: number, minScore: number, ringRho = 0, ringValley = 0, ringCentre = 0, ringMinScore = 0,
): { cx: number; cy: number; prof: Profile; f: ProfileFeatures; minRho: number } | null {
  let cx = c.x;
  let cy = c.y;
  // the profiles are written into two scratch rows: the current one and the one being tried
  let cur = rowsA;
  let other = rowsB;
  let prof = radialProfile(sm, w, h, cx, cy, pxUm, dr, nrc, false, sampler, null, cur);
  let f = profileFeatures(prof, nz, pxUm, minRho, noiseF);
  // (a ring candidate whose rim beyond ringRho is separated from whatever lies inside by a valley below ringValley ×
  // that rim's peak: a ring around a bright centre, measured from ringRho outwards, also while its centre is refined;
  // see houghMinPeakFrac)
  if (ringRho > minRho) {
    const fr = profileFeatures(prof, nz, pxUm, ringRho, noiseF);
    const q = prof.q25;
    const k0 = Math.max(0, Math.ceil(minRho / dr - 1e-9));
    const kr = Math.min(fr.peakIndex, Math.ceil(ringRho / dr - 1e-9));
    let ki = k0;
    for (let k = k0; k < kr; k++) if (q[k] > q[ki]) ki = k;
    let valley = Infinity;
    for (let k = ki; k <= fr.peakIndex; k++) valley = Math.min(valley, q[k]);
    if (fr.peak > 0 && fr.score >= ringMinScore && valley < ringValley * fr.peak && q[ki] >= ringCentre * fr.peak) {
      minRho = ringRho;
      f = fr;
    }
  }
  if (f.score < minScore) return null;
  // profile only as far as the object reaches (saves most of the work for large scales)
  const nrh = Math.min(nrc, Math.ceil((1.3 * f.halfRadiusUm + 0.5) / dr) + 2);
  // refine the centre: hill-climb on the rim's angular median
  let step = c.hough ? 0.5 : Math.max(0.5, (0.3 * Math.max(f.halfRadiusUm, 0.2)) / pxUm);
  prof = truncateProfile(prof, nrh);
  f = profileFeatures(prof, nz, pxUm, minRho, noiseF);
  let ldx = 0;
  let ldy = 0;
  // the positions profiled so far in this climb (centres and refused tries), exactly as computed: areas only
  // grow (a move needs area > 1.002 × the current one, and areas are sums of positive values), and a refused
  // try had area ≤ 1.002 × an earlier, no larger centre's (rounding is monotone), so a position profiled before
  // is refused again: it is not profiled twice (the same profile, so the same answer)
  let nVisited = 1;
  climbX[0] = cx;
  climbY[0] = cy;
  for (let it = 0; it < (c.hough ? 3 : 8); it++) {
    let moved = false;
    for (let j = 0; j < 4; j++) {
      // +x, −x, +y, −y (no arrays per step: the climb runs for every candidate)
      const dx = j === 0 ? step : j === 1 ? -step : 0;
      const dy = j === 2 ? step : j === 3 ? -step : 0;
      // stepping back to where the last move came from cannot gain (its area was lower)
      if (dx === -ldx && dy === -ldy && (dx !== 0 || dy !== 0)) continue;
      if (c.hough && hypot(cx + dx - c.x, cy + dy - c.y) * pxUm > 0.15) continue;
      const tx = cx + dx;
      const ty = cy + dy;
      let again = false;
      for (let q = 0; q < nVisited; q++)
        if (climbX[q] === tx && climbY[q] === ty) {
          again = true;
          break;
        }
      if (again) continue;
      if (nVisited < climbX.length) {
        climbX[nVisited] = tx;
        climbY[nVisited++] = ty;
      }
      // the current centre's rim quantiles guide the selection (the same values, found faster)
      const p2 = radialProfile(sm, w, h, cx + dx, cy + dy, pxUm, dr, nrh, false, sampler, prof.q25, other);
      // the area decides (profileFeatures' sum, alone): the other features only for a move
      if (profileArea(p2, minRho) > f.area * 1.002) {
        const f2 = profileFeatures(p2, nz, pxUm, minRho, noiseF);
        cx += dx;
        cy += dy;
        ldx = dx;
        ldy = dy;
        prof = p2;
        f = f2;
        // p2 lives in `other`: it becomes the current row, the old one is free for the next try
        const free = cur;
        cur = other;
        other = free;
        moved = true;
        break;
      }
    }
    if (!moved) {
      step *= 0.5;
      if (step < 0.3) break;
    }
  }
  return { cx, cy, prof, f, minRho };
}

/** what `clashWith` found: the two detections clash, and the candidate loses */
const CLASH = 1;
const LOSE = 2;

/** a candidate that passed, as the overlap suppression of `detectWith` tests it against an accepted detection */
interface ClashCandidate {
  cx: number;
  cy: number;
  radius: number;
  /** ovality and orientation (ovalRefine; oe = 0: round) */
  oe: number;
  ophi: number;
  score: number;
  peak: number;
  fill: number;
  ringZ: number;
  armContrast: number;
  challenger: boolean;
  pxUm: number;
  P: MigrasomeParams;
  /** the accepted detections measured as ovals: their ovality and orientation */
  ovalE: Map<Migrasome, number>;
  ovalPhi: Map<Migrasome, number>;
}

/**
 * Overlap suppression in `detectWith`: does candidate k clash with accepted detection a (CLASH), and does it lose
 * (LOSE)? With the ring transform only near-duplicates clash (same centre and similar radius; touching and
 * overlapping rings are kept); a detection contained in another clashes too, and then the larger object wins.
 */
function clashWith(a: Migrasome, k: ClashCandidate): number {
  const P = k.P;
  // every test below is dUm < t with t ≤ L (or dUm + min < max + containUm ≤ L; the overlap test dUm < ra + radius +
  // overlapMarginUm): beyond L (by the bound max(|dx|, |dy|) ≤ hypot, see closerThan) they all fail, for the true
  // distance as for ∞ (before, L left out the overlap test, which then never saw circles beyond max(r) + 0.2 µm)
  // (with ovals, the largest radius of each in any direction bounds the tests)
  const ae = k.ovalE.size > 0 ? (k.ovalE.get(a) ?? 0) : 0;
  const raMax = (a.diameterUm / 2) * (1 + ae);
  const rMax = k.radius * (1 + k.oe);
  const mr = Math.max(raMax, rMax);
  // (and the centreContain test, dUm < max − centreContainUm)
  const L = Math.max(mr + 0.1, mr + P.containUm, raMax + rMax + P.overlapMarginUm, P.centreContain ? mr - P.centreContainUm : mr);
  const dUm = Math.max(Math.abs(a.x - k.cx), Math.abs(a.y - k.cy)) * k.pxUm >= L ? Infinity : hypot(a.x - k.cx, a.y - k.cy) * k.pxUm;
  if (!P.hough) {
    const c = dUm < Math.max(a.diameterUm / 2, k.radius) + 0.1;
    return c ? (a.significance >= k.score ? CLASH | LOSE : CLASH) : 0;
  }
  // each one's radius towards the other (round objects: their radius)
  const ra = ae > 0 ? radiusToward(a.diameterUm / 2, ae, k.ovalPhi.get(a) as number, k.cx - a.x, k.cy - a.y) : a.diameterUm / 2;
  const rc = k.oe > 0 ? radiusToward(k.radius, k.oe, k.ophi, a.x - k.cx, a.y - k.cy) : k.radius;
  // inside a filled disc (a WGA-stained lumen): a piece of it, whatever its significance (a smaller circle
  // inside an evenly bright disc can be the more significant one); the disc wins
  const inFilled = (a.fill >= 0.75 && ra >= 0.6 && dUm < ra && ra >= rc) || (k.fill >= 0.75 && rc >= 0.6 && dUm < rc && rc >= ra);
  if (!inFilled && dUm < 0.5 * Math.min(ra, rc) + 0.1 && Math.abs(ra - rc) < 0.35 * Math.max(ra, rc) + 0.1) {
    return a.significance >= k.score || k.challenger ? CLASH | LOSE : CLASH;
  }
  // (centreContain: a smaller detection whose centre lies within -centreContainUm outside the larger one's rim is
  // contained too; with centreContainOvalOnly, only in an oval; ringContainRingZ: a small, dimmer circle whose centre
  // lies inside a complete hollow ring)
  const centreIn =
    (P.centreContain && (!P.centreContainOvalOnly || (ra >= rc ? ae > 0 : k.oe > 0)) && Math.min(ra, rc) < P.centreContainMaxRatio * Math.max(ra, rc) && dUm < Math.max(ra, rc) - P.centreContainUm) ||
    (P.ringContainRingZ > 0 &&
      Math.min(ra, rc) <= P.ringContainMaxRatio * Math.max(ra, rc) &&
      dUm < Math.max(ra, rc) &&
      (ra >= rc ? a.ringZ >= P.ringContainRingZ && a.fill < 0.75 && a.peak >= P.ringContainPeakRatio * k.peak : k.ringZ >= P.ringContainRingZ && k.fill < 0.75 && k.peak >= P.ringContainPeakRatio * a.peak));
  if (inFilled || centreIn || dUm + Math.min(ra, rc) < Math.max(ra, rc) + P.containUm) {
    // the larger object wins, unless its rim is far dimmer than the object inside it: then it is the halo
    // of fibers and blur around that object, not an object's edge
    const big = ra >= rc ? a.peak : k.peak;
    const small = ra >= rc ? k.peak : a.peak;
    const haloOfSmall = !inFilled && small >= (k.challenger ? P.challengePeakRatio : P.haloPeakRatio) * big;
    return (ra >= rc) !== haloOfSmall || (k.challenger && !(haloOfSmall && ra >= rc)) ? CLASH | LOSE : CLASH;
  }
  // overlapping rims: a circle through a much brighter ring's rim and the fibers crossing next to it (its own
  // rim far dimmer, no brighter than those fibers) is not an object of its own
  // (rims only within the margin: a complete ring of its own (ringZ ≥ strongRingZ) is an object touching it)
  if (dUm < ra + rc + P.overlapMarginUm) {
    const apart = dUm >= ra + rc;
    if (k.peak * P.overlapPeakRatio <= a.peak && k.armContrast < P.overlapMaxArmContrast && !(apart && k.ringZ >= P.strongRingZ)) return CLASH | LOSE;
    if (a.peak * P.overlapPeakRatio <= k.peak && a.armContrast < P.overlapMaxArmContrast && !(apart && a.ringZ >= P.strongRingZ)) return CLASH;
  }
  return 0;
}

// detectWith's grid look-ups (module functions: closures made per call had their optimised code compiled afresh
// every frame)

/** the strong rings on the grid (cells of sg pixels, gw per row) in the 3 × 3 cells around (x, y), farther than 0.3 µm */
function neighbourRings(strongGrid: CellLists<Candidate>, sg: number, sgw: number, pxUm: number, x: number, y: number): Candidate[] {
  const out: Candidate[] = [];
  const gx = Math.floor(x / sg);
  const gy = Math.floor(y / sg);
  for (let j = gy - 1; j <= gy + 1; j++)
    for (let i = gx - 1; i <= gx + 1; i++) {
      const l = strongGrid.get(j * sgw + i);
      if (l) for (const r of l) if (hypot(r.x - x, r.y - y) * pxUm > 0.3) out.push(r);
    }
  return out;
}

/**
 * the accepted detections (on the grid of acell pixels, agw per row) with max(|dx|, |dy|) < limPx of (x, y) (pixels;
 * and some beyond), in the order of `accepted` (their sequence numbers in accSeq)
 */
function nearbyAccepted(accGrid: CellLists<Migrasome>, acell: number, agw: number, accSeq: Map<Migrasome, number>, x: number, y: number, limPx: number): Migrasome[] {
  const out: Migrasome[] = [];
  const R = Math.floor((limPx * 1.000001) / acell) + 2;
  const gx = Math.floor(x / acell);
  const gy = Math.floor(y / acell);
  for (let j = Math.max(0, gy - R); j <= gy + R; j++)
    for (let i = Math.max(0, gx - R); i <= Math.min(agw - 1, gx + R); i++) {
      const l = accGrid.get(j * agw + i);
      if (l) for (let q = 0; q < l.length; q++) out.push(l[q]);
    }
  if (out.length > 1) out.sort((a, b) => (accSeq.get(a) as number) - (accSeq.get(b) as number));
  return out;
}

/**
 * is any accepted detection within fr × its radius of (x, y) (and, if given, passing `also`)? (on the grid of acell
 * pixels, agw per row; accMaxR: the largest radius accepted, µm)
 */
function anyAcceptedNear(
  accepted: Migrasome[], accGrid: CellLists<Migrasome>, acell: number, agw: number, accMaxR: number, pxUm: number,
  x: number, y: number, fr: number, also?: (a: Migrasome) => boolean,
): boolean {
  const limPx = (Math.max(0, fr) * accMaxR) / pxUm;
  if (!(limPx < 1e6)) return accepted.some((a) => closerThan(a.x - x, a.y - y, pxUm, fr * a.diameterUm / 2) && (!also || also(a)));
  const R = Math.floor((limPx * 1.000001) / acell) + 2;
  const gx = Math.floor(x / acell);
  const gy = Math.floor(y / acell);
  // of those cells, only the ones a match can lie in: a match is within limPx of (x, y) on both axes (fr·r ≤
  // fr·accMaxR; the margin is far above rounding), usually 2 × 2 cells instead of (2R + 1)²
  const L = limPx * 1.000001 + 1e-3;
  const i0 = Math.max(gx - R, Math.floor((x - L) / acell));
  const i1 = Math.min(gx + R, Math.floor((x + L) / acell));
  const j0 = Math.max(gy - R, Math.floor((y - L) / acell));
  const j1 = Math.min(gy + R, Math.floor((y + L) / acell));
  for (let j = j0; j <= j1; j++)
    for (let i = i0; i <= i1; i++) {
      const l = accGrid.get(j * agw + i);
      // (the test inline, by index: this runs for every candidate)
      if (l)
        for (let q = 0; q < l.length; q++) {
          const a = l[q];
          if (closerThan(a.x - x, a.y - y, pxUm, fr * a.diameterUm / 2) && (!also || also(a))) return true;
        }
    }
  return false;
}

/** has a position near (x, y) been examined (`seen`, on a grid of `cell` pixels, gw per row)? */
function nearSeen(seen: PointLists, cell: number, gw: number, pxUm: number, x: number, y: number, rpx: number): boolean {
  const gx = Math.floor(x / cell);
  const gy = Math.floor(y / cell);
  // of the 3 × 3 cells, only those a match can lie in: within max(0.15 / px, 0.35 · rpx) of (x, y) on both axes
  // (the test's limit is at most that; the margin is far above rounding)
  const L = Math.max(0.15 / pxUm, 0.35 * rpx) * 1.000001 + 1e-3;
  const i0 = Math.max(gx - 1, Math.floor((x - L) / cell));
  const i1 = Math.min(gx + 1, Math.floor((x + L) / cell));
  const j0 = Math.max(gy - 1, Math.floor((y - L) / cell));
  const j1 = Math.min(gy + 1, Math.floor((y + L) / cell));
  // (a pure "any": the order the positions are tested in does not matter)
  const sx = seen.x;
  const sy = seen.y;
  const sr = seen.r;
  const next = seen.next;
  for (let j = j0; j <= j1; j++)
    for (let i = i0; i <= i1; i++)
      for (let q = seen.first(j * gw + i); q >= 0; q = next[q])
        if (closerThan(sx[q] - x, sy[q] - y, 1, Math.max(0.15 / pxUm, 0.35 * Math.min(sr[q], rpx)))) return true;
  return false;
}

function detectWith(sub: Float32Array, noise: Float32Array, w: number, h: number, pxUm: number, opts: DetectOptions, smOut: Float32Array, voteOut?: Float32Array): Migrasome[] {
  const P = { ...DEFAULT_MIGRASOME_PARAMS, ...opts.params };
  const psf = opts.psfSigmaUm && Number.isFinite(opts.psfSigmaUm) ? opts.psfSigmaUm : P.defaultPsfSigmaUm;
  const blobs = blobCandidates(sub, noise, w, h, pxUm, P.candidateRadiiUm, P.candidateZ);
  annotateCandidates(blobs, w, h, opts.exclude, noise);
  sortByStrength(blobs);
  const ht = P.hough ? ringCandidates(sub, noise, w, h, pxUm, Math.max(0.3, P.minRadiusUm), P.maxRadiusUm + 0.1, houghThreshold(P, pxUm), 1.2, P.houghMinFrac, opts.smoothed, voteOut) : null;
  const rings = ht ? ht.candidates : [];
  annotateCandidates(rings, w, h, opts.exclude, noise);
  rings.sort((a, b) => b.z - a.z || a.y - b.y || a.x - b.x);
  // strong rings on a 4 µm grid: their rims are not counted as fiber arms of a neighbour
  const strong = rings.filter((r) => r.z >= P.strongRingZ);
  const sg = Math.max(1, Math.round(4 / pxUm));
  const sgw = Math.ceil(w / sg) + 1;
  // (the grid's cells in a dense array: the same lists, in the same order, as a Map of them)
  const strongGrid = new CellLists<Candidate>(sgw * (Math.ceil(h / sg) + 1));
  for (const r of strong) strongGrid.push(Math.floor(r.y / sg) * sgw + Math.floor(r.x / sg), r);
  const cands = [...rings, ...blobs];
  const spx = Math.max(0.5, P.profileSmoothUm / pxUm);
  const sm = convolveSeparable(sub, w, h, gaussianKernel(spx), smOut);
  const gk = gaussianKernel(spx);
  const smGain = kernelNoiseGain(gk, gk);
  const noiseF = rimNoiseFactor(spx);
  const sigmaT = Math.sqrt(psf * psf + (spx * pxUm) ** 2);
  const dr = Math.max(0.035, 0.5 * pxUm);
  const sampVar = (pxUm * pxUm) / 6 + (dr * dr) / 2;
  const nr = Math.ceil((P.maxRadiusUm + 0.6) / dr) + 2;
  // the profiles' circle samples in WebAssembly where available (bit-identical; null: all in JavaScript)
  const sampler = profileSampler(sm, w, h, pxUm, dr, nr, (k) => {
    const rho = (k * dr) / pxUm;
    const N = circleCount(rho);
    return { rho, N, kq: Math.floor(RIM_QUANTILE * (N - 1)) };
  }, trigTable);
  const rowsA: Profile = { drUm: dr, med: new Float32Array(nr), q25: new Float32Array(nr), n: new Int32Array(nr) };
  const rowsB: Profile = { drUm: dr, med: new Float32Array(nr), q25: new Float32Array(nr), n: new Int32Array(nr) };
  // (an oval's profile, see ovalRefine)
  const rowsC: Profile = { drUm: dr, med: new Float32Array(nr), q25: new Float32Array(nr), n: new Int32Array(nr) };
  const accepted: Migrasome[] = [];
  // the accepted detections also on a 2 µm grid, for the skip test below: it looks only at the cells within
  // the largest radius accepted so far (with a cell's slack); the test is a pure "any", so the same answer
  const acell = Math.max(1, Math.round(2 / pxUm));
  const agw = Math.ceil(w / acell) + 1;
  const accGrid = new CellLists<Migrasome>(agw * (Math.ceil(h / acell) + 1));
  // (the largest radius of each in any direction: an oval's major semi-axis)
  let accMaxR = 0;
  // the accepted detections measured as ovals (ovalRefine): their ovality e and orientation φ
  const ovalE = new Map<Migrasome, number>();
  const ovalPhi = new Map<Migrasome, number>();
  // each accepted detection's sequence number (the order of `accepted`, which only appends and removes), and
  // whether one lies outside the image (off the grid's columns: the grid search below is then not used)
  const accSeq = new Map<Migrasome, number>();
  let accSeqNext = 0;
  let accOutside = false;
  const accKey = (a: Migrasome) => Math.floor(a.y / acell) * agw + Math.floor(a.x / acell);
  // is any accepted detection within fr × its radius of (x, y) (and, if given, passing `also`)?
  const nearAccepted = (x: number, y: number, fr: number, also?: (a: Migrasome) => boolean): boolean => anyAcceptedNear(accepted, accGrid, acell, agw, accMaxR, pxUm, x, y, fr, also);
  // spatial hash of examined positions to skip near-duplicates
  // examined positions, hashed on a 1 µm grid, to skip near-duplicate candidates
  const cell = Math.max(1, Math.round(1 / pxUm));
  const gw = Math.ceil(w / cell) + 1;
  const seen = new PointLists(gw * (Math.ceil(h / cell) + 1));
  const minRho = Math.max(0.1, 0.8 * sigmaT);
  const armBands = Math.max(1, Math.round((pxUm / P.armRefPxUm) ** 2));
  const bandStep = Math.max(P.armBandStepPx, P.armBandStepUm / pxUm);
  // noise of the mean over the arm radii relative to one: the smoothing correlates the noise of samples d pixels
  // apart by exp(−d²/(4·spx²))
  let bandCorr = 0;
  for (let i = 0; i < armBands; i++) for (let j = 0; j < armBands; j++) bandCorr += Math.exp(-(((i - j) * bandStep) ** 2) / (4 * spx * spx));
  const bandNoise = Math.sqrt(bandCorr) / armBands;
  for (const c of cands) {
    // the circles outside the profiles read the sampler's copy of the smoothing while it holds it (the same values):
    // the profiles read that copy, so a candidate's neighbourhood is brought into the cache once, not twice
    const smc = sampler !== null && sampler.live() ? sampler.image : sm;
    const rpx = c.r / pxUm;
    const ci = c.ci as number;
    if (c.ex) continue;
    if (nearSeen(seen, cell, gw, pxUm, c.x, c.y, rpx)) continue;
    // a large blob candidate marks its place only if it passes the pre-test below (its circles can all miss a ring
    // that a smaller scale at the same place, if it comes later, would catch)
    const lateMark = !c.hough && c.r >= P.failedBlobKeepsPlaceUm;
    if (!lateMark) seen.push(Math.floor(c.y / cell) * gw + Math.floor(c.x / cell), c.x, c.y, rpx);
    let challenger = false;
    if (nearAccepted(c.x, c.y, P.hough ? (c.hough ? 0.35 : P.blobSkip) : 1)) {
      if (!P.hough || c.hough || P.blobChallenge >= P.blobSkip || nearAccepted(c.x, c.y, P.blobChallenge)) continue;
      // only a candidate that can win is profiled: its centre (a small bright blob's rim quantile is at most its
      // centre's level) at least 2/3 of the ratio × the peak of every detection it lies in
      const lim = (2 / 3) * P.challengePeakRatio;
      if (nearAccepted(c.x, c.y, P.blobSkip, (a) => sm[ci] < lim * a.peak)) continue;
      challenger = true;
    }
    const nz = (c.nz0 as number) * smGain;
    // quick test: is any circle around the candidate bright all around?
    let quick = 0;
    // a thin ring of radius R peaks in the blob response at a candidate radius ≈ 1.6 R (σ ≈ 1.14 R), between the
    // blob circles 0.4 r and 0.7 r: at large radii these are spaced by at most quickStepUm
    const nq = c.hough ? 3 : Math.max(3, Math.ceil((0.6 * c.r) / P.quickStepUm) + 1);
    for (let k = 0; k < nq; k++) {
      const fr = c.hough ? 0.85 + 0.15 * k : 0.4 + (0.6 * k) / (nq - 1);
      const rho = Math.max(minRho, fr * c.r) / pxUm;
      const q = circleMedian(smc, w, h, c.x, c.y, rho, sampler);
      const zq = q.med / ((RIM_SE * nz * noiseF) / Math.sqrt(q.n));
      if (zq > quick) quick = zq;
      // only quick ≥ quickZ matters below, and the maximum cannot fall again: the remaining circles change nothing
      if (quick >= P.quickZ) break;
    }
    if (quick < P.quickZ) continue;
    if (lateMark) seen.push(Math.floor(c.y / cell) * gw + Math.floor(c.x / cell), c.x, c.y, rpx);
    const nrc = Math.min(nr, Math.ceil(((c.hough ? 1.4 : 2) * c.r + 0.6) / dr) + 2);
    // (a ring candidate's rim from houghMinPeakFrac × its radius outwards)
    const cl = climbCentre(c, sm, w, h, pxUm, dr, nrc, sampler, rowsA, rowsB, nz, minRho, noiseF, 0.5 * P.minScore, c.hough && P.houghMinPeakFrac > 0 ? P.houghMinPeakFrac * c.r : 0, P.houghValley, P.houghCentre, P.houghRingMinScore);
    if (!cl) continue;
    const cRho = cl.minRho;
    let cx = cl.cx;
    let cy = cl.cy;
    let prof = cl.prof;
    let f = cl.f;
    // the angular median (for the rim's uniformity) at the final centre: only at the peak radius, the one radius
    // profileFeatures reads it at (a profile with medians at (cx, cy) and nrh radii has the same rim quantiles as
    // `prof`, computed there, so the same features but for the uniformity)
    f = { ...f, uniformity: f.peak > 0 ? Math.min(1, f.peak / Math.max(medianAt(smc, w, h, cx, cy, pxUm, dr, f.peakIndex, sampler), 1e-9)) : 0 };
    // an uneven rim: measured again along ellipses (see ovalRefine); e = 0: round
    let oe = 0;
    let ophi = 0;
    if (P.ovalRefine && f.halfRadiusUm >= P.ovalMinRadiusUm && f.uniformity < P.ovalMaxUniformity) {
      const nrh = prof.q25.length;
      // (hollow rims only: a filled disc, whose rim quantile at half its peak radius is ≥ 0.75 × the peak, keeps its
      // circles; the centre itself may lie on a fiber)
      const kIn = Math.round((0.5 * f.peakRadiusUm) / dr);
      if (!(f.peak > 0 && prof.q25[kIn] >= 0.75 * f.peak)) {
        const kpk = Math.round(f.peakRadiusUm / dr);
        const so = searchOval(smc, w, h, cx, cy, pxUm, dr, Math.max(1, Math.floor(0.7 * kpk)), Math.min(nrh - 1, Math.ceil(1.3 * kpk) + 2), P.ovalEs, P.ovalMaxE, P.ovalMaxShiftUm / pxUm);
        if (so[OVAL_PEAK] >= P.ovalMinGain * so[OVAL_ROUND_PEAK] && so[OVAL_E] > 0) {
          const e = so[OVAL_E];
          const phi = so[OVAL_PHI];
          const x = so[OVAL_X];
          const y = so[OVAL_Y];
          const op = ovalProfile(smc, w, h, x, y, pxUm, dr, nrh, e, phi, rowsC);
          const fo = profileFeatures(op, nz, pxUm, cRho, noiseF);
          // (and hollow along the ellipse too: an ellipse whose centre, or whose rim quantile at half its peak radius,
          // is ≥ 0.75 × its rim peak would count as a filled disc in the clash rules below, and win over the rings it
          // was drawn through)
          const kInO = Math.round((0.5 * fo.peakRadiusUm) / dr);
          // (and a ring in the ring transform's votes at its radius: an ellipse threaded through pieces of its
          // neighbours' rims, in the gap between touching rings, is not)
          const keep = fo.peak > f.peak && op.q25[0] < 0.75 * fo.peak && op.q25[kInO] < 0.75 * fo.peak && (!ht || !(P.ovalMinRingZ > 0) || ht.completeness(x, y, objectRadius(fo.halfRadiusUm, P, sampVar, sigmaT)) >= P.ovalMinRingZ);
          if (keep) {
            cx = x;
            cy = y;
            prof = op;
            f = fo;
            oe = e;
            ophi = phi;
          }
        }
      }
    }
    // centre brightness / rim brightness: ≈ 1 for filled discs, low for hollow rings
    const fill = f.peak > 0 ? Math.max(0, prof.q25[0]) / f.peak : 0;
    // (the sampling's blur removed, see objectRadius)
    const radius = objectRadius(f.halfRadiusUm, P, sampVar, sigmaT);
    // local baseline: the rim quantile on a circle well outside the object; a "ring" on an elevated patch
    // (a bright fiber-rich region, background under-estimated) is no brighter than its surroundings
    if (P.localBaseline) {
      // (beyond an oval's major axis)
      const outR = (f.halfRadiusUm * (1 + oe) + Math.max(0.5, 4 * sigmaT)) / pxUm;
      const ob = circleMedian(smc, w, h, cx, cy, outR, sampler).med;
      if (ob > 0) {
        const adj = Math.max(0, f.peak - ob) / Math.max(f.peak, 1e-9);
        f = { ...f, score: f.score * adj };
      }
    }
    const armR = (radius * (1 + oe) + Math.max(0.35, 3 * sigmaT)) / pxUm;
    const nbr = ht
      ? neighbourRings(strongGrid, sg, sgw, pxUm, cx, cy)
          .filter((r) => {
            const d = hypot(r.x - cx, r.y - cy) * pxUm;
            if (d <= Math.max(0.3, 0.3 * radius) || d >= armR * pxUm + r.r + 0.5) return false;
            // a small candidate sitting on a larger ring's rim (a rim–fiber or rim–rim crossing) keeps that rim as an arm
            return !(radius < 0.6 * r.r && Math.abs(d - r.r) < radius + 0.2);
          })
          .map((r) => ({ x: r.x, y: r.y, r: r.r / pxUm }))
      : [];
    const arm = circleMax(smc, w, h, cx, cy, armR, nbr, Math.max(1, (2 * sigmaT) / pxUm), armBands, bandStep);
    const ringZ = ht ? ht.completeness(cx, cy, radius) : 0;
    // the max over ~N noisy directions is biased up by ≈ 2σ of a 3-sample mean
    const armContrast = f.peak / Math.max(arm - 1.3 * bandNoise * nz, 1e-6 * f.peak, 1e-9);
    const wt = P.weights;
    const zlog =
      wt[0] + wt[1] * Math.log(Math.max(armContrast, 0.05)) + wt[2] * Math.min(2 * radius, 1.2) + wt[3] * Math.log(Math.max(f.score, 1e-3)) +
      (wt[4] ?? 0) * Math.log(1 + ringZ);
    const prob = 1 / (1 + Math.exp(-zlog));
    // small objects come from the blob candidates (a ring candidate next to a dot or a small vesicle is not one)
    const rimless = ringZ < P.rimlessRingZ && armContrast < P.rimlessMinArmContrast;
    const pass = !(fill > P.maxFill) && !rimless && !(c.hough && radius < P.minHoughRadiusUm) && prob >= P.minProbability && armContrast >= P.minArmContrast && f.score >= P.minScore && f.uniformity >= P.minUniformity && radius >= P.minRadiusUm && radius <= P.maxRadiusUm;
    // a small object on two fiber lines that is no brighter than their sum: a crossing of fibers
    const cross =
      pass && radius < P.crossingMaxRadiusUm
        ? crossingMeasure(smc, w, h, cx, cy, pxUm, armR * pxUm, armR * pxUm + P.crossingBandUm, nz, P.crossingArmZ, P.crossingPairTolDeg, Math.max(pxUm, 0.1))
        : undefined;
    const crossing = !!cross && cross.lines >= 2 && armContrast < P.crossingMaxArmContrast && cross.centre <= P.crossingCentreRatio * (cross.b1 + cross.b2) && f.peak <= P.crossingRimRatio * (cross.b1 + cross.b2);
    opts.onCandidate?.({ x: cx, y: cy, radiusUm: radius, probability: prob, score: f.score, uniformity: f.uniformity, armContrast, ringZ, accepted: pass && !crossing, fill, peak: f.peak, halfRadiusUm: f.halfRadiusUm, hough: !!c.hough, cross, ovalE: oe });
    if (crossing) continue;
    if (!pass) continue;
    // overlap suppression: keep the more significant of two overlapping objects
    // (with the ring transform, only near-duplicates clash: same centre and similar radius; touching and
    // overlapping rings are kept)
    // a detection contained in another (a piece of a filled disc, or a ring's inner reflection) clashes too,
    // and then the larger object wins
    // (the test a module function, not a closure made per candidate, whose optimised code V8 compiled afresh every frame)
    const k: ClashCandidate = { cx, cy, radius, oe, ophi, score: f.score, peak: f.peak, fill, ringZ, armContrast, challenger, pxUm, P, ovalE, ovalPhi };
    // every test above fails (without side effect) where max(|dx|, |dy|)·px ≥ L, and L ≤ clashReach: only the
    // detections within that reach on the 2 µm grid are tested, in the order of `accepted` (by their sequence
    // numbers), unless a detection or this centre lies outside the image (then all of them, as before)
    const rReach = radius * (1 + oe);
    const clashReach = Math.max(Math.max(accMaxR, rReach) + Math.max(0.1, P.containUm, P.centreContain ? -P.centreContainUm : 0), accMaxR + rReach + P.overlapMarginUm);
    const pool = accOutside || !(cx >= 0 && cy >= 0 && cx < w && cy < h) || !(clashReach / pxUm < 1e6) ? accepted : nearbyAccepted(accGrid, acell, agw, accSeq, cx, cy, clashReach / pxUm);
    let lose = false;
    const clashes: Migrasome[] = [];
    for (const a of pool) {
      const r = clashWith(a, k);
      if (r & LOSE) lose = true;
      if (r & CLASH) clashes.push(a);
    }
    if (lose) continue;
    // a challenger only replaces (see blobChallenge)
    if (challenger && !clashes.length) continue;
    for (const a of clashes) {
      accepted.splice(accepted.indexOf(a), 1);
      if (ovalE.size > 0 && ovalE.delete(a)) ovalPhi.delete(a);
      const l = accGrid.get(accKey(a));
      if (l) l.splice(l.indexOf(a), 1);
    }
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
      fill,
      ringZ,
    });
    const added = accepted[accepted.length - 1];
    accSeq.set(added, accSeqNext++);
    if (!(added.x >= 0 && added.y >= 0 && added.x < w && added.y < h)) accOutside = true;
    const ak = accKey(added);
    accGrid.push(ak, added);
    if (oe > 0) {
      ovalE.set(added, oe);
      ovalPhi.set(added, ophi);
    }
    accMaxR = Math.max(accMaxR, (added.diameterUm / 2) * (1 + oe));
  }
  const kept = P.dimMinRelPeak > 0 ? dropDimFlat(accepted, P) : accepted;
  kept.sort((a, b) => b.score - a.score || a.yUm - b.yUm || a.xUm - b.xUm);
  return kept;
}
