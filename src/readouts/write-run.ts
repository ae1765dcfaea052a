import { join } from "node:path";
import type { SimulationResult } from "../simulate.ts";
import { ensureOutDir, writeFileAtomic, writeJsonAtomic } from "../util/atomic.ts";
import { VERSION } from "../version.ts";
import { diameterHistogramSvg, snapshotSvg, zoomWindow } from "./figures.ts";
import { cellsCsv, fibersCsv, migrasomesCsv, swellingsCsv, transfersCsv } from "./tables.ts";
import { Collector } from "./collector.ts";
import { fieldF32, fieldPng } from "./field-images.ts";
import { timeseriesFigures } from "./timeseries-figures.ts";
import { toCsv } from "../util/csv.ts";

/** Write a run folder (format in docs/outputs.md). Every file is written atomically. */
export function writeRun(result: SimulationResult, dir: string): string[] {
  ensureOutDir(dir);
  const w = result.engine.world;
  const files: Array<[string, string]> = [
    ["migrasomes.csv", migrasomesCsv(w)],
    ["swellings.csv", swellingsCsv(w)],
    ["fibers.csv", fibersCsv(w)],
    ["cells.csv", cellsCsv(w)],
    ["snapshot.svg", snapshotSvg(w)],
    ["zoom.svg", snapshotSvg(w, { window: zoomWindow(w, 250) })],
    ["diameters.svg", diameterHistogramSvg(w)],
  ];
  const cargo = result.run.runtime.cargo ?? [];
  if (cargo.length) files.push(["transfers.csv", transfersCsv(w, cargo)]);
  const collector = result.engine.processes.find((p) => p instanceof Collector) as Collector | undefined;
  if (collector) {
    const ts = collector.wide(w);
    files.push(["timeseries.csv", toCsv(ts.header, ts.rows)]);
    for (const [name, svg] of timeseriesFigures(ts)) files.push([name, svg]);
  }
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
  if (w.fields.length) {
    const index: Array<Record<string, unknown>> = [];
    for (const [key, arr] of [...w.arrays.entries()].sort()) {
      const m = /^snapshot\.(.+)\.(\d+)$/.exec(key);
      if (!m) continue;
      const f = w.field(m[1]);
      if (!f) continue;
      const base = `fields/${m[1]}_${Number(m[2])}`;
      const c = arr.subarray(0, f.nx * f.ny);
      writeFileAtomic(join(dir, `${base}.png`), fieldPng(c, f.nx, f.ny));
      writeFileAtomic(join(dir, `${base}.f32`), fieldF32(c));
      index.push({ field: m[1], timeMin: Number(m[2]), png: `${base}.png`, raw: `${base}.f32`, nx: f.nx, ny: f.ny, voxelUm: f.dxUm, units: "amount per µm²", dtype: "float32 little-endian, row-major (x fastest), row 0 at y = 0 (top)" });
    }
    writeJsonAtomic(join(dir, "fields", "index.json"), index);
    files.push(["fields/index.json", ""]);
  }
  writeJsonAtomic(join(dir, "summary.json"), result.summary);
  writeJsonAtomic(join(dir, "run.json"), {
    version: VERSION,
    scenario: result.run.scenarioName,
    scenarioOrigin: result.run.scenarioOrigin,
    seed: result.run.seed,
    perturbations: result.run.perturbations,
    fields: result.run.runtime.fields,
    substrateRegions: result.run.runtime.substrateRegions,
    params: result.run.params.values,
    wallSeconds: Number(result.wallSeconds.toFixed(3)),
  });
  return [...files.map((f) => f[0]), "summary.json", "run.json"];
}
