import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pointSegmentDistance, polylineLength, segmentIntersection } from "../src/fibers/geometry.ts";
import { simulate } from "../src/simulate.ts";

const coord = fc.double({ min: -100, max: 100, noNaN: true });

describe("fiber geometry (property-based)", () => {
  it("an intersection point lies on both segments, and the test is symmetric", () => {
    fc.assert(
      fc.property(coord, coord, coord, coord, coord, coord, coord, coord, (x1, y1, x2, y2, x3, y3, x4, y4) => {
        const t = segmentIntersection(x1, y1, x2, y2, x3, y3, x4, y4);
        const u = segmentIntersection(x3, y3, x4, y4, x1, y1, x2, y2);
        expect(t >= 0).toBe(u >= 0);
        if (t >= 0) {
          const px = x1 + t * (x2 - x1);
          const py = y1 + t * (y2 - y1);
          const scale = 1 + Math.hypot(x2 - x1, y2 - y1) + Math.hypot(x4 - x3, y4 - y3);
          expect(pointSegmentDistance(px, py, x3, y3, x4, y4)).toBeLessThan(1e-7 * scale);
          expect(pointSegmentDistance(px, py, x1, y1, x2, y2)).toBeLessThan(1e-7 * scale);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("the two diagonals of a convex quadrilateral cross; parallel segments never do", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 50, noNaN: true }), fc.double({ min: 0.1, max: 50, noNaN: true }), coord, coord, (w, h, ox, oy) => {
        expect(segmentIntersection(ox, oy, ox + w, oy + h, ox, oy + h, ox + w, oy)).toBeCloseTo(0.5, 9);
        expect(segmentIntersection(ox, oy, ox + w, oy, ox, oy + h, ox + w, oy + h)).toBe(-1);
      }),
    );
  });

  it("polyline length is additive and at least the chord", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(coord, coord), { minLength: 2, maxLength: 20 }), (pts) => {
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        const L = polylineLength(xs, ys);
        const chord = Math.hypot(xs[xs.length - 1] - xs[0], ys[ys.length - 1] - ys[0]);
        expect(L).toBeGreaterThanOrEqual(chord - 1e-9);
        const k = Math.floor(xs.length / 2);
        const L1 = polylineLength(xs.slice(0, k + 1), ys.slice(0, k + 1));
        const L2 = polylineLength(xs.slice(k), ys.slice(k));
        expect(L1 + L2).toBeCloseTo(L, 8);
      }),
    );
  });
});

describe("fiber network invariants in a simulation", () => {
  const w = simulate({ seed: 5, hours: 6, cells: 40 }).engine.world;
  it("vertex chains are consistent and breakage runs from the tip (oldest first)", () => {
    const fcs = w.fibers.c;
    const v = w.vertices.c;
    for (let f = 0; f < w.fibers.n; f++) {
      let k = fcs.firstVertex[f];
      let prevBorn = -Infinity;
      let seenIntact = false;
      expect(v.prev[k]).toBe(-1);
      while (k >= 0) {
        expect(v.fiber[k]).toBe(f);
        if (v.next[k] >= 0) expect(v.prev[v.next[k]]).toBe(k);
        expect(v.bornMin[k]).toBeGreaterThanOrEqual(prevBorn - 1e-3);
        prevBorn = v.bornMin[k];
        // once an intact vertex is seen, no broken vertex follows (breakage from the distal end)
        if (v.brokenMin[k] < 0) seenIntact = true;
        else expect(seenIntact).toBe(false);
        k = v.next[k];
      }
    }
  });
  it("every crossing junction lies on both crossing segments", () => {
    const J = w.junctions.c;
    const v = w.vertices.c;
    let crossings = 0;
    for (let j = 0; j < w.junctions.n; j++) {
      if (J.kind[j] !== 1) continue;
      crossings++;
      const a = J.vertexA[j];
      const b = J.vertexB[j];
      const pa = v.prev[a];
      const pb = v.prev[b];
      expect(pointSegmentDistance(J.x[j], J.y[j], v.x[pa], v.y[pa], v.x[a], v.y[a])).toBeLessThan(1e-3);
      expect(pointSegmentDistance(J.x[j], J.y[j], v.x[pb], v.y[pb], v.x[b], v.y[b])).toBeLessThan(1e-3);
      expect(J.fiberA[j]).not.toBe(J.fiberB[j]);
    }
    expect(crossings).toBeGreaterThan(0);
  });
  it("branch junctions sit at the parent's vertex and the child's tip", () => {
    const J = w.junctions.c;
    const v = w.vertices.c;
    let branches = 0;
    for (let j = 0; j < w.junctions.n; j++) {
      if (J.kind[j] !== 0) continue;
      branches++;
      expect(v.x[J.vertexA[j]]).toBeCloseTo(v.x[J.vertexB[j]], 3);
      expect(v.y[J.vertexA[j]]).toBeCloseTo(v.y[J.vertexB[j]], 3);
      expect(w.fibers.c.parent[J.fiberB[j]]).toBe(J.fiberA[j]);
      expect(v.prev[J.vertexB[j]]).toBe(-1);
    }
    expect(branches).toBeGreaterThan(0);
  });
  it("a fiber's pulled length is at least its intact length", () => {
    const fcs = w.fibers.c;
    const v = w.vertices.c;
    for (let f = 0; f < w.fibers.n; f++) {
      let k = fcs.firstVertex[f];
      let L = 0;
      while (k >= 0 && v.next[k] >= 0) {
        const nx = v.next[k];
        L += Math.hypot(v.x[nx] - v.x[k], v.y[nx] - v.y[k]);
        k = nx;
      }
      expect(fcs.lengthUm[f]).toBeGreaterThanOrEqual(L - 1e-3 * (1 + L));
    }
  });
});
