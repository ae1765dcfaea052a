/**
 * Synthetic microscopy of a simulation run folder (docs/outputs.md): migrasomes still present
 * at the end (attached or persisting), intact fibers, final cell positions → a Scene → an image
 * with the same optics model as the scene generator, plus ground-truth CSVs in image µm.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../util/csv.ts";
import { UserError } from "../util/errors.ts";
import { Rng } from "../util/rng.ts";
import { fiberArms, siteFromFibers, type Optics, type Scene, type SceneCell, type SceneFiber, type SceneObject, type Site } from "./scene.ts";

export interface RunData {
  widthUm: number;
  heightUm: number;
  scene: Scene;
}

/** One CSV of a run folder: its rows and a column lookup; a missing file or column is a one-line UserError (`why` appended). */
export interface RunTable {
  path: string;
  rows: string[][];
  has: (c: string) => boolean;
  get: (r: string[], c: string) => string;
}

export function readCsvFile(dir: string, file: string, need: string[], why = ""): RunTable {
  const path = join(dir, file);
  if (!existsSync(path)) throw new UserError(`${path}: missing (a run folder needs migrasomes.csv, fibers.csv, cells.csv and run.json)`);
  const { header, rows } = parseCsv(readFileSync(path, "utf8"));
  for (const c of need) if (!header.includes(c)) throw new UserError(`${path}: missing column "${c}"${why}`);
  const idx = new Map(header.map((h, i) => [h, i]));
  return { path, rows, has: (c) => idx.has(c), get: (r, c) => r[idx.get(c) as number] ?? "" };
}

/** A run folder's run.json: the world's size and the run's parameters (one-line UserErrors when missing or wrong). */
export function readRunJson(dir: string): { widthUm: number; heightUm: number; params: Record<string, unknown> } {
  const runPath = join(dir, "run.json");
  if (!existsSync(runPath)) throw new UserError(`${runPath}: missing (is ${dir} a run folder?)`);
  let run: { params?: Record<string, unknown> };
  try {
    run = JSON.parse(readFileSync(runPath, "utf8"));
  } catch {
    throw new UserError(`${runPath}: not valid JSON`);
  }
  const W = Number(run.params?.["world.widthUm"]);
  const H = Number(run.params?.["world.heightUm"]);
  if (!(W > 0 && H > 0)) throw new UserError(`${runPath}: params["world.widthUm"] and params["world.heightUm"] must be positive numbers`);
  return { widthUm: W, heightUm: H, params: run.params ?? {} };
}

/**
 * Read a run folder into a Scene in world µm (brightness drawn per object from a seeded RNG). Fibers are drawn
 * where they are unbroken (`intact` in fibers.csv: a fiber breaks from its tip, and the broken sections are gone);
 * `{ brokenSections: true }` draws every fiber with an unbroken section whole, as renders did before 2026-11-27
 * (fifth session), for comparison with measurements made then. Run folders without `intact` are drawn whole.
 */
export function readRun(dir: string, seed = 1, opts: { brokenSections?: boolean } = {}): RunData {
  const { widthUm: W, heightUm: H } = readRunJson(dir);
  const rng = new Rng(`render:${seed}`);
  const mig = readCsvFile(dir, "migrasomes.csv", ["xUm", "yUm", "diameterUm", "site", "fate"]);
  const fib = readCsvFile(dir, "fibers.csv", ["fiberId", "vertex", "xUm", "yUm"]);
  const cel = readCsvFile(dir, "cells.csv", ["cellId", "timeMin", "xUm", "yUm", "radiusUm"]);
  const objects: SceneObject[] = [];
  mig.rows.forEach((r, i) => {
    const fate = mig.get(r, "fate");
    if (fate && fate !== "attached" && fate !== "persisting") return;
    const x = Number(mig.get(r, "xUm"));
    const y = Number(mig.get(r, "yUm"));
    const d = Number(mig.get(r, "diameterUm"));
    if (![x, y, d].every(Number.isFinite)) throw new UserError(`${join(dir, "migrasomes.csv")}: row ${i + 2} has a non-numeric xUm, yUm or diameterUm`);
    const site = (fate === "persisting" ? "none" : mig.get(r, "site") || "none") as Site;
    const cid = mig.get(r, "cellId");
    objects.push({ id: i + 1, x, y, diameterUm: d, brightness: rng.range(0.7, 1.3), kind: "migrasome", site, cellId: cid === "" ? null : Number(cid) });
  });
  const byFiber = new Map<string, { cellId: number | null; pts: [number, number, number, boolean][]; broken: boolean }>();
  const sections = !opts.brokenSections && fib.has("intact");
  for (const r of fib.rows) {
    const id = fib.get(r, "fiberId");
    let f = byFiber.get(id);
    if (!f) {
      const c = fib.get(r, "cellId");
      f = { cellId: c === "" ? null : Number(c), pts: [], broken: fib.get(r, "brokenMin") !== "" };
      byFiber.set(id, f);
    }
    f.pts.push([Number(fib.get(r, "vertex")), Number(fib.get(r, "xUm")), Number(fib.get(r, "yUm")), !sections || fib.get(r, "intact") !== "0"]);
  }
  const fibers: SceneFiber[] = [];
  let fid = 0;
  for (const [, f] of byFiber) {
    if (f.broken || f.pts.length < 2) continue;
    f.pts.sort((a, b) => a[0] - b[0]);
    // one brightness per fiber (drawn whether or not a section shows), then its unbroken runs of vertices
    const b = rng.range(0.15, 0.4);
    let run: [number, number][] = [];
    for (let k = 0; k <= f.pts.length; k++) {
      const p = f.pts[k];
      if (p && p[3]) run.push([p[1], p[2]]);
      else {
        if (run.length >= 2) fibers.push({ id: ++fid, cellId: f.cellId, points: run, brightness: b });
        run = [];
      }
    }
  }
  // the true site is what the intact fibers show at the migrasome (as in generated scenes); the simulation's
  // own label (where it nucleated; persisting ones: none) is kept as placedSite
  for (const o of objects) {
    o.placedSite = o.site;
    o.site = siteFromFibers(fibers, o.x, o.y, o.diameterUm / 2);
  }
  const last = new Map<string, string[]>();
  for (const r of cel.rows) {
    const id = cel.get(r, "cellId");
    const prev = last.get(id);
    if (!prev || Number(cel.get(r, "timeMin")) >= Number(cel.get(prev, "timeMin"))) last.set(id, r);
  }
  const cells: SceneCell[] = [...last.entries()].map(([id, r]) => {
    const R = Number(cel.get(r, "radiusUm"));
    return { id: Number(id), x: Number(cel.get(r, "xUm")), y: Number(cel.get(r, "yUm")), rx: R, ry: R, angle: 0, brightness: rng.range(0.4, 0.8) };
  });
  return { widthUm: W, heightUm: H, scene: { widthUm: W, heightUm: H, cells, fibers, objects, crossings: [] } };
}

export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Default field of view: the bounding box of visible migrasomes, intact fibers and cells, padded
 * by 5 µm; when wider than maxPx pixels it is a maxPx window centred on the densest cell's
 * migrasomes. Always inside the world.
 */
export function defaultRegion(scene: Scene, pixelSizeUm: number, maxPx = 2048): Region {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const add = (x: number, y: number, r = 0) => {
    x0 = Math.min(x0, x - r);
    y0 = Math.min(y0, y - r);
    x1 = Math.max(x1, x + r);
    y1 = Math.max(y1, y + r);
  };
  for (const o of scene.objects) add(o.x, o.y, o.diameterUm);
  for (const f of scene.fibers) for (const p of f.points) add(p[0], p[1]);
  for (const c of scene.cells) add(c.x, c.y, c.rx);
  if (!Number.isFinite(x0)) return { x0: 0, y0: 0, x1: Math.min(scene.widthUm, maxPx * pixelSizeUm), y1: Math.min(scene.heightUm, maxPx * pixelSizeUm) };
  const clamp = (r: Region): Region => ({ x0: Math.max(0, r.x0), y0: Math.max(0, r.y0), x1: Math.min(scene.widthUm, r.x1), y1: Math.min(scene.heightUm, r.y1) });
  const maxUm = maxPx * pixelSizeUm;
  const box = clamp({ x0: x0 - 5, y0: y0 - 5, x1: x1 + 5, y1: y1 + 5 });
  if (box.x1 - box.x0 <= maxUm && box.y1 - box.y0 <= maxUm) return box;
  // centre on the cell with most migrasomes (or the first migrasome / cell)
  const counts = new Map<number, number>();
  for (const o of scene.objects) if (o.cellId !== null) counts.set(o.cellId, (counts.get(o.cellId) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
  const ms = scene.objects.filter((o) => o.cellId === best);
  const cx = ms.length ? ms.reduce((s, o) => s + o.x, 0) / ms.length : (scene.cells[0]?.x ?? (x0 + x1) / 2);
  const cy = ms.length ? ms.reduce((s, o) => s + o.y, 0) / ms.length : (scene.cells[0]?.y ?? (y0 + y1) / 2);
  const wUm = Math.min(maxUm, box.x1 - box.x0);
  const hUm = Math.min(maxUm, box.y1 - box.y0);
  let rx0 = Math.min(Math.max(0, cx - wUm / 2), scene.widthUm - wUm);
  let ry0 = Math.min(Math.max(0, cy - hUm / 2), scene.heightUm - hUm);
  rx0 = Math.max(0, rx0);
  ry0 = Math.max(0, ry0);
  return { x0: rx0, y0: ry0, x1: rx0 + wUm, y1: ry0 + hUm };
}

export function defaultOptics(snr: number, pixelSizeUm: number, label: "tspan4" | "wga"): Optics {
  return {
    pixelSizeUm,
    psfSigmaUm: 0.11,
    ringThicknessUm: 0.08,
    sectionHalfUm: 0.35,
    snr,
    backgroundPhotons: 50,
    unevenness: 0.25,
    readNoise: 2,
    offset: 100,
    label,
  };
}

/**
 * Does the migrasome sit on an intact fiber of the cell that made it (an arm of that cell's fibers by the site
 * definition, `fiberArms`)? Only then does the image show which cell it belongs to; a detached one lies on its maker's
 * trail with nothing to connect it.
 */
export function onMakerFiber(scene: Scene, m: { x: number; y: number; diameterUm: number; cellId?: number | null }): boolean {
  if (m.cellId === null || m.cellId === undefined) return false;
  return fiberArms(scene.fibers.filter((f) => f.cellId === m.cellId), m.x, m.y, m.diameterUm / 2) > 0;
}
