import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRun } from "../../src/imaging/render.ts";
import { readTimedRun } from "../../src/imaging/timelapse.ts";
import { evaluateTracks } from "../../src/imaging/trackeval.ts";
import type { PointRecord } from "../../src/imaging/evaluate.ts";

const bin = join(import.meta.dirname, "../../bin/migrasim.mjs");
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

/**
 * A run folder with known history: one cell (radius 7 µm) moving right at 0.6 µm/min along y = 20 µm from x = 20 µm,
 * laying one straight fiber behind it (a vertex every 2 µm from x = 10, born when the cell's rear passed); the
 * fiber's first three vertices break at 50 min.
 * Migrasomes on it: A (x 14) from 5 min on, B (x 22) from 22 to 55 min, C (x 30) from 42 min on.
 */
function makeRun(dir: string, withVertexTimes = true): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run.json"), JSON.stringify({ params: { "world.widthUm": 80, "world.heightUm": 40, "migrasomes.growthTauMin": 10, "migrasomes.diameterMinUm": 0.5 } }));
  const cells = ["cellId,timeMin,xUm,yUm,radiusUm"];
  for (let t = 0; t <= 70; t += 10) cells.push(`1,${t},${20 + 0.6 * t},20,7`);
  writeFileSync(join(dir, "cells.csv"), `${cells.join("\n")}\n`);
  const fib = [`fiberId,cellId,parentFiberId,vertex,xUm,yUm,bornMin,brokenMin,intact${withVertexTimes ? ",vertexBornMin,vertexBrokenMin" : ""}`];
  for (let k = 0; k <= 22; k++) {
    const born = Math.max(0, (2 * k - 3) / 0.6);
    const broken = k <= 2 ? 50 : "";
    fib.push(`0,1,,${k},${10 + 2 * k},20,0,,${k <= 2 ? 0 : 1}${withVertexTimes ? `,${born},${broken}` : ""}`);
  }
  writeFileSync(join(dir, "fibers.csv"), `${fib.join("\n")}\n`);
  writeFileSync(
    join(dir, "migrasomes.csv"),
    [
      "id,xUm,yUm,diameterUm,site,cellId,fiberId,bornMin,stabilisedMin,detachedMin,endMin,fate,recipientCellId",
      "7,14,20,2.0,along,1,0,4,5,50,,persisting,",
      "8,22,20,1.6,along,1,0,21,22,,55,ruptured,",
      "9,30,20,1.8,along,1,0,41,42,,,attached,",
    ].join("\n") + "\n",
  );
}

/**
 * A still field for stage drift: three straight fibers (y = 12, 20, 28 µm, x 6–46 µm) laid at 0 min with 15
 * migrasomes on them (0.9–1.9 µm, 8 µm apart) from 1 min on, and the cell that made them far away (x 70 µm).
 */
function makeFieldRun(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "run.json"), JSON.stringify({ params: { "world.widthUm": 80, "world.heightUm": 40, "migrasomes.growthTauMin": 10, "migrasomes.diameterMinUm": 0.5 } }));
  writeFileSync(join(dir, "cells.csv"), `cellId,timeMin,xUm,yUm,radiusUm\n1,0,70,20,7\n1,100,70,20,7\n`);
  const fib = ["fiberId,cellId,parentFiberId,vertex,xUm,yUm,bornMin,brokenMin,intact,vertexBornMin,vertexBrokenMin"];
  [12, 20, 28].forEach((y, f) => {
    for (let k = 0; k <= 20; k++) fib.push(`${f},1,,${k},${6 + 2 * k},${y},0,,1,0,`);
  });
  writeFileSync(join(dir, "fibers.csv"), `${fib.join("\n")}\n`);
  const mig = ["id,xUm,yUm,diameterUm,site,cellId,fiberId,bornMin,stabilisedMin,detachedMin,endMin,fate,recipientCellId"];
  let id = 1;
  [12, 20, 28].forEach((y, f) => {
    for (let k = 0; k < 5; k++) mig.push(`${id},${10 + 8 * k + 2 * f},${y},${(0.9 + 0.25 * ((id * 7) % 5)).toFixed(2)},along,1,${f},0,1,,,attached,`), id++;
  });
  writeFileSync(join(dir, "migrasomes.csv"), `${mig.join("\n")}\n`);
}

describe("time-lapse render of a run (render --frames)", () => {
  const dir = mkdtempSync(join(tmpdir(), "migrasim-tl-"));
  const runDir = join(dir, "run");
  makeRun(runDir);

  it("reads the run as it was: migrasomes by their lives, grown by the run's law; fibers as laid and broken; cells on their tracks", () => {
    const r = readTimedRun(runDir, 1);
    expect(r.endMin).toBe(70);
    const at = (t: number) => r.sceneAt(t);
    expect(at(3).objects.map((o) => o.id)).toEqual([]);
    expect(at(30).objects.map((o) => o.id)).toEqual([7, 8]);
    expect(at(50).objects.map((o) => o.id)).toEqual([7, 8, 9]);
    expect(at(60).objects.map((o) => o.id)).toEqual([7, 9]);
    // growth from 0.5 µm with τ = 10 min towards the target that gives the CSV diameter at the end (B: 1.6 µm at 55 min)
    const d = (t: number, id: number) => at(t).objects.find((o) => o.id === id)?.diameterUm as number;
    expect(d(22, 8)).toBeCloseTo(0.5, 6);
    expect(d(54.999, 8)).toBeCloseTo(1.6, 3);
    const target = (1.6 - 0.5 * Math.exp(-3.3)) / (1 - Math.exp(-3.3));
    expect(d(32, 8)).toBeCloseTo(target - (target - 0.5) * Math.exp(-1), 6);
    expect(d(70, 9)).toBeCloseTo(1.8, 6);
    // the fiber as laid by t (vertex k at 10 + 2k µm, born (2k − 3) / 0.6 min), its first three vertices gone from 50 min
    const fiberX = (t: number) => at(t).fibers.flatMap((f) => f.points.map((p) => p[0]));
    expect(Math.max(...fiberX(30))).toBe(30);
    expect(Math.min(...fiberX(40))).toBe(10);
    expect(Math.min(...fiberX(50))).toBe(16);
    // the site is what the fibers of that time show: A sits on the fiber's middle at 40 min, on nothing after the break
    expect(at(40).objects.find((o) => o.id === 7)?.site).toBe("along");
    expect(at(60).objects.find((o) => o.id === 7)?.site).toBe("none");
    expect(at(60).objects.find((o) => o.id === 7)?.placedSite).toBe("along");
    // the cell between samples
    expect(at(35).cells[0].x).toBeCloseTo(41, 9);
    // brightness is per object: the same in every frame
    expect(at(30).objects[0].brightness).toBe(at(60).objects[0].brightness);
  });

  it("a single render draws only the unbroken sections, like the time-lapse's last frame", () => {
    const one = readRun(runDir, 1).scene;
    expect(Math.min(...one.fibers.flatMap((f) => f.points.map((p) => p[0])))).toBe(16);
    expect(one.objects.find((o) => o.x === 14)?.site).toBe("none");
    const last = readTimedRun(runDir, 1).sceneAt(70);
    expect(one.fibers.map((f) => f.points)).toEqual(last.fibers.map((f) => f.points));
    expect(one.objects.map((o) => o.site)).toEqual(last.objects.map((o) => o.site));
    // the old drawing, broken tip sections included
    const old = readRun(runDir, 1, { brokenSections: true }).scene;
    expect(Math.min(...old.fibers.flatMap((f) => f.points.map((p) => p[0])))).toBe(10);
    expect(old.objects.find((o) => o.x === 14)?.site).toBe("along");
  });

  it("renders frames, analyses them and scores the tracks: formation and lifetime exact at SNR 10", () => {
    const img = join(dir, "img");
    const r1 = run(["render", runDir, "--frames", "7", "--interval-min", "10", "--end-min", "70", "--snr", "10", "--out", img]);
    expect(r1.status, r1.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(img, "render.json"), "utf8"));
    expect(meta.timesMin).toEqual([10, 20, 30, 40, 50, 60, 70]);
    const truth = readFileSync(join(img, "truth_migrasomes.csv"), "utf8").trim().split("\n");
    expect(truth[0].split(",").slice(0, 4)).toEqual(["image", "frame", "timeMin", "migrasomeId"]);
    // A in all 7 frames, B at 30, 40, 50 min, C at 50, 60, 70 min
    expect(truth.length - 1).toBe(13);
    const out = join(dir, "out");
    const r2 = run(["analyze", img, "--out", out, "--quiet"]);
    expect(r2.status, r2.stderr).toBe(0);
    const r3 = run(["evaluate", join(out, "detections.csv"), join(img, "truth_migrasomes.csv"), "--json"]);
    expect(r3.status, r3.stderr).toBe(0);
    const e = JSON.parse(r3.stdout);
    expect(e.recall).toBeGreaterThan(0.9);
    expect(e.tracks.trueTracks).toBe(3);
    expect(e.tracks.recovered).toBe(3);
    expect(e.tracks.meanFragments).toBe(1);
    expect(e.tracks.idSwitches).toBe(0);
    // B and C form within the series (A is there from the first frame); B also ends within it
    expect(e.tracks.formationN).toBe(2);
    expect(e.tracks.formationExact).toBe(1);
    expect(e.tracks.lifetimeN).toBe(1);
    expect(e.tracks.lifetimeExact).toBe(1);
    // cells are matched frame by frame: the one cell in each of the 7 frames
    const rc = run(["evaluate", join(out, "detections.csv"), join(img, "truth_migrasomes.csv"), "--detected-cells", join(out, "per_cell.csv"), "--true-cells", join(img, "truth_cells.csv"), "--json"]);
    expect(rc.status, rc.stderr).toBe(0);
    const c = JSON.parse(rc.stdout).cells;
    expect(c.cellsTrue).toBe(7);
    expect(c.cellsMatched).toBe(7);
    expect(new Set(c.perCell.map((p: { frame: number }) => p.frame)).size).toBe(7);
    const text = run(["evaluate", join(out, "detections.csv"), join(img, "truth_migrasomes.csv")]);
    expect(text.stdout).toMatch(/tracks: true 3 {2}detected \d+ {2}recovered/);
  });

  it("renders a stage drift (--drift-um) that analyze measures and corrects: one track per migrasome", () => {
    const fieldDir = join(dir, "field");
    makeFieldRun(fieldDir);
    const img = join(dir, "drift");
    const r1 = run(["render", fieldDir, "--frames", "6", "--interval-min", "10", "--drift-um", "1.2", "--snr", "10", "--region", "2,4,50,36", "--out", img]);
    expect(r1.status, r1.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(img, "render.json"), "utf8"));
    const drift: [number, number][] = meta.stageDriftUm;
    expect(drift).toHaveLength(6);
    expect(drift[0]).toEqual([0, 0]);
    const steps = drift.slice(1).map(([x, y], k) => Math.hypot(x - drift[k][0], y - drift[k][1]));
    expect(Math.max(...steps)).toBeGreaterThan(0.6); // larger than the linking gate
    // the truth moves in the image by the drift (the migrasomes stay where they are in the world)
    const rows = readFileSync(join(img, "truth_migrasomes.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    for (const r of rows) {
      const [frame, id, x, y] = [Number(r[1]), Number(r[3]), Number(r[4]), Number(r[5])];
      const first = rows.find((q) => Number(q[1]) === 0 && Number(q[3]) === id);
      if (!first) continue;
      expect(x).toBeCloseTo(Number(first[4]) + drift[frame][0], 6);
      expect(y).toBeCloseTo(Number(first[5]) + drift[frame][1], 6);
    }
    const out = join(dir, "drift-out");
    const r2 = run(["analyze", img, "--out", out, "--quiet"]);
    expect(r2.status, r2.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const measured: [number, number][] = summary.perImage[0].tracks.driftUm;
    measured.forEach(([x, y], k) => {
      expect(Math.abs(x - drift[k][0])).toBeLessThan(0.1);
      expect(Math.abs(y - drift[k][1])).toBeLessThan(0.1);
    });
    const e = JSON.parse(run(["evaluate", join(out, "detections.csv"), join(img, "truth_migrasomes.csv"), "--json"]).stdout);
    expect(e.tracks.trueTracks).toBeGreaterThanOrEqual(13);
    expect(e.tracks.recovered).toBe(e.tracks.trueTracks);
    expect(e.tracks.meanFragments).toBe(1);
    expect(e.tracks.idSwitches).toBe(0);
    // without the drift correction the same frames break into pieces
    const out0 = join(dir, "drift-out0");
    expect(run(["analyze", img, "--out", out0, "--quiet", "--max-drift-um", "0"]).status).toBe(0);
    const e0 = JSON.parse(run(["evaluate", join(out0, "detections.csv"), join(img, "truth_migrasomes.csv"), "--json"]).stdout);
    expect(e0.tracks.meanFragments).toBeGreaterThan(1.5);
  });

  it("renders the run as it was at --end-min alone (a one-frame series)", () => {
    const at = join(dir, "at40");
    const r = run(["render", runDir, "--end-min", "40", "--out", at]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/rendered the run at 40 min/);
    const rows = readFileSync(join(at, "truth_migrasomes.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows.map((l) => l.split(",")[3]).sort()).toEqual(["7", "8"]);
    expect(JSON.parse(readFileSync(join(at, "render.json"), "utf8")).timesMin).toEqual([40]);
  });

  it("refuses a series before the run's start, or a run folder without vertex times, with one line and exit 2", () => {
    const r = run(["render", runDir, "--frames", "9", "--interval-min", "10", "--out", join(dir, "bad1")]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/reaches before the run's start/);
    const old = join(dir, "old");
    makeRun(old, false);
    const r2 = run(["render", old, "--frames", "3", "--out", join(dir, "bad2")]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/fibers\.csv: missing column "vertexBornMin" \(written by an older Migrasim/);
    const r3 = run(["render", runDir, "--frames", "2.5", "--out", join(dir, "bad3")]);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/--frames must be a whole number/);
    for (const [args, msg] of [[["--drift-um", "1"], /--drift-um needs a series/], [["--frames", "3", "--drift-um", "-0.5"], /--drift-um must be a number/]] as const) {
      const r4 = run(["render", runDir, ...args, "--out", join(dir, "bad4")]);
      expect(r4.status).toBe(2);
      expect(r4.stderr.trim().split("\n")).toHaveLength(1);
      expect(r4.stderr).toMatch(msg);
    }
  });
});

describe("evaluateTracks", () => {
  // truth: migrasome "a" in frames 0–4 (there from the start), "b" in frames 2–5 (forms at 2, ends after 5 of 0–7),
  // "c" in frames 3–7 (forms at 3); detections follow them with known mistakes
  const T: PointRecord[] = [];
  const D: PointRecord[] = [];
  const put = (arr: PointRecord[], id: string, x: number, frames: number[]) => {
    for (const f of frames) arr.push({ image: "s.tif", frame: f, xUm: x, yUm: 5, diameterUm: 1.5, trackId: id });
  };
  put(T, "a", 10, [0, 1, 2, 3, 4]);
  put(T, "b", 20, [2, 3, 4, 5]);
  put(T, "c", 30, [3, 4, 5, 6, 7]);
  put(T, "z", 40, [7]); // forms in the last frame, never detected
  put(D, "1", 10, [0, 1, 2]); // a, broken into two tracks
  put(D, "2", 10, [3, 4]);
  put(D, "3", 20, [3, 4, 5]); // b, found one frame late
  put(D, "4", 30, [3, 4, 5, 6, 7]); // c, exact
  put(D, "5", 50, [1, 2]); // a false track

  it("counts recovered migrasomes, fragments, switches, purity and the formation and lifetime errors", () => {
    const e = evaluateTracks(D, T);
    expect(e.trueTracks).toBe(4);
    expect(e.detectedTracks).toBe(5);
    expect(e.recovered).toBe(3);
    expect(e.meanFragments).toBeCloseTo(4 / 3, 12);
    expect(e.idSwitches).toBe(1);
    expect(e.meanPurity).toBe(1);
    // b: +1 frame, c: exact → formation exact 1 of 2, both within ±1; lifetime of b: 3 detected against 4 true
    expect(e.formationN).toBe(2);
    expect(e.formationExact).toBe(0.5);
    expect(e.formationWithinOne).toBe(1);
    expect(e.formationMeanAbsErrorFrames).toBe(0.5);
    expect(e.lifetimeN).toBe(1);
    expect(e.lifetimeExact).toBe(0);
    expect(e.lifetimeMeanAbsErrorFrames).toBe(1);
  });
});
