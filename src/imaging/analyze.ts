/**
 * The per-image pipeline: background and noise → cell bodies → fiber ridges → migrasomes →
 * fiber graph → sites and cell assignment. All parameters are in µm.
 */
import { assignCells, DEFAULT_ASSIGN_PARAMS, type AssignParams } from "./assign.ts";
import { cellExclusion, detectCells, type CellBody } from "./cells.ts";
import { DEFAULT_EXTEND_PARAMS, extendTips, type ExtendParams } from "./extend.ts";
import { gaussianKernel, kernelNoiseGain, subtractBackground } from "./filters.ts";
import { DEFAULT_MIGRASOME_PARAMS, detectMigrasomes, type DetectOptions, type MigrasomeParams } from "./migrasomes.ts";
import { estimateSnr } from "./quality.ts";
import { DEFAULT_RIDGE_PARAMS, detectRidges, type RidgeParams } from "./ridges.ts";
import { DEFAULT_ARM_PARAMS, migrasomeArms, type ArmParams } from "./sites.ts";
import { armNetArms, type ArmNetWeights } from "./armnet.ts";
import { ARMNET_WEIGHTS } from "./armnet-weights.ts";
import { dropSmallCycles, traceFibers, type FiberGraph, type TraceOptions } from "./trace.ts";
import type { Plane } from "./types.ts";

export interface AnalyzeParams {
  /** block size of the background and noise maps, µm */
  backgroundBlockUm: number;
  /** margin around cell bodies where nothing is detected, µm */
  cellMarginUm: number;
  migrasome: Partial<MigrasomeParams>;
  ridge: RidgeParams;
  arms: ArmParams;
  /** tracing options (`trace.ts`; given fields override the defaults) */
  trace: Partial<Omit<TraceOptions, "migrasomes" | "cellLabels" | "exclude" | "lineZ" | "scale">>;
  /** tip extension after tracing and the site stage (`extend.ts`; given fields override the defaults); null = off */
  extend: Partial<ExtendParams> | null;
  /**
   * the migrasomes' arms the tip extension tracks when no traced fiber leaves along them: the rules' (`migrasomeArms`),
   * the learned reader's (the sites), or both (the reader's first; an arm traced by the first is not tracked again)
   */
  extendArms: "rules" | "reader" | "both";
  /** which cell made each migrasome (`assign.ts`; given fields override the defaults) */
  assign: Partial<AssignParams>;
  /** sites from the learned arm reader (`armnet.ts`; its input includes the rules' arms), null = the rules' sites */
  armNet: ArmNetWeights | null;
}

export const DEFAULT_ANALYZE_PARAMS: AnalyzeParams = {
  backgroundBlockUm: 4,
  cellMarginUm: 0.5,
  migrasome: {},
  ridge: DEFAULT_RIDGE_PARAMS,
  arms: DEFAULT_ARM_PARAMS,
  trace: {},
  extend: {},
  extendArms: "both",
  assign: {},
  armNet: ARMNET_WEIGHTS,
};

export interface DetectedMigrasome {
  xUm: number;
  yUm: number;
  diameterUm: number;
  site: "tip" | "junction" | "along" | "none";
  score: number;
  cellId: number | null;
  arms: number;
  /** directions of the arms, degrees from +x towards +y (image y points down) */
  armDirsDeg: number[];
}

export interface ImageAnalysis {
  width: number;
  height: number;
  pixelSizeUm: number;
  psfSigmaUm: number;
  migrasomes: DetectedMigrasome[];
  fibers: FiberGraph;
  cells: CellBody[];
  cellLabels: Int32Array;
  /** the image's SNR (mean peak migrasome signal above background / background noise) estimated from the detected
   * migrasomes (`estimateSnr` in quality.ts); NaN without migrasomes */
  snr: number;
}

/**
 * Scratch of analyzePlane: the background-subtracted image, the noise map and the ridge stage's smoothing, fully
 * rewritten by every call and used only during it (none of the results refers to them), so that a frame does not
 * map and fault in 3 × 4 bytes per pixel afresh. A nested call (from a callback) uses new arrays.
 */
let planeScratch: PlaneScratch | null = null;
let planeBusy = false;
interface PlaneScratch {
  sub: Float32Array;
  noise: Float32Array;
  smooth: Float32Array;
}

export interface AnalyzeOptions {
  params?: Partial<AnalyzeParams>;
  /** a second channel for cell bodies */
  cellPlane?: Plane;
  onCandidate?: DetectOptions["onCandidate"];
  /**
   * called after each stage with the fraction of the analysis done (0–1, rising; the fractions are each stage's usual
   * share of the time of a 2048² frame), so that a long single image can move a progress bar
   */
  onProgress?: (fraction: number) => void;
  /** called with the site stage's inputs and the rules' answer (`scripts/train-armnet.ts` collects the learned arm
   * reader's training examples with it) */
  onSites?: (c: { sm: Float32Array; noise: Float32Array; gain: number; smoothSigmaUm: number; w: number; h: number; pxUm: number; migs: { xUm: number; yUm: number; rUm: number }[]; sites: { arms: number; armDirsDeg: number[] }[] }) => void;
}

/** Analyse one 2-D plane. `cellPlane` (optional) is a second channel for cell bodies. */
export function analyzePlane(
  plane: Plane,
  pixelSizeUm: number,
  opts: AnalyzeOptions = {},
): ImageAnalysis {
  if (planeBusy) return analyzeWith(plane, pixelSizeUm, opts, undefined);
  const n = plane.width * plane.height;
  if (!planeScratch || planeScratch.sub.length !== n) planeScratch = { sub: new Float32Array(n), noise: new Float32Array(n), smooth: new Float32Array(n) };
  planeBusy = true;
  try {
    return analyzeWith(plane, pixelSizeUm, opts, planeScratch);
  } finally {
    planeBusy = false;
  }
}

function analyzeWith(
  plane: Plane,
  pixelSizeUm: number,
  opts: AnalyzeOptions,
  scratch: PlaneScratch | undefined,
): ImageAnalysis {
  const P = { ...DEFAULT_ANALYZE_PARAMS, ...opts.params };
  const { width: w, height: h, data } = plane;
  const px = pixelSizeUm;
  const bg = subtractBackground(data, w, h, P.backgroundBlockUm / px, 0.3, scratch);
  const sub = bg.sub;
  const progress = opts.onProgress ?? (() => {});
  progress(0.05);
  const cm = detectCells((opts.cellPlane ?? plane).data, w, h, px);
  const exclude = cellExclusion(cm.labels, w, h, px, P.cellMarginUm);
  progress(0.15);
  const ridges = detectRidges(sub, bg.noise, w, h, px, P.ridge, scratch?.smooth);
  progress(0.45);
  const psf = Number.isFinite(ridges.psfSigmaUm) ? ridges.psfSigmaUm : (P.migrasome.defaultPsfSigmaUm ?? DEFAULT_MIGRASOME_PARAMS.defaultPsfSigmaUm);
  const migs = detectMigrasomes(sub, bg.noise, w, h, px, {
    params: P.migrasome,
    psfSigmaUm: psf,
    exclude,
    onCandidate: opts.onCandidate,
    smoothed: { s: ridges.smooth, sigmaPx: ridges.smoothSigmaPx, strong: ridges.strong, strongZ: ridges.strongZ, noise: bg.noise },
  });
  progress(0.8);
  // the line filter's centre lines are handed over as a pixel list (no rasters of the tracing raster's size)
  const lines = ridges.lines;
  let graph = traceFibers(lines ?? ridges.mask, lines ? null : ridges.ox, lines ? null : ridges.oy, w, h, px, {
    ...P.trace,
    migrasomes: migs.map((m) => ({ x: m.x, y: m.y, r: m.diameterUm / 2 / px })),
    cellLabels: cm.labels,
    exclude,
    lineZ: lines ? undefined : ridges.lineZ,
    scale: ridges.traceScale,
  });
  progress(0.88);
  // arms are read from the ridge detector's first-scale smoothing (0.12 µm)
  const sSm = ridges.smoothSigmaPx;
  const armSm = ridges.smooth;
  const gk = gaussianKernel(sSm);
  const gain = kernelNoiseGain(gk, gk);
  const migCircles = migs.map((m) => ({ xUm: m.xUm, yUm: m.yUm, rUm: m.diameterUm / 2 }));
  const ruleSites = migrasomeArms(armSm, bg.noise, w, h, px, migCircles, P.arms, gain, sSm * px);
  // the learned reader takes the rules' arms as one of its inputs (the tip extension below tracks both sets of arms:
  // `extendArms`)
  const sites = P.armNet
    ? armNetArms({ sm: armSm, noise: bg.noise, noiseGain: gain, w, h, pxUm: px }, migCircles, ruleSites.map((s) => s.armDirsDeg), P.armNet).map((d) => ({ site: siteOfArms(d.length), arms: d.length, armDirsDeg: d }))
    : ruleSites;
  opts.onSites?.({ sm: armSm, noise: bg.noise, gain, smoothSigmaUm: sSm * px, w, h, pxUm: px, migs: migCircles, sites: ruleSites });
  progress(0.9);
  // the traced fibers are extended from their free tips and along the migrasomes' untraced arms (after the
  // site stage, which reads its arms from the image, not from the graph)
  if (P.extend)
    graph = extendTips(
      graph,
      {
        smooth: ridges.smooth,
        smoothSigmaPx: ridges.smoothSigmaPx,
        noise: bg.noise,
        w,
        h,
        pxUm: px,
        psfSigmaUm: psf,
        migrasomes: migs.map((m) => ({ xUm: (m.x + 0.5) * px, yUm: (m.y + 0.5) * px, rUm: m.diameterUm / 2 })),
        exclude,
        cellLabels: cm.labels,
        arms: P.extendArms === "rules" ? ruleSites.map((s) => s.armDirsDeg) : P.extendArms === "reader" ? sites.map((s) => s.armDirsDeg) : sites.map((s, i) => [...s.armDirsDeg, ...ruleSites[i].armDirsDeg]),
      },
      { ...DEFAULT_EXTEND_PARAMS, ...P.extend },
    ).graph;
  progress(0.97);
  // small cycles from thinning counted a fiber twice (after the extension, whose joins can close them too)
  graph = dropSmallCycles(graph);
  // each migrasome's cell, from the final graph (the extension's joins connect pieces of fiber to cells)
  const cellOf = assignCells(graph, migs.map((m) => ({ xUm: m.xUm, yUm: m.yUm, rUm: m.diameterUm / 2 })), cm.cells, { ...DEFAULT_ASSIGN_PARAMS, ...P.assign }, { labels: cm.labels, width: w, height: h, pxUm: px });
  const migrasomes: DetectedMigrasome[] = migs.map((m, i) => ({
    xUm: m.xUm,
    yUm: m.yUm,
    diameterUm: m.diameterUm,
    site: sites[i].site,
    score: m.score,
    cellId: cellOf[i],
    arms: sites[i].arms,
    armDirsDeg: sites[i].armDirsDeg,
  }));
  migrasomes.sort((a, b) => a.yUm - b.yUm || a.xUm - b.xUm);
  const snr = estimateSnr(sub, w, h, px, bg.noiseMedian, migs);
  return { width: w, height: h, pixelSizeUm: px, psfSigmaUm: psf, migrasomes, fibers: graph, cells: cm.cells, cellLabels: cm.labels, snr };
}

function siteOfArms(n: number): "tip" | "junction" | "along" | "none" {
  return n === 0 ? "none" : n === 1 ? "tip" : n === 2 ? "along" : "junction";
}
