/**
 * Detection vs ground truth: one-to-one Hungarian matching with the gate
 * max(0.3 µm, half the true radius), precision, recall, F1, count ratio, position and
 * diameter errors, and site accuracy on matched pairs.
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

/** Match detections to truth within each image and summarise. */
export function evaluateDetections(det: PointRecord[], truth: PointRecord[]): EvaluationResult {
  const images = [...new Set([...det.map((d) => d.image), ...truth.map((t) => t.image)])].sort();
  let tp = 0;
  const dists: number[] = [];
  const dErr: number[] = [];
  let siteOk = 0;
  let siteN = 0;
  const conf: Record<string, Record<string, number>> = {};
  for (const im of images) {
    const D = det.filter((d) => d.image === im);
    const T = truth.filter((t) => t.image === im);
    if (!D.length || !T.length) continue;
    const cost = T.map((t) =>
      D.map((d) => {
        const dist = Math.hypot(d.xUm - t.xUm, d.yUm - t.yUm);
        return dist <= matchGateUm(t.diameterUm) ? dist : 1e9;
      }),
    );
    for (const [i, j] of hungarian(cost)) {
      tp++;
      dists.push(cost[i][j]);
      dErr.push(D[j].diameterUm - T[i].diameterUm);
      const st = T[i].site;
      const sd = D[j].site;
      if (st && sd && st !== "none") {
        siteN++;
        if (st === sd) siteOk++;
      }
      if (st && sd) {
        const row = (conf[st] ??= {});
        row[sd] = (row[sd] ?? 0) + 1;
      }
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

/** Read a detections or truth CSV (columns xUm, yUm, diameterUm; optional image, site). */
export function readPointsCsv(path: string): PointRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UserError(`${path}: cannot read the file`);
  }
  const { header, rows } = parseCsv(text);
  const col = (name: string) => header.indexOf(name);
  for (const need of ["xUm", "yUm", "diameterUm"])
    if (col(need) < 0) throw new UserError(`${path}: missing column "${need}" (expected at least xUm, yUm, diameterUm)`);
  const ci = col("image");
  const cs = col("site");
  return rows.map((r, k) => {
    const x = Number(r[col("xUm")]);
    const y = Number(r[col("yUm")]);
    const d = Number(r[col("diameterUm")]);
    if (![x, y, d].every(Number.isFinite)) throw new UserError(`${path}: row ${k + 2} has a non-numeric xUm, yUm or diameterUm`);
    return { image: ci >= 0 ? r[ci] : "", xUm: x, yUm: y, diameterUm: d, site: cs >= 0 ? r[cs] : undefined };
  });
}
