/**
 * Fiber tracing: the ridge centre-line mask (thinned, staircase corners removed) becomes a graph.
 * Nodes are tips (one neighbour), junctions (three or more) and migrasomes (fibers ending at a
 * migrasome's rim are joined to its centre, through the rim point their own line runs to); edges are polylines in µm with sub-pixel vertices.
 * Short spurs, short pieces hanging off a migrasome (rim spokes) and small isolated components are
 * pruned. Full-image scans are done once; later passes visit only the mask's pixels.
 */
import { insertionSortAsc } from "./filters.ts";
import { hypot } from "./hypot.ts";
import type { DrawnLines } from "./lines.ts";
import { neighbourTable, setPixels, thinRemoveCornersList } from "./mask.ts";

export interface FiberNode {
  id: number;
  xUm: number;
  yUm: number;
  kind: "tip" | "junction" | "migrasome" | "cell" | "border";
  /** index of the migrasome for kind "migrasome" */
  migrasome?: number;
  degree: number;
}

export interface FiberEdge {
  id: number;
  a: number;
  b: number;
  points: [number, number][];
  lengthUm: number;
  cellId: number | null;
}

export interface FiberGraph {
  nodes: FiberNode[];
  edges: FiberEdge[];
  totalLengthUm: number;
}

export interface TraceOptions {
  /** migrasome centres (px) and radii (px) */
  migrasomes: { x: number; y: number; r: number }[];
  /** cell labels (0 = background) */
  cellLabels?: Int32Array;
  /** ridge pixels near cells (excluded) */
  exclude?: Uint8Array;
  /** tip edges ending at a junction are spurs below this length, µm (default 2) */
  minSpurUm?: number;
  /** components that touch no migrasome are dropped below this total length, µm (default 6) */
  minComponentUm?: number;
  /** fibers ending within this distance (µm) outside a migrasome's cleared disc (radius + clearUm) join it */
  captureUm?: number;
  /** the ridge mask is cleared out to this far outside a migrasome's rim (µm; default 0.5): its rim is a ridge too */
  clearUm?: number;
  /** a short free piece joined to a migrasome (a rim spoke, not a fiber) is dropped below this length, µm */
  migrasomeSpurUm?: number;
  /**
   * a fiber ending at a cell's exclusion margin is continued straight on to the cell body when it
   * meets the body within this distance (µm; default 1.5; 0 = off): the fiber runs on to the cell, the margin is only where nothing is detected
   */
  cellJoinUm?: number;
  /** the line filter's response (noise units) on mask pixels: strongly evidenced short pieces are kept */
  lineZ?: Float32Array;
  /** spurs and components whose line response (per edge the median over its pixels; per component their length-weighted mean) is at least this (noise units; default 4) are kept down to `strongSpurUm` (1) and `strongComponentUm` (3) */
  strongZ?: number;
  strongSpurUm?: number;
  strongComponentUm?: number;
  /** captured tips are joined to the centre through the rim point their fiber runs to (default true; false: straight to the centre) */
  rimJoin?: boolean;
  /** the direction a captured tip's fiber runs in: its chord over this much of its end, µm (default 1) */
  rimJoinSpanUm?: number;
  /** … and the rim join only when that direction lies within this of the centre's, degrees (default 70) */
  rimJoinMaxDeg?: number;
  /** the rule before this session: of a short component joined to a migrasome only the join edges are kept (for comparison) */
  migrasomeEdgesOnly?: boolean;
  /**
   * the mask (with its offsets and `lineZ`) lies on the image's pixels split `scale` × `scale` (the line filter's
   * `traceGridUm`; default 1): it is (w·scale) × (h·scale); w, h, pxUm, the migrasomes, `cellLabels` and `exclude` are the image's
   */
  scale?: number;
}

const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

export function polyLength(p: [number, number][]): number {
  let L = 0;
  for (let i = 1; i < p.length; i++) L += hypot(p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]);
  return L;
}

/**
 * Where a polyline ends and the direction it runs there: at its first point (`atStart`) or its last, the unit vector
 * from the first vertex at least `spanUm` back from that end (or the far end) to the end, and that chord's length.
 */
export function endDirection(points: [number, number][], atStart: boolean, spanUm: number): { end: [number, number]; tx: number; ty: number; chordUm: number } {
  const n = points.length;
  // vertex j counted from the far end towards this end: points[atStart ? n − 1 − j : j] (inline: no closure per call)
  const end = points[atStart ? 0 : n - 1];
  let k = n - 1;
  while (k > 0) {
    const p = points[atStart ? n - 1 - k : k];
    if (!(hypot(end[0] - p[0], end[1] - p[1]) < spanUm)) break;
    k--;
  }
  const q = points[atStart ? n - 1 - k : k];
  const L = hypot(end[0] - q[0], end[1] - q[1]);
  return { end, tx: (end[0] - q[0]) / L, ty: (end[1] - q[1]) / L, chordUm: L };
}

/**
 * The graph renumbered: the nodes that `keep` accepts, in order, with ids 0…, the edges (every one must join kept
 * nodes) with ids 0… and their ends remapped, and each node's degree counted afresh. The edges are new objects with
 * the six `FiberEdge` fields (other properties are not copied).
 */
export function compactGraph(nodes: FiberNode[], edges: FiberEdge[], keep: (n: FiberNode) => boolean): { nodes: FiberNode[]; edges: FiberEdge[] } {
  const remap = new Map<number, number>();
  const outNodes: FiberNode[] = [];
  for (const n of nodes)
    if (keep(n)) {
      remap.set(n.id, outNodes.length);
      outNodes.push({ ...n, id: outNodes.length, degree: 0 });
    }
  // each edge copied field by field in the order every edge is made in (id, a, b, points, lengthUm, cellId): the
  // same object as a spread of it, without the spread's generic copy
  // (the degrees counted in a typed array and each node's written once: incrementing them on the node objects, whose
  // shapes differ, was three quarters of this function's time)
  const outEdges: FiberEdge[] = [];
  const degree = new Int32Array(outNodes.length);
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    const a = remap.get(e.a) as number;
    const b = remap.get(e.b) as number;
    outEdges.push({ id: i, a, b, points: e.points, lengthUm: e.lengthUm, cellId: e.cellId });
    degree[a]++;
    degree[b]++;
  }
  for (let i = 0; i < outNodes.length; i++) outNodes[i].degree = degree[i];
  return { nodes: outNodes, edges: outEdges };
}

/**
 * Small cycles that thinning leaves where a bright fiber's mask is two pixels wide or two lines touch: both sides
 * of the cycle follow the same fiber, so its length was counted twice. Of two or more edges between the same two
 * nodes, when the shortest is below `maxEdgeUm`, the others up to 2 × `maxEdgeUm` are dropped; of a triangle of
 * edges each below `maxEdgeUm`, the longest. Cycles at a migrasome node are left alone (joins to its centre).
 */
export function dropSmallCycles(g: FiberGraph, maxEdgeUm = 1.5): FiberGraph {
  const drop = new Set<number>();
  const mig = (n: number) => g.nodes[n].kind === "migrasome";
  for (let round = 0; round < 3; round++) {
    const before = drop.size;
    const live = g.edges.filter((e) => !drop.has(e.id) && e.a !== e.b && !mig(e.a) && !mig(e.b));
    // the pair's key a number (lower id · node count + higher id; ids index the nodes): the same groups, in the same
    // order, as keys "lower,higher" without a string per edge
    const byPair = new Map<number, FiberEdge[]>();
    const nn = g.nodes.length;
    for (const e of live) {
      const k = e.a < e.b ? e.a * nn + e.b : e.b * nn + e.a;
      const l = byPair.get(k);
      if (l) l.push(e);
      else byPair.set(k, [e]);
    }
    for (const l of byPair.values()) {
      if (l.length < 2) continue;
      l.sort((x, y) => x.lengthUm - y.lengthUm || x.id - y.id);
      if (l[0].lengthUm < maxEdgeUm) for (const e of l.slice(1)) if (e.lengthUm < 2 * maxEdgeUm) drop.add(e.id);
    }
    const short = live.filter((e) => !drop.has(e.id) && e.lengthUm < maxEdgeUm);
    const at = edgesAtNodes(short);
    for (const e of short) {
      if (drop.has(e.id)) continue;
      for (const f of at.get(e.b) ?? []) {
        if (f === e || drop.has(f.id) || drop.has(e.id)) continue;
        const c = f.a === e.b ? f.b : f.a;
        if (c === e.a) continue;
        const g3 = (at.get(c) ?? []).find((q) => q !== f && q !== e && !drop.has(q.id) && (q.a === e.a || q.b === e.a));
        if (!g3) continue;
        const tri = [e, f, g3].sort((x, y) => y.lengthUm - x.lengthUm || x.id - y.id);
        drop.add(tri[0].id);
      }
    }
    if (drop.size === before) break;
  }
  if (!drop.size) return g;
  const kept = g.edges.filter((e) => !drop.has(e.id));
  const { nodes, edges } = compactGraph(g.nodes, kept, () => true);
  for (const n of nodes) if (n.kind === "junction" && n.degree === 1) n.kind = "tip";
  return { nodes, edges, totalLengthUm: edges.reduce((a, e) => a + e.lengthUm, 0) };
}

/** The edges at each node (a loop is listed twice at its node). */
export function edgesAtNodes(edges: FiberEdge[]): Map<number, FiberEdge[]> {
  const at = new Map<number, FiberEdge[]>();
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i];
    // its a, then its b (no pair array per edge)
    const la = at.get(e.a);
    if (la) la.push(e);
    else at.set(e.a, [e]);
    const lb = at.get(e.b);
    if (lb) lb.push(e);
    else at.set(e.b, [e]);
  }
  return at;
}

/** cell size of RingLookup's grid, raster pixels */
const RING_CELL = 64;

/**
 * For rings (centre, squared radius; raster pixels) the index of the last one holding pixel (x, y) by
 * (x − cx)² + (y − cy)² ≤ r², or −1: the same as painting the rings in order on the raster and reading the pixel.
 * (A class, not a closure made per call: V8 compiled such closures afresh every frame.)
 */
class RingLookup {
  /** the rings touching each cell of G × G raster pixels (gw per row), in ring order */
  private readonly cells = new Map<number, number[]>();
  private readonly gw: number;

  constructor(
    private readonly rings: { x: number; y: number; rr2: number }[],
    W: number,
    H: number,
  ) {
    const gw = Math.ceil(W / RING_CELL);
    const gh = Math.ceil(H / RING_CELL);
    this.gw = gw;
    for (let k = 0; k < rings.length; k++) {
      const m = rings[k];
      const rr = Math.sqrt(m.rr2) + 1;
      const x0 = Math.max(0, Math.floor((m.x - rr) / RING_CELL));
      const x1 = Math.min(gw - 1, Math.floor((m.x + rr) / RING_CELL));
      const y0 = Math.max(0, Math.floor((m.y - rr) / RING_CELL));
      const y1 = Math.min(gh - 1, Math.floor((m.y + rr) / RING_CELL));
      for (let gy = y0; gy <= y1; gy++)
        for (let gx = x0; gx <= x1; gx++) {
          const l = this.cells.get(gy * gw + gx);
          if (l) l.push(k);
          else this.cells.set(gy * gw + gx, [k]);
        }
    }
  }

  at(x: number, y: number): number {
    const l = this.cells.get(Math.floor(y / RING_CELL) * this.gw + Math.floor(x / RING_CELL));
    if (!l) return -1;
    const rings = this.rings;
    for (let j = l.length - 1; j >= 0; j--) {
      const m = rings[l[j]];
      if ((x - m.x) ** 2 + (y - m.y) ** 2 <= m.rr2) return l[j];
    }
    return -1;
  }
}
/**
 * The element of rank n >> 1 of the line responses of the n pixels `pix` (through the list slots `slot` − 1, or the
 * pixels themselves when null), as sorting them as a Float64Array gives (−0 before +0, NaN last), with buf (≥ n) as
 * scratch: short lists by an insertion sort in place (no subarray and runtime sort per edge), falling back to the
 * typed sort when a NaN or a zero is among them or the list is long.
 */
function medianZ(buf: Float64Array, lineZ: Float32Array, pix: Int32Array, slot: Int32Array | null, n: number): number {
  let odd = false;
  for (let j = 0; j < n; j++) {
    const z = lineZ[slot ? slot[pix[j]] - 1 : pix[j]];
    if (!(z !== 0 && z === z)) odd = true;
    buf[j] = z;
  }
  if (odd || n > 48) {
    const v = buf.subarray(0, n);
    v.sort();
    return v[n >> 1];
  }
  // no zeros and no NaN: < is the typed sort's order, and equal values are the same bits
  insertionSortAsc(buf, n);
  return buf[n >> 1];
}

/**
 * Clears (keep[q] = 0) the listed pixels src[q] (raster indices, ascending; rowStart: each raster row's first list
 * index) at (x, y) with (x − cx)² + (y − cy)² ≤ r2 in the box of the radius r whose square is r2: the pixels that
 * clearing the disc on the raster clears.
 */
function clearDiscList(src: Int32Array, rowStart: Int32Array, keep: Uint8Array, W: number, H: number, cx: number, cy: number, r: number, r2: number): void {
  const x0 = Math.max(0, Math.floor(cx - r));
  const x1 = Math.min(W - 1, Math.ceil(cx + r));
  for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(H - 1, Math.ceil(cy + r)); y++) {
    // the row's first listed pixel at x ≥ x0 (binary search), then along the row up to x1
    let lo = rowStart[y];
    let hi = rowStart[y + 1];
    const t0 = y * W + x0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (src[mid] < t0) lo = mid + 1;
      else hi = mid;
    }
    const end = rowStart[y + 1];
    for (let q = lo; q < end; q++) {
      const x = src[q] - y * W;
      if (x > x1) break;
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r2) keep[q] = 0;
    }
  }
}

/**
 * The fiber graph of a centre-line mask: `ridgeMask` with offsets `ox`, `oy` (and `opts.lineZ`) as rasters, or the
 * drawn lines as a pixel list (`DrawnLines`, from `RidgeMap.lines`; `ox`, `oy` and `opts.lineZ` are then not read).
 */
export function traceFibers(
  ridgeMask: Uint8Array | DrawnLines,
  ox: Float32Array | null,
  oy: Float32Array | null,
  w: number,
  h: number,
  pxUm: number,
  opts: TraceOptions,
): FiberGraph {
  const R = traceRaster(ridgeMask, ox, oy, w, h, pxUm, opts);
  const { nodes, rawNodes, nodeOf } = traceNodes(R);
  const { edges, edgeZ, edgeAt } = traceEdges(R, nodes, rawNodes, nodeOf);
  joinMigrasomeNodes(R, nodes, edges, edgeAt, pxUm, opts);
  tagEnds(nodes, w, h, pxUm, opts);
  const { outNodes, outEdges } = pruneTraced(nodes, edges, edgeZ, opts);
  joinCells(outNodes, outEdges, w, h, pxUm, opts);
  cellIds(outNodes, outEdges, w, h, pxUm, opts);
  return { nodes: outNodes, edges: outEdges, totalLengthUm: outEdges.reduce((s, e) => s + e.lengthUm, 0) };
}

// The tracer's steps, each a function of its own (traceFibers runs once per frame: as one large function V8 compiled
// it again and again, on-stack, a second or more of compile time on the first frames, and ran it partly unoptimised)

/** the line pixels on the tracing raster (W × H pixels of pu µm), thinned, with their neighbour table */
interface TraceRaster {
  W: number;
  H: number;
  pu: number;
  /** the kept pixels' raster indices and slots (offsets and line responses: OX[slot], OY[slot], LZ[slot]) */
  LI: Int32Array;
  SL: Int32Array;
  OX: Float32Array;
  OY: Float32Array;
  LZ: Float32Array | undefined;
  n: number;
  /** NB[8q + k]: neighbour k (DX[k], DY[k]) of pixel q, or the sentinel n (never set) */
  NB: Int32Array;
  /** the mask on the list (and 0 at the sentinel) */
  mask: Uint8Array;
  /** the pixels left after thinning, ascending (list indices) */
  pixels: Int32Array;
  migrasomeAt: RingLookup;
}

function traceRaster(ridgeMask: Uint8Array | DrawnLines, ox: Float32Array | null, oy: Float32Array | null, w: number, h: number, pxUm: number, opts: TraceOptions): TraceRaster {
  // the mask's raster: the image's pixels split sc × sc (W × H pixels of pu µm)
  const sc = opts.scale ?? 1;
  const W = w * sc;
  const H = h * sc;
  const pu = pxUm / sc;
  const drawn = ridgeMask instanceof Uint8Array ? null : ridgeMask;
  // The line pixels as a list (raster indices, ascending), never as a raster: drawn lines are one already, a mask is
  // listed once. Pixel q's offsets and line response are OX[slot], OY[slot], LZ[slot] with slot its index in the
  // drawn list, or its raster index for a mask. Thinning, corner removal and the walks below read each pixel's
  // 8-neighbours from a table made by one pass over the list (`neighbourTable`): the same neighbourhoods as the
  // raster (a 4096² raster at 0.16 µm pixels, of which ~1.5 % is set: every pass over it streamed most of its cache
  // lines, and a list-slot raster of 64 MB besides).
  let src: Int32Array;
  let OX: Float32Array;
  let OY: Float32Array;
  let LZ: Float32Array | undefined;
  if (drawn) {
    src = drawn.pixels;
    OX = drawn.ox;
    OY = drawn.oy;
    LZ = drawn.z;
  } else {
    src = Int32Array.from(setPixels(ridgeMask as Uint8Array));
    OX = ox as Float32Array;
    OY = oy as Float32Array;
    LZ = opts.lineZ;
  }
  const ns = src.length;
  // each row's first list index (rows of the raster)
  const rowStart = new Int32Array(H + 1);
  {
    let q = 0;
    for (let y = 0; y <= H; y++) {
      const lim = y * W;
      while (q < ns && src[q] < lim) q++;
      rowStart[y] = q;
    }
  }
  const keep = new Uint8Array(ns).fill(1);
  // clear migrasome discs (their rims are ridges too) and excluded areas
  // the migrasomes' cleared discs and capture rings on the raster; which ring holds a pixel is looked up only where
  // a node lies (`migrasomeAt`, the last migrasome whose ring holds it, as painting the rings in order would give)
  const rings: { x: number; y: number; rr2: number }[] = [];
  opts.migrasomes.forEach((m0) => {
    // centre and radius in raster pixels (image pixel x spans raster pixels x·sc … x·sc + sc − 1)
    const m = sc === 1 ? m0 : { x: (m0.x + 0.5) * sc - 0.5, y: (m0.y + 0.5) * sc - 0.5, r: m0.r * sc };
    const r = m.r + (opts.clearUm ?? 0.5) / pu;
    const r2 = r * r;
    const rr = r + (opts.captureUm ?? 0.5) / pu; // fibers ending within this ring join the migrasome
    rings.push({ x: m.x, y: m.y, rr2: rr * rr });
    clearDiscList(src, rowStart, keep, W, H, m.x, m.y, r, r2);
  });
  const migrasomeAt = new RingLookup(rings, W, H);
  // the pixels kept: outside the discs and the excluded areas, and off the raster's border (thinning clears it)
  const ex = opts.exclude;
  const LI = new Int32Array(ns);
  const SL = new Int32Array(ns);
  const n = keptPixels(src, ns, keep, ex, sc, w, W, H, !!drawn, LI, SL);
  // NB[8q + k]: neighbour k (DX[k], DY[k]) of pixel q, or the sentinel n (never set)
  const NB = neighbourTable(LI, n, W);
  // the mask on the list (and 0 at the sentinel)
  const mask = new Uint8Array(n + 1);
  mask.fill(1, 0, n);
  thinRemoveCornersList(NB, n, mask);
  // the pixels left, ascending (list indices)
  let np = 0;
  for (let q = 0; q < n; q++) np += mask[q];
  const pixels = new Int32Array(np);
  np = 0;
  for (let q = 0; q < n; q++) if (mask[q]) pixels[np++] = q;
  return { W, H, pu, LI, SL, OX, OY, LZ, n, NB, mask, pixels, migrasomeAt };
}

/** set neighbours of a set pixel */
function setNeighbours(mask: Uint8Array, NB: Int32Array, q: number): number {
  const b = 8 * q;
  return mask[NB[b]] + mask[NB[b + 1]] + mask[NB[b + 2]] + mask[NB[b + 3]] + mask[NB[b + 4]] + mask[NB[b + 5]] + mask[NB[b + 6]] + mask[NB[b + 7]];
}

/** the position (µm) of list pixel q: its raster pixel's centre moved by its offsets */
function pixelPos(R: TraceRaster, q: number): [number, number] {
  const W = R.W;
  const i = R.LI[q];
  const x = i % W;
  const y = (i - x) / W;
  const k = R.SL[q];
  return [(x + 0.5 + R.OX[k]) * R.pu, (y + 0.5 + R.OY[k]) * R.pu];
}

/** node pixels (degree ≠ 2; junction pixels clustered) and the nodes they make */
function traceNodes(R: TraceRaster): { nodes: FiberNode[]; rawNodes: number[][]; nodeOf: Int32Array } {
  const { n, NB, mask, pixels } = R;
  // node pixels: degree ≠ 2
  // the mark of pixel q: node id + 1 (0: not a node pixel; −1: walked)
  const nodeOf = new Int32Array(n + 1);
  const nodes: FiberNode[] = [];
  const rawNodes: number[][] = [];
  for (let t = 0; t < pixels.length; t++) {
    const i = pixels[t];
    if (nodeOf[i] > 0) continue;
    const d = setNeighbours(mask, NB, i);
    if (d === 2) continue;
    // junction pixels cluster together
    const cluster = [i];
    nodeOf[i] = nodes.length + 1;
    if (d > 2)
      for (let c = 0; c < cluster.length; c++) {
        const b = 8 * cluster[c];
        for (let k = 0; k < 8; k++) {
          const m = NB[b + k];
          if (mask[m] && nodeOf[m] === 0 && setNeighbours(mask, NB, m) > 2) {
            nodeOf[m] = nodes.length + 1;
            cluster.push(m);
          }
        }
      }
    let sx = 0;
    let sy = 0;
    for (const j of cluster) {
      const p = pixelPos(R, j);
      sx += p[0];
      sy += p[1];
    }
    rawNodes.push(cluster);
    nodes.push({ id: nodes.length, xUm: sx / cluster.length, yUm: sy / cluster.length, kind: d > 2 ? "junction" : "tip", degree: 0 });
  }
  return { nodes, rawNodes, nodeOf };
}

/**
 * the edges between the nodes (walks along the pixels), closed loops without nodes, each edge's line response, and per
 * node of the pixel walk the last edge made at it (−1: none; a tip has one edge)
 */
function traceEdges(R: TraceRaster, nodes: FiberNode[], rawNodes: number[][], nodeOf: Int32Array): { edges: FiberEdge[]; edgeZ: Map<number, number>; edgeAt: Int32Array } {
  const { NB, mask, pixels } = R;
  const E = new EdgeWalker(R, nodes.length, nodeOf);
  for (let n = 0; n < rawNodes.length; n++) E.walkFrom(rawNodes[n], n);
  // closed loops without nodes
  for (let t = 0; t < pixels.length; t++) {
    const i = pixels[t];
    if (nodeOf[i] === 0) {
      const id = nodes.length;
      const p = pixelPos(R, i);
      nodes.push({ id, xUm: p[0], yUm: p[1], kind: "junction", degree: 0 });
      nodeOf[i] = id + 1;
      const bi = 8 * i;
      for (let k = 0; k < 8; k++) {
        const m = NB[bi + k];
        if (mask[m] && nodeOf[m] !== -1) {
          E.walk(i, m);
          E.addEdge(E.walkBuf, E.walkLen, id, id);
          break;
        }
      }
    }
  }
  return { edges: E.edges, edgeZ: E.edgeZ, edgeAt: E.edgeAt };
}

/**
 * traceEdges' walks and edges, as methods with their scratch in fields (not closures made per call: V8 kept the
 * optimised code of such closures only while they lived and compiled them afresh every frame).
 */
class EdgeWalker {
  readonly edges: FiberEdge[] = [];
  // a walk's pixels: walkBuf[0 … walkLen) (scratch of this call, no array per edge)
  walkBuf = new Int32Array(1024);
  walkLen = 0;
  /** the line response's slot of pixel q plus one (medianZ reads slot[q] − 1), or null without line responses */
  readonly slot1: Int32Array | null;
  // per-edge scratch (raster vertices, line responses), fully rewritten for each edge
  rxBuf = new Float64Array(256);
  ryBuf = new Float64Array(256);
  zBuf = new Float64Array(256);
  readonly edgeZ = new Map<number, number>();
  /** per node of the pixel walk the last edge made at it (−1: none) */
  readonly edgeAt: Int32Array;
  readonly pairBuf = new Int32Array(2);

  constructor(
    readonly R: TraceRaster,
    nodeCount: number,
    /** the mark of pixel q: node id + 1 (0: not a node pixel; −1: walked) */
    readonly nodeOf: Int32Array,
  ) {
    const { n, SL, LZ } = R;
    this.slot1 = LZ ? new Int32Array(n) : null;
    if (this.slot1) for (let q = 0; q < n; q++) this.slot1[q] = SL[q] + 1;
    this.edgeAt = new Int32Array(nodeCount).fill(-1);
  }

  /** walks from node pixel `start` over `first` to the next node pixel or a dead end (returned); its pixels in walkBuf */
  walk(start: number, first: number): number {
    const { NB, mask } = this.R;
    const nodeOf = this.nodeOf;
    let walkBuf = this.walkBuf;
    walkBuf[0] = start;
    walkBuf[1] = first;
    let walkLen = 2;
    let prev = start;
    let cur = first;
    const startMark = nodeOf[start];
    while (nodeOf[cur] === 0) {
      nodeOf[cur] = -1; // walked
      let next = -1;
      const b = 8 * cur;
      for (let k = 0; k < 8; k++) {
        const m = NB[b + k];
        if (!mask[m] || m === prev) continue;
        const mark = nodeOf[m];
        if (mark === -1) continue;
        if (walkLen > 2 && mark === startMark && mark > 0 && m !== start && walkLen < 3) continue;
        next = m;
        if (mark > 0) break;
      }
      if (next < 0) break;
      prev = cur;
      cur = next;
      if (walkLen === walkBuf.length) {
        const grown = new Int32Array(2 * walkLen);
        grown.set(walkBuf);
        walkBuf = this.walkBuf = grown;
      }
      walkBuf[walkLen++] = cur;
    }
    this.walkLen = walkLen;
    return cur;
  }

  /** an edge from node a to node b along the pixels pix[0 … n) (list indices) */
  addEdge(pix: Int32Array, n: number, a: number, b: number): void {
    const { W, pu, LI, SL, OX, OY, LZ: lineZ } = this.R;
    const { edges, edgeAt } = this;
    if (lineZ) {
      // the median, not the mean: a noise spur leaving a bright fiber starts on that fiber's flank, and its
      // first pixels' response is the fiber's, not its own
      if (this.zBuf.length < n) this.zBuf = new Float64Array(2 * n);
      this.edgeZ.set(edges.length, medianZ(this.zBuf, lineZ, pix, this.slot1, n));
    }
    if (this.rxBuf.length < n) {
      this.rxBuf = new Float64Array(2 * n);
      this.ryBuf = new Float64Array(2 * n);
    }
    const rx = this.rxBuf;
    const ry = this.ryBuf;
    for (let j = 0; j < n; j++) {
      const i = LI[pix[j]];
      const x = i % W;
      const y = (i - x) / W;
      const k = SL[pix[j]];
      rx[j] = (x + 0.5 + OX[k]) * pu;
      ry[j] = (y + 0.5 + OY[k]) * pu;
    }
    // smooth vertices (moving average over ±3 vertices, shrinking at the ends) to remove the pixel staircase
    const pts: [number, number][] = new Array(n);
    let L = 0;
    for (let i = 0; i < n; i++) {
      const k = Math.min(3, i, n - 1 - i);
      let px = rx[i];
      let py = ry[i];
      if (k > 0) {
        let sx = 0;
        let sy = 0;
        for (let j = i - k; j <= i + k; j++) {
          sx += rx[j];
          sy += ry[j];
        }
        px = sx / (2 * k + 1);
        py = sy / (2 * k + 1);
      }
      pts[i] = [px, py];
      if (i > 0) L += hypot(px - pts[i - 1][0], py - pts[i - 1][1]);
    }
    // (nodes of closed loops, added after the walks, lie beyond edgeAt)
    if (a < edgeAt.length) edgeAt[a] = edges.length;
    if (b < edgeAt.length) edgeAt[b] = edges.length;
    edges.push({ id: edges.length, a, b, points: pts, lengthUm: L, cellId: null });
  }

  /** the edges leaving node n (its pixels `cluster`): walks to the next node, or direct edges to adjacent node pixels */
  walkFrom(cluster: number[], n: number): void {
    const { NB, mask } = this.R;
    const nodeOf = this.nodeOf;
    for (const i of cluster) {
      const bi = 8 * i;
      for (let k = 0; k < 8; k++) {
        const m = NB[bi + k];
        if (!mask[m]) continue;
        const mark = nodeOf[m];
        if (mark === -1 || mark === n + 1) continue;
        if (mark > 0) {
          // adjacent node pixels: a direct short edge (once)
          if (mark > n + 1) {
            this.pairBuf[0] = i;
            this.pairBuf[1] = m;
            this.addEdge(this.pairBuf, 2, n, mark - 1);
          }
          continue;
        }
        const end = this.walk(i, m);
        const endMark = nodeOf[end];
        const b = endMark > 0 ? endMark - 1 : n;
        this.addEdge(this.walkBuf, this.walkLen, n, b);
      }
    }
  }
}

/**
 * The join of a captured tip at (x, y) to a migrasome (centre cx, cy, radius r; µm) whose fiber runs there along the
 * unit vector (tx, ty): on along its own line to where that line enters the rim (or, when it passes outside the rim,
 * to its closest approach), then to the centre. A fiber passing the migrasome off-centre or meeting its rim is
 * followed to the rim instead of being cut across to the centre; a fiber aimed at the centre gets the straight join.
 * The straight join when the fiber does not run towards the migrasome (within `maxDeg` of the centre's direction).
 */
export function rimJoinPath(x: number, y: number, tx: number, ty: number, cx: number, cy: number, r: number, maxDeg = 70): [number, number][] {
  const dx = cx - x;
  const dy = cy - y;
  const d = hypot(dx, dy);
  const straight: [number, number][] = [
    [x, y],
    [cx, cy],
  ];
  if (!(d > 0)) return straight;
  // along and across the fiber's line from the tip to the centre
  const s = dx * tx + dy * ty;
  if (!(s > d * Math.cos((maxDeg * Math.PI) / 180))) return straight;
  const off = Math.abs(dx * ty - dy * tx);
  const a = off < r ? s - Math.sqrt(r * r - off * off) : s;
  // the point is on the rim or beyond the tip's side: within 0.05 µm of the straight join, the straight join
  if (!(a > 0) || off < 0.05) return straight;
  return [[x, y], [x + a * tx, y + a * ty], [cx, cy]];
}

/** tips inside a migrasome's capture ring joined to a node at its centre (through the rim point their fiber runs to) */
function joinMigrasomeNodes(R: TraceRaster, nodes: FiberNode[], edges: FiberEdge[], edgeAt: Int32Array, pxUm: number, opts: TraceOptions): void {
  const { W, H, pu, migrasomeAt } = R;
  // the tips inside a migrasome's capture ring (in node order) and the migrasome of each
  const nn = nodes.length;
  const capMig = new Int32Array(nn).fill(-1);
  const captured: number[] = [];
  for (let t = 0; t < nn; t++) {
    const n = nodes[t];
    if (n.kind !== "tip") continue;
    const px = Math.min(W - 1, Math.max(0, Math.floor(n.xUm / pu)));
    const py = Math.min(H - 1, Math.max(0, Math.floor(n.yUm / pu)));
    const k = migrasomeAt.at(px, py);
    if (k < 0) continue;
    capMig[t] = k;
    captured.push(t);
  }
  if (!captured.length) return;
  // migrasome nodes: the captured tips are joined to them
  const migNode = new Map<number, number>();
  for (const t of captured) {
    const n = nodes[t];
    const k = capMig[t];
    let id = migNode.get(k);
    const m = opts.migrasomes[k];
    if (id === undefined) {
      id = nodes.length;
      nodes.push({ id, xUm: (m.x + 0.5) * pxUm, yUm: (m.y + 0.5) * pxUm, kind: "migrasome", migrasome: k, degree: 0 });
      migNode.set(k, id);
    }
    const c = nodes[id];
    let points: [number, number][] = [
      [n.xUm, n.yUm],
      [c.xUm, c.yUm],
    ];
    // the direction its fiber runs in: its edge's (a tip has one, from the pixel walk)
    const ei = opts.rimJoin === false || t >= edgeAt.length ? -1 : edgeAt[t];
    if (ei >= 0 && edges[ei].a !== edges[ei].b) {
      const e = edges[ei];
      const dir = endDirection(e.points, e.a === t, opts.rimJoinSpanUm ?? 1);
      if (dir.chordUm > 0.4) points = rimJoinPath(n.xUm, n.yUm, dir.tx, dir.ty, c.xUm, c.yUm, m.r * pxUm, opts.rimJoinMaxDeg ?? 70);
    }
    edges.push({ id: edges.length, a: t, b: id, points, lengthUm: points.length === 2 ? hypot(n.xUm - c.xUm, n.yUm - c.yUm) : polyLength(points), cellId: null });
    n.kind = "junction"; // a pass-through point now
  }
}

/** tips at the image border and near excluded (cell) areas */
function tagEnds(nodes: FiberNode[], w: number, h: number, pxUm: number, opts: TraceOptions): void {
  // cells and image borders
  for (const n of nodes) {
    if (n.kind !== "tip") continue;
    const px = Math.min(w - 1, Math.max(0, Math.floor(n.xUm / pxUm)));
    const py = Math.min(h - 1, Math.max(0, Math.floor(n.yUm / pxUm)));
    const border = 3;
    if (px < border || py < border || px >= w - border || py >= h - border) n.kind = "border";
    else if (opts.exclude) {
      // near an excluded (cell) area?
      const r = Math.ceil(1 / pxUm);
      if (anySetInBox(opts.exclude, w, Math.max(0, px - r), Math.min(w - 1, px + r), Math.max(0, py - r), Math.min(h - 1, py + r))) n.kind = "cell";
    }
  }
}

/** short spurs and small components pruned, the graph renumbered */
function pruneTraced(nodes: FiberNode[], edges: FiberEdge[], edgeZ: Map<number, number>, opts: TraceOptions): { outNodes: FiberNode[]; outEdges: FiberEdge[] } {
  // (loops and module functions rather than closures made per call, whose optimised code V8 compiled afresh every frame)
  // prune short spurs (tip–junction edges) and tiny components
  const minSpur = opts.minSpurUm ?? 2.0;
  // (counted in a typed array, each node's written once, as in compactGraph)
  const degree = new Int32Array(nodes.length);
  for (const e of edges) {
    degree[e.a]++;
    degree[e.b]++;
  }
  for (let i = 0; i < nodes.length; i++) nodes[i].degree = degree[i];
  const dropped = migrasomeSpurs(nodes, edges, opts.migrasomeSpurUm ?? 2.5);
  let kept: FiberEdge[] = [];
  for (const e of edges) if (!dropped.has(e.id) && !(e.a === e.b && e.lengthUm < 1.5)) kept.push(e); // tiny loops from thinning
  const strongZ = opts.strongZ ?? 4;
  const strongSpur = opts.strongSpurUm ?? 1;
  kept = pruneSpurs(nodes, kept, minSpur, edgeZ, strongZ, strongSpur);
  // components
  // (per node in typed arrays: the components' roots and the nodes are indices into `nodes`)
  const nn = nodes.length;
  const parent = new Int32Array(nn);
  for (let i = 0; i < nn; i++) parent[i] = i;
  for (const e of kept) parent[findRoot(parent, e.a)] = findRoot(parent, e.b);
  // each component's length and length-weighted line response (summed in the edges' order from 0)
  const compLen = new Float64Array(nn);
  const compZ = new Float64Array(nn);
  for (const e of kept) {
    const r = findRoot(parent, e.a);
    compLen[r] += e.lengthUm;
    compZ[r] += e.lengthUm * (edgeZ.get(e.id) ?? 0);
  }
  const strongComp = opts.strongComponentUm ?? 3;
  const minComp = opts.minComponentUm ?? 6;
  // a component joined to a migrasome is kept whole (before, only its join edges were: a fiber piece joined to an
  // otherwise bare migrasome was dropped below minComp and left its join behind as a spoke)
  const atMig = new Uint8Array(nn);
  if (!opts.migrasomeEdgesOnly) for (const e of kept) if (nodes[e.a].kind === "migrasome" || nodes[e.b].kind === "migrasome") atMig[findRoot(parent, e.a)] = 1;
  const inComps: FiberEdge[] = [];
  for (const e of kept) {
    const r = findRoot(parent, e.a);
    const L = compLen[r];
    const compOk = L >= minComp || (L >= strongComp && compZ[r] >= strongZ * L);
    if (compOk || atMig[findRoot(parent, e.a)] === 1 || nodes[e.a].kind === "migrasome" || nodes[e.b].kind === "migrasome") inComps.push(e);
  }
  kept = inComps;
  // renumber
  const used = new Uint8Array(nn);
  for (const e of kept) {
    used[e.a] = 1;
    used[e.b] = 1;
  }
  for (const n of nodes) if (n.kind === "migrasome") used[n.id] = 1;
  const { nodes: outNodes, edges: outEdges } = compactGraph(nodes, kept, (n) => used[n.id] === 1);
  for (const n of outNodes) if (n.kind === "junction" && n.degree <= 2) n.kind = n.degree === 1 ? "tip" : "junction";
  return { outNodes, outEdges };
}

/** the root of node i's component in the union–find forest `parent`, compressing the path walked */
function findRoot(parent: Int32Array, i: number): number {
  let r = i;
  while (parent[r] !== r) r = parent[r];
  while (parent[i] !== r) {
    const p = parent[i];
    parent[i] = r;
    i = p;
  }
  return r;
}

/** fibers ending at a cell's margin continued on to the cell body */
function joinCells(outNodes: FiberNode[], outEdges: FiberEdge[], w: number, h: number, pxUm: number, opts: TraceOptions): void {
  const cellJoin = opts.cellJoinUm ?? 1.5;
  if (opts.cellLabels && cellJoin > 0) {
    const labels = opts.cellLabels;
    const byNode = new Map<number, FiberEdge>();
    for (const e of outEdges) {
      if (outNodes[e.a].kind === "cell" && outNodes[e.a].degree === 1) byNode.set(e.a, e);
      if (outNodes[e.b].kind === "cell" && outNodes[e.b].degree === 1) byNode.set(e.b, e);
    }
    for (const [id, e] of byNode) {
      if (e.a === e.b) continue;
      // the direction of the last 0.5 µm
      const { end, tx, ty, chordUm } = endDirection(e.points, e.a === id, 0.5);
      if (!(chordUm > 0.2)) continue;
      const step = 0.5 * pxUm;
      let hit = -1;
      for (let d = step; d <= cellJoin && hit < 0; d += step) {
        const x = Math.floor((end[0] + d * tx) / pxUm);
        const y = Math.floor((end[1] + d * ty) / pxUm);
        if (x < 0 || y < 0 || x >= w || y >= h) break;
        if (labels[y * w + x]) hit = d;
      }
      if (hit < 0) continue;
      const q: [number, number] = [end[0] + hit * tx, end[1] + hit * ty];
      if (e.a === id) e.points.unshift(q);
      else e.points.push(q);
      e.lengthUm += hit;
      outNodes[id].xUm = q[0];
      outNodes[id].yUm = q[1];
    }
  }
}

/** cell ids: each component takes the cell it touches (or none) */
function cellIds(outNodes: FiberNode[], outEdges: FiberEdge[], w: number, h: number, pxUm: number, opts: TraceOptions): void {
  // cell ids: each component takes the cell it touches (or none)
  if (opts.cellLabels) {
    const labels = opts.cellLabels;
    const par = outNodes.map((_, i) => i);
    const f2 = (i: number): number => (par[i] === i ? i : (par[i] = f2(par[i])));
    for (const e of outEdges) par[f2(e.a)] = f2(e.b);
    const compCell = new Map<number, number>();
    const r = Math.ceil(1.5 / pxUm);
    for (const n of outNodes) {
      if (n.kind !== "cell") continue;
      const px = Math.floor(n.xUm / pxUm);
      const py = Math.floor(n.yUm / pxUm);
      // the first label in the box (row by row): the one the component takes unless it has one already
      const l = firstSetInBox(labels, w, Math.max(0, px - r), Math.min(w - 1, px + r), Math.max(0, py - r), Math.min(h - 1, py + r));
      if (l && !compCell.has(f2(n.id))) compCell.set(f2(n.id), l);
    }
    for (const e of outEdges) e.cellId = compCell.get(f2(e.a)) ?? null;
  }
}

/**
 * The pixels kept of the listed line pixels src[0 … ns): those with keep[q] set, outside the excluded area `ex` (image
 * pixels; the raster's are split sc × sc) and off the raster's border (W × H; thinning clears it); their raster
 * indices in LI and their slots (list index when `drawn`, else raster index) in SL. Returns their count.
 */
function keptPixels(src: Int32Array, ns: number, keep: Uint8Array, ex: Uint8Array | undefined, sc: number, w: number, W: number, H: number, drawn: boolean, LI: Int32Array, SL: Int32Array): number {
  let n = 0;
  for (let q = 0; q < ns; q++) {
    if (!keep[q]) continue;
    const i = src[q];
    const x = i % W;
    const y = (i - x) / W;
    if (ex && (sc === 1 ? ex[i] : ex[Math.floor(y / sc) * w + Math.floor(x / sc)])) continue;
    if (x === 0 || y === 0 || x === W - 1 || y === H - 1) continue;
    LI[n] = i;
    SL[n++] = drawn ? q : i;
  }
  return n;
}

/** The first non-zero m[y·w + x] for x0 ≤ x ≤ x1, y0 ≤ y ≤ y1 (row by row), or 0. */
function firstSetInBox(m: Int32Array, w: number, x0: number, x1: number, y0: number, y1: number): number {
  for (let y = y0; y <= y1; y++) {
    const o = y * w;
    for (let i = o + x0, e = o + x1; i <= e; i++) if (m[i]) return m[i];
  }
  return 0;
}

/**
 * Whether any of m[y·w + x] for x0 ≤ x ≤ x1, y0 ≤ y ≤ y1 is set (a small function of its own: inlined in the tracer's
 * one large function, called once per frame, this loop ran partly unoptimised).
 */
function anySetInBox(m: Uint8Array, w: number, x0: number, x1: number, y0: number, y1: number): boolean {
  for (let y = y0; y <= y1; y++) {
    const o = y * w;
    for (let i = o + x0, e = o + x1; i <= e; i++) if (m[i]) return true;
  }
  return false;
}

/**
 * Pieces that only hang off a migrasome: an edge from a node captured by a migrasome (a former tip,
 * now a pass-through of degree 2 joined to the migrasome's centre) either to a free tip, shorter than
 * `minUm` (a spoke from the migrasome's rim and halo: a fiber leaving a migrasome runs on for
 * micrometres), or back to another node captured by the same migrasome, shorter than a half turn
 * around it (an arc of the rim). Returns the ids of such pieces and of their join edges.
 */
function migrasomeSpurs(nodes: FiberNode[], edges: FiberEdge[], minUm: number): Set<number> {
  const byNode = edgesAtNodes(edges);
  const out = new Set<number>();
  for (const join of edges) {
    if (nodes[join.b].kind !== "migrasome") continue;
    const at = byNode.get(join.a) ?? [];
    if (at.length !== 2) continue;
    const piece = at[0] === join ? at[1] : at[0];
    const far = piece.a === join.a ? piece.b : piece.a;
    const farJoin = joinOf(byNode, nodes, far);
    const spoke = nodes[far].kind === "tip" && nodes[far].degree === 1 && piece.lengthUm < minUm;
    const arc = farJoin !== null && farJoin.b === join.b && piece.lengthUm < (Math.PI / 2) * (join.lengthUm + farJoin.lengthUm);
    if (spoke || arc) {
      out.add(piece.id);
      out.add(join.id);
      if (farJoin) out.add(farJoin.id);
    }
  }
  return out;
}

/** the join edge of a captured node n (degree 2, one edge to a migrasome), or null */
function joinOf(byNode: Map<number, FiberEdge[]>, nodes: FiberNode[], n: number): FiberEdge | null {
  const at = byNode.get(n) ?? [];
  if (at.length !== 2) return null;
  for (const e of at) if (e.a === n && nodes[e.b].kind === "migrasome") return e;
  return null;
}

/**
 * Prune short spurs: an edge from a free end (a tip, or a junction left with one edge by an earlier
 * round) to a node with three or more edges, shorter than `minUm`. Repeated (up to three rounds) so
 * that a spur traced as two short edges goes as a whole. Ends at cells, borders and migrasomes stay.
 */
function pruneSpurs(nodes: FiberNode[], edges: FiberEdge[], minUm: number, edgeZ: Map<number, number>, strongZ: number, strongSpurUm: number): FiberEdge[] {
  let kept = edges;
  const degree = new Int32Array(nodes.length);
  for (let round = 0; round < 3; round++) {
    degree.fill(0);
    for (const e of kept) {
      degree[e.a]++;
      degree[e.b]++;
    }
    const next: FiberEdge[] = [];
    for (const e of kept) {
      const spur = (freeEnd(nodes, degree, e.a, round) && degree[e.b] >= 3) || (freeEnd(nodes, degree, e.b, round) && degree[e.a] >= 3);
      // strongly evidenced spurs (line response ≥ strongZ) are kept down to strongSpurUm
      const strong = (edgeZ.get(e.id) ?? 0) >= strongZ && e.lengthUm >= strongSpurUm;
      if (!(spur && e.lengthUm < minUm && !strong)) next.push(e);
    }
    if (next.length === kept.length) break;
    kept = next;
  }
  return kept;
}

/** node n is a free end in spur round `round`: one edge, and a tip (or, after the first round, a junction left with one) */
function freeEnd(nodes: FiberNode[], degree: Int32Array, n: number, round: number): boolean {
  return degree[n] === 1 && (nodes[n].kind === "tip" || (round > 0 && nodes[n].kind === "junction"));
}
