/**
 * Fiber tracing: the ridge centre-line mask (thinned) becomes a graph. Nodes are tips
 * (one neighbour), junctions (three or more) and migrasomes (fibers ending at a migrasome's
 * rim are joined to its centre); edges are polylines in µm with sub-pixel vertices.
 */
import { thin } from "./ridges.ts";

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
  minSpurUm?: number;
  minComponentUm?: number;
}

const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, 1, 1, 1, 0, -1, -1, -1];

export function polyLength(p: [number, number][]): number {
  let L = 0;
  for (let i = 1; i < p.length; i++) L += Math.hypot(p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]);
  return L;
}

export function traceFibers(
  ridgeMask: Uint8Array,
  ox: Float32Array,
  oy: Float32Array,
  w: number,
  h: number,
  pxUm: number,
  opts: TraceOptions,
): FiberGraph {
  const mask = Uint8Array.from(ridgeMask);
  // clear migrasome discs (their rims are ridges too) and excluded areas
  const migLabel = new Int32Array(w * h).fill(-1);
  opts.migrasomes.forEach((m, k) => {
    const r = m.r + 0.5 / pxUm;
    const r2 = r * r;
    const rr = r + 0.5 / pxUm; // fibers ending within this ring join the migrasome
    for (let y = Math.max(0, Math.floor(m.y - rr)); y <= Math.min(h - 1, Math.ceil(m.y + rr)); y++)
      for (let x = Math.max(0, Math.floor(m.x - rr)); x <= Math.min(w - 1, Math.ceil(m.x + rr)); x++) {
        const d2 = (x - m.x) ** 2 + (y - m.y) ** 2;
        if (d2 <= r2) mask[y * w + x] = 0;
        if (d2 <= rr * rr) migLabel[y * w + x] = k;
      }
  });
  if (opts.exclude) for (let i = 0; i < mask.length; i++) if (opts.exclude[i]) mask[i] = 0;
  thin(mask, w, h);
  const nb = (i: number): number => {
    const x = i % w;
    const y = (i - x) / w;
    let c = 0;
    for (let k = 0; k < 8; k++) {
      const xx = x + DX[k];
      const yy = y + DY[k];
      if (xx >= 0 && yy >= 0 && xx < w && yy < h && mask[yy * w + xx]) c++;
    }
    return c;
  };
  const pos = (i: number): [number, number] => {
    const x = i % w;
    const y = (i - x) / w;
    return [(x + 0.5 + ox[i]) * pxUm, (y + 0.5 + oy[i]) * pxUm];
  };
  // node pixels: degree ≠ 2
  const nodeOf = new Int32Array(w * h).fill(-1);
  const nodes: FiberNode[] = [];
  const rawNodes: number[][] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || nodeOf[i] >= 0) continue;
    const d = nb(i);
    if (d === 2) continue;
    // junction pixels cluster together
    const cluster = [i];
    nodeOf[i] = nodes.length;
    if (d > 2)
      for (let q = 0; q < cluster.length; q++) {
        const j = cluster[q];
        const x = j % w;
        const y = (j - x) / w;
        for (let k = 0; k < 8; k++) {
          const xx = x + DX[k];
          const yy = y + DY[k];
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const m = yy * w + xx;
          if (mask[m] && nodeOf[m] < 0 && nb(m) > 2) {
            nodeOf[m] = nodes.length;
            cluster.push(m);
          }
        }
      }
    let sx = 0;
    let sy = 0;
    for (const j of cluster) {
      const p = pos(j);
      sx += p[0];
      sy += p[1];
    }
    rawNodes.push(cluster);
    nodes.push({ id: nodes.length, xUm: sx / cluster.length, yUm: sy / cluster.length, kind: d > 2 ? "junction" : "tip", degree: 0 });
  }
  const edges: FiberEdge[] = [];
  const visited = new Uint8Array(w * h);
  const walk = (start: number, first: number): { pts: number[]; end: number } => {
    const pts = [start, first];
    let prev = start;
    let cur = first;
    while (nodeOf[cur] < 0) {
      visited[cur] = 1;
      const x = cur % w;
      const y = (cur - x) / w;
      let next = -1;
      for (let k = 0; k < 8; k++) {
        const xx = x + DX[k];
        const yy = y + DY[k];
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const m = yy * w + xx;
        if (!mask[m] || m === prev || (visited[m] && nodeOf[m] < 0)) continue;
        if (pts.length > 2 && nodeOf[m] === nodeOf[start] && nodeOf[m] >= 0 && m !== start && pts.length < 3) continue;
        next = m;
        if (nodeOf[m] >= 0) break;
      }
      if (next < 0) break;
      prev = cur;
      cur = next;
      pts.push(cur);
    }
    return { pts, end: cur };
  };
  const addEdge = (pix: number[], a: number, b: number) => {
    const raw = pix.map(pos);
    // smooth vertices (moving average over ±3 vertices, shrinking at the ends) to remove the pixel staircase
    const pts: [number, number][] = raw.map((p, i) => {
      const k = Math.min(3, i, raw.length - 1 - i);
      if (k === 0) return p;
      let sx = 0;
      let sy = 0;
      for (let j = i - k; j <= i + k; j++) {
        sx += raw[j][0];
        sy += raw[j][1];
      }
      return [sx / (2 * k + 1), sy / (2 * k + 1)];
    });
    edges.push({ id: edges.length, a, b, points: pts, lengthUm: polyLength(pts), cellId: null });
  };
  rawNodes.forEach((cluster, n) => {
    for (const i of cluster) {
      const x = i % w;
      const y = (i - x) / w;
      for (let k = 0; k < 8; k++) {
        const xx = x + DX[k];
        const yy = y + DY[k];
        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
        const m = yy * w + xx;
        if (!mask[m] || visited[m] || nodeOf[m] === n) continue;
        if (nodeOf[m] >= 0) {
          // adjacent node pixels: a direct short edge (once)
          if (nodeOf[m] > n) addEdge([i, m], n, nodeOf[m]);
          continue;
        }
        const { pts, end } = walk(i, m);
        const b = nodeOf[end] >= 0 ? nodeOf[end] : n;
        addEdge(pts, n, b);
      }
    }
  });
  // closed loops without nodes
  for (let i = 0; i < mask.length; i++)
    if (mask[i] && !visited[i] && nodeOf[i] < 0) {
      const id = nodes.length;
      const p = pos(i);
      nodes.push({ id, xUm: p[0], yUm: p[1], kind: "junction", degree: 0 });
      nodeOf[i] = id;
      const x = i % w;
      const y = (i - x) / w;
      for (let k = 0; k < 8; k++) {
        const m = (y + DY[k]) * w + x + DX[k];
        if (m >= 0 && m < mask.length && mask[m] && !visited[m]) {
          const { pts } = walk(i, m);
          addEdge(pts, id, id);
          break;
        }
      }
    }
  // migrasome nodes: tips (and junction nodes) inside a migrasome's capture ring are joined to it
  const migNode = new Map<number, number>();
  for (const n of nodes) {
    const px = Math.min(w - 1, Math.max(0, Math.floor(n.xUm / pxUm)));
    const py = Math.min(h - 1, Math.max(0, Math.floor(n.yUm / pxUm)));
    const k = migLabel[py * w + px];
    if (k < 0 || n.kind !== "tip") continue;
    let id = migNode.get(k);
    if (id === undefined) {
      id = nodes.length;
      const m = opts.migrasomes[k];
      nodes.push({ id, xUm: (m.x + 0.5) * pxUm, yUm: (m.y + 0.5) * pxUm, kind: "migrasome", migrasome: k, degree: 0 });
      migNode.set(k, id);
    }
    edges.push({ id: edges.length, a: n.id, b: id, points: [[n.xUm, n.yUm], [nodes[id].xUm, nodes[id].yUm]], lengthUm: Math.hypot(n.xUm - nodes[id].xUm, n.yUm - nodes[id].yUm), cellId: null });
    n.kind = "junction"; // a pass-through point now
  }
  for (const [k, id] of migNode) void k, void id;
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
      let near = false;
      for (let y = Math.max(0, py - r); y <= Math.min(h - 1, py + r) && !near; y++)
        for (let x = Math.max(0, px - r); x <= Math.min(w - 1, px + r); x++)
          if (opts.exclude[y * w + x]) {
            near = true;
            break;
          }
      if (near) n.kind = "cell";
    }
  }
  // prune short spurs (tip–junction edges) and tiny components
  const minSpur = opts.minSpurUm ?? 1.0;
  const deg = () => {
    for (const n of nodes) n.degree = 0;
    for (const e of edges) {
      nodes[e.a].degree++;
      nodes[e.b].degree++;
    }
  };
  deg();
  let kept = edges.filter((e) => {
    if (e.a === e.b && e.lengthUm < 1.5) return false; // tiny loops from thinning
    const ta = nodes[e.a].kind === "tip" && nodes[e.a].degree === 1;
    const tb = nodes[e.b].kind === "tip" && nodes[e.b].degree === 1;
    const spur = (ta && nodes[e.b].degree >= 3) || (tb && nodes[e.a].degree >= 3);
    return !(spur && e.lengthUm < minSpur);
  });
  // components
  const parent = nodes.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  for (const e of kept) parent[find(e.a)] = find(e.b);
  const compLen = new Map<number, number>();
  for (const e of kept) compLen.set(find(e.a), (compLen.get(find(e.a)) ?? 0) + e.lengthUm);
  const minComp = opts.minComponentUm ?? 3;
  kept = kept.filter((e) => (compLen.get(find(e.a)) ?? 0) >= minComp || nodes[e.a].kind === "migrasome" || nodes[e.b].kind === "migrasome");
  // renumber
  const used = new Set<number>();
  for (const e of kept) {
    used.add(e.a);
    used.add(e.b);
  }
  for (const n of nodes) if (n.kind === "migrasome") used.add(n.id);
  const remap = new Map<number, number>();
  const outNodes: FiberNode[] = [];
  for (const n of nodes)
    if (used.has(n.id)) {
      remap.set(n.id, outNodes.length);
      outNodes.push({ ...n, id: outNodes.length, degree: 0 });
    }
  const outEdges = kept.map((e, i) => ({ ...e, id: i, a: remap.get(e.a) as number, b: remap.get(e.b) as number }));
  for (const e of outEdges) {
    outNodes[e.a].degree++;
    outNodes[e.b].degree++;
  }
  for (const n of outNodes) if (n.kind === "junction" && n.degree <= 2) n.kind = n.degree === 1 ? "tip" : "junction";
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
      for (let y = Math.max(0, py - r); y <= Math.min(h - 1, py + r); y++)
        for (let x = Math.max(0, px - r); x <= Math.min(w - 1, px + r); x++) {
          const l = labels[y * w + x];
          if (l && !compCell.has(f2(n.id))) compCell.set(f2(n.id), l);
        }
    }
    for (const e of outEdges) e.cellId = compCell.get(f2(e.a)) ?? null;
  }
  return { nodes: outNodes, edges: outEdges, totalLengthUm: outEdges.reduce((s, e) => s + e.lengthUm, 0) };
}
