import { describe, expect, it } from "vitest";
import { DEFAULT_EXTEND_PARAMS, extendTips } from "../../src/imaging/extend.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { detectRidges } from "../../src/imaging/ridges.ts";
import type { Scene, SceneFiber, SceneObject } from "../../src/imaging/scene.ts";
import type { FiberGraph } from "../../src/imaging/trace.ts";
import { extendOptics } from "./extend-optics.ts";
import { subtractBackground } from "./subtract.ts";

const optics = extendOptics;

/** A traced graph of one straight fiber piece from (x0, y) to (x1, y): the start at a cell (not extended), the end a free tip. */
function tracedPiece(x0: number, x1: number, y: number): FiberGraph {
  const points: [number, number][] = [];
  for (let x = x0; x <= x1 + 1e-9; x += 0.1) points.push([x, y]);
  return {
    nodes: [
      { id: 0, xUm: x0, yUm: y, kind: "cell", degree: 1 },
      { id: 1, xUm: points[points.length - 1][0], yUm: y, kind: "tip", degree: 1 },
    ],
    edges: [{ id: 0, a: 0, b: 1, points, lengthUm: x1 - x0, cellId: null }],
    totalLengthUm: x1 - x0,
  };
}

/** Render a scene and run the extension on `g`; returns the farthest x the graph reaches and the added length. */
function extend(scene: Scene, g: FiberGraph, px: number, seed: number, arms?: number[][]): { maxX: number; added: number; graph: FiberGraph } {
  const img = renderScene(scene, optics(px, seed), seed);
  const { s, noise } = subtractBackground(img, px);
  const r = detectRidges(s, noise, img.width, img.height, px);
  const before = g.totalLengthUm;
  const migrasomes = scene.objects.map((o) => ({ xUm: o.x, yUm: o.y, rUm: o.diameterUm / 2 }));
  const { graph } = extendTips(
    g,
    { smooth: r.smooth, smoothSigmaPx: r.smoothSigmaPx, noise, w: img.width, h: img.height, pxUm: px, psfSigmaUm: optics(px, seed).psfSigmaUm, migrasomes, arms },
    DEFAULT_EXTEND_PARAMS,
  );
  let maxX = -Infinity;
  for (const e of graph.edges) for (const p of e.points) maxX = Math.max(maxX, p[0]);
  return { maxX, added: graph.totalLengthUm - before, graph };
}

const fiber = (id: number, x0: number, x1: number, y: number, brightness: number): SceneFiber => ({ id, cellId: null, points: [[x0, y], [x1, y]], brightness });
const scene = (fibers: SceneFiber[], objects: SceneObject[] = []): Scene => ({ widthUm: 32, heightUm: 12, cells: [], crossings: [], objects, fibers });

describe("tip extension", () => {
  it("follows a dim fiber the line filter lost in a noise dip to its true end (within 0.5 µm)", () => {
    // traced to x = 12; the fiber (0.25 × the migrasome signal, about 2.5 noise units per profile sample) ends at x = 26
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { maxX } = extend(scene([fiber(1, 2, 26, 6, 0.25)]), tracedPiece(2, 12, 6), 0.1, seed);
      expect(Math.abs(maxX - 26), `seed ${seed}: end at ${maxX.toFixed(2)}`).toBeLessThan(0.5);
    }
  });

  it("runs through a short break in a fiber", () => {
    // a 0.3 µm break at x = 14: the tracking runs through it on to the end at x = 24
    for (const seed of [5, 6, 7, 8]) {
      const sc = scene([fiber(1, 2, 14, 6, 0.3), fiber(2, 14.3, 24, 6, 0.3)]);
      const { maxX } = extend(sc, tracedPiece(2, 12, 6), 0.1, seed);
      expect(Math.abs(maxX - 24), `seed ${seed}: end at ${maxX.toFixed(2)}`).toBeLessThan(0.5);
    }
  });

  it("does not run on into pure noise from a fiber's true end", () => {
    let sum = 0;
    const seeds = [11, 12, 13, 14, 15, 16, 17, 18];
    for (const seed of seeds) {
      const sc = scene([fiber(1, 2, 14, 6, 0.2)]);
      const { added } = extend(sc, tracedPiece(2, 14, 6), 0.1, seed);
      expect(added, `seed ${seed}`).toBeLessThan(1);
      sum += added;
    }
    expect(sum / seeds.length).toBeLessThan(0.4);
  });

  it("does not extend a tip of a trace that is only noise", () => {
    let sum = 0;
    for (const seed of [21, 22, 23, 24, 25, 26]) {
      const { added } = extend(scene([]), tracedPiece(4, 12, 6), 0.1, seed);
      sum += added;
    }
    expect(sum).toBeLessThan(1);
  });

  it("reaches the same end at 0.065 and 0.16 µm pixels (parameters in µm)", () => {
    const medians: number[] = [];
    for (const px of [0.065, 0.16]) {
      const ends: number[] = [];
      for (const seed of [31, 32, 33, 34, 35]) {
        const { maxX } = extend(scene([fiber(1, 2, 25, 6, 0.3)]), tracedPiece(2, 12, 6), px, seed);
        // single ends may stop short in a noise dip near the end (0.3 is about 2.5 noise units a sample at 0.16 µm)
        expect(Math.abs(maxX - 25), `px ${px} seed ${seed}: end at ${maxX.toFixed(2)}`).toBeLessThan(1.5);
        ends.push(maxX);
      }
      ends.sort((a, b) => a - b);
      medians.push(ends[2]);
      expect(Math.abs(ends[2] - 25), `px ${px}: median end ${ends[2].toFixed(2)}`).toBeLessThan(0.5);
    }
    expect(Math.abs(medians[0] - medians[1])).toBeLessThan(0.5);
  });

  it("joins a tip to a migrasome it runs into, and to a fiber ahead of it", () => {
    const mig: SceneObject = { id: 1, x: 24, y: 6, diameterUm: 1, brightness: 1, kind: "migrasome", site: "tip", cellId: null };
    const { graph } = extend(scene([fiber(1, 2, 24, 6, 0.25)], [mig]), tracedPiece(2, 18, 6), 0.1, 41);
    expect(graph.nodes.some((n) => n.kind === "migrasome" && n.degree === 1)).toBe(true);
    // two traced pieces of one fiber facing each other across 3 µm
    const g = tracedPiece(2, 12, 6);
    const pts: [number, number][] = [];
    for (let x = 15; x <= 28 + 1e-9; x += 0.1) pts.push([x, 6]);
    g.nodes.push({ id: 2, xUm: 15, yUm: 6, kind: "tip", degree: 1 }, { id: 3, xUm: 28, yUm: 6, kind: "cell", degree: 1 });
    g.edges.push({ id: 1, a: 2, b: 3, points: pts, lengthUm: 13, cellId: 7 });
    g.totalLengthUm += 13;
    const r = extend(scene([fiber(1, 2, 28, 6, 0.25)]), g, 0.1, 42).graph;
    // one component with the cell of the piece it joined
    expect(r.edges.every((e) => e.cellId === 7)).toBe(true);
    expect(r.totalLengthUm).toBeGreaterThan(25.5);
    expect(r.totalLengthUm).toBeLessThan(26.5);
  });

  it("tracks an untraced arm of a migrasome to the fiber's end, and no arm into noise", () => {
    const mig: SceneObject = { id: 1, x: 8, y: 6, diameterUm: 1, brightness: 1, kind: "migrasome", site: "tip", cellId: null };
    const empty = (): FiberGraph => ({ nodes: [], edges: [], totalLengthUm: 0 });
    for (const seed of [51, 52, 53]) {
      const { maxX } = extend(scene([fiber(1, 8, 22, 6, 0.22)], [mig]), empty(), 0.1, seed, [[0]]);
      expect(Math.abs(maxX - 22), `seed ${seed}: end at ${maxX.toFixed(2)}`).toBeLessThan(0.5);
      // an arm reported where there is no fiber
      const none = extend(scene([], [mig]), empty(), 0.1, seed, [[0]]);
      expect(none.graph.totalLengthUm, `seed ${seed}`).toBe(0);
    }
  });

  it("joins two pieces passing a migrasome beside its centre by their chord, and keeps the joins of a fiber through the centre", () => {
    const mig: SceneObject = { id: 1, x: 16, y: 6, diameterUm: 1.6, brightness: 1, kind: "migrasome", site: "along", cellId: null };
    /** pieces from the cells at x = 2 and x = 30 along y to the capture ring (|x − 16| = 1.6), each joined to the centre */
    const passing = (y: number): FiberGraph => {
      const left: [number, number][] = [];
      const right: [number, number][] = [];
      for (let x = 2; x <= 14.4 + 1e-9; x += 0.1) left.push([x, y]);
      for (let x = 30; x >= 17.6 - 1e-9; x -= 0.1) right.push([x, y]);
      return {
        nodes: [
          { id: 0, xUm: 2, yUm: y, kind: "cell", degree: 1 },
          { id: 1, xUm: 14.4, yUm: y, kind: "junction", degree: 2 },
          { id: 2, xUm: 30, yUm: y, kind: "cell", degree: 1 },
          { id: 3, xUm: 17.6, yUm: y, kind: "junction", degree: 2 },
          { id: 4, xUm: 16, yUm: 6, kind: "migrasome", migrasome: 0, degree: 2 },
        ],
        edges: [
          { id: 0, a: 0, b: 1, points: left, lengthUm: 12.4, cellId: null },
          { id: 1, a: 2, b: 3, points: right, lengthUm: 12.4, cellId: null },
          { id: 2, a: 1, b: 4, points: [[14.4, y], [16, 6]], lengthUm: Math.hypot(1.6, y - 6), cellId: null },
          { id: 3, a: 3, b: 4, points: [[17.6, y], [16, 6]], lengthUm: Math.hypot(1.6, y - 6), cellId: null },
        ],
        totalLengthUm: 24.8 + 2 * Math.hypot(1.6, y - 6),
      };
    };
    const beside = extend(scene([fiber(1, 2, 30, 6.6, 0.25)], [mig]), passing(6.6), 0.1, 61).graph;
    expect(beside.edges.some((e) => e.points.length === 2 && Math.abs(e.lengthUm - 3.2) < 1e-6)).toBe(true);
    expect(beside.edges.filter((e) => beside.nodes[e.a].kind === "migrasome" || beside.nodes[e.b].kind === "migrasome")).toHaveLength(0);
    expect(Math.abs(beside.totalLengthUm - 28)).toBeLessThan(1e-6);
    const through = extend(scene([fiber(1, 2, 30, 6, 0.25)], [mig]), passing(6), 0.1, 62).graph;
    expect(through.edges.filter((e) => through.nodes[e.a].kind === "migrasome" || through.nodes[e.b].kind === "migrasome")).toHaveLength(2);
  });
});
