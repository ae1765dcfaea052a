/**
 * The evaluation suite: render scenes (tuning or scoring variant) at a given SNR and pixel size,
 * run Migrasim's detector and the LoG baseline, and score both against the ground truth.
 */
import { fiberLengthCeiling, siteCeiling } from "./ceiling.ts";
import { analyzePlane, type AnalyzeParams } from "./analyze.ts";
import { detectLog } from "./baseline.ts";
import { cellExclusion, detectCells } from "./cells.ts";
import { evaluateDetections, f1BootstrapInterval, type EvaluationResult, type PointRecord } from "./evaluate.ts";
import { estimateBackground } from "./filters.ts";
import { renderScene } from "./optics.ts";
import type { Realism } from "./realism.ts";
import { generateScene, randomOptics, sceneFiberLength, type SceneVariant } from "./scene.ts";

export interface SuiteResult {
  snr: number;
  pixelSizeUm: number;
  seeds: number[];
  migrasim: EvaluationResult;
  /** Migrasim's F1, 95 % bootstrap interval over the images (`f1BootstrapInterval`) */
  f1Interval: [number, number];
  log: EvaluationResult;
  /** detected / true total fiber length */
  fiberLengthRatio: number;
  /** site accuracy an ideal observer that knows every fiber's path could reach (`siteCeiling`, arms judged over 1 µm) */
  siteCeiling: number;
  /** fraction of the true fiber length on fibers an ideal tracer could find (`fiberLengthCeiling`: d' ≥ 4 over 2 µm; a fiber
   * running within 2 σ_psf beside a brighter findable one counts once) */
  fiberCeiling: number;
}

/** Scoring seeds start at 1000 so they never coincide with tuning seeds (1…999). */
export function suiteSeeds(variant: SceneVariant, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (variant === "scoring" ? 1000 : 1) + i);
}

export function runSuite(
  snr: number,
  seeds: number[],
  variant: SceneVariant,
  pixelSizeUm = 0.1,
  sizeUm = 40,
  params?: Partial<AnalyzeParams>,
  opts: { baseline?: boolean; dense?: boolean; realism?: Realism } = {},
): SuiteResult {
  const D: PointRecord[] = [];
  const B: PointRecord[] = [];
  const T: PointRecord[] = [];
  let Lt = 0;
  let Ld = 0;
  let ceilSum = 0;
  let ceilN = 0;
  let fcFound = 0;
  let fcTrue = 0;
  for (const s of seeds) {
    const scene = generateScene(s, { variant, widthUm: sizeUm, heightUm: sizeUm, dense: opts.dense });
    const optics = randomOptics(s, snr, variant, pixelSizeUm);
    if (opts.realism) optics.realism = opts.realism;
    const img = renderScene(scene, optics, s);
    const c = siteCeiling(scene, optics);
    ceilSum += c.n ? c.accuracy * c.n : 0;
    ceilN += c.n;
    const fc = fiberLengthCeiling(scene, optics, img.width * pixelSizeUm, img.height * pixelSizeUm, 2, 4, 2); // pairs within 2 σ_psf count once
    fcFound += fc.foundUm;
    fcTrue += fc.trueUm;
    const plane = { width: img.width, height: img.height, data: img.data };
    const a = analyzePlane(plane, pixelSizeUm, { params });
    const image = String(s);
    for (const m of a.migrasomes) D.push({ image, xUm: m.xUm, yUm: m.yUm, diameterUm: m.diameterUm, site: m.site });
    for (const o of scene.objects) if (o.kind === "migrasome") T.push({ image, xUm: o.x, yUm: o.y, diameterUm: o.diameterUm, site: o.site });
    Lt += sceneFiberLength(scene, 0, 0, img.width * pixelSizeUm, img.height * pixelSizeUm);
    Ld += a.fibers.totalLengthUm;
    if (opts.baseline === false) continue;
    // baseline on the same background model and cell mask
    const { width: w, height: h } = img;
    const bg = estimateBackground(img.data, w, h, 4 / pixelSizeUm);
    const sub = new Float32Array(w * h);
    for (let i = 0; i < sub.length; i++) sub[i] = img.data[i] - bg.background[i];
    const ex = cellExclusion(detectCells(img.data, w, h, pixelSizeUm).labels, w, h, pixelSizeUm, 0.5);
    for (const d of detectLog(sub, bg.noise, w, h, pixelSizeUm, undefined, ex)) B.push({ image, xUm: d.xUm, yUm: d.yUm, diameterUm: d.diameterUm });
  }
  return { snr, pixelSizeUm, seeds, migrasim: evaluateDetections(D, T), f1Interval: f1BootstrapInterval(D, T), log: evaluateDetections(B, T), fiberLengthRatio: Lt > 0 ? Ld / Lt : NaN, siteCeiling: ceilN ? ceilSum / ceilN : NaN, fiberCeiling: fcTrue > 0 ? fcFound / fcTrue : NaN };
}
