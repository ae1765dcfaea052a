import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { DetectedMigrasome, ImageAnalysis } from "../../src/imaging/analyze.ts";
import { falsePositives, fiberCoverage, siteErrors } from "../../src/imaging/diagnose.ts";
import type { Scene, SceneObject } from "../../src/imaging/scene.ts";
import type { FiberEdge } from "../../src/imaging/trace.ts";

const px = 0.1;
const analysis = (edges: [number, number][][], migrasomes: DetectedMigrasome[] = []): ImageAnalysis => {
  const E: FiberEdge[] = edges.map((points, id) => ({ id, a: 0, b: 0, points, cellId: null, lengthUm: points.slice(1).reduce((L, p, i) => L + Math.hypot(p[0] - points[i][0], p[1] - points[i][1]), 0) }));
  return { width: 200, height: 200, pixelSizeUm: px, psfSigmaUm: 0.1, migrasomes, cells: [], cellLabels: new Int32Array(200 * 200), snr: NaN, fibers: { nodes: [], edges: E, totalLengthUm: E.reduce((a, e) => a + e.lengthUm, 0) } };
};
const mig = (x: number, y: number, d: number): SceneObject => ({ id: 1, x, y, diameterUm: d, brightness: 1, kind: "migrasome", site: "tip", cellId: null });

describe("fiber coverage against the truth", () => {
  const scene: Scene = { widthUm: 20, heightUm: 20, cells: [], crossings: [], objects: [], fibers: [{ id: 1, cellId: null, points: [[2, 10], [18, 10]], brightness: 0.3 }] };

  it("a trace on the fiber covers it and is not false; one 1 µm beside it is all false", () => {
    const on = fiberCoverage(scene, analysis([[[2, 10.1], [18, 10.1]]]));
    expect(on.trueUm).toBeCloseTo(16, 6);
    expect(on.coveredUm).toBeCloseTo(16, 6);
    expect(on.falseUm).toBe(0);
    const off = fiberCoverage(scene, analysis([[[2, 11], [18, 11]]]));
    expect(off.coveredUm).toBe(0);
    expect(off.falseUm).toBeCloseTo(16, 6);
    expect(off.missedFreeUm).toBeCloseTo(16, 6);
  });

  it("half a fiber traced: covered half, and the missing half near a migrasome is booked there", () => {
    const s: Scene = { ...scene, objects: [mig(15, 10, 2)] };
    const c = fiberCoverage(s, analysis([[[2, 10], [10, 10]]]));
    expect(c.coveredUm).toBeGreaterThan(8);
    expect(c.coveredUm).toBeLessThan(8.7); // the 0.3 µm gate reaches a little past the trace's end
    // 15 ± (1 + 1) µm of the untraced half lies within 1 µm of the migrasome's rim
    expect(c.missedNearMigrasomeUm).toBeCloseTo(4, 1);
    expect(c.coveredUm + c.missedNearMigrasomeUm + c.missedNearCellUm + c.missedFreeUm).toBeCloseTo(16, 6);
  });

  it("refuses a gate outside (0, 1] µm", () => {
    expect(() => fiberCoverage(scene, analysis([]), 0)).toThrow(/gateUm/);
  });
});

describe("site errors", () => {
  // a tip: the fiber from the left ends at the migrasome's centre
  const scene: Scene = {
    widthUm: 20, heightUm: 20, cells: [], crossings: [], objects: [mig(10, 10, 1.2)],
    fibers: [
      { id: 1, cellId: null, points: [[1, 10], [10, 10]], brightness: 0.3 },
      // a fiber passing 1.2 µm below the centre, outside the site definition's reach
      { id: 2, cellId: null, points: [[1, 11.2], [19, 11.2]], brightness: 0.3 },
    ],
  };
  const det = (site: DetectedMigrasome["site"], armDirsDeg: number[]): DetectedMigrasome => ({ xUm: 10.05, yUm: 10, diameterUm: 1.2, site, score: 10, cellId: null, arms: armDirsDeg.length, armDirsDeg });

  it("a right site is no error", () => {
    const r = siteErrors(scene, analysis([], [det("tip", [180])]));
    expect(r.matched).toBe(1);
    expect(r.errors).toHaveLength(0);
  });

  it("an extra arm on the passing fiber, and one on nothing, are told apart", () => {
    const passing = siteErrors(scene, analysis([], [det("along", [180, 60])])).errors;
    expect(passing).toHaveLength(1);
    expect(passing[0]).toMatchObject({ trueSite: "tip", detectedSite: "along", extraPassing: 1, extraNothing: 0 });
    const nothing = siteErrors(scene, analysis([], [det("along", [180, 270])])).errors;
    expect(nothing[0]).toMatchObject({ extraPassing: 0, extraNothing: 1 });
  });

  it("a missed arm is counted, and unmatched detections are not judged", () => {
    const r = siteErrors(scene, analysis([], [det("none", [])]));
    expect(r.errors[0]).toMatchObject({ missedOther: 1, missedDim: 0, missedClose: 0 });
    const far = siteErrors(scene, analysis([], [{ ...det("along", [0, 180]), xUm: 15 }]));
    expect(far.matched).toBe(0);
  });
});

describe("false positives", () => {
  // a migrasome on a horizontal fiber, a vertical fiber crossing it at x = 15, a vesicle decoy and a cell
  const scene: Scene = {
    widthUm: 20, heightUm: 20, crossings: [],
    cells: [{ id: 1, x: 3, y: 3, rx: 2, ry: 2, angle: 0, brightness: 0.6 }],
    objects: [mig(8, 10, 1.2), { id: 2, x: 12, y: 16, diameterUm: 0.4, brightness: 1, kind: "vesicle", site: "none", cellId: null }],
    fibers: [
      { id: 1, cellId: null, points: [[1, 10], [19, 10]], brightness: 0.3 },
      { id: 2, cellId: null, points: [[15, 1], [15, 19]], brightness: 0.3 },
    ],
  };
  const det = (xUm: number, yUm: number, diameterUm = 0.8): DetectedMigrasome => ({ xUm, yUm, diameterUm, site: "along", score: 1, cellId: null, arms: 2, armDirsDeg: [0, 180] });

  it("books each unmatched detection where it lies, and leaves matched ones out", () => {
    const fp = falsePositives(scene, analysis([], [det(8.05, 10), det(12, 16.1), det(15, 10), det(11, 10), det(8.3, 10.3, 0.5), det(5.2, 3), det(2, 17), det(9.2, 10.3)]));
    // the first detection matches the migrasome; (8.3, 10.3) lies inside it, (9.2, 10.3) beside it
    expect(fp.map((f) => f.kind)).toEqual(["vesicle", "crossing", "on a fiber", "inside a migrasome", "cell edge", "other", "beside a migrasome"]);
    expect(fp.every((f) => !f.hidesMissed)).toBe(true);
  });

  it("a detection beside a migrasome that is missed is flagged", () => {
    const fp = falsePositives(scene, analysis([], [det(8.9, 10.2, 1.6)]));
    expect(fp).toHaveLength(1);
    expect(fp[0]).toMatchObject({ kind: "beside a migrasome", hidesMissed: true });
  });
});

describe("the diagnostics script", () => {
  const root = new URL("../..", import.meta.url).pathname;
  const run = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/imaging-diagnose.ts", ...args], { cwd: root, encoding: "utf8" });

  it("refuses the held-out scoring seeds and bad flags with one line and exit code 2", () => {
    const r = run(["fibers", "--seeds", "999-1001"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/seeds ≥ 1000 are the held-out scoring scenes/);
    expect(run(["fibers", "--params", "[1]"]).status).toBe(2);
    expect(run(["lengths"]).status).toBe(2);
  });

  it("lists false positives on small tuning scenes, also with the scoring ranges", () => {
    const r = run(["fps", "--seeds", "1-1", "--size", "20", "--ranges", "scoring"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/with the scoring ranges: \d+ false positives/);
    expect(run(["fps", "--ranges", "hard"]).status).toBe(2);
  }, 60_000);

  it("reports sites on one small tuning scene", () => {
    const r = run(["sites", "--seeds", "1-1", "--size", "20"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/site accuracy \d\.\d{3} \(\d+\/\d+\)/);
  }, 60_000);
});
