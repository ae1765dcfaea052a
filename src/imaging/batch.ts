/**
 * Analyse many files: folders are expanded to their TIFF/PNG files (sorted, subfolders too), the work is spread
 * over worker threads (one per core), a bad file is reported and skipped, and the outputs are
 * written atomically: detections.csv, fibers.csv, per_cell.csv, summary.json, overlays.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, extname, join, normalize, resolve, sep } from "node:path";
import { ensureOutDir, writeFileAtomic, writeJsonAtomic } from "../util/atomic.ts";
import { csvLines, joinCsv, toCsv } from "../util/csv.ts";
import { appendAll } from "../util/append.ts";
import { UserError, isUserError } from "../util/errors.ts";
import { runPool } from "../util/pool.ts";
import { createProgress } from "../util/progress.ts";
import { IMAGE_EXTENSIONS } from "./io.ts";
import { analyzeFile, type FileOptions, type FileResult } from "./pipeline.ts";
import { DETECTIONS_HEADER, FIBERS_HEADER, PER_CELL_HEADER } from "./readouts.ts";

/** An input file and its name in the tables (unique in a run) and in overlay file names (unique too). */
export interface InputFile {
  path: string;
  name: string;
  overlayStem: string;
}

const isImageName = (f: string) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()) && !/_overlay\.png$/.test(f);

/** Image files under a folder, sorted, with subfolders; hidden entries (".*", e.g. macOS "._x.tif") and `skip` folders left out. */
function walk(dir: string, rel: string, out: { path: string; name: string }[], skip: Set<string>): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const full = join(dir, e.name);
    const name = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!skip.has(resolve(full))) walk(full, name, out, skip);
    } else if (isImageName(e.name)) out.push({ path: full, name });
  }
}

/** Name without the image extension, safe as a flat file name: "ctrl/cell 1.ome.tif" → "ctrl__cell 1". */
const stemOf = (name: string) =>
  name
    .replace(/\.ome\.tiff?$|\.tiff?$|\.png$/i, "")
    .replace(/^(\.\.\/|\.\/|\/)+/, "")
    .replace(/\//g, "__");

/** Make `key(item)` unique: the first of a clash keeps the name, the rest get " (2)", " (3)" … via `rename`. */
function numberClashes<T>(items: T[], key: (t: T) => string, rename: (t: T, k: number) => void): void {
  const seen = new Map<string, number>();
  for (const it of items) {
    const k = seen.get(key(it)) ?? 0;
    seen.set(key(it), k + 1);
    if (k) rename(it, k + 1);
  }
}

/**
 * Files given and the image files in folders given (recursively). A file in a folder is named by its path inside that
 * folder ("ctrl/cell1.tif"), a file given directly by its file name; names that would clash use the path as given.
 * Overlay stems are the names without extension, "/" → "__"; stems that clash (a.tif, a.png) keep the extension.
 */
export function listInputs(paths: string[], skipDir?: string): InputFile[] {
  const found: { path: string; name: string }[] = [];
  const skip = new Set(skipDir ? [resolve(skipDir)] : []);
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UserError(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) walk(p, "", found, skip);
    else found.push({ path: p, name: basename(p) });
  }
  const seenPath = new Set<string>();
  const files = found.filter((f) => !seenPath.has(resolve(f.path)) && seenPath.add(resolve(f.path)));
  if (!files.length) throw new UserError(`no TIFF or PNG images (.tif, .tiff, .png) found in ${paths.join(", ")} (subfolders included)`);
  const count = new Map<string, number>();
  for (const f of files) count.set(f.name, (count.get(f.name) ?? 0) + 1);
  for (const f of files) if ((count.get(f.name) ?? 0) > 1) f.name = normalize(f.path).split(sep).join("/");
  numberClashes(files, (f) => f.name, (f, k) => (f.name = `${f.name} (${k})`));
  const out = files.map((f) => ({ ...f, overlayStem: stemOf(f.name) }));
  const stems = new Map<string, number>();
  for (const f of out) stems.set(f.overlayStem.toLowerCase(), (stems.get(f.overlayStem.toLowerCase()) ?? 0) + 1);
  for (const f of out) if ((stems.get(f.overlayStem.toLowerCase()) ?? 0) > 1) f.overlayStem = `${f.overlayStem}_${extname(f.name).slice(1).toLowerCase()}`;
  numberClashes(out, (f) => f.overlayStem.toLowerCase(), (f, k) => (f.overlayStem = `${f.overlayStem}-${k}`));
  return out;
}

/** Paths of the files `listInputs` finds (kept for the library API). */
export function expandInputs(paths: string[]): string[] {
  return listInputs(paths).map((f) => f.path);
}

/**
 * A file's result as the batch collects it: its detections and fibers already as CSV lines (`csvLines`), formatted
 * where the file was analysed (a worker), so that the main thread only joins them and a worker sends one string
 * instead of a 0.16 µm frame's ~100 000 fiber vertex rows (~0.2 s to format, more to copy between threads).
 */
type BatchFileResult = Omit<FileResult, "detections" | "fibers"> & { detectionsCsv: string; fibersCsv: string };
type Outcome = { path: string; result?: BatchFileResult; error?: string };

/** Analyse one file; a bad file (user error) becomes an outcome, not a failure of the batch. */
export async function analyzeOutcome(
  job: { path: string; name?: string; overlayStem?: string; opts: FileOptions },
  onFrame?: (done: number, frames: number) => void,
): Promise<Outcome> {
  try {
    const { detections, fibers, ...rest } = await analyzeFile(job.path, job.opts, { image: job.name, overlayStem: job.overlayStem }, onFrame);
    return { path: job.path, result: { ...rest, detectionsCsv: csvLines(detections), fibersCsv: csvLines(fibers) } };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { path: job.path, error: e.message };
  }
}

async function analyzeAll(files: InputFile[], opts: FileOptions, threads: number, onDone: (n: number) => void): Promise<Outcome[]> {
  const jobs = files.map((f) => ({ ...f, opts }));
  if (threads <= 1) {
    const outcomes: Outcome[] = [];
    for (const j of jobs) {
      // frames of a long time series move the bar too (one file runs on the main thread)
      outcomes.push(await analyzeOutcome(j, (d, n) => d < n && onDone(outcomes.length + d / n)));
      onDone(outcomes.length);
    }
    return outcomes;
  }
  return runPool<InputFile & { opts: FileOptions }, Outcome>(new URL("./worker.ts", import.meta.url), jobs, threads, onDone);
}

export interface BatchResult {
  analysed: number;
  failed: { path: string; error: string }[];
  /** images whose quality read-out carries a note (summary.json, perImage[].quality) */
  withQualityNote: number;
}

export async function analyzeBatch(paths: string[], outDir: string, opts: FileOptions & { threads?: number; quiet?: boolean } = {}): Promise<BatchResult> {
  const files = listInputs(paths, outDir);
  ensureOutDir(outDir);
  const before = previousOverlays(outDir);
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), files.length));
  const progress = createProgress("analyze", files.length, { quiet: opts.quiet });
  const outcomes = await analyzeAll(files, opts, threads, (n) => progress.update(n));
  progress.stop();
  const det: string[] = [];
  const fib: string[] = [];
  const cells: FileResult["perCell"] = [];
  const images = [];
  const failed: { path: string; error: string }[] = [];
  const warnings: string[] = [];
  const overlays: string[] = [];
  for (const o of outcomes) {
    if (o.error || !o.result) {
      failed.push({ path: o.path, error: o.error ?? "unknown error" });
      if (files.length > 1) process.stderr.write(`migrasim: skipped ${o.error}\n`); // a single file: the CLI's one-line error
      continue;
    }
    for (const w of o.result.warnings) {
      warnings.push(w);
      process.stderr.write(`migrasim: warning: ${w}\n`);
    }
    det.push(o.result.detectionsCsv);
    fib.push(o.result.fibersCsv);
    appendAll(cells, o.result.perCell);
    images.push(o.result.summary);
    for (const ov of o.result.overlays) {
      writeFileAtomic(join(outDir, ov.name), new Uint8Array(ov.png));
      overlays.push(ov.name);
    }
  }
  // a reused --out: overlays an earlier run wrote (listed in its summary.json) for images not in this run are removed,
  // so that the folder shows this run only; nothing else in the folder is touched
  const written = new Set(overlays);
  for (const name of before) if (!written.has(name)) rmSync(join(outDir, name), { force: true });
  writeFileAtomic(join(outDir, "detections.csv"), joinCsv(DETECTIONS_HEADER, det));
  writeFileAtomic(join(outDir, "fibers.csv"), joinCsv(FIBERS_HEADER, fib));
  writeFileAtomic(join(outDir, "per_cell.csv"), toCsv(PER_CELL_HEADER, cells));
  const totalM = images.reduce((s, i) => s + i.migrasomes, 0);
  const totalL = images.reduce((s, i) => s + i.fiberLengthUm, 0);
  const withQualityNote = images.filter((i) => i.quality.note !== null).length;
  const perCellCounts = cells.filter((r) => r[2] !== "").map((r) => Number(r[3]));
  writeJsonAtomic(join(outDir, "summary.json"), {
    images: images.length,
    failed,
    warnings,
    migrasomes: totalM,
    cells: perCellCounts.length,
    fiberLengthUm: Number(totalL.toFixed(3)),
    migrasomesPer100Um: totalL > 0 ? Number(((100 * totalM) / totalL).toFixed(4)) : null,
    meanMigrasomesPerCell: perCellCounts.length ? Number((perCellCounts.reduce((s, v) => s + v, 0) / perCellCounts.length).toFixed(4)) : null,
    imagesWithQualityNote: withQualityNote,
    perImage: images,
    overlays,
  });
  return { analysed: images.length, failed, withQualityNote };
}

/** The overlay files a previous run listed in `outDir/summary.json` (plain names ending in `_overlay.png` only). */
function previousOverlays(outDir: string): string[] {
  const f = join(outDir, "summary.json");
  if (!existsSync(f)) return [];
  try {
    const list = (JSON.parse(readFileSync(f, "utf8")) as { overlays?: unknown }).overlays;
    return Array.isArray(list) ? list.filter((n): n is string => typeof n === "string" && /^[^/\\]+_overlay\.png$/.test(n) && basename(n) === n) : [];
  } catch {
    return []; // not ours, or damaged: nothing is removed
  }
}
