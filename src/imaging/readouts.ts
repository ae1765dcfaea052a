/**
 * Read-outs like the papers: per cell (migrasome count, count per 100 µm of fiber, fiber
 * length, diameters, site fractions), per image and per folder; CSV rows for the outputs.
 */
import type { CsvCell } from "../util/csv.ts";
import type { DetectedMigrasome, ImageAnalysis } from "./analyze.ts";
import { expectedResults, FIBER_LENGTH_TOLERANCE, SITE_BAR, type Expected } from "./validation.ts";
import type { LinkOptions } from "./linking.ts";

export interface CellReadout {
  image: string;
  frame: number;
  cellId: number | null;
  /** the cell body's centroid and area (null for the row of migrasomes assigned to no cell) */
  xUm: number | null;
  yUm: number | null;
  areaUm2: number | null;
  migrasomes: number;
  fiberLengthUm: number;
  migrasomesPer100Um: number | null;
  meanDiameterUm: number | null;
  medianDiameterUm: number | null;
  fractionTip: number | null;
  fractionJunction: number | null;
  fractionAlong: number | null;
}

const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : null);
const median = (a: number[]) => {
  if (!a.length) return null;
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function cellReadouts(image: string, frame: number, a: ImageAnalysis): CellReadout[] {
  const ids: (number | null)[] = [...a.cells.map((c) => c.id), null];
  return ids.map((id) => {
    const ms = a.migrasomes.filter((m) => m.cellId === id);
    const L = a.fibers.edges.filter((e) => e.cellId === id).reduce((s, e) => s + e.lengthUm, 0);
    const frac = (site: string) => (ms.length ? ms.filter((m) => m.site === site).length / ms.length : null);
    const body = id === null ? undefined : a.cells.find((c) => c.id === id);
    return {
      image,
      frame,
      cellId: id,
      xUm: body ? body.xUm : null,
      yUm: body ? body.yUm : null,
      areaUm2: body ? body.areaUm2 : null,
      migrasomes: ms.length,
      fiberLengthUm: L,
      migrasomesPer100Um: L > 0 ? (100 * ms.length) / L : null,
      meanDiameterUm: mean(ms.map((m) => m.diameterUm)),
      medianDiameterUm: median(ms.map((m) => m.diameterUm)),
      fractionTip: frac("tip"),
      fractionJunction: frac("junction"),
      fractionAlong: frac("along"),
    };
  });
}

export const PER_CELL_HEADER = [
  "image", "frame", "cellId", "xUm", "yUm", "areaUm2", "migrasomes", "fiberLengthUm", "migrasomesPer100Um", "meanDiameterUm", "medianDiameterUm", "fractionTip", "fractionJunction", "fractionAlong",
];

export function perCellRow(r: CellReadout): CsvCell[] {
  return [r.image, r.frame, r.cellId ?? "", r.xUm, r.yUm, r.areaUm2, r.migrasomes, r.fiberLengthUm, r.migrasomesPer100Um, r.meanDiameterUm, r.medianDiameterUm, r.fractionTip, r.fractionJunction, r.fractionAlong];
}

export const DETECTIONS_HEADER = ["image", "frame", "xUm", "yUm", "diameterUm", "site", "score", "cellId", "trackId"];

export function detectionRow(image: string, frame: number, m: DetectedMigrasome, trackId?: number): CsvCell[] {
  return [image, frame, m.xUm, m.yUm, m.diameterUm, m.site, m.score, m.cellId ?? "", trackId ?? ""];
}

export const FIBERS_HEADER = ["image", "frame", "fiberId", "cellId", "lengthUm", "vertex", "xUm", "yUm"];

export function fiberRows(image: string, frame: number, a: ImageAnalysis): CsvCell[][] {
  const rows: CsvCell[][] = [];
  for (const e of a.fibers.edges) e.points.forEach((p, k) => rows.push([image, frame, e.id + 1, e.cellId ?? "", e.lengthUm, k, p[0], p[1]]));
  return rows;
}

export interface ImageSummary {
  image: string;
  width: number;
  height: number;
  pixelSizeUm: number;
  pixelSizeSource: string;
  frames: number;
  psfSigmaUm: number;
  migrasomes: number;
  cells: number;
  fiberLengthUm: number;
  tips: number;
  junctions: number;
  migrasomesPer100Um: number | null;
  sites: { tip: number; junction: number; along: number; none: number };
  tracks?: {
    count: number;
    meanLifetimeFrames: number | null;
    formationFrames: number[];
    /** the linking's gates and drift limit (`linking.ts`) */
    linkOptions: Required<LinkOptions>;
    /** per frame, the stage drift relative to the first frame [x, y] in µm, as the linking corrected it */
    driftUm: [number, number][];
  };
  quality: ImageQuality;
}

/**
 * How far to trust an image's read-outs: its estimated SNR (`estimateSnr`; for a time series the mean over frames)
 * and what the held-out evaluation gave at that SNR and pixel size (`expectedResults`), with a note when site accuracy
 * or fiber length there misses the bars (≥ 0.85; within 10 %).
 */
export interface ImageQuality {
  snrEstimate: number | null;
  expected: Expected | null;
  note: string | null;
}

export function imageQuality(pixelSizeUm: number, snr: number): ImageQuality {
  const e = expectedResults(pixelSizeUm, snr);
  if (!e) return { snrEstimate: null, expected: null, note: "no migrasome detected: SNR not estimated" };
  const s = Number(snr.toFixed(2));
  const weak: string[] = [];
  if (e.siteAccuracy < SITE_BAR) weak.push(`sites ${e.siteAccuracy.toFixed(2)} correct`);
  if (Math.abs(e.fiberLengthRatio - 1) > FIBER_LENGTH_TOLERANCE) weak.push(`fiber length ${e.fiberLengthRatio.toFixed(2)} × the true length`);
  const where = `estimated SNR ${s} with ${pixelSizeUm} µm pixels${e.extrapolated ? " (outside the validated 0.065–0.16 µm, SNR 2–10: nearest rows)" : ""}`;
  // (an SNR above the table's 10 gets no note of its own: the SNR 10 rows are used, and bright images are not the worry)
  const below = e.extrapolated && !(snr > 10 && pixelSizeUm >= 0.065 && pixelSizeUm <= 0.16);
  const note = weak.length ? `${where}: held-out synthetic scenes gave ${weak.join(" and ")} here; treat these read-outs as approximate` : below ? where : null;
  return { snrEstimate: s, expected: e, note };
}

export function imageSummary(image: string, a: ImageAnalysis, pixelSizeSource: string, frames: number): ImageSummary {
  const sites = { tip: 0, junction: 0, along: 0, none: 0 };
  for (const m of a.migrasomes) sites[m.site]++;
  return {
    image,
    width: a.width,
    height: a.height,
    pixelSizeUm: a.pixelSizeUm,
    pixelSizeSource,
    frames,
    psfSigmaUm: Number(a.psfSigmaUm.toFixed(4)),
    migrasomes: a.migrasomes.length,
    cells: a.cells.length,
    fiberLengthUm: Number(a.fibers.totalLengthUm.toFixed(3)),
    tips: a.fibers.nodes.filter((n) => n.kind === "tip").length,
    junctions: a.fibers.nodes.filter((n) => n.kind === "junction" && n.degree >= 3).length,
    migrasomesPer100Um: a.fibers.totalLengthUm > 0 ? Number(((100 * a.migrasomes.length) / a.fibers.totalLengthUm).toFixed(4)) : null,
    sites,
    quality: imageQuality(a.pixelSizeUm, a.snr),
  };
}
