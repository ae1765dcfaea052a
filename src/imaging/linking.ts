/**
 * Time-series linking: per pair of consecutive frames the stage drift is estimated (the displacement most pairs of
 * detections share), then detections are assigned frame to frame (Hungarian on squared drift-corrected distance,
 * within a gate), then gap closing joins track ends to later track starts within `maxGapFrames`. Gives each track its
 * formation time (first frame) and lifetime.
 *
 * The gate is tight because migrasomes are stationary (they tether the retraction fiber to the substrate, while the
 * fiber sways: Wu et al. 2017, Cell Res 27:1397): what moves between frames is the stage, which moves every object
 * alike. A loose gate lets a neighbour carry the track of a migrasome that has ended.
 */
import { hungarian } from "./hungarian.ts";

export interface FramePoint {
  frame: number;
  xUm: number;
  yUm: number;
  diameterUm: number;
}

export interface Track {
  id: number;
  /** indices into the input points, in frame order */
  points: number[];
  firstFrame: number;
  lastFrame: number;
  /** present in the first (last) frame: formation (end) not observed */
  censoredStart: boolean;
  censoredEnd: boolean;
}

export interface LinkOptions {
  /** largest step between consecutive frames after drift correction, µm (the gate is at least this) */
  maxLinkUm?: number;
  /** the gate also reaches this fraction of the earlier detection's diameter (a touching neighbour lies further) */
  maxLinkDiameterFraction?: number;
  /** largest stage drift between consecutive frames, µm; 0 = no drift correction */
  maxDriftUm?: number;
  /** frames a track may miss and still be joined */
  maxGapFrames?: number;
  /** gate of gap closing after drift correction, µm */
  maxGapLinkUm?: number;
}

export const DEFAULT_LINK_OPTIONS: Required<LinkOptions> = {
  maxLinkUm: 0.4,
  maxLinkDiameterFraction: 0.3,
  maxDriftUm: 3,
  maxGapFrames: 3,
  maxGapLinkUm: 0.5,
};

/** a drift estimate of one pair of frames: the displacement shared by most pairs of detections */
export interface FrameDrift {
  dxUm: number;
  dyUm: number;
  /** pairs of detections that support it (0: no estimate, drift taken as zero) */
  support: number;
}

/** vote resolution and the radius within which pairs support a displacement, µm */
const DRIFT_BIN_UM = 0.1;
const DRIFT_TOL_UM = 0.3;
/** fewer supporting pairs than this: no estimate (zero drift) */
const DRIFT_MIN_SUPPORT = 2;
/** points of a track that give its place (median) */
const REF_POINTS = 5;

/**
 * The displacement from frame a to frame b shared by most pairs of detections within `maxDriftUm`: a vote over
 * 0.1 µm bins, summed within 0.3 µm; the median of the supporting pairs' displacements. Ties go to the displacement
 * nearest zero. Fewer than 2 supporting pairs: zero drift.
 */
export function estimateDrift(a: { xUm: number; yUm: number }[], b: { xUm: number; yUm: number }[], maxDriftUm: number): FrameDrift {
  if (!(maxDriftUm > 0) || a.length === 0 || b.length === 0) return { dxUm: 0, dyUm: 0, support: 0 };
  const pairs = nearPairs(a, b, maxDriftUm);
  if (pairs.length / 2 < DRIFT_MIN_SUPPORT) return { dxUm: 0, dyUm: 0, support: 0 };
  const nb = Math.ceil(maxDriftUm / DRIFT_BIN_UM);
  const side = 2 * nb + 1;
  const votes = new Int32Array(side * side);
  const bin = (d: number) => Math.max(-nb, Math.min(nb, Math.round(d / DRIFT_BIN_UM))) + nb;
  for (let k = 0; k < pairs.length; k += 2) {
    const p = a[pairs[k]];
    const q = b[pairs[k + 1]];
    votes[bin(q.yUm - p.yUm) * side + bin(q.xUm - p.xUm)]++;
  }
  const r = Math.round(DRIFT_TOL_UM / DRIFT_BIN_UM);
  let best = -1;
  let bestX = nb;
  let bestY = nb;
  let bestD = Infinity;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      let s = 0;
      for (let v = Math.max(0, y - r); v <= Math.min(side - 1, y + r); v++)
        for (let u = Math.max(0, x - r); u <= Math.min(side - 1, x + r); u++) if ((u - x) ** 2 + (v - y) ** 2 <= r * r) s += votes[v * side + u];
      const d = (x - nb) ** 2 + (y - nb) ** 2;
      if (s > best || (s === best && d < bestD)) {
        best = s;
        bestX = x;
        bestY = y;
        bestD = d;
      }
    }
  const cx = (bestX - nb) * DRIFT_BIN_UM;
  const cy = (bestY - nb) * DRIFT_BIN_UM;
  const dx: number[] = [];
  const dy: number[] = [];
  for (let k = 0; k < pairs.length; k += 2) {
    const ddx = b[pairs[k + 1]].xUm - a[pairs[k]].xUm;
    const ddy = b[pairs[k + 1]].yUm - a[pairs[k]].yUm;
    if ((ddx - cx) ** 2 + (ddy - cy) ** 2 <= (DRIFT_TOL_UM + DRIFT_BIN_UM) ** 2) {
      dx.push(ddx);
      dy.push(ddy);
    }
  }
  if (dx.length < DRIFT_MIN_SUPPORT) return { dxUm: 0, dyUm: 0, support: 0 };
  return { dxUm: median(dx), dyUm: median(dy), support: dx.length };
}

function median(v: number[]): number {
  const s = [...v].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** all pairs (i of a, j of b) within `reach` (flat list i, j, i, j, …), from a grid of b */
function nearPairs(a: { xUm: number; yUm: number }[], b: { xUm: number; yUm: number }[], reach: number): number[] {
  const grid = new Map<number, number[]>();
  const key = (gx: number, gy: number) => gx * 1_000_003 + gy;
  b.forEach((q, j) => {
    const k = key(Math.floor(q.xUm / reach), Math.floor(q.yUm / reach));
    const cell = grid.get(k);
    if (cell) cell.push(j);
    else grid.set(k, [j]);
  });
  const out: number[] = [];
  a.forEach((p, i) => {
    const gx = Math.floor(p.xUm / reach);
    const gy = Math.floor(p.yUm / reach);
    for (let v = gy - 1; v <= gy + 1; v++)
      for (let u = gx - 1; u <= gx + 1; u++)
        for (const j of grid.get(key(u, v)) ?? []) {
          const q = b[j];
          if ((q.xUm - p.xUm) ** 2 + (q.yUm - p.yUm) ** 2 <= reach * reach) out.push(i, j);
        }
  });
  return out;
}

/**
 * Minimum-cost assignment over the allowed pairs only (`pairs`: i, j, cost): the Hungarian method on each connected
 * component of the allowed pairs, which gives the same matching as on the whole matrix with the other pairs
 * forbidden, at a fraction of the cost when detections are many. Pairs come back sorted by i.
 */
function gatedAssignment(nA: number, pairs: { i: number; j: number; cost: number }[]): [number, number][] {
  // union-find over a-nodes 0…nA−1 and b-nodes nA + j
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while ((parent.get(r) ?? r) !== r) r = parent.get(r) as number;
    let c = x;
    while (c !== r) {
      const n = parent.get(c) as number;
      parent.set(c, r);
      c = n;
    }
    return r;
  };
  for (const p of pairs) {
    const ra = find(p.i);
    const rb = find(nA + p.j);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const comps = new Map<number, { i: number; j: number; cost: number }[]>();
  for (const p of pairs) {
    const r = find(p.i);
    const c = comps.get(r);
    if (c) c.push(p);
    else comps.set(r, [p]);
  }
  const out: [number, number][] = [];
  for (const c of comps.values()) {
    const is = [...new Set(c.map((p) => p.i))].sort((x, y) => x - y);
    const js = [...new Set(c.map((p) => p.j))].sort((x, y) => x - y);
    const ii = new Map(is.map((v, k) => [v, k]));
    const jj = new Map(js.map((v, k) => [v, k]));
    const m = is.map(() => js.map(() => 1e9));
    for (const p of c) m[ii.get(p.i) as number][jj.get(p.j) as number] = p.cost;
    for (const [r, s] of hungarian(m)) out.push([is[r], js[s]]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

/**
 * The stage drift of every frame relative to frame 0 (accumulated over consecutive pairs, `estimateDrift`); `support`
 * is the number of pairs of detections behind the last step (0 for frame 0 and where no estimate could be made).
 */
export function frameDrifts(points: FramePoint[], nFrames: number, maxDriftUm = DEFAULT_LINK_OPTIONS.maxDriftUm): FrameDrift[] {
  const byFrame: FramePoint[][] = Array.from({ length: nFrames }, () => []);
  for (const p of points) byFrame[p.frame]?.push(p);
  const out: FrameDrift[] = [{ dxUm: 0, dyUm: 0, support: 0 }];
  for (let f = 1; f < nFrames; f++) {
    const d = estimateDrift(byFrame[f - 1], byFrame[f], maxDriftUm);
    out.push({ dxUm: out[f - 1].dxUm + d.dxUm, dyUm: out[f - 1].dyUm + d.dyUm, support: d.support });
  }
  return out.slice(0, Math.max(nFrames, 0));
}

export function linkTracks(points: FramePoint[], nFrames: number, opts: LinkOptions = {}): Track[] {
  const o = { ...DEFAULT_LINK_OPTIONS, ...opts };
  for (const [k, v] of Object.entries(o))
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`linkTracks: ${k} must be a finite number ≥ 0 (got ${v})`);
  const byFrame: number[][] = Array.from({ length: nFrames }, () => []);
  points.forEach((p, i) => byFrame[p.frame]?.push(i));
  // cumulative drift: position in frame f minus drift[f] is in frame 0's coordinates
  const drifts = frameDrifts(points, nFrames, o.maxDriftUm);
  const driftX = Float64Array.from(drifts, (d) => d.dxUm);
  const driftY = Float64Array.from(drifts, (d) => d.dyUm);
  const X = (i: number) => points[i].xUm - driftX[points[i].frame];
  const Y = (i: number) => points[i].yUm - driftY[points[i].frame];
  /** a track's place: the median drift-corrected position and diameter of its last (or first) ≤ 5 points, so that
   * one misplaced detection (a false one between touching migrasomes) does not move it */
  const place = (t: number[], fromEnd = true): FramePoint => {
    const pts = fromEnd ? t.slice(-REF_POINTS) : t.slice(0, REF_POINTS);
    return { frame: 0, xUm: median(pts.map(X)), yUm: median(pts.map(Y)), diameterUm: median(pts.map((i) => points[i].diameterUm)) };
  };
  const gateOf = (p: FramePoint) => Math.max(o.maxLinkUm, o.maxLinkDiameterFraction * p.diameterUm);
  const maxGate = Math.max(o.maxLinkUm, o.maxLinkDiameterFraction * points.reduce((m, p) => Math.max(m, p.diameterUm), 0));
  const trackOf = new Int32Array(points.length).fill(-1);
  const tracks: number[][] = [];
  for (const i of byFrame[0] ?? []) {
    trackOf[i] = tracks.length;
    tracks.push([i]);
  }
  for (let f = 1; f < nFrames; f++) {
    const prev = byFrame[f - 1].map((i) => place(tracks[trackOf[i]]));
    const cur = byFrame[f];
    const pairs: { i: number; j: number; cost: number }[] = [];
    const near = nearPairs(prev, cur.map((j) => ({ xUm: X(j), yUm: Y(j) })), maxGate || 1e-9);
    for (let k = 0; k < near.length; k += 2) {
      const a = prev[near[k]];
      const b = cur[near[k + 1]];
      const d2 = (a.xUm - X(b)) ** 2 + (a.yUm - Y(b)) ** 2;
      if (d2 <= gateOf(a) ** 2) pairs.push({ i: near[k], j: near[k + 1], cost: d2 });
    }
    const taken = new Set<number>();
    for (const [i, j] of gatedAssignment(prev.length, pairs)) {
      const t = trackOf[byFrame[f - 1][i]];
      trackOf[cur[j]] = t;
      tracks[t].push(cur[j]);
      taken.add(j);
    }
    cur.forEach((b, j) => {
      if (!taken.has(j)) {
        trackOf[b] = tracks.length;
        tracks.push([b]);
      }
    });
  }
  // gap closing: ends at frame f joined to starts at f+2..f+1+maxGap
  if (o.maxGapFrames > 0) {
    const first = (t: number[]) => points[t[0]].frame;
    const last = (t: number[]) => points[t[t.length - 1]].frame;
    const ends = tracks.map((_, k) => k).filter((k) => last(tracks[k]) < nFrames - 1);
    const starts = tracks.map((_, k) => k).filter((k) => first(tracks[k]) > 0);
    const pairs: { i: number; j: number; cost: number }[] = [];
    const endPts = ends.map((e) => place(tracks[e]));
    const startPts = starts.map((s) => place(tracks[s], false));
    const near = nearPairs(endPts, startPts, o.maxGapLinkUm || 1e-9);
    for (let k = 0; k < near.length; k += 2) {
      const e = ends[near[k]];
      const s = starts[near[k + 1]];
      const gap = first(tracks[s]) - last(tracks[e]);
      if (gap < 2 || gap > o.maxGapFrames + 1 || e === s) continue;
      const a = endPts[near[k]];
      const b = startPts[near[k + 1]];
      const d2 = (a.xUm - b.xUm) ** 2 + (a.yUm - b.yUm) ** 2;
      if (d2 <= o.maxGapLinkUm ** 2) pairs.push({ i: near[k], j: near[k + 1], cost: d2 + gap * 0.01 });
    }
    const merged = new Set<number>();
    const links = gatedAssignment(ends.length, pairs).map(([i, j]) => [ends[i], starts[j]] as [number, number]);
    // chain merges (a track can be both an end and a start)
    const next = new Map<number, number>(links);
    const hasPrev = new Set(links.map((p) => p[1]));
    for (const k of tracks.keys()) {
      if (hasPrev.has(k) || !next.has(k)) continue;
      let cur = k;
      while (next.has(cur)) {
        const n = next.get(cur) as number;
        for (const q of tracks[n]) tracks[k].push(q);
        merged.add(n);
        cur = n;
      }
    }
    for (let k = tracks.length - 1; k >= 0; k--) if (merged.has(k)) tracks.splice(k, 1);
  }
  tracks.sort((a, b) => points[a[0]].frame - points[b[0]].frame || points[a[0]].yUm - points[b[0]].yUm || points[a[0]].xUm - points[b[0]].xUm);
  return tracks.map((t, id) => {
    const firstFrame = points[t[0]].frame;
    const lastFrame = points[t[t.length - 1]].frame;
    return { id: id + 1, points: t, firstFrame, lastFrame, censoredStart: firstFrame === 0, censoredEnd: lastFrame === nFrames - 1 };
  });
}
