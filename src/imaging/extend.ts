/**
 * Tip extension: sequential tracking from the free ends of traced fibers (after Can et al. 1999 and
 * NeuronJ). A fiber the line filter traced is known to exist, so where it fades or breaks for a
 * stretch it can be followed at far lower evidence per µm than the filter's global threshold needs,
 * as long as the tracking stops where the evidence goes.
 *
 * From each tip (not at a cell, the image border or a migrasome) the tracker steps `stepUm` along the
 * fiber, choosing the direction within a small cone by a matched line profile summed over a short
 * look-ahead (centre minus the mean of two side samples across the fiber, on the ridge detector's
 * smoothed image, in noise units). Each step's profile value x is scored as a log-likelihood ratio of
 * "the fiber continues with the brightness μ measured on its traced part" against "no fiber", and a
 * CUSUM of the evidence against the fiber stops the tracking; the path is then cut back to the last
 * point from which every tail of the path had positive evidence (kept only with enough evidence of its
 * own). A path that runs into another traced fiber or into a migrasome's capture ring is joined to it.
 * The same tracker starts from migrasomes along their fiber arms (directions the site stage read from
 * the image) that no traced fiber leaves along: a dim fiber between two migrasomes, lost by the line
 * filter in the migrasomes' halos, is followed from the arm. Last, two pieces joined to one migrasome
 * that pass it beside its centre are joined by their chord (`passChords`).
 * All parameters are in µm or noise units (pixel sizes 0.065–0.16 µm run with the same values).
 */
import { gaussianKernel, kernelNoiseGain } from "./filters.ts";
import { hypot } from "./hypot.ts";
import { compactGraph, edgesAtNodes, endDirection, polyLength, type FiberEdge, type FiberGraph, type FiberNode } from "./trace.ts";

export interface ExtendParams {
  /** step along the fiber, µm */
  stepUm: number;
  /** look-ahead used to choose the direction, µm */
  lookAheadUm: number;
  /** half-angle of the cone of candidate directions, degrees, and the number of candidates on each side */
  coneDeg: number;
  coneSteps: number;
  /** side samples of the matched profile sit this many σ (PSF ⊕ smoothing) either side of the centre line */
  sideSigmas: number;
  /** length of the traced part (back from the tip) on which the fiber's brightness μ is measured, µm */
  measureUm: number;
  /** tips whose traced part is dimmer than this (noise units of one profile sample) are not extended */
  minMuZ: number;
  /**
   * the tracking tests for a fiber of muFraction × the brightness measured on the traced part (that is biased up:
   * the traced part is where the line filter found the fiber), capped at maxMuZ (a fiber that dims but stays
   * clearly visible goes on)
   */
  muFraction: number;
  maxMuZ: number;
  /** CUSUM threshold on the evidence against the fiber (log-likelihood units, after the correlation of samples) */
  cusumH: number;
  /** a path that runs into a fiber, migrasome, cell or the border is kept whole when the CUSUM is at most this there */
  joinH: number;
  /** subtracted from each step's profile value (noise units): the upward bias of the best of the cone's directions */
  biasZ: number;
  /** longest extension of one tip, µm */
  maxUm: number;
  /** a path within this distance of another traced fiber joins it, µm */
  hitUm: number;
  /** a path within this distance of a migrasome's rim joins it, µm (the tracer's capture ring is 1 µm) */
  captureUm: number;
  /** extensions shorter than this, or with less evidence than minZ noise units (sum of the profile over the kept path against its noise), are dropped unless they join something; µm */
  minUm: number;
  minZ: number;
  /**
   * untraced arms of migrasomes (directions from the site stage) are tracked from this far outside the
   * rim (µm; 0 = off), kept when at least armMinUm long with armMinZ noise units of evidence, and counted only
   * when no traced vertex lies within ±armSectorDeg of the arm near the rim
   */
  armStartUm: number;
  armMinUm: number;
  armMinZ: number;
  armSectorDeg: number;
  /**
   * …and only vertices whose fiber runs within this angle of the arm (degrees; 90 = any vertex): a fiber passing
   * across the sector (R + 0.3 … R + 2 µm) is not the arm
   */
  armAlignDeg: number;
  /** an arm is tracked when its first µm is at least this bright (noise units of one profile sample) */
  armMinMuZ: number;
  /**
   * an extension that runs into a cell's exclusion margin is continued straight on to the cell body when the body
   * lies within this distance ahead (µm; 0 = off; as the tracer's `cellJoinUm`, which runs before the extension)
   */
  cellJoinUm: number;
  /** pieces passing a migrasome beside its centre are joined straight (`passChords`; 0 = off): directions within this of the chord, degrees */
  chordMaxDeg: number;
  /** … when the chord misses the centre by more than this, µm */
  chordMinOffUm: number;
}

export const DEFAULT_EXTEND_PARAMS: ExtendParams = {
  stepUm: 0.15,
  lookAheadUm: 0.6,
  coneDeg: 24,
  coneSteps: 3,
  sideSigmas: 2.5,
  measureUm: 2,
  minMuZ: 2,
  muFraction: 1,
  maxMuZ: 4,
  cusumH: 8,
  joinH: 2,
  biasZ: 0.5,
  maxUm: 20,
  hitUm: 0.25,
  captureUm: 1,
  minUm: 0.3,
  minZ: 3,
  armStartUm: 0.6,
  armMinUm: 1,
  armMinZ: 3,
  armSectorDeg: 15,
  armAlignDeg: 30,
  armMinMuZ: 1,
  cellJoinUm: 1.5,
  chordMaxDeg: 20,
  chordMinOffUm: 0.3,
};

export interface ExtendInput {
  /** the ridge detector's smoothed, background-subtracted image and its σ (pixels) */
  smooth: Float32Array;
  smoothSigmaPx: number;
  /** raw per-pixel noise map */
  noise: Float32Array;
  w: number;
  h: number;
  pxUm: number;
  psfSigmaUm: number;
  /** migrasome centres and radii, µm */
  migrasomes: { xUm: number; yUm: number; rUm: number }[];
  /** pixels where nothing is detected (cells and their margin) */
  exclude?: Uint8Array;
  /** cell labels (0 = background): extensions ending at a cell's margin are joined to its body (`cellJoinUm`) */
  cellLabels?: Int32Array;
  /** per migrasome, the directions (degrees from +x towards +y) of its fiber arms read from the image */
  arms?: number[][];
}

export interface ExtendStats {
  tips: number;
  extended: number;
  addedUm: number;
  joinedFiber: number;
  joinedMigrasome: number;
  arms: number;
  /** tracking steps taken (kept or not) */
  steps: number;
  /** pieces passing a migrasome joined by a chord */
  chords: number;
  /** extensions joined to a cell body (`cellJoinUm`) */
  cellJoins: number;
}

type Pt = [number, number];
/** the traced vertices in one cell of extendTips' grid and their owner edges */
interface GridCell {
  p: Pt[];
  e: FiberEdge[];
}

/**
 * Bilinear sample of image S (w × h) at a point in µm (pixel size 1 / invPx), clamped to the image (a function of its
 * own, as `lineProfile` and `coneBest`: in extendTips' closures every sample's arguments were boxed doubles).
 */
function sampleAt(S: Float32Array, w: number, h: number, invPx: number, xu: number, yu: number): number {
  let x = xu * invPx - 0.5;
  let y = yu * invPx - 0.5;
  if (x < 0) x = 0;
  else if (x > w - 1.001) x = w - 1.001;
  if (y < 0) y = 0;
  else if (y > h - 1.001) y = h - 1.001;
  const x0 = x | 0;
  const y0 = y | 0;
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * w + x0;
  return (S[i] * (1 - fx) + S[i + 1] * fx) * (1 - fy) + (S[i + w] * (1 - fx) + S[i + w + 1] * fx) * fy;
}

/** matched line profile at (x, y) µm for the fiber direction (tx, ty): centre minus the mean of the two side samples D µm across */
function lineProfile(S: Float32Array, w: number, h: number, invPx: number, D: number, x: number, y: number, tx: number, ty: number): number {
  return sampleAt(S, w, h, invPx, x, y) - 0.5 * (sampleAt(S, w, h, invPx, x - D * ty, y + D * tx) + sampleAt(S, w, h, invPx, x + D * ty, y - D * tx));
}

/**
 * The line profile at (x, y) µm for direction (tx, ty) in noise units of one profile sample (the noise map at the
 * point's pixel, clamped to the image, times profGain)
 */
function profileZ(S: Float32Array, noise: Float32Array, w: number, h: number, invPx: number, D: number, profGain: number, x: number, y: number, tx: number, ty: number): number {
  const px = Math.min(w - 1, Math.max(0, Math.floor(x * invPx)));
  const py = Math.min(h - 1, Math.max(0, Math.floor(y * invPx)));
  return lineProfile(S, w, h, invPx, D, x, y, tx, ty) / Math.max(1e-9, noise[py * w + px] * profGain);
}

/** the brightness (mean profile, noise units) every `step` µm along a polyline from its last point back over `lenUm`, and the number of samples */
function meanProfileZ(pts: Pt[], lenUm: number, step: number, S: Float32Array, noise: Float32Array, w: number, h: number, invPx: number, D: number, profGain: number): { mu: number; n: number } {
  let sum = 0;
  let cnt = 0;
  let acc = 0;
  let next = 0;
  for (let i = pts.length - 1; i > 0 && acc <= lenUm; i--) {
    const a = pts[i];
    const b = pts[i - 1];
    const l = hypot(a[0] - b[0], a[1] - b[1]);
    if (l === 0) continue;
    const ux = (a[0] - b[0]) / l;
    const uy = (a[1] - b[1]) / l;
    while (next <= acc + l && next <= lenUm) {
      const t = next - acc;
      const x = a[0] - t * ux;
      const y = a[1] - t * uy;
      sum += profileZ(S, noise, w, h, invPx, D, profGain, x, y, ux, uy);
      cnt++;
      next += step;
    }
    acc += l;
  }
  return { mu: cnt ? sum / cnt : 0, n: cnt };
}

/**
 * The tracker's choice of direction: of the 2J + 1 directions (tx, ty) turned by (cosJ[j], sinJ[j]), the first with
 * the largest sum of the line profile at K points `step` µm apart ahead of (x, y); its index j.
 */
function coneBest(S: Float32Array, w: number, h: number, invPx: number, D: number, x: number, y: number, tx: number, ty: number, cosJ: Float64Array, sinJ: Float64Array, J: number, K: number, step: number): number {
  let bestJ = 0;
  let bestV = -Infinity;
  for (let j = 0; j <= 2 * J; j++) {
    const cx = tx * cosJ[j] - ty * sinJ[j];
    const cy = tx * sinJ[j] + ty * cosJ[j];
    let v = 0;
    for (let q = 1; q <= K; q++) v += lineProfile(S, w, h, invPx, D, x + q * step * cx, y + q * step * cy, cx, cy);
    if (v > bestV) {
      bestV = v;
      bestJ = j;
    }
  }
  return bestJ;
}

/**
 * Extend the free tips of a traced fiber graph (in place; returns the graph with its total length
 * updated, and counts).
 */
export function extendTips(g: FiberGraph, inp: ExtendInput, P: ExtendParams = DEFAULT_EXTEND_PARAMS): { graph: FiberGraph; stats: ExtendStats } {
  const stats: ExtendStats = { tips: 0, extended: 0, addedUm: 0, joinedFiber: 0, joinedMigrasome: 0, arms: 0, steps: 0, chords: 0, cellJoins: 0 };
  const nodes = g.nodes;
  const edges = g.edges;
  const T = new TipTracker(nodes, edges, inp, P, stats);
  const tips: FiberNode[] = [];
  for (const n of nodes) if (n.kind === "tip" && T.degree[n.id] === 1) tips.push(n);
  stats.tips = tips.length;
  for (const tip of tips) T.extendTip(tip);
  // fiber arms of migrasomes (directions read from the image) that no traced fiber leaves along
  if (inp.arms && P.armStartUm > 0) for (let mi = 0; mi < inp.migrasomes.length; mi++) T.trackArms(mi);
  const removed = P.chordMaxDeg > 0 ? passChords(nodes, edges, P, stats) : null;
  return { graph: finish(nodes, removed ? edges.filter((e) => !removed.has(e)) : edges), stats };
}

type Stop = "evidence" | "fiber" | "migrasome" | "cell" | "border" | "length";
/** how a tracking ended (`TipTracker.track`) */
interface TrackResult {
  keep: number;
  stop: Stop;
  target: Pt | null;
  targetEdge: FiberEdge | null;
  targetMig: number;
  joins: boolean;
  z: number;
}

/** cell size of the traced-vertex grid, µm */
const G = 0.5;
/** cell size of the migrasome grid, µm */
const MG = 4;

/**
 * The state of one extendTips call and its steps as methods (on the prototype, not closures made per call: V8 kept
 * the optimised code of such closures only while they lived, so every frame compiled them afresh on its background
 * threads and ran them unoptimised meanwhile; the extend stage took 175 → 99 ms at 0.16 µm with methods).
 */
class TipTracker {
  readonly S: Float32Array;
  readonly w: number;
  readonly h: number;
  readonly pxUm: number;
  readonly invPx: number;
  /** side-sample distance of the line profile, µm */
  readonly D: number;
  /** noise gain of one profile sample */
  readonly profGain: number;
  /** variance inflation of a long sum of profile samples one step apart */
  readonly infl: number;
  readonly step: number;
  readonly K: number;
  readonly J: number;
  readonly maxSteps: number;
  readonly border: number;
  readonly cosJ: Float64Array;
  readonly sinJ: Float64Array;
  /** the current tracking's points */
  readonly path: Pt[] = [];
  // traced vertices on a grid (cells of G µm), each with its owner edge beside it in the cell (edges are split
  // below; every vertex object is listed once: no map keyed by the vertices). The cells by key (gy·gw + gx) in a
  // dense table where the key is one of the image's (cell list index + 1, 0 = none; a Map's hashing was a third of
  // this stage), and in a Map otherwise (keys off the image, e.g. negative): the same cells and contents as one Map
  readonly gw: number;
  readonly gridN: number;
  readonly gridIdx: Int32Array;
  readonly gridCells: GridCell[] = [];
  readonly gridOut = new Map<number, GridCell>();
  /** the owner edge of the last vertex `hit` found */
  hitOwner: FiberEdge | null = null;
  // migrasomes on a grid of MG µm
  readonly mgw: number;
  readonly mgrid = new Map<number, number[]>();
  readonly maxR: number;
  readonly migNode = new Map<number, number>();
  readonly degree: Int32Array;
  readonly edgeOf = new Map<number, FiberEdge>();

  constructor(
    readonly nodes: FiberNode[],
    readonly edges: FiberEdge[],
    readonly inp: ExtendInput,
    readonly P: ExtendParams,
    readonly stats: ExtendStats,
  ) {
    const { w, h, pxUm } = inp;
    this.S = inp.smooth;
    this.w = w;
    this.h = h;
    this.pxUm = pxUm;
    const gain = kernelNoiseGain(gaussianKernel(inp.smoothSigmaPx), gaussianKernel(inp.smoothSigmaPx));
    const sSmUm = inp.smoothSigmaPx * pxUm;
    const sigF = Math.sqrt(inp.psfSigmaUm * inp.psfSigmaUm + sSmUm * sSmUm);
    this.D = P.sideSigmas * sigF;
    // noise of one profile sample c − ½(l + r): the side samples are far enough apart to be nearly independent
    this.profGain = gain * Math.sqrt(1.5);
    // correlation of the smoothed noise between samples one step apart (Gaussian of σ sSm: exp(−d²/4σ²)),
    // and the variance inflation of a long sum of such samples (1 + 2 Σ ρ(k·step))
    let infl = 1;
    for (let k = 1; k < 50; k++) {
      const r = Math.exp(-((k * P.stepUm) ** 2) / (4 * sSmUm * sSmUm));
      if (r < 1e-4) break;
      infl += 2 * r;
    }
    this.infl = infl;
    this.invPx = 1 / pxUm;
    // (bilinear samples of the smoothed image at points in µm: `sampleAt`; `sampleBilinear` was 13 ms slower per 2048²
    // frame, the same values inside the image)
    this.gw = Math.ceil((w * pxUm) / G) + 2;
    this.gridN = this.gw * (Math.ceil((h * pxUm) / G) + 2);
    this.gridIdx = new Int32Array(this.gridN);
    for (let ei = 0; ei < edges.length; ei++) {
      const e = edges[ei];
      const pts = e.points;
      for (let j = 0; j < pts.length; j++) this.addPt(pts[j], e);
    }
    this.mgw = Math.ceil((w * pxUm) / MG) + 2;
    let maxR = 0;
    for (let i = 0; i < inp.migrasomes.length; i++) {
      const m = inp.migrasomes[i];
      maxR = Math.max(maxR, m.rUm);
      const k = Math.floor(m.yUm / MG) * this.mgw + Math.floor(m.xUm / MG);
      const l = this.mgrid.get(k);
      if (l) l.push(i);
      else this.mgrid.set(k, [i]);
    }
    this.maxR = maxR;
    for (const n of nodes) if (n.kind === "migrasome" && n.migrasome !== undefined) this.migNode.set(n.migrasome, n.id);
    this.degree = new Int32Array(nodes.length + 16);
    for (const e of edges) {
      this.degree[e.a]++;
      this.degree[e.b]++;
      this.edgeOf.set(e.a, e);
      this.edgeOf.set(e.b, e);
    }
    this.border = 3 * pxUm;
    this.step = P.stepUm;
    this.K = Math.max(1, Math.round(P.lookAheadUm / this.step));
    const J = P.coneSteps;
    this.J = J;
    const dTh = J > 0 ? (P.coneDeg * Math.PI) / 180 / J : 0;
    this.maxSteps = Math.ceil(P.maxUm / this.step);
    this.cosJ = new Float64Array(2 * J + 1);
    this.sinJ = new Float64Array(2 * J + 1);
    for (let j = -J; j <= J; j++) {
      this.cosJ[j + J] = Math.cos(j * dTh);
      this.sinJ[j + J] = Math.sin(j * dTh);
    }
  }

  /** the pixel holding a point in µm, clamped to the image */
  pixOf(xu: number, yu: number): number {
    const { w, h, invPx } = this;
    const x = Math.min(w - 1, Math.max(0, Math.floor(xu * invPx)));
    const y = Math.min(h - 1, Math.max(0, Math.floor(yu * invPx)));
    return y * w + x;
  }

  cellAt(k: number): GridCell | undefined {
    if (k >= 0 && k < this.gridN) {
      const c = this.gridIdx[k];
      return c ? this.gridCells[c - 1] : undefined;
    }
    return this.gridOut.get(k);
  }

  cellOf(p: Pt): number {
    return Math.floor(p[1] / G) * this.gw + Math.floor(p[0] / G);
  }

  addPt(p: Pt, e: FiberEdge): void {
    const k = this.cellOf(p);
    const l = this.cellAt(k);
    if (l) {
      l.p.push(p);
      l.e.push(e);
    } else if (k >= 0 && k < this.gridN) {
      this.gridCells.push({ p: [p], e: [e] });
      this.gridIdx[k] = this.gridCells.length;
    } else this.gridOut.set(k, { p: [p], e: [e] });
  }

  /** the nearest traced vertex within hitUm of (x, y) not on edge `self`, or null (its owner in `hitOwner`) */
  hit(x: number, y: number, self: FiberEdge | null): Pt | null {
    const r = this.P.hitUm;
    const gw = this.gw;
    let best: Pt | null = null;
    let bd = r * r;
    for (let gy = Math.floor((y - r) / G); gy <= Math.floor((y + r) / G); gy++)
      for (let gx = Math.floor((x - r) / G); gx <= Math.floor((x + r) / G); gx++) {
        const l = this.cellAt(gy * gw + gx);
        if (!l) continue;
        const lp = l.p;
        for (let j = 0; j < lp.length; j++) {
          const p = lp[j];
          const d = (p[0] - x) ** 2 + (p[1] - y) ** 2;
          if (d <= bd && l.e[j] !== self) {
            bd = d;
            best = p;
            this.hitOwner = l.e[j];
          }
        }
      }
    return best;
  }

  /** a migrasome whose capture ring contains (x, y), or −1 */
  migAt(x: number, y: number): number {
    const captureUm = this.P.captureUm;
    const migs = this.inp.migrasomes;
    const mgw = this.mgw;
    const r = this.maxR + captureUm;
    for (let gy = Math.floor((y - r) / MG); gy <= Math.floor((y + r) / MG); gy++)
      for (let gx = Math.floor((x - r) / MG); gx <= Math.floor((x + r) / MG); gx++) {
        const l = this.mgrid.get(gy * mgw + gx);
        if (!l) continue;
        for (const i of l) {
          const m = migs[i];
          const rr = m.rUm + captureUm;
          const dx = m.xUm - x;
          const dy = m.yUm - y;
          if (dx * dx + dy * dy <= rr * rr) return i;
        }
      }
    return -1;
  }

  inside(x: number, y: number): boolean {
    const { border, w, h, pxUm } = this;
    return x >= border && y >= border && x <= w * pxUm - border && y <= h * pxUm - border;
  }

  /**
   * Track from (x, y) in direction (tx, ty) for a fiber of brightness mu (noise units); `self` is not
   * joined, nor migrasome `ownMig`. Fills `path` and returns how many of its points to keep and where it ended.
   */
  track(x: number, y: number, tx: number, ty: number, mu: number, self: FiberEdge | null, ownMig: number): TrackResult {
    const { S, w, h, invPx, D, cosJ, sinJ, J, K, step, path, P, infl } = this;
    const noise = this.inp.noise;
    const exclude = this.inp.exclude;
    path.length = 0;
    let Sc = 0;
    let lastZero = 0;
    let zSum = 0;
    let zAtZero = 0;
    let stop: Stop = "length";
    let target: Pt | null = null;
    let targetEdge: FiberEdge | null = null;
    let targetMig = -1;
    for (let s = 0; s < this.maxSteps; s++) {
      // best direction in the cone by the look-ahead profile sum
      const bestJ = coneBest(S, w, h, invPx, D, x, y, tx, ty, cosJ, sinJ, J, K, step);
      const cx = tx * cosJ[bestJ] - ty * sinJ[bestJ];
      const cy = tx * sinJ[bestJ] + ty * cosJ[bestJ];
      x += step * cx;
      y += step * cy;
      // half of the turn goes into the direction (a fiber bends slowly)
      tx += cx;
      ty += cy;
      const l = hypot(tx, ty);
      tx /= l;
      ty /= l;
      if (!this.inside(x, y)) {
        stop = "border";
        break;
      }
      if (exclude && exclude[this.pixOf(x, y)]) {
        stop = "cell";
        break;
      }
      path.push([x, y]);
      this.stats.steps++;
      const z = profileZ(S, noise, w, h, invPx, D, this.profGain, x, y, cx, cy) - P.biasZ;
      zSum += z;
      const llr = (mu * z - 0.5 * mu * mu) / infl;
      Sc = Math.max(0, Sc - llr);
      if (Sc === 0) {
        lastZero = path.length;
        zAtZero = zSum;
      }
      if (Sc > P.cusumH) {
        stop = "evidence";
        break;
      }
      const mi = this.migAt(x, y);
      if (mi >= 0 && mi !== ownMig) {
        stop = "migrasome";
        targetMig = mi;
        break;
      }
      const p = this.hit(x, y, self);
      if (p) {
        stop = "fiber";
        target = p;
        targetEdge = this.hitOwner;
        break;
      }
    }
    // joins are taken while the evidence has not turned against the fiber; otherwise the path is cut back
    let keep = lastZero;
    let zk = zAtZero;
    const joins = (stop === "fiber" || stop === "migrasome") && Sc <= P.joinH;
    if (joins || ((stop === "border" || stop === "cell") && Sc <= P.joinH)) {
      keep = path.length;
      zk = zSum;
    }
    return { keep, stop, target, targetEdge, targetMig, joins, z: keep > 0 ? zk / Math.sqrt(keep * infl) : 0 };
  }

  /** the brightness (mean profile, noise units) every step along a polyline from its last point back over `lenUm` */
  brightness(pts: Pt[], lenUm: number): { mu: number; n: number } {
    return meanProfileZ(pts, lenUm, this.step, this.S, this.inp.noise, this.w, this.h, this.invPx, this.D, this.profGain);
  }

  /** the node of a migrasome (made when missing) */
  nodeOfMig(k: number): number {
    let id = this.migNode.get(k);
    if (id === undefined) {
      const m = this.inp.migrasomes[k];
      id = this.nodes.length;
      this.nodes.push({ id, xUm: m.xUm, yUm: m.yUm, kind: "migrasome", migrasome: k, degree: 0 });
      this.migNode.set(k, id);
    }
    return id;
  }

  /** extend one free tip: track on from its edge's end and apply what the tracking kept */
  extendTip(tip: FiberNode): void {
    const { P, degree } = this;
    const e = this.edgeOf.get(tip.id);
    if (!e || e.a === e.b || degree[tip.id] !== 1) return;
    // orient the edge so that the tip is its last point
    if (e.a === tip.id) {
      e.points.reverse();
      e.a = e.b;
      e.b = tip.id;
    }
    const pts = e.points;
    const n = pts.length;
    if (n < 2 || e.lengthUm < 0.5) return;
    const end = pts[n - 1];
    // direction of the last 0.6 µm
    let k = n - 1;
    while (k > 0 && hypot(end[0] - pts[k][0], end[1] - pts[k][1]) < 0.6) k--;
    let tx = end[0] - pts[k][0];
    let ty = end[1] - pts[k][1];
    const tl = hypot(tx, ty);
    if (!(tl > 0.2)) return;
    tx /= tl;
    ty /= tl;
    // brightness of the traced part
    const b = this.brightness(pts, P.measureUm);
    if (b.n < 3 || !(b.mu >= P.minMuZ)) return;
    const r = this.track(end[0], end[1], tx, ty, Math.min(P.maxMuZ, P.muFraction * b.mu), e, -1);
    if (!r.joins && (r.keep * this.step < P.minUm || r.z < P.minZ)) return;
    this.apply(e, tip, r);
  }

  /** append the kept path to edge e (whose last point is tip's) and make the join the tracking ended in */
  apply(e: FiberEdge, tip: FiberNode, r: TrackResult): void {
    const { nodes, edges, stats, degree, path, P } = this;
    const pts = e.points;
    const added = path.slice(0, r.keep);
    let px0 = pts[pts.length - 1][0];
    let py0 = pts[pts.length - 1][1];
    let L = 0;
    for (const q of added) {
      L += hypot(q[0] - px0, q[1] - py0);
      px0 = q[0];
      py0 = q[1];
      pts.push(q);
      this.addPt(q, e);
    }
    e.lengthUm += L;
    stats.addedUm += L;
    stats.extended++;
    tip.xUm = px0;
    tip.yUm = py0;
    if (r.joins && r.stop === "migrasome") {
      const id = this.nodeOfMig(r.targetMig);
      const c = nodes[id];
      const jl = hypot(c.xUm - px0, c.yUm - py0);
      edges.push({ id: edges.length, a: tip.id, b: id, points: [[px0, py0], [c.xUm, c.yUm]], lengthUm: jl, cellId: e.cellId });
      stats.addedUm += jl;
      tip.kind = "junction";
      stats.joinedMigrasome++;
    } else if (r.joins && r.target) {
      const target = r.target;
      const o = r.targetEdge as FiberEdge;
      const idx = o.points.indexOf(target);
      let nodeId: number;
      if (idx <= 0) nodeId = o.a;
      else if (idx >= o.points.length - 1) nodeId = o.b;
      else {
        // split the other edge at the vertex hit
        nodeId = nodes.length;
        nodes.push({ id: nodeId, xUm: target[0], yUm: target[1], kind: "junction", degree: 0 });
        const tail = o.points.slice(idx);
        o.points = o.points.slice(0, idx + 1);
        const e2: FiberEdge = { id: edges.length, a: nodeId, b: o.b, points: tail, lengthUm: polyLength(tail), cellId: o.cellId };
        o.b = nodeId;
        o.lengthUm = polyLength(o.points);
        edges.push(e2);
        for (let j = 0; j < tail.length; j++) {
          const l = this.cellAt(this.cellOf(tail[j])) as GridCell;
          for (let q = 0; q < l.p.length; q++) if (l.p[q] === tail[j]) l.e[q] = e2;
        }
        if (this.edgeOf.get(e2.b) === o) this.edgeOf.set(e2.b, e2);
      }
      const jl = hypot(target[0] - px0, target[1] - py0);
      pts.push([target[0], target[1]]);
      e.lengthUm += jl;
      stats.addedUm += jl;
      // the tip ends on the other fiber: its node is replaced by the node there
      e.b = nodeId;
      tip.kind = "junction";
      degree[tip.id] = 0;
      degree[nodeId]++;
      stats.joinedFiber++;
    } else if (r.stop === "cell" && r.keep === path.length) {
      tip.kind = "cell";
      this.joinCellBody(e, tip);
    }
    else if (r.stop === "border" && r.keep === path.length) tip.kind = "border";
  }

  /** the margin is where nothing is detected, not where the fiber ends: on straight to the cell body when it is near */
  joinCellBody(e: FiberEdge, tip: FiberNode): void {
    const { P, w, h, invPx, pxUm, stats } = this;
    const pts = e.points;
    const labels = this.inp.cellLabels;
    const d = endDirection(pts, false, 0.5);
    if (labels && P.cellJoinUm > 0 && d.chordUm > 0.2) {
      const st = 0.5 * pxUm;
      let at = -1;
      for (let s = st; s <= P.cellJoinUm && at < 0; s += st) {
        const x = Math.floor((d.end[0] + s * d.tx) * invPx);
        const y = Math.floor((d.end[1] + s * d.ty) * invPx);
        if (x < 0 || y < 0 || x >= w || y >= h) break;
        if (labels[y * w + x]) at = s;
      }
      if (at > 0) {
        const q: Pt = [d.end[0] + at * d.tx, d.end[1] + at * d.ty];
        pts.push(q);
        this.addPt(q, e);
        e.lengthUm += at;
        stats.addedUm += at;
        tip.xUm = q[0];
        tip.yUm = q[1];
        stats.cellJoins++;
      }
    }
  }

  /** |cos| of the angle between the fiber through traced vertex p and the direction (tx, ty) (its chord over ±0.3 µm) */
  alignment(p: Pt, e: FiberEdge | undefined, tx: number, ty: number): number {
    if (!e) return 1;
    const pts = e.points;
    const i = pts.indexOf(p);
    if (i < 0) return 1;
    let a = i;
    while (a > 0 && hypot(pts[a][0] - p[0], pts[a][1] - p[1]) < 0.3) a--;
    let b = i;
    while (b < pts.length - 1 && hypot(pts[b][0] - p[0], pts[b][1] - p[1]) < 0.3) b++;
    const dx = pts[b][0] - pts[a][0];
    const dy = pts[b][1] - pts[a][1];
    const l = hypot(dx, dy);
    return l > 0 ? Math.abs(dx * tx + dy * ty) / l : 1;
  }

  /**
   * A traced vertex in the sector of arm direction th (±armSectorDeg, rim + 0.3 … rim + 2 µm of migrasome m) whose
   * fiber runs along the arm: the arm is traced.
   */
  armTraced(m: { xUm: number; yUm: number; rUm: number }, th: number, tx: number, ty: number): boolean {
    const P = this.P;
    const gw = this.gw;
    const secRad = (P.armSectorDeg * Math.PI) / 180;
    const cosSec = Math.cos(secRad);
    const cosAlign = P.armAlignDeg >= 90 ? -1 : Math.cos((P.armAlignDeg * Math.PI) / 180);
    const r0 = m.rUm + 0.3;
    const r1 = m.rUm + 2;
    // the sector's bounding box
    const c1 = Math.cos(th - secRad);
    const s1 = Math.sin(th - secRad);
    const c2 = Math.cos(th + secRad);
    const s2 = Math.sin(th + secRad);
    const bx0 = m.xUm + Math.min(r0 * c1, r1 * c1, r0 * c2, r1 * c2, r1 * tx);
    const bx1 = m.xUm + Math.max(r0 * c1, r1 * c1, r0 * c2, r1 * c2, r1 * tx);
    const by0 = m.yUm + Math.min(r0 * s1, r1 * s1, r0 * s2, r1 * s2, r1 * ty);
    const by1 = m.yUm + Math.max(r0 * s1, r1 * s1, r0 * s2, r1 * s2, r1 * ty);
    for (let gy = Math.floor(by0 / G); gy <= Math.floor(by1 / G); gy++)
      for (let gx = Math.floor(bx0 / G); gx <= Math.floor(bx1 / G); gx++) {
        const l = this.cellAt(gy * gw + gx);
        if (!l) continue;
        const lp = l.p;
        for (let j = 0; j < lp.length; j++) {
          const p = lp[j];
          const dx = p[0] - m.xUm;
          const dy = p[1] - m.yUm;
          const d2 = dx * dx + dy * dy;
          const dt = dx * tx + dy * ty;
          if (d2 >= r0 * r0 && d2 <= r1 * r1 && dt > 0 && dt * dt >= cosSec * cosSec * d2 && (cosAlign <= 0 || this.alignment(p, l.e[j], tx, ty) >= cosAlign)) return true;
        }
      }
    return false;
  }

  /** track migrasome mi's fiber arms (directions from the site stage) that no traced fiber leaves along */
  trackArms(mi: number): void {
    const { P, inp, nodes, edges, step } = this;
    const m = inp.migrasomes[mi];
    const dirs = inp.arms?.[mi];
    if (!dirs || !dirs.length) return;
    for (const deg of dirs) {
      const th = (deg * Math.PI) / 180;
      const tx = Math.cos(th);
      const ty = Math.sin(th);
      if (this.armTraced(m, th, tx, ty)) continue;
      const sx = m.xUm + (m.rUm + P.armStartUm) * tx;
      const sy = m.yUm + (m.rUm + P.armStartUm) * ty;
      if (!this.inside(sx, sy) || (inp.exclude && inp.exclude[this.pixOf(sx, sy)])) continue;
      const seg: Pt[] = [];
      for (let d = P.armStartUm + 1; d >= P.armStartUm; d -= step / 2) seg.push([m.xUm + (m.rUm + d) * tx, m.yUm + (m.rUm + d) * ty]);
      const b = this.brightness(seg, 1);
      if (b.n < 3 || !(b.mu >= P.armMinMuZ)) continue;
      const mid = this.nodeOfMig(mi);
      const tipId = nodes.length;
      const tip: FiberNode = { id: tipId, xUm: sx, yUm: sy, kind: "tip", degree: 0 };
      nodes.push(tip);
      const e: FiberEdge = { id: edges.length, a: mid, b: tipId, points: [[m.xUm, m.yUm], [sx, sy]], lengthUm: m.rUm + P.armStartUm, cellId: null };
      const r = this.track(sx, sy, tx, ty, Math.min(P.maxMuZ, P.muFraction * b.mu), e, mi);
      if (!r.joins && (r.keep * step < P.armMinUm || r.z < P.armMinZ)) {
        nodes.pop();
        continue;
      }
      edges.push(e);
      for (const p of e.points) this.addPt(p, e);
      this.degree[mid]++;
      this.degree[tipId] = 1;
      this.edgeOf.set(tipId, e);
      this.stats.arms++;
      this.apply(e, tip, r);
    }
  }
}

/**
 * Fibers that pass a migrasome beside its centre (through its rim): the tracer joins the two pieces to the
 * centre, two sides of a triangle the fiber does not run along. Two pieces joined to the same migrasome whose
 * directions (their last µm, towards the migrasome) both lie within chordMaxDeg of the chord between their ends,
 * with the chord missing the centre by more than chordMinOffUm, are joined by the chord instead. Returns the join
 * edges replaced.
 */
function passChords(nodes: FiberNode[], edges: FiberEdge[], P: ExtendParams, stats: ExtendStats): Set<FiberEdge> {
  const at = edgesAtNodes(edges);
  // captured nodes of each migrasome: a node with a join edge to the migrasome and one fiber edge
  const byMig = new Map<number, { n: number; join: FiberEdge; dx: number; dy: number }[]>();
  for (const join of edges) {
    const mA = nodes[join.a].kind === "migrasome";
    const mB = nodes[join.b].kind === "migrasome";
    // a join: two points (an extension's, or the tracer's straight one), or three from the captured node through
    // the rim point its fiber runs to (the tracer's `rimJoinPath`; a tracked arm starts at the migrasome instead)
    if (mA === mB || !(join.points.length === 2 || (join.points.length === 3 && mB))) continue;
    const n = mA ? join.b : join.a;
    const m = mA ? join.a : join.b;
    const es = at.get(n) ?? [];
    if (es.length !== 2) continue;
    const fib = es[0] === join ? es[1] : es[0];
    if (fib.a === fib.b) continue;
    // the fiber's direction at n, towards the migrasome (its last µm)
    const d = endDirection(fib.points, fib.a === n, 1);
    if (!(d.chordUm > 0.4)) continue;
    const l = byMig.get(m);
    const item = { n, join, dx: d.tx, dy: d.ty };
    if (l) l.push(item);
    else byMig.set(m, [item]);
  }
  const removed = new Set<FiberEdge>();
  const cosMax = Math.cos((P.chordMaxDeg * Math.PI) / 180);
  for (const [m, list] of byMig) {
    const c = nodes[m];
    const used = new Set<number>();
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const A = list[i];
        const B = list[j];
        if (used.has(i) || used.has(j)) continue;
        const a = nodes[A.n];
        const b = nodes[B.n];
        const cx = b.xUm - a.xUm;
        const cy = b.yUm - a.yUm;
        const cl = hypot(cx, cy);
        if (!(cl > 0.3)) continue;
        const ux = cx / cl;
        const uy = cy / cl;
        // both pieces head along the chord (a towards b, b towards a)
        if (A.dx * ux + A.dy * uy < cosMax || -(B.dx * ux + B.dy * uy) < cosMax) continue;
        // the chord misses the centre
        const off = Math.abs((c.xUm - a.xUm) * uy - (c.yUm - a.yUm) * ux);
        if (off <= P.chordMinOffUm) continue;
        used.add(i);
        used.add(j);
        removed.add(A.join);
        removed.add(B.join);
        edges.push({ id: edges.length, a: A.n, b: B.n, points: [[a.xUm, a.yUm], [b.xUm, b.yUm]], lengthUm: cl, cellId: A.join.cellId ?? B.join.cellId });
        stats.chords++;
      }
  }
  return removed;
}

/** Renumber (drop nodes without edges, except migrasomes), recount degrees and kinds, and give each component one cell. */
function finish(nodes: FiberNode[], edges: FiberEdge[]): FiberGraph {
  const used = new Set<number>();
  for (const e of edges) {
    used.add(e.a);
    used.add(e.b);
  }
  const { nodes: out, edges: outEdges } = compactGraph(nodes, edges, (n) => used.has(n.id) || n.kind === "migrasome");
  for (const n of out) if (n.kind === "tip" && n.degree > 1) n.kind = "junction";
  // components joined by an extension share the cell one of them had
  const par = out.map((_, i) => i);
  const f = (i: number): number => (par[i] === i ? i : (par[i] = f(par[i])));
  for (const e of outEdges) par[f(e.a)] = f(e.b);
  const cell = new Map<number, number>();
  for (const e of outEdges) if (e.cellId !== null && !cell.has(f(e.a))) cell.set(f(e.a), e.cellId);
  for (const e of outEdges) if (e.cellId === null) e.cellId = cell.get(f(e.a)) ?? null;
  return { nodes: out, edges: outEdges, totalLengthUm: outEdges.reduce((s, e) => s + e.lengthUm, 0) };
}
