/**
 * One file end to end: read, choose the channel, project z, analyse each frame, link
 * migrasomes over time, and return CSV rows, per-cell read-outs, a summary and overlay PNGs.
 */
import { basename, extname } from "node:path";
import type { CsvCell } from "../util/csv.ts";
import { UserError } from "../util/errors.ts";
import { analyzePlane, type ImageAnalysis } from "./analyze.ts";
import { readImage } from "./io.ts";
import { DEFAULT_LINK_OPTIONS, frameDrifts, linkTracks, type FramePoint, type LinkOptions } from "./linking.ts";
import { overlayPng } from "./overlay.ts";
import { cellReadouts, detectionRow, fiberRows, imageQuality, imageSummary, perCellRow, type ImageSummary } from "./readouts.ts";
import { maxProjection } from "./types.ts";
import { appendAll } from "../util/append.ts";

export interface FileOptions {
  pixelSizeUm?: number;
  /** 1-based channel for migrasomes and fibers */
  channel?: number;
  /** optional 1-based channel for cell bodies */
  cellChannel?: number;
  overlay?: boolean;
  /** time series: linking gates and drift (`linking.ts`; given fields override `DEFAULT_LINK_OPTIONS`) */
  link?: LinkOptions;
  /** how sites are read: the learned arm reader (default; `armnet.ts`) or the rules alone (`sites.ts`) */
  siteReader?: "learned" | "rules";
}

export interface FileResult {
  image: string;
  detections: CsvCell[][];
  fibers: CsvCell[][];
  perCell: CsvCell[][];
  summary: ImageSummary;
  /** overlay PNG per frame (only the first frame for long series) */
  overlays: { name: string; png: Uint8Array }[];
  /** things the user should know, e.g. a blank channel (printed, and listed in summary.json) */
  warnings: string[];
}

/** `names.image` is the name in the tables (default: the file name), `names.overlayStem` starts the overlay file names. */
export async function analyzeFile(
  path: string,
  opts: FileOptions = {},
  names: { image?: string; overlayStem?: string } = {},
  onFrame?: (done: number, frames: number) => void,
): Promise<FileResult> {
  const stack = await readImage(path);
  const image = names.image ?? basename(path);
  let px = opts.pixelSizeUm;
  let source = "--pixel-size";
  if (!(px && px > 0)) {
    px = stack.pixelSizeUm;
    source = stack.pixelSizeSource ?? "";
    const py = stack.pixelSizeYUm;
    if (px && px > 0 && py && py > 0 && Math.abs(py / px - 1) > 0.01)
      throw new UserError(
        `${path}: non-square pixels (${Number(px.toPrecision(4))} µm in x, ${Number(py.toPrecision(4))} µm in y, from ${source.replace(/X(Resolution)?$/, "X/Y$1")}); ` +
          `the analysis needs square pixels: resample the image to square pixels (e.g. Fiji Image > Scale), or give --pixel-size UM to treat them as square`,
      );
  }
  if (!(px && px > 0))
    throw new UserError(`${path}: no pixel size in the file (OME PhysicalSizeX, ImageJ unit or resolution tags); give --pixel-size UM`);
  if (px < 0.02 || px > 1) throw new UserError(`${path}: pixel size ${Number(px.toPrecision(4))} µm (from ${source}) is outside 0.02–1 µm; give --pixel-size UM`);
  const ch = (opts.channel ?? 1) - 1;
  if (ch < 0 || ch >= stack.channels) throw new UserError(`${path}: --channel ${ch + 1} does not exist (the image has ${stack.channels} channel(s))`);
  const cch = opts.cellChannel !== undefined ? opts.cellChannel - 1 : undefined;
  if (cch !== undefined && (cch < 0 || cch >= stack.channels))
    throw new UserError(`${path}: --cell-channel ${cch + 1} does not exist (the image has ${stack.channels} channel(s))`);
  const detections: CsvCell[][] = [];
  const fibers: CsvCell[][] = [];
  const perCell: CsvCell[][] = [];
  const overlays: { name: string; png: Uint8Array }[] = [];
  const analyses: ImageAnalysis[] = [];
  const warnings: string[] = [];
  const first = maxProjection(stack, 0, ch).data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < first.length; i++) {
    if (first[i] < lo) lo = first[i];
    if (first[i] > hi) hi = first[i];
  }
  if (lo === hi)
    warnings.push(
      `${path}: channel ${ch + 1} is blank (every pixel ${lo})` +
        (stack.channels > 1 ? `; the image has ${stack.channels} channels, choose one with --channel N` : "; nothing to measure"),
    );
  const points: FramePoint[] = [];
  const stem = names.overlayStem ?? basename(path, extname(path));
  for (let t = 0; t < stack.frames; t++) {
    const plane = maxProjection(stack, t, ch);
    // the progress bar moves within a frame too (a single large image takes seconds)
    const onProgress = onFrame ? (f: number) => onFrame(t + f, stack.frames) : undefined;
    const a = analyzePlane(plane, px, { cellPlane: cch !== undefined ? maxProjection(stack, t, cch) : undefined, onProgress, params: opts.siteReader === "rules" ? { armNet: null } : undefined });
    analyses.push(a);
    onFrame?.(t + 1, stack.frames);
    for (const m of a.migrasomes) points.push({ frame: t, xUm: m.xUm, yUm: m.yUm, diameterUm: m.diameterUm });
    appendAll(fibers, fiberRows(image, t, a));
    appendAll(perCell, cellReadouts(image, t, a).map(perCellRow));
    if (opts.overlay !== false && (t === 0 || stack.frames <= 20))
      overlays.push({ name: stack.frames > 1 ? `${stem}_t${t}_overlay.png` : `${stem}_overlay.png`, png: overlayPng(plane, a) });
  }
  const trackOf = new Int32Array(points.length);
  let tracksSummary: ImageSummary["tracks"];
  if (stack.frames > 1) {
    const tracks = linkTracks(points, stack.frames, opts.link);
    for (const tr of tracks) for (const p of tr.points) trackOf[p] = tr.id;
    const complete = tracks.filter((t) => !t.censoredStart && !t.censoredEnd);
    tracksSummary = {
      count: tracks.length,
      meanLifetimeFrames: complete.length ? complete.reduce((s, t) => s + t.lastFrame - t.firstFrame + 1, 0) / complete.length : null,
      formationFrames: tracks.filter((t) => !t.censoredStart).map((t) => t.firstFrame),
      linkOptions: { ...DEFAULT_LINK_OPTIONS, ...opts.link },
      // the stage drift of each frame relative to the first, as the linking corrected it (µm)
      driftUm: frameDrifts(points, stack.frames, opts.link?.maxDriftUm).map((d) => [Math.round(d.dxUm * 1000) / 1000, Math.round(d.dyUm * 1000) / 1000]),
    };
  }
  let k = 0;
  analyses.forEach((a, t) => {
    for (const m of a.migrasomes) detections.push(detectionRow(image, t, m, stack.frames > 1 ? trackOf[k++] : undefined));
  });
  const summary = imageSummary(image, analyses[0], source, stack.frames);
  if (stack.frames > 1) {
    // a time series: counts and lengths summed over frames, like the rows of detections.csv and per_cell.csv
    const per = analyses.map((a) => imageSummary(image, a, source, stack.frames));
    const sum = (f: (s: ImageSummary) => number) => per.reduce((s, x) => s + f(x), 0);
    const L = analyses.reduce((s, a) => s + a.fibers.totalLengthUm, 0);
    summary.migrasomes = sum((s) => s.migrasomes);
    summary.cells = sum((s) => s.cells);
    summary.tips = sum((s) => s.tips);
    summary.junctions = sum((s) => s.junctions);
    summary.fiberLengthUm = Number(L.toFixed(3));
    summary.migrasomesPer100Um = L > 0 ? Number(((100 * summary.migrasomes) / L).toFixed(4)) : null;
    summary.sites = { tip: sum((s) => s.sites.tip), junction: sum((s) => s.sites.junction), along: sum((s) => s.sites.along), none: sum((s) => s.sites.none) };
    summary.tracks = tracksSummary;
    // the SNR of a time series: the mean over the frames that have migrasomes
    const snrs = analyses.map((a) => a.snr).filter((v) => Number.isFinite(v));
    summary.quality = imageQuality(px, snrs.length ? snrs.reduce((a, b) => a + b, 0) / snrs.length : NaN);
  }
  return { image, detections, fibers, perCell, summary, overlays, warnings };
}
