/**
 * `fiberCoverage`'s close-pair read-out: true fiber length within the 0.3 µm gate of another true fiber, its covered
 * part, and the traced length near two or more fibers. Where two fibers run closer than the gate a single traced line
 * covers both, so the traced length there is half the covered length: length lost inside covered fibers (on tuning
 * scenes, 0.16 µm SNR 7, scoring ranges: 0.188 covered, 0.125 traced of the true length; the rest of the covered
 * length is traced one to one).
 */
import { describe, expect, it } from "vitest";
import type { ImageAnalysis } from "../../src/imaging/analyze.ts";
import { fiberCoverage } from "../../src/imaging/diagnose.ts";
import type { Scene } from "../../src/imaging/scene.ts";
import type { FiberEdge } from "../../src/imaging/trace.ts";

const analysis = (edges: [number, number][][]): ImageAnalysis => {
  const E: FiberEdge[] = edges.map((points, id) => ({ id, a: 0, b: 0, points, cellId: null, lengthUm: points.slice(1).reduce((L, p, i) => L + Math.hypot(p[0] - points[i][0], p[1] - points[i][1]), 0) }));
  return { width: 200, height: 200, pixelSizeUm: 0.1, psfSigmaUm: 0.1, migrasomes: [], cells: [], cellLabels: new Int32Array(200 * 200), snr: NaN, fibers: { nodes: [], edges: E, totalLengthUm: E.reduce((a, e) => a + e.lengthUm, 0) } };
};
const scene = (fibers: [number, number][][]): Scene => ({ widthUm: 20, heightUm: 20, cells: [], crossings: [], objects: [], fibers: fibers.map((points, i) => ({ id: i + 1, cellId: null, points, brightness: 0.3 })) });

describe("fiber coverage: fibers closer than the gate", () => {
  const pair = scene([[[2, 10], [18, 10]], [[2, 10.2], [18, 10.2]]]);

  it("two fibers 0.2 µm apart traced as one line: both covered, half the length traced there", () => {
    const c = fiberCoverage(pair, analysis([[[2, 10.1], [18, 10.1]]]));
    expect(c.trueUm).toBeCloseTo(32, 6);
    expect(c.coveredUm).toBeCloseTo(32, 6);
    expect(c.closeUm).toBeCloseTo(32, 6);
    expect(c.closeCoveredUm).toBeCloseTo(32, 6);
    expect(c.tracedCloseUm).toBeCloseTo(16, 6);
  });

  it("…and traced as two lines: all of it", () => {
    const c = fiberCoverage(pair, analysis([[[2, 10], [18, 10]], [[2, 10.2], [18, 10.2]]]));
    expect(c.closeCoveredUm).toBeCloseTo(32, 6);
    expect(c.tracedCloseUm).toBeCloseTo(32, 6);
  });

  it("fibers 2 µm apart are not close; a crossing is close only near the crossing point", () => {
    const apart = fiberCoverage(scene([[[2, 10], [18, 10]], [[2, 12], [18, 12]]]), analysis([[[2, 10], [18, 10]]]));
    expect(apart.closeUm).toBe(0);
    expect(apart.closeCoveredUm).toBe(0);
    expect(apart.tracedCloseUm).toBe(0);
    // at right angles: each fiber within 0.3 µm of the other over 0.6 µm; untraced, so nothing covered or traced there
    const cross = fiberCoverage(scene([[[2, 10], [18, 10]], [[10, 2], [10, 18]]]), analysis([]));
    expect(cross.closeUm).toBeGreaterThan(1.1);
    expect(cross.closeUm).toBeLessThan(1.3);
    expect(cross.closeCoveredUm).toBe(0);
    // both traced: the traced length near both fibers equals the close true length
    const both = fiberCoverage(scene([[[2, 10], [18, 10]], [[10, 2], [10, 18]]]), analysis([[[2, 10], [18, 10]], [[10, 2], [10, 18]]]));
    expect(both.closeCoveredUm).toBeCloseTo(cross.closeUm, 6);
    expect(both.tracedCloseUm).toBeGreaterThan(1.1);
    expect(both.tracedCloseUm).toBeLessThan(1.3);
  });
});

describe("fiber coverage: where missed length lies along a fiber", () => {
  it("splits the free misses into a fiber's ends, the gaps between covered stretches and fibers never covered", () => {
    // a 16 µm fiber traced from 6 to 10 and from 13 to 16 µm (the 0.3 µm gate covers 0.3 µm beyond each piece), and a
    // second fiber not traced at all
    const s = scene([[[2, 10], [18, 10]], [[2, 15], [8, 15]]]);
    const c = fiberCoverage(s, analysis([[[6, 10], [10, 10]], [[13, 10], [16, 10]]]));
    // (within 0.2 µm: the gate's edge falls between samples 0.05 µm apart at each of four piece ends)
    const near = (v: number, want: number) => expect(Math.abs(v - want)).toBeLessThan(0.2);
    near(c.coveredUm, 4.6 + 3.6);
    near(c.missedWholeUm, 6);
    near(c.missedEndUm, 3.7 + 1.7);
    near(c.missedGapUm, 2.4);
    expect(c.missedFreeUm).toBeCloseTo(c.missedWholeUm + c.missedEndUm + c.missedGapUm, 6);
    // runs longer than 4 µm: the untraced fiber only
    near(c.missedLongRunUm, 6);
  });
});
