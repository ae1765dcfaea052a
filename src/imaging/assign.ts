/**
 * Which cell made each migrasome (the per-cell read-outs): the cell of the traced fiber it sits on, else, optionally,
 * the nearest cell body. Runs on the final fiber graph, after the tip extension, whose joins connect pieces of fiber
 * to cells (`extendTips` hands a joined component its cell): a traced network takes the cell it touches.
 * Off by default: the cell nearest along the fibers (`geodesic`), and bridging gaps between pieces (`gapUm`). On 9
 * simulated dishes they counted fewer migrasomes for their maker (0.533 against 0.550): a body that lies beside another
 * cell's trail is nearer along it than that trail's own cell (docs/imaging.md, Evaluation, Cells).
 */
import type { CellBody } from "./cells.ts";
import { hypot } from "./hypot.ts";
import type { FiberGraph } from "./trace.ts";

export interface AssignParams {
  /** a migrasome takes the cell of the nearest traced vertex of a cell's fiber within its radius + this (µm) */
  fiberReachUm: number;
  /** else the nearest cell body whose edge (centre distance − equivalent radius) lies within this (µm; 0 = none) */
  nearestCellUm: number;
  /** the cell nearest along the traced fibers (true), or the cell of the whole connected network (false) */
  geodesic: boolean;
  /** along the fibers, a free fiber end also reaches a cell body, or another traced fiber, across a gap up to this
   * (µm; geodesic only; 0 = off): dim fibers converging on a cell are traced in pieces */
  gapUm: number;
}

export const DEFAULT_ASSIGN_PARAMS: AssignParams = { fiberReachUm: 3, nearestCellUm: 30, geodesic: false, gapUm: 0 };

/** Where the fibers meet the cell bodies: the label image of the bodies (cell ids), its size and pixel size. */
export interface CellLabelMap {
  labels: Int32Array;
  width: number;
  height: number;
  pxUm: number;
}

export function assignCells(
  g: FiberGraph,
  migs: { xUm: number; yUm: number; rUm: number }[],
  cells: CellBody[],
  params: AssignParams = DEFAULT_ASSIGN_PARAMS,
  labelMap?: CellLabelMap,
): (number | null)[] {
  if (!(params.fiberReachUm >= 0) || !(params.nearestCellUm >= 0)) throw new Error(`assignCells: fiberReachUm and nearestCellUm must be ≥ 0 µm, got ${params.fiberReachUm} and ${params.nearestCellUm}`);
  const nodeCell = params.geodesic && labelMap ? nearestCellAlongFibers(g, labelMap, params.gapUm, cells) : null;
  // an edge vertex's cell: the cell of the nearer end along the fibers (by arc length), else the edge's own
  const vertexCell = (ei: number, k: number): number | null => {
    const e = g.edges[ei];
    if (!nodeCell) return e.cellId;
    const A = nodeCell.get(e.a);
    const B = nodeCell.get(e.b);
    if (!A && !B) return e.cellId;
    if (!A || !B) return (A ?? B)!.cell;
    const s = e.lengthUm * (e.points.length > 1 ? k / (e.points.length - 1) : 0);
    return A.dist + s <= B.dist + (e.lengthUm - s) ? A.cell : B.cell;
  };
  // traced vertices of fibers with a cell, on a grid of cells of G µm (≥ the largest reach)
  const maxR = migs.reduce((a, m) => Math.max(a, m.rUm), 0);
  const G = Math.max(4, maxR + params.fiberReachUm);
  const grid = new Map<string, [number, number, number, number][]>();
  g.edges.forEach((e, ei) => {
    if (e.cellId === null && !(nodeCell && (nodeCell.has(e.a) || nodeCell.has(e.b)))) return;
    e.points.forEach((p, k) => {
      const key = `${Math.floor(p[0] / G)},${Math.floor(p[1] / G)}`;
      const l = grid.get(key);
      if (l) l.push([p[0], p[1], ei, k]);
      else grid.set(key, [[p[0], p[1], ei, k]]);
    });
  });
  // a migrasome node of the graph (fibers joined to its centre) takes the cell nearest along them
  const migNode = new Map<number, number>();
  if (nodeCell) for (const n of g.nodes) if (n.kind === "migrasome" && n.migrasome !== undefined && nodeCell.has(n.id)) migNode.set(n.migrasome, nodeCell.get(n.id)!.cell);
  return migs.map((m, i) => {
    const viaNode = migNode.get(i);
    if (viaNode !== undefined) return viaNode;
    let hit: [number, number] | null = null;
    let best = m.rUm + params.fiberReachUm;
    const gx = Math.floor(m.xUm / G);
    const gy = Math.floor(m.yUm / G);
    for (let j = gy - 1; j <= gy + 1; j++)
      for (let q = gx - 1; q <= gx + 1; q++)
        for (const p of grid.get(`${q},${j}`) ?? []) {
          const d = hypot(p[0] - m.xUm, p[1] - m.yUm);
          if (d < best) {
            best = d;
            hit = [p[2], p[3]];
          }
        }
    if (hit) return vertexCell(hit[0], hit[1]);
    if (!(params.nearestCellUm > 0)) return null;
    let cellId: number | null = null;
    let bd = params.nearestCellUm;
    for (const c of cells) {
      const d = hypot(c.xUm - m.xUm, c.yUm - m.yUm) - Math.sqrt(c.areaUm2 / Math.PI);
      if (d < bd) {
        bd = d;
        cellId = c.id;
      }
    }
    return cellId;
  });
}

/**
 * For every graph node that a cell's fibers reach, the cell nearest along the fibers and that distance (µm): Dijkstra
 * from all "cell" nodes at once (a fiber end at a body's exclusion margin; its cell is the body label within 1.5 µm, as
 * in the tracer), edge weights = traced length, ties to the lower node id. With gapUm > 0 a free end ("tip") also
 * links across a gap (weight = the gap) to the nearest vertex of another edge, and starts from a body within the gap.
 */
function nearestCellAlongFibers(g: FiberGraph, L: CellLabelMap, gapUm: number, cells: CellBody[]): Map<number, { cell: number; dist: number }> {
  const out = new Map<number, { cell: number; dist: number }>();
  const adj = new Map<number, [number, number][]>();
  const link = (a: number, b: number, w: number) => {
    (adj.get(a) ?? adj.set(a, []).get(a)!).push([b, w]);
    (adj.get(b) ?? adj.set(b, []).get(b)!).push([a, w]);
  };
  for (const e of g.edges) link(e.a, e.b, e.lengthUm);
  // gaps: a free end links to the nearest vertex of another edge within gapUm (to that edge's two ends, along it)
  // free ends within gapUm of a body: [node, cell, gap]
  const tipSources: [number, number, number][] = [];
  if (gapUm > 0) {
    const G = Math.max(1, gapUm);
    const grid = new Map<string, [number, number, number, number][]>();
    g.edges.forEach((e, ei) => e.points.forEach((p, k) => {
      const key = `${Math.floor(p[0] / G)},${Math.floor(p[1] / G)}`;
      (grid.get(key) ?? grid.set(key, []).get(key)!).push([p[0], p[1], ei, k]);
    }));
    const rb = Math.ceil(gapUm / L.pxUm);
    for (const n of g.nodes) {
      if (n.kind !== "tip") continue;
      let best = gapUm;
      let hit: [number, number] | null = null;
      const gx = Math.floor(n.xUm / G);
      const gy = Math.floor(n.yUm / G);
      for (let j = gy - 1; j <= gy + 1; j++)
        for (let q = gx - 1; q <= gx + 1; q++)
          for (const p of grid.get(`${q},${j}`) ?? []) {
            const e = g.edges[p[2]];
            if (e.a === n.id || e.b === n.id) continue;
            const d = hypot(p[0] - n.xUm, p[1] - n.yUm);
            if (d < best) {
              best = d;
              hit = [p[2], p[3]];
            }
          }
      if (hit) {
        const e = g.edges[hit[0]];
        const s = e.lengthUm * (e.points.length > 1 ? hit[1] / (e.points.length - 1) : 0);
        link(n.id, e.a, best + s);
        link(n.id, e.b, best + e.lengthUm - s);
      }
      // a body within the gap: the end is a source of that cell (the label image is read only near a body: within
      // twice its equivalent radius of its centre, plus the gap)
      if (!cells.some((c) => hypot(c.xUm - n.xUm, c.yUm - n.yUm) <= 2 * Math.sqrt(c.areaUm2 / Math.PI) + gapUm)) continue;
      const px = Math.floor(n.xUm / L.pxUm);
      const py = Math.floor(n.yUm / L.pxUm);
      let bd = Infinity;
      let label = 0;
      for (let y = Math.max(0, py - rb); y <= Math.min(L.height - 1, py + rb); y++)
        for (let x = Math.max(0, px - rb); x <= Math.min(L.width - 1, px + rb); x++) {
          const l = L.labels[y * L.width + x];
          if (!l) continue;
          const d = hypot((x + 0.5) * L.pxUm - n.xUm, (y + 0.5) * L.pxUm - n.yUm);
          if (d < bd) {
            bd = d;
            label = l;
          }
        }
      if (label && bd <= gapUm) tipSources.push([n.id, label, bd]);
    }
  }
  // binary heap of [dist, node, cell]
  const heap: [number, number, number][] = [];
  const less = (a: [number, number, number], b: [number, number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const push = (v: [number, number, number]) => {
    heap.push(v);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const pop = (): [number, number, number] => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let s = i;
        if (l < heap.length && less(heap[l], heap[s])) s = l;
        if (r < heap.length && less(heap[r], heap[s])) s = r;
        if (s === i) break;
        [heap[i], heap[s]] = [heap[s], heap[i]];
        i = s;
      }
    }
    return top;
  };
  const r = Math.ceil(1.5 / L.pxUm);
  for (const n of g.nodes) {
    if (n.kind !== "cell") continue;
    const px = Math.floor(n.xUm / L.pxUm);
    const py = Math.floor(n.yUm / L.pxUm);
    let label = 0;
    for (let y = Math.max(0, py - r); y <= Math.min(L.height - 1, py + r) && !label; y++)
      for (let x = Math.max(0, px - r); x <= Math.min(L.width - 1, px + r) && !label; x++) label = L.labels[y * L.width + x];
    if (label) push([0, n.id, label]);
  }
  for (const [node, cell, gap] of tipSources) push([gap, node, cell]);
  while (heap.length) {
    const [d, u, c] = pop();
    if (out.has(u)) continue;
    out.set(u, { cell: c, dist: d });
    for (const [v, w] of adj.get(u) ?? []) if (!out.has(v)) push([d + w, v, c]);
  }
  return out;
}
