import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SimulationResult } from "../simulate.ts";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic.ts";
import { VERSION } from "../version.ts";
import { diameterHistogramSvg, snapshotSvg, zoomWindow } from "./figures.ts";
import { cellsCsv, fibersCsv, migrasomesCsv, swellingsCsv } from "./tables.ts";

/** Write a run folder (format in docs/outputs.md). Every file is written atomically. */
export function writeRun(result: SimulationResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
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
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
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
