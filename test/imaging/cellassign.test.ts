/**
 * Cells in the evaluation: cell bodies matched by centre, migrasomes counted for the cell that made them, per-cell
 * counts (`evaluateCells`, `migrasim evaluate --detected-cells --true-cells`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assignCells } from "../../src/imaging/assign.ts";
import type { CellBody } from "../../src/imaging/cells.ts";
import { evaluateCells, readCellsCsv, type CellRecord, type PointRecord } from "../../src/imaging/evaluate.ts";
import type { FiberGraph } from "../../src/imaging/trace.ts";
import { UserError } from "../../src/util/errors.ts";

const bin = join(import.meta.dirname, "../../bin/migrasim.mjs");
const m = (x: number, cellId: string): PointRecord => ({ image: "a", xUm: x, yUm: 50, diameterUm: 1, cellId });

describe("evaluateCells", () => {
  // true cells 1 (at x 20) and 2 (at x 80, in view) and 3 (out of view); detected cells 7 (≈ cell 1) and 9 (≈ cell 2)
  const trueCells: CellRecord[] = [
    { image: "a", cellId: "1", xUm: 20, yUm: 20, radiusUm: 10, inView: true },
    { image: "a", cellId: "2", xUm: 80, yUm: 20, radiusUm: 10, inView: true },
    { image: "a", cellId: "3", xUm: 300, yUm: 20, radiusUm: 10, inView: false },
  ];
  const detCells: CellRecord[] = [
    { image: "a", cellId: "9", xUm: 81, yUm: 22 },
    { image: "a", cellId: "7", xUm: 21, yUm: 19 },
  ];
  // truth: 4 migrasomes of cell 1, 2 of cell 2, 2 of the out-of-view cell 3
  const truth = [m(10, "1"), m(12, "1"), m(14, "1"), m(16, "1"), m(60, "2"), m(62, "2"), m(90, "3"), m(92, "3")];
  it("scores the assignment against the maker and counts per cell", () => {
    // detections at the same places: cell 1's are all right but one (unassigned), cell 2's one right and one given to
    // cell 7, cell 3's one right (no cell: its maker is not in the image) and one given to cell 9; plus a false one for 9
    const det = [m(10, "7"), m(12, "7"), m(14, "7"), m(16, ""), m(60, "9"), m(62, "7"), m(90, ""), m(92, "9"), m(120, "9")];
    const e = evaluateCells(det, truth, detCells, trueCells);
    expect(e.cellsTrue).toBe(2);
    expect(e.cellsDetected).toBe(2);
    expect(e.cellsMatched).toBe(2);
    expect(e.assignmentN).toBe(8);
    expect(e.assignmentAccuracy).toBeCloseTo(5 / 8, 12);
    const byTrue = Object.fromEntries(e.perCell.map((c) => [c.trueCellId, c]));
    expect(byTrue["1"]).toMatchObject({ detectedCellId: "7", trueCount: 4, detectedCount: 4 });
    expect(byTrue["2"]).toMatchObject({ detectedCellId: "9", trueCount: 2, detectedCount: 3 });
    expect(e.countErrorRel).toBeCloseTo((0 / 4 + 1 / 2) / 2, 12);
  });
  it("a detected cell far from every true cell matches none, and its migrasomes are wrong", () => {
    const far: CellRecord[] = [{ image: "a", cellId: "7", xUm: 50, yUm: 80 }];
    const e = evaluateCells([m(10, "7"), m(90, "")], truth, far, trueCells);
    expect(e.cellsMatched).toBe(0);
    expect(e.perCell).toEqual([]);
    expect(e.assignmentAccuracy).toBeCloseTo(1 / 2, 12);
  });
});

describe("cells CSV input", () => {
  const dir = mkdtempSync(join(tmpdir(), "migrasim-cells-"));
  it("reads per_cell.csv (the unassigned row skipped) and truth_cells.csv", () => {
    const p = join(dir, "per_cell.csv");
    writeFileSync(p, "image,frame,cellId,xUm,yUm,areaUm2,migrasomes\nim.tif,0,1,10.5,20,700,3\nim.tif,0,,,,,2\n");
    expect(readCellsCsv(p)).toEqual([{ image: "im.tif", cellId: "1", xUm: 10.5, yUm: 20, radiusUm: undefined, inView: undefined, frame: 0 }]);
    const q = join(dir, "truth_cells.csv");
    writeFileSync(q, "image,cellId,xUm,yUm,radiusUm,inView\nim.tif,4,-30,20,15,0\n");
    expect(readCellsCsv(q)[0]).toMatchObject({ cellId: "4", xUm: -30, radiusUm: 15, inView: false });
  });
  it("refuses a file without centres, naming the file and the column", () => {
    const p = join(dir, "old_per_cell.csv");
    writeFileSync(p, "image,frame,cellId,migrasomes\nim.tif,0,1,3\n");
    expect(() => readCellsCsv(p)).toThrow(UserError);
    expect(() => readCellsCsv(p)).toThrow(/old_per_cell\.csv: missing column "xUm"/);
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "cellId,xUm,yUm,radiusUm\n1,2,3,-1\n");
    expect(() => readCellsCsv(bad)).toThrow(/bad\.csv: row 2/);
  });
  it("the CLI wants both cell files or neither (one line, exit 2)", () => {
    const d = join(dir, "d.csv");
    writeFileSync(d, "xUm,yUm,diameterUm\n1,1,1\n");
    const r = spawnSync(process.execPath, [bin, "evaluate", d, d, "--detected-cells", d], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--detected-cells and --true-cells go together/);
  });
});

describe("assignCells", () => {
  // a fiber of cell 3 running along y = 10 from x = 0 to 20; a free fiber (no cell) along y = 30
  const g: FiberGraph = {
    nodes: [],
    edges: [
      { id: 0, a: 0, b: 1, points: Array.from({ length: 21 }, (_, i): [number, number] => [i, 10]), lengthUm: 20, cellId: 3 },
      { id: 1, a: 2, b: 3, points: Array.from({ length: 21 }, (_, i): [number, number] => [i, 30]), lengthUm: 20, cellId: null },
    ],
    totalLengthUm: 40,
  };
  const cells: CellBody[] = [{ id: 5, xUm: 60, yUm: 30, areaUm2: Math.PI * 100 }];
  const mig = (x: number, y: number) => ({ xUm: x, yUm: y, rUm: 0.5 });
  it("takes the cell of the fiber a migrasome sits on, else the nearest body within reach", () => {
    // on cell 3's fiber; 3.4 µm from it (within R + 3 µm); near the free fiber, 25 µm from body 5's edge; 45 µm from it
    const got = assignCells(g, [mig(5, 10), mig(12, 13.4), mig(25, 30), mig(5, 30)], cells);
    expect(got).toEqual([3, 3, 5, null]);
    expect(assignCells(g, [mig(25, 30)], cells, { fiberReachUm: 3, nearestCellUm: 0, geodesic: true, gapUm: 0, networkCell: "first" as const })).toEqual([null]);
    expect(assignCells(g, [mig(12, 13.4)], cells, { fiberReachUm: 2, nearestCellUm: 0, geodesic: true, gapUm: 0, networkCell: "first" as const })).toEqual([null]);
  });
  it("refuses negative reaches", () => {
    expect(() => assignCells(g, [], cells, { fiberReachUm: -1, nearestCellUm: 30, geodesic: true, gapUm: 0, networkCell: "first" as const })).toThrow(/fiberReachUm/);
  });
});

describe("assignCells along the fibers", () => {
  // a 100 × 100 µm label image (1 µm pixels) with body 1 around (5, 50) and body 2 around (95, 50); one traced fiber
  // from body 1's margin (9, 50) to body 2's (93, 50) through a junction at (50, 50); the tracer gave the whole
  // network body 1's id. A second piece runs from (50, 53) to (50, 80), 3 µm short of the junction.
  const W = 100;
  const labels = new Int32Array(W * W);
  for (let y = 0; y < W; y++)
    for (let x = 0; x < W; x++) {
      if (Math.hypot(x + 0.5 - 5, y + 0.5 - 50) <= 3) labels[y * W + x] = 1;
      if (Math.hypot(x + 0.5 - 95, y + 0.5 - 50) <= 3) labels[y * W + x] = 2;
    }
  const line = (x0: number, y0: number, x1: number, y1: number): [number, number][] => {
    const n = Math.round(Math.hypot(x1 - x0, y1 - y0));
    return Array.from({ length: n + 1 }, (_, i): [number, number] => [x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n]);
  };
  const g: FiberGraph = {
    nodes: [
      { id: 0, xUm: 9, yUm: 50, kind: "cell", degree: 1 },
      { id: 1, xUm: 50, yUm: 50, kind: "junction", degree: 2 },
      { id: 2, xUm: 93, yUm: 50, kind: "cell", degree: 1 },
      { id: 3, xUm: 50, yUm: 53, kind: "tip", degree: 1 },
      { id: 4, xUm: 50, yUm: 80, kind: "tip", degree: 1 },
    ],
    edges: [
      { id: 0, a: 0, b: 1, points: line(9, 50, 50, 50), lengthUm: 41, cellId: 1 },
      { id: 1, a: 1, b: 2, points: line(50, 50, 93, 50), lengthUm: 43, cellId: 1 },
      { id: 2, a: 3, b: 4, points: line(50, 53, 50, 80), lengthUm: 27, cellId: null },
    ],
    totalLengthUm: 111,
  };
  const cells: CellBody[] = [
    { id: 1, xUm: 5, yUm: 50, areaUm2: 28 },
    { id: 2, xUm: 95, yUm: 50, areaUm2: 28 },
  ];
  const map = { labels, width: W, height: W, pxUm: 1 };
  const P = { fiberReachUm: 3, nearestCellUm: 0, geodesic: true, gapUm: 0, networkCell: "first" as const };
  const migs = [{ xUm: 80, yUm: 50, rUm: 0.5 }, { xUm: 20, yUm: 50, rUm: 0.5 }, { xUm: 50, yUm: 78, rUm: 0.5 }];
  it("splits a network between the cells nearest along it", () => {
    expect(assignCells(g, migs, cells, P, map)).toEqual([2, 1, null]);
    // the network as a whole: all of it body 1's
    expect(assignCells(g, migs, cells, { ...P, geodesic: false }, map)).toEqual([1, 1, null]);
  });
  it("reaches a piece across a gap, and a body from a free end within the gap", () => {
    // the piece's end at (50, 53) is 3 µm from the junction: 3 + 41 µm to body 1, 3 + 43 µm to body 2
    expect(assignCells(g, migs, cells, { ...P, gapUm: 4 }, map)).toEqual([2, 1, 1]);
    expect(assignCells(g, migs, cells, { ...P, gapUm: 2 }, map)).toEqual([2, 1, null]);
    // a lone piece whose end lies 3 µm from the nearest pixel of body 2
    const lone: FiberGraph = {
      nodes: [{ id: 0, xUm: 89.5, yUm: 50, kind: "tip", degree: 1 }, { id: 1, xUm: 70, yUm: 50, kind: "tip", degree: 1 }],
      edges: [{ id: 0, a: 0, b: 1, points: line(89.5, 50, 70, 50), lengthUm: 19.5, cellId: null }],
      totalLengthUm: 19.5,
    };
    expect(assignCells(lone, [{ xUm: 75, yUm: 50, rUm: 0.5 }], cells, { ...P, gapUm: 4 }, map)).toEqual([2]);
    expect(assignCells(lone, [{ xUm: 75, yUm: 50, rUm: 0.5 }], cells, { ...P, gapUm: 2 }, map)).toEqual([null]);
  });
});

describe("assignCells: a network at two touching bodies", () => {
  // body 1 around (40, 50), 10 µm; body 2 beside it, touching it (around (59, 50), 10 µm) or not (around (61, 50), 8 µm).
  // One traced network, given body 1 by the tracer (the first body it touches): one fiber end at body 1's far side, three
  // at body 2's, joined at (90, 50); a migrasome on the fiber from body 2
  const W = 100;
  const map = (cx2: number, r2: number) => {
    const labels = new Int32Array(W * W);
    for (let y = 0; y < W; y++)
      for (let x = 0; x < W; x++) {
        const d1 = Math.hypot(x + 0.5 - 40, y + 0.5 - 50);
        const d2 = Math.hypot(x + 0.5 - cx2, y + 0.5 - 50);
        if (d1 <= 10 && (d2 > r2 || d1 <= d2)) labels[y * W + x] = 1;
        else if (d2 <= r2) labels[y * W + x] = 2;
      }
    return { labels, width: W, height: W, pxUm: 1 };
  };
  const line = (pts: [number, number][]): [number, number][] => {
    const out: [number, number][] = [pts[0]];
    for (let k = 1; k < pts.length; k++) {
      const [x0, y0] = pts[k - 1];
      const [x1, y1] = pts[k];
      const n = Math.round(Math.hypot(x1 - x0, y1 - y0));
      for (let i = 1; i <= n; i++) out.push([x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n]);
    }
    return out;
  };
  const ends: [number, number][] = [[29, 50], [70, 50], [67, 56], [67, 44]];
  const paths = [line([[29, 50], [20, 50], [20, 90], [90, 90], [90, 50]]), line([[70, 50], [90, 50]]), line([[67, 56], [90, 50]]), line([[67, 44], [90, 50]])];
  const g: FiberGraph = {
    nodes: [...ends.map(([x, y], id) => ({ id, xUm: x, yUm: y, kind: "cell" as const, degree: 1 })), { id: 4, xUm: 90, yUm: 50, kind: "junction", degree: 4 }],
    edges: paths.map((points, id) => ({ id, a: id, b: 4, points, lengthUm: points.length - 1, cellId: 1 })),
    totalLengthUm: paths.reduce((s, p) => s + p.length - 1, 0),
  };
  const cells: CellBody[] = [{ id: 1, xUm: 40, yUm: 50, areaUm2: 314 }, { id: 2, xUm: 60, yUm: 50, areaUm2: 250 }];
  const migs = [{ xUm: 80, yUm: 50.5, rUm: 0.5 }];
  const P = { fiberReachUm: 3, nearestCellUm: 0, geodesic: false, gapUm: 0 };
  it("takes the touching body most of its ends reach", () => {
    expect(assignCells(g, migs, cells, { ...P, networkCell: "touching" }, map(59, 10))).toEqual([2]);
    expect(assignCells(g, migs, cells, { ...P, networkCell: "first" }, map(59, 10))).toEqual([1]);
  });
  it("keeps the tracer's body when the other one does not touch it", () => {
    expect(assignCells(g, migs, cells, { ...P, networkCell: "touching" }, map(61, 8))).toEqual([1]);
  });
});
