/**
 * A fiber piece ending in a migrasome's capture ring is joined to the migrasome's centre node through the rim point
 * its own line runs to (`rimJoinPath`), not by a straight segment to the centre: a fiber passing the migrasome
 * off-centre, cut by the cleared disc, is followed up to the rim instead of being cut across to the centre. A fiber
 * aimed at the centre keeps the straight join, and the node structure (a migrasome node, one join per piece) is the same.
 */
import { describe, expect, it } from "vitest";
import { rimJoinPath, traceFibers, type FiberGraph } from "../../src/imaging/trace.ts";

const px = 0.1;
const w = 200;
const h = 80;
// the migrasome: centre pixel (100, 40), radius 1 µm; its centre in µm
const mig = { x: 100, y: 40, r: 1 / px };
const cx = (mig.x + 0.5) * px;
const cy = (mig.y + 0.5) * px;

/** a straight mask line along row `row` from x = 20 to 180 px (through the migrasome's cleared disc), traced */
function traceRow(row: number, rimJoin: boolean): FiberGraph {
  const m = new Uint8Array(w * h);
  for (let x = 20; x <= 180; x++) m[row * w + x] = 1;
  const o = new Float32Array(w * h);
  return traceFibers(m, o, o, w, h, px, { migrasomes: [mig], rimJoin });
}

/** distance (µm) from (x, y) to the nearest segment of the graph's edges */
function distToGraph(g: FiberGraph, x: number, y: number): number {
  let best = Infinity;
  for (const e of g.edges)
    for (let k = 1; k < e.points.length; k++) {
      const [ax, ay] = e.points[k - 1];
      const [bx, by] = e.points[k];
      const dx = bx - ax;
      const dy = by - ay;
      const l2 = dx * dx + dy * dy;
      const t = l2 > 0 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / l2)) : 0;
      best = Math.min(best, Math.hypot(ax + t * dx - x, ay + t * dy - y));
    }
  return best;
}

/** the largest distance from the fiber's true line (row `row`) to the graph, between the cleared disc and the rim (both sides) */
function worstNearRim(g: FiberGraph, row: number): number {
  const y = (row + 0.5) * px;
  let worst = 0;
  for (let d = 0.85; d <= 1.3; d += 0.05) for (const s of [-1, 1]) worst = Math.max(worst, distToGraph(g, cx + s * d, y));
  return worst;
}

describe("fiber pieces joined to a migrasome at the rim point they run to", () => {
  it("follows a fiber passing 0.6 µm off-centre up to the rim (the straight join to the centre leaves it)", () => {
    const row = 46; // 0.6 µm below the centre
    const now = traceRow(row, true);
    const old = traceRow(row, false);
    for (const g of [now, old]) {
      // one migrasome node, both pieces joined to it
      const nodes = g.nodes.filter((n) => n.kind === "migrasome");
      expect(nodes.length).toBe(1);
      expect(nodes[0].degree).toBe(2);
      expect(nodes[0].xUm).toBeCloseTo(cx, 6);
      expect(nodes[0].yUm).toBeCloseTo(cy, 6);
    }
    // between the cleared disc (1.37 µm from the centre along the fiber) and the rim (0.8 µm) the new join runs on
    // the fiber; the old one cuts across to the centre (0.1–0.2 µm off the fiber there)
    expect(worstNearRim(now, row)).toBeLessThan(0.05);
    expect(worstNearRim(old, row)).toBeGreaterThan(0.1);
    // the join runs on to the rim and then to the centre: 0.6 + 1 µm against 1.5 µm straight, per piece
    const joinLen = (g: FiberGraph) => g.edges.filter((e) => g.nodes[e.a].kind === "migrasome" || g.nodes[e.b].kind === "migrasome").reduce((a, e) => a + e.lengthUm, 0);
    expect(joinLen(now)).toBeGreaterThan(2 * 1.5);
    expect(joinLen(now)).toBeLessThan(2 * 1.7);
    expect(joinLen(old)).toBeLessThan(2 * 1.55);
  });

  it("keeps the straight join for a fiber aimed at the centre", () => {
    const now = traceRow(40, true);
    const old = traceRow(40, false);
    expect(now.edges.map((e) => e.points)).toEqual(old.edges.map((e) => e.points));
    expect(now.totalLengthUm).toBe(old.totalLengthUm);
  });

  it("rimJoinPath: rim entry, closest approach outside the rim, straight when not aimed at the migrasome", () => {
    // a tip 2 µm left of a centre at the origin, running along +x, 0.6 µm below it; rim radius 1 µm
    expect(rimJoinPath(-2, 0.6, 1, 0, 0, 0, 1)).toEqual([
      [-2, 0.6],
      [-0.8, 0.6],
      [0, 0],
    ]);
    // 1.2 µm off (passes outside the rim): on to the closest approach
    const p = rimJoinPath(-2, 1.2, 1, 0, 0, 0, 1);
    expect(p[1][0]).toBeCloseTo(0, 12);
    expect(p[1][1]).toBeCloseTo(1.2, 12);
    // aimed at the centre, or away from it (beyond 70°): straight
    expect(rimJoinPath(-2, 0, 1, 0, 0, 0, 1)).toEqual([
      [-2, 0],
      [0, 0],
    ]);
    expect(rimJoinPath(-2, 1.2, 0, 1, 0, 0, 1)).toEqual([
      [-2, 1.2],
      [0, 0],
    ]);
  });
});
