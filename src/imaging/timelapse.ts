/**
 * A simulation run as it was at earlier times, for time-lapse synthetic microscopy (`migrasim render --frames`):
 * - migrasomes present at t: stabilised by t and not yet ended (ruptured or taken up), at the diameter they had
 *   then (the run's growth law, `migrasomes.growthTauMin` from `migrasomes.diameterMinUm`), their true site the arms
 *   the fibers of that time show (as for a single render; the simulation's label is kept as `placedSite`);
 * - fibers as far as they had been laid down by t (`vertexBornMin`) and not yet broken (`vertexBrokenMin`);
 * - cells where their sampled track puts them at t (linear between samples).
 * Swellings that never stabilised are not drawn. Brightness is drawn per object id (the same in every frame).
 */
import { UserError } from "../util/errors.ts";
import { Rng } from "../util/rng.ts";
import { renderScene } from "./optics.ts";
import { defaultRegion, onMakerFiber, readCsvFile, readRunJson, type Region, type RunTable } from "./render.ts";
import { siteFromFibers, type Optics, type Scene, type SceneCell, type SceneFiber, type SceneObject, type Site } from "./scene.ts";

export interface TimedRun {
  widthUm: number;
  heightUm: number;
  /** the last sampled time of the run (min) */
  endMin: number;
  /**
   * the scene at tMin; objects carry the run's migrasome id as `id`. With a region (world µm), only what lies within
   * 10 µm of it (the sites are judged against the fibers there); `sites: false` leaves every site "none" (faster).
   */
  sceneAt(tMin: number, opts?: { region?: { x0: number; y0: number; x1: number; y1: number }; sites?: boolean }): Scene;
}

/** A number from a cell, or the fallback for an empty cell; a one-line error naming the file, row and column otherwise. */
function num(t: RunTable, r: string[], i: number, c: string, empty: number): number {
  const s = t.get(r, c);
  if (s === "") return empty;
  const v = Number(s);
  if (!Number.isFinite(v)) throw new UserError(`${t.path}: row ${i + 2}, column "${c}": expected a number, got "${s}"`);
  return v;
}

export function readTimedRun(dir: string, seed = 1): TimedRun {
  const { widthUm: W, heightUm: H, params } = readRunJson(dir);
  const tau = Number(params["migrasomes.growthTauMin"]);
  const dMin = Number(params["migrasomes.diameterMinUm"]);
  const grows = tau > 0 && dMin > 0;
  const old = " (written by an older Migrasim: run the simulation again to render a time series)";
  const mig = readCsvFile(dir, "migrasomes.csv", ["id", "xUm", "yUm", "diameterUm", "site", "stabilisedMin", "endMin", "detachedMin"]);
  const fib = readCsvFile(dir, "fibers.csv", ["fiberId", "vertex", "xUm", "yUm", "vertexBornMin", "vertexBrokenMin"], old);
  const cel = readCsvFile(dir, "cells.csv", ["cellId", "timeMin", "xUm", "yUm", "radiusUm"]);

  // cells: sorted samples per id
  const tracks = new Map<number, { t: number[]; x: number[]; y: number[]; r: number }>();
  cel.rows.forEach((r, i) => {
    const id = num(cel, r, i, "cellId", NaN);
    let tr = tracks.get(id);
    if (!tr) tracks.set(id, (tr = { t: [], x: [], y: [], r: num(cel, r, i, "radiusUm", NaN) }));
    tr.t.push(num(cel, r, i, "timeMin", NaN));
    tr.x.push(num(cel, r, i, "xUm", NaN));
    tr.y.push(num(cel, r, i, "yUm", NaN));
  });
  let endMin = 0;
  for (const tr of tracks.values()) {
    const o = tr.t.map((_, k) => k).sort((a, b) => tr.t[a] - tr.t[b]);
    tr.t = o.map((k) => tr.t[k]);
    tr.x = o.map((k) => tr.x[k]);
    tr.y = o.map((k) => tr.y[k]);
    endMin = Math.max(endMin, tr.t[tr.t.length - 1]);
  }
  // migrasomes: the whole life of each
  const migs = mig.rows.map((r, i) => {
    const id = num(mig, r, i, "id", NaN);
    const stab = num(mig, r, i, "stabilisedMin", NaN);
    const end = num(mig, r, i, "endMin", Infinity);
    const dEnd = num(mig, r, i, "diameterUm", NaN);
    // the CSV holds the diameter when growth stopped (the end, or the run's end); the target it grew towards follows
    const te = Math.min(end, endMin) - stab;
    const E = grows ? Math.exp(-Math.max(0, te) / tau) : 0;
    const target = grows && 1 - E > 1e-6 ? (dEnd - dMin * E) / (1 - E) : dEnd;
    const cid = mig.get(r, "cellId");
    return {
      id,
      x: num(mig, r, i, "xUm", NaN),
      y: num(mig, r, i, "yUm", NaN),
      stab,
      end,
      target,
      placed: (mig.get(r, "site") || "none") as Site,
      cellId: cid === "" ? null : Number(cid),
      brightness: new Rng(`render:${seed}:m${id}`).range(0.7, 1.3),
    };
  });
  // fibers: vertices in order, each with its birth and break
  const byFiber = new Map<string, { cellId: number | null; v: [number, number, number, number, number][] }>();
  fib.rows.forEach((r, i) => {
    const id = fib.get(r, "fiberId");
    let f = byFiber.get(id);
    if (!f) {
      const c = fib.get(r, "cellId");
      byFiber.set(id, (f = { cellId: c === "" ? null : Number(c), v: [] }));
    }
    f.v.push([num(fib, r, i, "vertex", NaN), num(fib, r, i, "xUm", NaN), num(fib, r, i, "yUm", NaN), num(fib, r, i, "vertexBornMin", NaN), num(fib, r, i, "vertexBrokenMin", Infinity)]);
  });
  const fibers = [...byFiber.entries()].map(([id, f]) => ({ id, cellId: f.cellId, v: f.v.sort((a, b) => a[0] - b[0]), brightness: new Rng(`render:${seed}:f${id}`).range(0.15, 0.4) }));
  const cellBrightness = new Map([...tracks.keys()].map((id) => [id, new Rng(`render:${seed}:c${id}`).range(0.4, 0.8)]));

  const sceneAt = (t: number, opts: { region?: { x0: number; y0: number; x1: number; y1: number }; sites?: boolean } = {}): Scene => {
    const g = opts.region;
    const near = (x: number, y: number) => !g || (x >= g.x0 - 10 && y >= g.y0 - 10 && x <= g.x1 + 10 && y <= g.y1 + 10);
    const sf: SceneFiber[] = [];
    let fid = 0;
    for (const f of fibers) {
      // runs of consecutive vertices present at t (a fiber breaks from its tip, so usually one run)
      let run: [number, number][] = [];
      const flush = () => {
        if (run.length >= 2) sf.push({ id: ++fid, cellId: f.cellId, points: run, brightness: f.brightness });
        run = [];
      };
      for (const v of f.v) {
        if (v[3] <= t && t < v[4] && near(v[1], v[2])) run.push([v[1], v[2]]);
        else flush();
      }
      flush();
    }
    const objects: SceneObject[] = [];
    for (const m of migs) {
      if (!(m.stab <= t && t < m.end) || !near(m.x, m.y)) continue;
      const d = grows ? Math.max(dMin, m.target - (m.target - dMin) * Math.exp(-(t - m.stab) / tau)) : m.target;
      objects.push({ id: m.id, x: m.x, y: m.y, diameterUm: d, brightness: m.brightness, kind: "migrasome", site: opts.sites === false ? "none" : siteFromFibers(sf, m.x, m.y, d / 2), placedSite: m.placed, cellId: m.cellId });
    }
    const cells: SceneCell[] = [];
    for (const [id, tr] of tracks) {
      if (!tr.t.length || t < tr.t[0]) continue;
      let k = 0;
      while (k + 1 < tr.t.length && tr.t[k + 1] <= t) k++;
      const a = k + 1 < tr.t.length && tr.t[k + 1] > tr.t[k] ? (t - tr.t[k]) / (tr.t[k + 1] - tr.t[k]) : 0;
      const x = tr.x[k] + a * ((tr.x[k + 1] ?? tr.x[k]) - tr.x[k]);
      const y = tr.y[k] + a * ((tr.y[k + 1] ?? tr.y[k]) - tr.y[k]);
      if (!near(x, y)) continue;
      cells.push({ id, x, y, rx: tr.r, ry: tr.r, angle: 0, brightness: cellBrightness.get(id) as number });
    }
    return { widthUm: W, heightUm: H, cells, fibers: sf, objects, crossings: [] };
  };
  return { widthUm: W, heightUm: H, endMin, sceneAt };
}

export interface TimelapseRender {
  width: number;
  height: number;
  /** camera counts, one page per frame */
  pages: Uint16Array[];
  timesMin: number[];
  /** the field of view of the first frame (world µm) */
  region: Region;
  /** the field of view of each frame (world µm): the first one moved by the stage drift */
  regions: Region[];
  /** the stage drift of each frame relative to the first: where the sample has moved in the image [x, y] (µm; the
   * field of view moved the other way), the convention of `analyze`'s `tracks.driftUm` */
  driftUm: [number, number][];
  signalPhotons: number;
  /** the scene of each frame (world µm, within 10 µm of the region) */
  scenes: Scene[];
  /** the migrasomes in view, frame by frame (world µm; `object.id` is the run's migrasome id) */
  truth: { frame: number; object: SceneObject; onMakerFiber: boolean }[];
}

/**
 * Render `frames` frames intervalMin apart, the last at endMin (default: the run's end). The field of view is the
 * default one of the last frame (`defaultRegion`, at most maxPx pixels) unless a region is given; every frame has
 * the same uneven background and its own noise (`renderScene`'s frame). With `driftUmPerFrame` > 0 the stage drifts:
 * the field of view moves between frames by a random walk of that root-mean-square step (µm; a step per axis normal
 * with σ = step / √2, from the seed), as the stage of a long time-lapse does; the camera (background, pattern) stays.
 * Throws a UserError when the series would start before the run or end after it.
 */
export function renderTimelapse(
  run: TimedRun,
  optics: Optics,
  o: { frames: number; intervalMin: number; endMin?: number; seed: number; maxPx?: number; region?: Region; driftUmPerFrame?: number; onFrame?: (done: number, frames: number) => void },
): TimelapseRender {
  if (!(Number.isInteger(o.frames) && o.frames >= 1)) throw new UserError(`frames must be a whole number ≥ 1, got ${o.frames}`);
  if (!(o.intervalMin > 0)) throw new UserError(`the interval between frames must be > 0 min, got ${o.intervalMin}`);
  const tEnd = o.endMin ?? run.endMin;
  if (tEnd > run.endMin) throw new UserError(`--end-min ${tEnd} is after the run's end (${run.endMin} min)`);
  const t0 = tEnd - (o.frames - 1) * o.intervalMin;
  if (t0 < 0) throw new UserError(`--frames ${o.frames} × --interval-min ${o.intervalMin} reaches before the run's start (the last frame at ${tEnd} min)`);
  const timesMin = Array.from({ length: o.frames }, (_, k) => Number((t0 + k * o.intervalMin).toFixed(6)));
  const px = optics.pixelSizeUm;
  const region = o.region ?? defaultRegion(run.sceneAt(tEnd, { sites: false }), px, o.maxPx ?? 2048);
  const step = o.driftUmPerFrame ?? 0;
  if (!(Number.isFinite(step) && step >= 0)) throw new UserError(`the stage drift per frame must be a number ≥ 0 µm, got ${o.driftUmPerFrame}`);
  // the field of view's shift (world µm): a random walk
  const shift: [number, number][] = [[0, 0]];
  const rng = new Rng(`stage-drift:${o.seed}`);
  for (let k = 1; k < o.frames; k++) {
    const [dx, dy] = shift[k - 1];
    shift.push(step > 0 ? [dx + (rng.normal() * step) / Math.SQRT2, dy + (rng.normal() * step) / Math.SQRT2] : [0, 0]);
  }
  const regions = shift.map(([dx, dy]) => ({ x0: region.x0 + dx, y0: region.y0 + dy, x1: region.x1 + dx, y1: region.y1 + dy }));
  const driftUm = shift.map(([dx, dy]) => [dx === 0 ? 0 : -dx, dy === 0 ? 0 : -dy] as [number, number]);
  const scenes = timesMin.map((t, k) => run.sceneAt(t, { region: regions[k] }));
  const pages: Uint16Array[] = [];
  const truth: TimelapseRender["truth"] = [];
  let width = 0;
  let height = 0;
  let signalPhotons = 0;
  scenes.forEach((scene, k) => {
    const rk = regions[k];
    const img = renderScene(scene, optics, o.seed, rk, k);
    pages.push(img.counts);
    width = img.width;
    height = img.height;
    signalPhotons = img.signalPhotons;
    const x1 = rk.x0 + width * px;
    const y1 = rk.y0 + height * px;
    for (const m of scene.objects) if (m.x >= rk.x0 && m.y >= rk.y0 && m.x < x1 && m.y < y1) truth.push({ frame: k, object: m, onMakerFiber: onMakerFiber(scene, m) });
    o.onFrame?.(k + 1, o.frames);
  });
  return { width, height, pages, timesMin, region, regions, driftUm, signalPhotons, scenes, truth };
}
