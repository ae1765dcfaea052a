/**
 * Small cycles from thinning (a bright fiber's mask two pixels wide, lines touching): both sides follow the same
 * fiber, so the traced length counted it twice. `dropSmallCycles` keeps one side.
 */
import { describe, expect, it } from "vitest";
import { dropSmallCycles, type FiberEdge, type FiberGraph, type FiberNode } from "../../src/imaging/trace.ts";

const node = (id: number, x: number, kind: FiberNode["kind"] = "junction"): FiberNode => ({ id, xUm: x, yUm: 0, kind, degree: 0 });
const edge = (id: number, a: number, b: number, lengthUm: number): FiberEdge => ({ id, a, b, lengthUm, points: [[0, 0], [lengthUm, 0]], cellId: null });
function graph(nodes: FiberNode[], edges: FiberEdge[]): FiberGraph {
  for (const e of edges) {
    nodes[e.a].degree++;
    nodes[e.b].degree++;
  }
  return { nodes, edges, totalLengthUm: edges.reduce((s, e) => s + e.lengthUm, 0) };
}

describe("small cycles", () => {
  it("drops the longer side of a bubble and the longest edge of a small triangle", () => {
    // tip 0 — 1 (10 µm); bubble 1 ⇉ 2 (0.8 and 1.1 µm); 2 — 3 (5 µm); triangle 3–4–5 (0.6, 0.7, 1.2 µm); 4 — tip 6 (8 µm)
    const nodes = [node(0, 0, "tip"), node(1, 10), node(2, 11), node(3, 16), node(4, 16.6), node(5, 16.3), node(6, 25, "tip")];
    const edges = [edge(0, 0, 1, 10), edge(1, 1, 2, 0.8), edge(2, 1, 2, 1.1), edge(3, 2, 3, 5), edge(4, 3, 4, 0.6), edge(5, 4, 5, 0.7), edge(6, 5, 3, 1.2), edge(7, 4, 6, 8)];
    const g = dropSmallCycles(graph(nodes, edges));
    expect(g.edges.length).toBe(6);
    expect(g.totalLengthUm).toBeCloseTo(10 + 0.8 + 5 + 0.6 + 0.7 + 8, 9);
    // node 5 keeps one edge: now a tip
    expect(g.nodes[5].degree).toBe(1);
    expect(g.nodes[5].kind).toBe("tip");
  });

  it("leaves long parallel paths, large loops and cycles at a migrasome alone", () => {
    const nodes = [node(0, 0), node(1, 3), node(2, 6, "migrasome"), node(3, 7), node(4, 8)];
    const edges = [
      edge(0, 0, 1, 3), edge(1, 0, 1, 3.4), // two 3 µm paths: two fibers, not a thinning bubble
      edge(2, 2, 3, 0.7), edge(3, 2, 3, 0.9), edge(4, 3, 4, 0.8), edge(5, 4, 2, 1.0), // at a migrasome
    ];
    const g = dropSmallCycles(graph(nodes, edges));
    expect(g.edges.length).toBe(6);
  });
});
