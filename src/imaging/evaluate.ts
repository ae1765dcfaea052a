/**
 * Detection vs ground truth: one-to-one Hungarian matching with the gate
 * max(0.3 µm, half the true radius), precision, recall, F1, count ratio, position and
 * diameter errors, and site accuracy on matched pairs; optionally the cells (`evaluateCells`):
 * cell bodies found, migrasomes assigned to the cell that made them, per-cell counts.
 */
import { readFileSync } from "node:fs";
import { parseCsv } from "../util/csv.ts";
import { UserError } from "../util/errors.ts";
import { hungarian } from "./hungarian.ts";

export interface PointRecord {
  image: string;
  xUm: number;
  yUm: number;
  diameterUm: number;
  site?: string;
  /** the cell that made it (truth) or it was assigned to (detections); "" = none */
  cellId?: string;
  /** truth: it sits on an intact fiber of the cell that made it (`onMakerFiber`), so the image shows its cell */
  onMakerFiber?: boolean;
  /** time-series frame (0 when absent): detections and truth are matched within each image and frame */
  frame?: number;
  /** the track (detections: `trackId`) or the run's migrasome (truth: `migrasomeId`) it belongs to */
  trackId?: string;
}

export interface EvaluationResult {
  nTrue: number;
  nDetected: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  countRatio: number;
  /** mean and median centre distance of matched pairs, µm */
  positionErrorUm: number;
  positionErrorMedianUm: number;
  /** mean |d_det − d_true| and mean (d_det − d_true), µm */
  diameterErrorUm: number;
  diameterBiasUm: number;
  /** fraction of matched pairs (with sites on both sides) whose site agrees */
  siteAccuracy: number;
  siteMatched: number;
  /** matched pairs by true site (rows) and detected site (columns), including "none" */
  siteConfusion: Record<string, Record<string, number>>;
}

export const SITES = ["tip", "along", "junction", "none"];

export function matchGateUm(trueDiameterUm: number): number {
  return Math.max(0.3, trueDiameterUm / 4);
}

/** the frame a record belongs to: its image and frame (time point) */
const frameKey = (p: { image: string; frame?: number }): string => `${p.image}\u0000${p.frame ?? 0}`;

/** One-to-one matches of detections to truth within each image and frame (Hungarian on distance, gate `matchGateUm`). */
export function matchDetections(det: PointRecord[], truth: PointRecord[]): { t: PointRecord; d: PointRecord; distUm: number }[] {
  const groups = (ps: PointRecord[]) => {
    const m = new Map<string, PointRecord[]>();
    for (const p of ps) {
      const k = frameKey(p);
      const l = m.get(k);
      if (l) l.push(p);
      else m.set(k, [p]);
    }
    return m;
  };
  const dg = groups(det);
  const tg = groups(truth);
  const images = [...new Set([...dg.keys(), ...tg.keys()])].sort();
  const pairs: { t: PointRecord; d: PointRecord; distUm: number }[] = [];
  for (const im of images) {
    const D = dg.get(im) ?? [];
    const T = tg.get(im) ?? [];
    if (!D.length || !T.length) continue;
    const cost = T.map((t) =>
      D.map((d) => {
        const dist = Math.hypot(d.xUm - t.xUm, d.yUm - t.yUm);
        return dist <= matchGateUm(t.diameterUm) ? dist : 1e9;
      }),
    );
    for (const [i, j] of hungarian(cost)) pairs.push({ t: T[i], d: D[j], distUm: cost[i][j] });
  }
  return pairs;
}

/** Match detections to truth within each image and summarise. */
export function evaluateDetections(det: PointRecord[], truth: PointRecord[]): EvaluationResult {
  let tp = 0;
  const dists: number[] = [];
  const dErr: number[] = [];
  let siteOk = 0;
  let siteN = 0;
  const conf: Record<string, Record<string, number>> = {};
  for (const { t, d, distUm } of matchDetections(det, truth)) {
    tp++;
    dists.push(distUm);
    dErr.push(d.diameterUm - t.diameterUm);
    const st = t.site;
    const sd = d.site;
    if (st && sd && st !== "none") {
      siteN++;
      if (st === sd) siteOk++;
    }
    if (st && sd) {
      const row = (conf[st] ??= {});
      row[sd] = (row[sd] ?? 0) + 1;
    }
  }
  const nT = truth.length;
  const nD = det.length;
  const precision = nD ? tp / nD : nT ? 0 : 1;
  const recall = nT ? tp / nT : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
  const sorted = [...dists].sort((a, b) => a - b);
  return {
    nTrue: nT,
    nDetected: nD,
    truePositives: tp,
    precision,
    recall,
    f1,
    countRatio: nT ? nD / nT : NaN,
    positionErrorUm: mean(dists),
    positionErrorMedianUm: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN,
    diameterErrorUm: mean(dErr.map(Math.abs)),
    diameterBiasUm: mean(dErr),
    siteAccuracy: siteN ? siteOk / siteN : NaN,
    siteMatched: siteN,
    siteConfusion: conf,
  };
}

/** A CSV file's rows and a column lookup; a missing file or required column is a one-line UserError naming both. */
function readCsvColumns(path: string, need: string[], expected: string): { rows: string[][]; col: (name: string) => number } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UserError(`${path}: cannot read the file`);
  }
  const { header, rows } = parseCsv(text);
  const col = (name: string) => header.indexOf(name);
  for (const c of need) if (col(c) < 0) throw new UserError(`${path}: missing column "${c}" (expected ${expected})`);
  return { rows, col };
}

/**
 * A percentile bootstrap interval of F1 over images (the unit that varies: scenes differ far more than migrasomes in
 * one scene): images drawn with replacement `reps` times, their true positives, detections and true migrasomes summed,
 * F1 of each draw; the (1 − level) / 2 and (1 + level) / 2 quantiles. Deterministic (a fixed generator, `seed`).
 * Returns [NaN, NaN] without true migrasomes.
 */
export function f1BootstrapInterval(det: PointRecord[], truth: PointRecord[], level = 0.95, reps = 2000, seed = 1): [number, number] {
  if (!(level > 0 && level < 1)) throw new RangeError(`f1BootstrapInterval: level must be in (0, 1), got ${level}`);
  if (!(Number.isInteger(reps) && reps >= 10)) throw new RangeError(`f1BootstrapInterval: reps must be an integer ≥ 10, got ${reps}`);
  const per = new Map<string, { tp: number; nd: number; nt: number }>();
  const at = (k: string) => {
    let r = per.get(k);
    if (!r) per.set(k, (r = { tp: 0, nd: 0, nt: 0 }));
    return r;
  };
  for (const d of det) at(frameKey(d)).nd++;
  for (const t of truth) at(frameKey(t)).nt++;
  for (const m of matchDetections(det, truth)) at(frameKey(m.t)).tp++;
  const rows = [...per.keys()].sort().map((k) => per.get(k)!);
  if (!truth.length || !rows.length) return [NaN, NaN];
  let x = seed >>> 0 || 1;
  const next = () => {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  const f1s = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    let tp = 0;
    let nd = 0;
    let nt = 0;
    for (let i = 0; i < rows.length; i++) {
      const q = rows[Math.floor(next() * rows.length)];
      tp += q.tp;
      nd += q.nd;
      nt += q.nt;
    }
    f1s[r] = nd + nt > 0 ? (2 * tp) / (nd + nt) : 0;
  }
  f1s.sort();
  const q = (p: number) => f1s[Math.min(reps - 1, Math.max(0, Math.floor(p * reps)))];
  return [q((1 - level) / 2), q((1 + level) / 2)];
}

/** Read a detections or truth CSV (columns xUm, yUm, diameterUm; optional image, site, cellId, onMakerFiber). */
export function readPointsCsv(path: string): PointRecord[] {
  const { rows, col } = readCsvColumns(path, ["xUm", "yUm", "diameterUm"], "at least xUm, yUm, diameterUm");
  const ci = col("image");
  const cs = col("site");
  const cc = col("cellId");
  const cf = col("onMakerFiber");
  const cfr = col("frame");
  // a track: analyze's trackId, or render's migrasomeId (the run's own id)
  const ct = col("trackId") >= 0 ? col("trackId") : col("migrasomeId");
  return rows.map((r, k) => {
    const x = Number(r[col("xUm")]);
    const y = Number(r[col("yUm")]);
    const d = Number(r[col("diameterUm")]);
    if (![x, y, d].every(Number.isFinite)) throw new UserError(`${path}: row ${k + 2} has a non-numeric xUm, yUm or diameterUm`);
    const frame = cfr >= 0 && r[cfr] !== "" ? Number(r[cfr]) : undefined;
    if (frame !== undefined && !(Number.isInteger(frame) && frame >= 0)) throw new UserError(`${path}: row ${k + 2}, column "frame": expected a whole number ≥ 0, got "${r[cfr]}"`);
    return {
      image: ci >= 0 ? r[ci] : "",
      xUm: x,
      yUm: y,
      diameterUm: d,
      site: cs >= 0 ? r[cs] : undefined,
      cellId: cc >= 0 ? r[cc] : undefined,
      ...(cf >= 0 ? { onMakerFiber: r[cf] === "1" } : {}),
      ...(frame !== undefined ? { frame } : {}),
      ...(ct >= 0 && r[ct] !== "" ? { trackId: r[ct] } : {}),
    };
  });
}

/** A cell body: detected (`per_cell.csv`: cellId, xUm, yUm) or true (`truth_cells.csv`: cellId, xUm, yUm, radiusUm, inView). */
export interface CellRecord {
  image: string;
  cellId: string;
  xUm: number;
  yUm: number;
  radiusUm?: number;
  /** a true cell whose body shows in the image (false: only its migrasomes or fibers reach in) */
  inView?: boolean;
  /** time-series frame (0 when absent): cells are matched within each image and frame */
  frame?: number;
}

export interface CellEvaluation {
  /** true cells in view, detected cells, and matched pairs (Hungarian on centre distance, gate 1.5 × the true radius) */
  cellsTrue: number;
  cellsDetected: number;
  cellsMatched: number;
  /**
   * matched migrasomes whose maker is known, and the fraction assigned to it: to the detected cell matched to the
   * maker, or to no cell when the maker was not found (out of view, or missed)
   */
  assignmentAccuracy: number;
  assignmentN: number;
  /** the same, over the migrasomes that sit on an intact fiber of their maker (truth `onMakerFiber`; NaN / 0 without it) */
  assignmentOnFiberAccuracy: number;
  assignmentOnFiberN: number;
  /** per matched cell: migrasomes it made (in the truth) and detections assigned to it */
  perCell: { image: string; frame?: number; trueCellId: string; detectedCellId: string; trueCount: number; detectedCount: number }[];
  /** mean |detected − true| / true count over matched cells with true count > 0 */
  countErrorRel: number;
}

/** Cell bodies found, and whether migrasomes are counted for the cell that made them (the per-cell read-outs). */
export function evaluateCells(det: PointRecord[], truth: PointRecord[], detCells: CellRecord[], trueCells: CellRecord[]): CellEvaluation {
  // images and frames are kept apart (a time series' cells and migrasomes are matched frame by frame)
  const images = [...new Set([...detCells.map(frameKey), ...trueCells.map(frameKey)])].sort();
  // true cell (image, frame + id) → matched detected cell id
  const key = (image: string, id: string) => `${image}\u0000${id}`;
  const toDet = new Map<string, string>();
  const perCell: CellEvaluation["perCell"] = [];
  let matched = 0;
  for (const im of images) {
    const T = trueCells.filter((c) => frameKey(c) === im);
    const D = detCells.filter((c) => frameKey(c) === im);
    if (!T.length || !D.length) continue;
    const cost = T.map((t) => D.map((d) => {
      const dist = Math.hypot(d.xUm - t.xUm, d.yUm - t.yUm);
      return dist <= 1.5 * (t.radiusUm ?? 10) ? dist : 1e9;
    }));
    for (const [i, j] of hungarian(cost)) {
      matched++;
      toDet.set(key(im, T[i].cellId), D[j].cellId);
      perCell.push({
        image: T[i].image,
        ...(T[i].frame !== undefined ? { frame: T[i].frame } : {}),
        trueCellId: T[i].cellId,
        detectedCellId: D[j].cellId,
        trueCount: truth.filter((m) => frameKey(m) === im && m.cellId === T[i].cellId).length,
        detectedCount: det.filter((m) => frameKey(m) === im && m.cellId === D[j].cellId).length,
      });
    }
  }
  let ok = 0;
  let n = 0;
  let okF = 0;
  let nF = 0;
  for (const { t, d } of matchDetections(det, truth)) {
    if (t.cellId === undefined || t.cellId === "" || d.cellId === undefined) continue;
    const right = d.cellId === (toDet.get(key(frameKey(t), t.cellId)) ?? "");
    n++;
    if (right) ok++;
    if (t.onMakerFiber) {
      nF++;
      if (right) okF++;
    }
  }
  const rel = perCell.filter((c) => c.trueCount > 0).map((c) => Math.abs(c.detectedCount - c.trueCount) / c.trueCount);
  return {
    cellsTrue: trueCells.filter((c) => c.inView !== false).length,
    cellsDetected: detCells.length,
    cellsMatched: matched,
    assignmentAccuracy: n ? ok / n : NaN,
    assignmentN: n,
    assignmentOnFiberAccuracy: nF ? okF / nF : NaN,
    assignmentOnFiberN: nF,
    perCell,
    countErrorRel: rel.length ? rel.reduce((a, b) => a + b, 0) / rel.length : NaN,
  };
}

/** Read detected (`per_cell.csv`) or true (`truth_cells.csv`) cells; rows without a cellId (the unassigned row) are skipped. */
export function readCellsCsv(path: string): CellRecord[] {
  const { rows, col } = readCsvColumns(path, ["cellId", "xUm", "yUm"], "cellId, xUm, yUm; per_cell.csv from migrasim analyze or truth_cells.csv from migrasim render");
  const ci = col("image");
  const cr = col("radiusUm");
  const cv = col("inView");
  const cfr = col("frame");
  const out: CellRecord[] = [];
  rows.forEach((r, k) => {
    const id = r[col("cellId")];
    if (id === "") return;
    const x = Number(r[col("xUm")]);
    const y = Number(r[col("yUm")]);
    const rad = cr >= 0 ? Number(r[cr]) : undefined;
    if (![x, y].every(Number.isFinite) || (rad !== undefined && !(rad > 0))) throw new UserError(`${path}: row ${k + 2} has a non-numeric xUm or yUm, or a radiusUm that is not a positive number`);
    const frame = cfr >= 0 && r[cfr] !== "" ? Number(r[cfr]) : undefined;
    if (frame !== undefined && !(Number.isInteger(frame) && frame >= 0)) throw new UserError(`${path}: row ${k + 2}, column "frame": expected a whole number ≥ 0, got "${r[cfr]}"`);
    out.push({ image: ci >= 0 ? r[ci] : "", cellId: id, xUm: x, yUm: y, radiusUm: rad, inView: cv >= 0 ? r[cv] !== "0" && r[cv] !== "false" : undefined, ...(frame !== undefined ? { frame } : {}) });
  });
  return out;
}
