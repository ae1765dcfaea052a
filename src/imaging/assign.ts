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

/**
 * The key of grid cell (q, j) (integers, or NaN / ±∞): one number for every cell within 2²⁰ cells of the origin (no
 * string to build and hash per vertex), else the string "q,j" as before; the two kinds never meet.
 */
function gridKey(q: number, j: number): number | string {
  return Math.abs(q) < 1048576 && Math.abs(j) < 1048576 ? (j + 1048576) * 2097152 + (q + 1048576) : `${q},${j}`;
}

/** The traced vertices of the edges that `use` accepts, by cell of a G µm grid: [x, y, edge, vertex index]. */
function edgePointGrid(g: FiberGraph, G: number, use: (ei: number) => boolean): Map<number | string, [number, number, number, number][]> {
  const grid = new Map<number | string, [number, number, number, number][]>();
  for (let ei = 0; ei < g.edges.length; ei++) {
    if (!use(ei)) continue;
    const pts = g.edges[ei].points;
    for (let k = 0; k < pts.length; k++) {
      const p = pts[k];
      const key = gridKey(Math.floor(p[0] / G), Math.floor(p[1] / G));
      const l = grid.get(key);
      if (l) l.push([p[0], p[1], ei, k]);
      else grid.set(key, [[p[0], p[1], ei, k]]);
    }
  }
  return grid;
}

/**
 * `edgePointGrid` with the vertices in flat arrays (vertex v: X[v], Y[v], edge E[v], index K[v]) and each cell's list
 * of its vertices' numbers, in the same order: no four-element array per vertex.
 */
function edgeVertexGrid(g: FiberGraph, G: number, use: (ei: number) => boolean): { cells: Map<number | string, number[]>; X: Float64Array; Y: Float64Array; E: Int32Array; K: Int32Array } {
  const used = new Uint8Array(g.edges.length);
  let total = 0;
  for (let ei = 0; ei < g.edges.length; ei++)
    if (use(ei)) {
      used[ei] = 1;
      total += g.edges[ei].points.length;
    }
  const X = new Float64Array(total);
  const Y = new Float64Array(total);
  const E = new Int32Array(total);
  const K = new Int32Array(total);
  const cells = new Map<number | string, number[]>();
  let v = 0;
  // the list of the previous vertex's cell (an edge's next vertices mostly lie in the same cell: no key, which is a
  // boxed number, and no Map look-up for them)
  let lastQ = NaN;
  let lastJ = NaN;
  let last: number[] = [];
  for (let ei = 0; ei < g.edges.length; ei++) {
    if (!used[ei]) continue;
    const pts = g.edges[ei].points;
    for (let k = 0; k < pts.length; k++) {
      const p = pts[k];
      X[v] = p[0];
      Y[v] = p[1];
      E[v] = ei;
      K[v] = k;
      const q = Math.floor(p[0] / G);
      const j = Math.floor(p[1] / G);
      if (q === lastQ && j === lastJ) last.push(v);
      else {
        const key = gridKey(q, j);
        const l = cells.get(key);
        if (l) {
          l.push(v);
          last = l;
        } else cells.set(key, (last = [v]));
        lastQ = q;
        lastJ = j;
      }
      v++;
    }
  }
  return { cells, X, Y, E, K };
}

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
  /**
   * a fiber's cell (not geodesic): the tracer's, which gives a traced network the first body it touches ("first"), or
   * ("touching") that body or one touching it, whichever more of the network's fiber ends reach (`touchingCell`)
   */
  networkCell: "first" | "touching";
}

export const DEFAULT_ASSIGN_PARAMS: AssignParams = { fiberReachUm: 3, nearestCellUm: 30, geodesic: false, gapUm: 0, networkCell: "touching" };

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
  const edgeCell = !params.geodesic && params.networkCell === "touching" && labelMap ? touchingCell(g, labelMap) : g.edges.map((e) => e.cellId);
  // an edge vertex's cell: the cell of the nearer end along the fibers (by arc length), else the edge's own
  const vertexCell = (ei: number, k: number): number | null => {
    const e = g.edges[ei];
    if (!nodeCell) return edgeCell[ei];
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
  const { cells: grid, X, Y, E, K } = edgeVertexGrid(g, G, (ei) => {
    const e = g.edges[ei];
    return edgeCell[ei] !== null || !!(nodeCell && (nodeCell.has(e.a) || nodeCell.has(e.b)));
  });
  // a migrasome node of the graph (fibers joined to its centre) takes the cell nearest along them
  const migNode = new Map<number, number>();
  if (nodeCell) for (const n of g.nodes) if (n.kind === "migrasome" && n.migrasome !== undefined && nodeCell.has(n.id)) migNode.set(n.migrasome, nodeCell.get(n.id)!.cell);
  return migs.map((m, i) => {
    const viaNode = migNode.get(i);
    if (viaNode !== undefined) return viaNode;
    const hit = nearestVertex(grid, X, Y, G, m.xUm, m.yUm, m.rUm + params.fiberReachUm);
    if (hit >= 0) return vertexCell(E[hit], K[hit]);
    if (!(params.nearestCellUm > 0)) return null;
    return nearestCellBody(cells, m.xUm, m.yUm, params.nearestCellUm);
  });
}

/** the cell body whose edge (centre distance − equivalent radius) is nearest to (xUm, yUm) and below `limitUm`, or null */
function nearestCellBody(cells: CellBody[], xUm: number, yUm: number, limitUm: number): number | null {
  let cellId: number | null = null;
  let bd = limitUm;
  for (const c of cells) {
    const d = hypot(c.xUm - xUm, c.yUm - yUm) - Math.sqrt(c.areaUm2 / Math.PI);
    if (d < bd) {
      bd = d;
      cellId = c.id;
    }
  }
  return cellId;
}

/**
 * The vertex of the grid (cells of G µm, at most G from the point) nearest to (xUm, yUm) closer than `reach`, or −1
 * (the first of equally near ones). A module function, not inside assignCells' per-call closure, whose optimised code
 * V8 compiled afresh every frame.
 */
function nearestVertex(grid: Map<number | string, number[]>, X: Float64Array, Y: Float64Array, G: number, xUm: number, yUm: number, reach: number): number {
  let hit = -1;
  let best = reach;
  const gx = Math.floor(xUm / G);
  const gy = Math.floor(yUm / G);
  for (let j = gy - 1; j <= gy + 1; j++)
    for (let q = gx - 1; q <= gx + 1; q++) {
      const l = grid.get(gridKey(q, j));
      if (!l) continue;
      for (let t = 0; t < l.length; t++) {
        const v = l[t];
        const dx = X[v] - xUm;
        const dy = Y[v] - yUm;
        // hypot(dx, dy) ≥ max(|dx|, |dy|) (hypot.ts: √(p² + q²) ≥ 1 times the larger magnitude), so a vertex with
        // either at or beyond `best` (or NaN) cannot be nearer: the same answer without its hypot
        if (!(Math.abs(dx) < best && Math.abs(dy) < best)) continue;
        const d = hypot(dx, dy);
        if (d < best) {
          best = d;
          hit = v;
        }
      }
    }
  return hit;
}

/** The body label under a "cell" node (the first within 1.5 µm, row by row, as in the tracer), or 0. */
function labelNear(L: CellLabelMap, xUm: number, yUm: number): number {
  const r = Math.ceil(1.5 / L.pxUm);
  const px = Math.floor(xUm / L.pxUm);
  const py = Math.floor(yUm / L.pxUm);
  let label = 0;
  for (let y = Math.max(0, py - r); y <= Math.min(L.height - 1, py + r) && !label; y++)
    for (let x = Math.max(0, px - r); x <= Math.min(L.width - 1, px + r) && !label; x++) label = L.labels[y * L.width + x];
  return label;
}

/**
 * Per edge, its cell with `AssignParams.networkCell` "touching": the tracer's cell t of the edge, unless a body that
 * touches body t (two touching cells, split by `CellParams.splitNeck`) is where more of the edge's network's "cell"
 * nodes lie (ties to t; among several, the most, then the lower label). The tracer gives a network the first body it
 * touches; the fibers of two touching cells reach both bodies, and most of them the body that made them.
 */
/**
 * Calls touch(a, b), touch(b, a) for every labelled pixel a whose right, then lower neighbour b is another label, pixel
 * by pixel in raster order. With an even width and an 8-byte aligned array the labels are read two at a time through
 * a Float64Array view (a pair of int32 labels is +0 only when both are 0: no label is −2³¹ or large enough to make a
 * NaN), so the large unlabelled areas cost half the reads; the same calls in the same order.
 */
function forEachTouch(labels: Int32Array, w: number, h: number, touch: (a: number, b: number) => void): void {
  const pairs = w % 2 === 0 && labels.byteOffset % 8 === 0 ? new Float64Array(labels.buffer, labels.byteOffset, (w * h) >> 1) : null;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (pairs && (x & 1) === 0 && pairs[(y * w + x) >> 1] === 0) {
        x++;
        continue;
      }
      const a = labels[y * w + x];
      if (!a) continue;
      const r = x + 1 < w ? labels[y * w + x + 1] : 0;
      const d = y + 1 < h ? labels[(y + 1) * w + x] : 0;
      if (r && r !== a) {
        touch(a, r);
        touch(r, a);
      }
      if (d && d !== a) {
        touch(a, d);
        touch(d, a);
      }
    }
}

function touchingCell(g: FiberGraph, L: CellLabelMap): (number | null)[] {
  const { labels, width: w, height: h } = L;
  const touching = new Map<number, Set<number>>();
  const touch = (a: number, b: number) => (touching.get(a) ?? touching.set(a, new Set()).get(a)!).add(b);
  forEachTouch(labels, w, h, touch);
  if (!touching.size) return g.edges.map((e) => e.cellId);
  const par = g.nodes.map((_, i) => i);
  const f = (i: number): number => {
    while (par[i] !== i) i = par[i] = par[par[i]];
    return i;
  };
  for (const e of g.edges) {
    const a = f(e.a);
    const b = f(e.b);
    if (a !== b) par[Math.max(a, b)] = Math.min(a, b);
  }
  // "cell" nodes per network and body label
  const counts = new Map<number, Map<number, number>>();
  for (const n of g.nodes) {
    if (n.kind !== "cell") continue;
    const l = labelNear(L, n.xUm, n.yUm);
    if (!l) continue;
    const c = f(n.id);
    const m = counts.get(c) ?? counts.set(c, new Map()).get(c)!;
    m.set(l, (m.get(l) ?? 0) + 1);
  }
  return g.edges.map((e) => {
    const t = e.cellId;
    const nb = t === null ? undefined : touching.get(t);
    const m = counts.get(f(e.a));
    if (t === null || !nb || !m) return t;
    let best = t;
    let bc = m.get(t) ?? 0;
    for (const l of [...nb].sort((p, q) => p - q)) {
      const k = m.get(l) ?? 0;
      if (k > bc) [best, bc] = [l, k];
    }
    return best;
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
    const grid = edgePointGrid(g, G, () => true);
    const rb = Math.ceil(gapUm / L.pxUm);
    for (const n of g.nodes) {
      if (n.kind !== "tip") continue;
      let best = gapUm;
      let hit: [number, number] | null = null;
      const gx = Math.floor(n.xUm / G);
      const gy = Math.floor(n.yUm / G);
      for (let j = gy - 1; j <= gy + 1; j++)
        for (let q = gx - 1; q <= gx + 1; q++)
          for (const p of grid.get(gridKey(q, j)) ?? []) {
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
