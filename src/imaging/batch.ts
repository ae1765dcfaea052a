/**
 * Analyse many files: folders are expanded to their TIFF/PNG files (sorted), the work is spread
 * over worker threads (one per core), a bad file is reported and skipped, and the outputs are
 * written atomically: detections.csv, fibers.csv, per_cell.csv, summary.json, overlays.
 */
import { readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { extname, join } from "node:path";
import { ensureOutDir, writeFileAtomic, writeJsonAtomic } from "../util/atomic.ts";
import { toCsv } from "../util/csv.ts";
import { UserError, isUserError } from "../util/errors.ts";
import { runPool } from "../util/pool.ts";
import { createProgress } from "../util/progress.ts";
import { IMAGE_EXTENSIONS } from "./io.ts";
import { analyzeFile, type FileOptions, type FileResult } from "./pipeline.ts";
import { DETECTIONS_HEADER, FIBERS_HEADER, PER_CELL_HEADER } from "./readouts.ts";

export function expandInputs(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UserError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) {
      const files = readdirSync(p)
        .filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()) && !/_overlay\.png$/.test(f))
        .sort();
      out.push(...files.map((f) => join(p, f)));
    } else out.push(p);
  }
  if (!out.length) throw new UserError(`no TIFF or PNG images found in ${paths.join(", ")}`);
  return out;
}

type Outcome = { path: string; result?: FileResult; error?: string };

/** Analyse one file; a bad file (user error) becomes an outcome, not a failure of the batch. */
export async function analyzeOutcome(job: { path: string; opts: FileOptions }): Promise<Outcome> {
  try {
    return { path: job.path, result: await analyzeFile(job.path, job.opts) };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { path: job.path, error: e.message };
  }
}

async function analyzeAll(files: string[], opts: FileOptions, threads: number, onDone: (n: number) => void): Promise<Outcome[]> {
  const jobs = files.map((path) => ({ path, opts }));
  if (threads <= 1) {
    const outcomes: Outcome[] = [];
    for (const j of jobs) {
      outcomes.push(await analyzeOutcome(j));
      onDone(outcomes.length);
    }
    return outcomes;
  }
  return runPool<{ path: string; opts: FileOptions }, Outcome>(new URL("./worker.ts", import.meta.url), jobs, threads, onDone);
}

export interface BatchResult {
  analysed: number;
  failed: { path: string; error: string }[];
}

export async function analyzeBatch(paths: string[], outDir: string, opts: FileOptions & { threads?: number; quiet?: boolean } = {}): Promise<BatchResult> {
  const files = expandInputs(paths);
  ensureOutDir(outDir);
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), files.length));
  const progress = createProgress("analyze", files.length, { quiet: opts.quiet });
  const outcomes = await analyzeAll(files, opts, threads, (n) => progress.update(n));
  progress.stop();
  const det: FileResult["detections"] = [];
  const fib: FileResult["fibers"] = [];
  const cells: FileResult["perCell"] = [];
  const images = [];
  const failed: { path: string; error: string }[] = [];
  for (const o of outcomes) {
    if (o.error || !o.result) {
      failed.push({ path: o.path, error: o.error ?? "unknown error" });
      if (files.length > 1) process.stderr.write(`migrasim: skipped ${o.error}\n`); // a single file: the CLI's one-line error
      continue;
    }
    det.push(...o.result.detections);
    fib.push(...o.result.fibers);
    cells.push(...o.result.perCell);
    images.push(o.result.summary);
    for (const ov of o.result.overlays) writeFileAtomic(join(outDir, ov.name), new Uint8Array(ov.png));
  }
  writeFileAtomic(join(outDir, "detections.csv"), toCsv(DETECTIONS_HEADER, det));
  writeFileAtomic(join(outDir, "fibers.csv"), toCsv(FIBERS_HEADER, fib));
  writeFileAtomic(join(outDir, "per_cell.csv"), toCsv(PER_CELL_HEADER, cells));
  const totalM = images.reduce((s, i) => s + i.migrasomes, 0);
  const totalL = images.reduce((s, i) => s + i.fiberLengthUm, 0);
  const perCellCounts = cells.filter((r) => r[2] !== "").map((r) => Number(r[3]));
  writeJsonAtomic(join(outDir, "summary.json"), {
    images: images.length,
    failed,
    migrasomes: totalM,
    cells: perCellCounts.length,
    fiberLengthUm: Number(totalL.toFixed(3)),
    migrasomesPer100Um: totalL > 0 ? Number(((100 * totalM) / totalL).toFixed(4)) : null,
    meanMigrasomesPerCell: perCellCounts.length ? Number((perCellCounts.reduce((s, v) => s + v, 0) / perCellCounts.length).toFixed(4)) : null,
    perImage: images,
  });
  return { analysed: images.length, failed };
}
