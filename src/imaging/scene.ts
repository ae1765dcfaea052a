/**
 * Scenes in µm (cells, retraction fibers, migrasomes, decoys) and a random scene generator
 * that does not depend on the simulation engine. Origin top-left, x right, y down.
 */
import type { Realism } from "./realism.ts";
import { Rng } from "../util/rng.ts";

export type Site = "tip" | "junction" | "along" | "none";

export interface SceneCell {
  id: number;
  x: number;
  y: number;
  rx: number;
  ry: number;
  angle: number;
  /** peak brightness relative to the mean migrasome peak */
  brightness: number;
}

export interface SceneFiber {
  id: number;
  cellId: number | null;
  /** vertices in µm */
  points: [number, number][];
  /** peak brightness of the fiber relative to the mean migrasome peak */
  brightness: number;
}

export interface SceneObject {
  id: number;
  x: number;
  y: number;
  diameterUm: number;
  /** peak brightness relative to the mean migrasome peak (migrasomes average 1) */
  brightness: number;
  kind: "migrasome" | "vesicle" | "dot";
  /** the site as seen in the scene: the number of fiber arms leaving the migrasome (`siteFromFibers`) */
  site: Site;
  /** where the generator placed it (tip of a fiber, a branch point, along a fiber); other fibers may pass through it */
  placedSite?: Site;
  cellId: number | null;
}

export interface Scene {
  widthUm: number;
  heightUm: number;
  cells: SceneCell[];
  fibers: SceneFiber[];
  /** migrasomes and decoys; only kind "migrasome" is ground truth */
  objects: SceneObject[];
  /** fiber crossings (information; decoys when no migrasome sits there) */
  crossings: [number, number][];
}

/** Imaging conditions for rendering a scene. */
export interface Optics {
  pixelSizeUm: number;
  /** PSF Gaussian σ (lateral) in µm */
  psfSigmaUm: number;
  /** membrane (ring) thickness in µm */
  ringThicknessUm: number;
  /** half-thickness of the optical section in µm */
  sectionHalfUm: number;
  /** SNR = mean migrasome peak above background / √(background + readNoise²) */
  snr: number;
  /** mean background, photons */
  backgroundPhotons: number;
  /** relative amplitude of smooth background unevenness (0 = flat) */
  unevenness: number;
  readNoise: number;
  /** camera offset, counts */
  offset: number;
  label: "tspan4" | "wga";
  /** departures from this model (realism.ts); none = the plain renderer */
  realism?: Realism;
}

export type SceneVariant = "tuning" | "scoring";

/** Ranges that differ between tuning and scoring scenes (PSF, ring, fibers, background). */
export const VARIANT_RANGES: Record<
  SceneVariant,
  {
    psf: [number, number];
    ring: [number, number];
    fiber: [number, number];
    bg: [number, number];
    uneven: [number, number];
    read: [number, number];
    /** dense clusters of touching/overlapping migrasomes: count per scene, members, centre distance / (r₁ + r₂) */
    clusters: [number, number];
    clusterSize: [number, number];
    clusterSpacing: [number, number];
    /** bundles of nearly parallel fibers: count per scene, fibers per bundle, spacing (µm) */
    bundles: [number, number];
    bundleFibers: [number, number];
    bundleSpacing: [number, number];
  }
> = {
  tuning: {
    psf: [0.09, 0.12], ring: [0.06, 0.12], fiber: [0.15, 0.4], bg: [30, 80], uneven: [0.1, 0.3], read: [1.5, 3],
    clusters: [2, 3], clusterSize: [2, 5], clusterSpacing: [0.55, 1.1], bundles: [1, 1], bundleFibers: [3, 5], bundleSpacing: [0.4, 1.2],
  },
  scoring: {
    psf: [0.1, 0.14], ring: [0.04, 0.16], fiber: [0.1, 0.5], bg: [15, 150], uneven: [0.2, 0.5], read: [1, 4],
    clusters: [1, 3], clusterSize: [2, 6], clusterSpacing: [0.45, 1.2], bundles: [1, 2], bundleFibers: [3, 6], bundleSpacing: [0.3, 1.5],
  },
};

export interface SceneOptions {
  widthUm?: number;
  heightUm?: number;
  variant?: SceneVariant;
  /** number of primary fibers */
  fibers?: number;
  /** include a cell body */
  cell?: boolean;
  /** dense clusters and fiber bundles (default true) */
  dense?: boolean;
}

function polylineLength(p: [number, number][]): number {
  let L = 0;
  for (let i = 1; i < p.length; i++) L += Math.hypot(p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]);
  return L;
}

/** Point at arc length s along a polyline, with the segment index. */
function pointAt(p: [number, number][], s: number): { x: number; y: number; seg: number; dir: number } {
  let acc = 0;
  for (let i = 1; i < p.length; i++) {
    const l = Math.hypot(p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]);
    if (acc + l >= s || i === p.length - 1) {
      const f = l > 0 ? Math.min(1, Math.max(0, (s - acc) / l)) : 0;
      return {
        x: p[i - 1][0] + f * (p[i][0] - p[i - 1][0]),
        y: p[i - 1][1] + f * (p[i][1] - p[i - 1][1]),
        seg: i - 1,
        dir: Math.atan2(p[i][1] - p[i - 1][1], p[i][0] - p[i - 1][0]),
      };
    }
    acc += l;
  }
  return { x: p[0][0], y: p[0][1], seg: 0, dir: 0 };
}

function segIntersect(
  a: [number, number],
  b: [number, number],
  c: [number, number],
  d: [number, number],
): [number, number] | null {
  const r0 = b[0] - a[0];
  const r1 = b[1] - a[1];
  const s0 = d[0] - c[0];
  const s1 = d[1] - c[1];
  const den = r0 * s1 - r1 * s0;
  if (Math.abs(den) < 1e-12) return null;
  const t = ((c[0] - a[0]) * s1 - (c[1] - a[1]) * s0) / den;
  const u = ((c[0] - a[0]) * r1 - (c[1] - a[1]) * r0) / den;
  if (t < 0 || t > 1 || u < 0 || u > 1) return null;
  return [a[0] + t * r0, a[1] + t * r1];
}

/** All crossing points between different fibers (not parent/child joints). */
export function fiberCrossings(fibers: SceneFiber[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < fibers.length; i++)
    for (let j = i + 1; j < fibers.length; j++) {
      const A = fibers[i].points;
      const B = fibers[j].points;
      for (let a = 1; a < A.length; a++)
        for (let b = 1; b < B.length; b++) {
          const p = segIntersect(A[a - 1], A[a], B[b - 1], B[b]);
          if (!p) continue;
          // ignore joints (a branch starts on its parent)
          const ends = [A[0], A[A.length - 1], B[0], B[B.length - 1]];
          if (ends.some((e) => Math.hypot(e[0] - p[0], e[1] - p[1]) < 0.3)) continue;
          out.push(p);
        }
    }
  return out;
}

/**
 * A random scene: a cell body with retraction fibers trailing behind it (branches give
 * junctions, overlaps give crossings), migrasomes at tips, junctions and along fibers,
 * plus decoys: sub-resolution dots, 0.3–0.5 µm vesicles and crossings without a vesicle.
 * Migrasome diameters are 0.6–3 µm (log-uniform).
 */
export function generateScene(seed: number, opts: SceneOptions = {}): Scene {
  const rng = new Rng(`scene:${seed}`);
  const W = opts.widthUm ?? 40;
  const H = opts.heightUm ?? 40;
  const v = VARIANT_RANGES[opts.variant ?? "scoring"];
  const cells: SceneCell[] = [];
  const fibers: SceneFiber[] = [];
  const objects: SceneObject[] = [];
  const withCell = opts.cell ?? true;
  // the cell sits near the right edge and migrates to the right; fibers trail to the left
  const cell: SceneCell = {
    id: 1,
    x: W * rng.range(0.78, 0.9),
    y: H * rng.range(0.35, 0.65),
    rx: rng.range(5, 8),
    ry: rng.range(7, 10),
    angle: rng.range(-0.3, 0.3),
    brightness: rng.range(0.4, 0.8),
  };
  if (withCell) cells.push(cell);
  const inside = (x: number, y: number, m = 0) => x > m && y > m && x < W - m && y < H - m;
  const fiberBrightness = () => rng.range(v.fiber[0], v.fiber[1]);
  const walk = (x: number, y: number, dir: number, len: number): [number, number][] => {
    const pts: [number, number][] = [[x, y]];
    const step = 1.0;
    let d = dir;
    for (let s = 0; s < len; s += step) {
      d += rng.normal() * 0.08;
      x += step * Math.cos(d);
      y += step * Math.sin(d);
      if (!inside(x, y, 1.5)) break;
      pts.push([x, y]);
    }
    return pts;
  };
  const nPrimary = opts.fibers ?? 6;
  let fid = 0;
  const primaries: SceneFiber[] = [];
  for (let k = 0; k < nPrimary; k++) {
    const a = Math.PI + rng.range(-0.9, 0.9);
    const sx = cell.x + cell.rx * Math.cos(a) * 0.95;
    const sy = cell.y + cell.ry * Math.sin(a) * 0.95;
    const pts = walk(sx, sy, a + rng.range(-0.35, 0.35), rng.range(12, 30));
    if (pts.length < 5) continue;
    const f: SceneFiber = { id: ++fid, cellId: withCell ? cell.id : null, points: pts, brightness: fiberBrightness() };
    fibers.push(f);
    primaries.push(f);
  }
  // branches: junctions
  const junctions: [number, number][] = [];
  for (const p of primaries) {
    const L = polylineLength(p.points);
    const nb = rng.int(3);
    for (let b = 0; b < nb; b++) {
      const at = pointAt(p.points, rng.range(0.3, 0.8) * L);
      const side = rng.chance(0.5) ? 1 : -1;
      const pts = walk(at.x, at.y, at.dir + side * rng.range(0.4, 1.0), rng.range(5, 12));
      if (pts.length < 4) continue;
      fibers.push({ id: ++fid, cellId: p.cellId, points: pts, brightness: p.brightness * rng.range(0.7, 1.1) });
      junctions.push([at.x, at.y]);
    }
  }
  // free fibers that cross others (from a neighbouring cell out of view)
  const nCross = 2 + rng.int(2);
  for (let k = 0; k < nCross; k++) {
    const x = rng.range(0.1, 0.6) * W;
    const y = rng.chance(0.5) ? 2 : H - 2;
    const pts = walk(x, y, (y < H / 2 ? 1 : -1) * (Math.PI / 2) + rng.range(-0.5, 0.5), H);
    if (pts.length < 5) continue;
    fibers.push({ id: ++fid, cellId: null, points: pts, brightness: fiberBrightness() });
  }
  // bundles of nearly parallel fibers behind the cell (neighbouring retraction fibers pulled together)
  const dense = opts.dense ?? true;
  const bundleFibers: SceneFiber[] = [];
  const nBundles = dense ? v.bundles[0] + rng.int(v.bundles[1] - v.bundles[0] + 1) : 0;
  for (let b = 0; b < nBundles; b++) {
    const a = Math.PI + rng.range(-0.7, 0.7);
    const sx = cell.x + cell.rx * Math.cos(a) * 0.95;
    const sy = cell.y + cell.ry * Math.sin(a) * 0.95;
    const base = walk(sx, sy, a + rng.range(-0.2, 0.2), rng.range(12, 26));
    if (base.length < 6) continue;
    const nf = v.bundleFibers[0] + rng.int(v.bundleFibers[1] - v.bundleFibers[0] + 1);
    const gap = rng.range(v.bundleSpacing[0], v.bundleSpacing[1]);
    const bright = fiberBrightness();
    for (let k = 0; k < nf; k++) {
      const off = (k - (nf - 1) / 2) * gap;
      // offset along the local normal, with a slow drift so that neighbours converge and part
      const drift = rng.range(-0.04, 0.04);
      const pts: [number, number][] = [];
      for (let i = 0; i < base.length; i++) {
        const j0 = Math.max(0, i - 1);
        const j1 = Math.min(base.length - 1, i + 1);
        const dx = base[j1][0] - base[j0][0];
        const dy = base[j1][1] - base[j0][1];
        const l = Math.hypot(dx, dy) || 1;
        const o = off * (1 + drift * i);
        const x = base[i][0] - (dy / l) * o;
        const y = base[i][1] + (dx / l) * o;
        if (!inside(x, y, 1.5)) break;
        pts.push([x, y]);
      }
      if (pts.length < 4) continue;
      const f: SceneFiber = { id: ++fid, cellId: withCell ? cell.id : null, points: pts, brightness: bright * rng.range(0.8, 1.2) };
      fibers.push(f);
      bundleFibers.push(f);
    }
  }
  const crossings = fiberCrossings(fibers);
  let oid = 0;
  const ok = (x: number, y: number, r: number) =>
    inside(x, y, r + 1) &&
    objects.every((o) => Math.hypot(o.x - x, o.y - y) > o.diameterUm / 2 + r + 1.0) &&
    (!withCell || Math.hypot((x - cell.x) / (cell.rx + r + 2), (y - cell.y) / (cell.ry + r + 2)) > 1);
  const migDiameter = () => Math.exp(rng.range(Math.log(0.6), Math.log(3.0)));
  const brightness = () => rng.range(0.7, 1.3);
  const addMig = (x: number, y: number, site: Site, cellId: number | null) => {
    const d = migDiameter();
    if (!ok(x, y, d / 2)) return;
    objects.push({ id: ++oid, x, y, diameterUm: d, brightness: brightness(), kind: "migrasome", site, cellId });
  };
  // tips (distal ends)
  for (const f of fibers) {
    const e = f.points[f.points.length - 1];
    if (rng.chance(0.55)) addMig(e[0], e[1], "tip", f.cellId);
  }
  for (const j of junctions) if (rng.chance(0.6)) addMig(j[0], j[1], "junction", withCell ? cell.id : null);
  // along fibers
  for (const f of fibers) {
    const L = polylineLength(f.points);
    const n = Math.floor(L / 12) + (rng.chance(0.5) ? 1 : 0);
    for (let k = 0; k < n; k++) {
      const at = pointAt(f.points, rng.range(0.15, 0.85) * L);
      addMig(at.x, at.y, "along", f.cellId);
    }
  }
  // dense clusters: touching and overlapping migrasomes at a junction, a tip or along a bundle
  const nClusters = dense ? v.clusters[0] + rng.int(v.clusters[1] - v.clusters[0] + 1) : 0;
  const seedSites: { x: number; y: number; site: Site }[] = [];
  for (const j of junctions) seedSites.push({ x: j[0], y: j[1], site: "junction" });
  for (const f of bundleFibers) {
    const at = pointAt(f.points, rng.range(0.3, 0.9) * polylineLength(f.points));
    seedSites.push({ x: at.x, y: at.y, site: "along" });
  }
  for (const f of fibers) {
    const e = f.points[f.points.length - 1];
    seedSites.push({ x: e[0], y: e[1], site: "tip" });
  }
  for (let c = 0; c < nClusters && seedSites.length; c++) {
    const s0 = seedSites.splice(rng.int(seedSites.length), 1)[0];
    const n = v.clusterSize[0] + rng.int(v.clusterSize[1] - v.clusterSize[0] + 1);
    const members: { x: number; y: number; r: number }[] = [];
    // a migrasome already at the site is the cluster's first member
    const host = objects.find((o) => o.kind === "migrasome" && Math.hypot(o.x - s0.x, o.y - s0.y) < 0.5);
    if (host) members.push({ x: host.x, y: host.y, r: host.diameterUm / 2 });
    const fresh = members.length;
    for (let tries = 0; members.length < n && tries < 8 * n; tries++) {
      const d = migDiameter();
      const r = d / 2;
      let x = s0.x;
      let y = s0.y;
      if (members.length) {
        // touch or overlap a random earlier member
        const m = members[rng.int(members.length)];
        const a = rng.range(0, 2 * Math.PI);
        const dist = (m.r + r) * rng.range(v.clusterSpacing[0], v.clusterSpacing[1]);
        x = m.x + dist * Math.cos(a);
        y = m.y + dist * Math.sin(a);
      }
      // keep members apart enough to be separate objects (centres ≥ 0.45·(r₁+r₂)), and away from others
      if (members.some((m) => Math.hypot(m.x - x, m.y - y) < 0.45 * (m.r + r))) continue;
      if (!inside(x, y, r + 1)) continue;
      if (objects.some((o) => o !== host && Math.hypot(o.x - x, o.y - y) < o.diameterUm / 2 + r + 0.5)) continue;
      if (withCell && Math.hypot((x - cell.x) / (cell.rx + r + 2), (y - cell.y) / (cell.ry + r + 2)) <= 1) continue;
      members.push({ x, y, r });
    }
    for (const m of members.slice(fresh))
      objects.push({ id: ++oid, x: m.x, y: m.y, diameterUm: 2 * m.r, brightness: brightness(), kind: "migrasome", site: s0.site, cellId: withCell ? cell.id : null });
  }
  // decoys on fibers and free: retractosome dots and small vesicles
  const decoy = (kind: "dot" | "vesicle", onFiber: boolean) => {
    let x: number;
    let y: number;
    if (onFiber && fibers.length) {
      const f = fibers[rng.int(fibers.length)];
      const at = pointAt(f.points, rng.range(0.05, 0.95) * polylineLength(f.points));
      x = at.x;
      y = at.y;
    } else {
      x = rng.range(2, W - 2);
      y = rng.range(2, H - 2);
    }
    const d = kind === "dot" ? rng.range(0.05, 0.25) : rng.range(0.3, 0.5);
    if (!ok(x, y, d / 2 + 0.3)) return;
    if (crossings.some((c) => Math.hypot(c[0] - x, c[1] - y) < 1)) return;
    objects.push({ id: ++oid, x, y, diameterUm: d, brightness: rng.range(0.5, 1.3), kind, site: "none", cellId: null });
  };
  const area = (W * H) / 1600;
  for (let k = 0; k < Math.round(8 * area); k++) decoy("dot", rng.chance(0.7));
  for (let k = 0; k < Math.round(5 * area); k++) decoy("vesicle", rng.chance(0.6));
  // the true site is what the fibers show, whatever the generator intended
  for (const o of objects)
    if (o.kind === "migrasome") {
      o.placedSite = o.site;
      o.site = siteFromFibers(fibers, o.x, o.y, o.diameterUm / 2);
    }
  return { widthUm: W, heightUm: H, cells, fibers, objects, crossings };
}

const BBOX = new WeakMap<object, [number, number, number, number]>();

/** Default geometry of `fiberArms`: see there. */
export const ARM_GEOMETRY = { throughFrac: 0.5, throughUm: 0.1, reachUm: 1.0, mergeDeg: 35 };

/**
 * Fiber arms leaving a migrasome (centre x, y, radius r, µm), from fiber centre lines: a fiber is the
 * migrasome's when it passes within throughFrac·r + throughUm of the centre (a fiber grazing the rim is
 * passing by); each direction in which such a fiber leaves and runs on to r + reachUm is an arm (a fiber
 * ending inside gives none, a fiber through gives two); arms closer than mergeDeg are one arm (they are not
 * resolved optically; a branch leaving its parent at a small angle). This is the ground-truth definition
 * of a site: 0 arms → none, 1 → tip, 2 → along, ≥ 3 → junction.
 */
export function fiberArms(fibers: { points: [number, number][] }[], x: number, y: number, r: number, g = ARM_GEOMETRY): number {
  return mergeArms(fiberArmList(fibers, x, y, r, g), g.mergeDeg).length;
}

/** One arm of `fiberArmList`: its direction (radians, from +x towards +y), the fiber it belongs to, and how far
 * that fiber runs on beyond the migrasome's rim in this direction (µm, along the fiber). */
export interface FiberArm {
  dirRad: number;
  fiber: number;
  runUm: number;
}

/** The arms of `fiberArms` before merging: each direction in which a fiber of the migrasome leaves it. */
export function fiberArmList(fibers: { points: [number, number][] }[], x: number, y: number, r: number, g = ARM_GEOMETRY): FiberArm[] {
  const arms: FiberArm[] = [];
  const touch = g.throughFrac * r + g.throughUm;
  const reach = r + g.reachUm;
  const step = 0.05;
  fibers.forEach((f, fi) => {
    const p = f.points;
    // quick reject by the fiber's bounding box
    let bb = BBOX.get(p);
    if (!bb) {
      bb = [Infinity, Infinity, -Infinity, -Infinity];
      for (const q of p) {
        bb[0] = Math.min(bb[0], q[0]);
        bb[1] = Math.min(bb[1], q[1]);
        bb[2] = Math.max(bb[2], q[0]);
        bb[3] = Math.max(bb[3], q[1]);
      }
      BBOX.set(p, bb);
    }
    if (x < bb[0] - reach || y < bb[1] - reach || x > bb[2] + reach || y > bb[3] + reach) return;
    const s: [number, number][] = [];
    for (let i = 1; i < p.length; i++) {
      const l = Math.hypot(p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]);
      const n = Math.max(1, Math.ceil(l / step));
      for (let k = 0; k < n; k++) s.push([p[i - 1][0] + (k / n) * (p[i][0] - p[i - 1][0]), p[i - 1][1] + (k / n) * (p[i][1] - p[i - 1][1])]);
    }
    s.push(p[p.length - 1]);
    const d = s.map((q) => Math.hypot(q[0] - x, q[1] - y));
    let i = 0;
    while (i < d.length) {
      if (d[i] > touch) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < d.length && d[j + 1] <= touch) j++;
      // follow the fiber out of the migrasome on both sides: an arm when it gets beyond r + reach
      for (const dir of [-1, 1]) {
        let k = dir < 0 ? i - 1 : j + 1;
        while (k >= 0 && k < d.length && d[k] > touch && d[k] < reach) k += dir;
        if (!(k >= 0 && k < d.length && d[k] >= reach)) continue;
        // its run beyond the rim: samples outside r until the fiber ends (or comes back under the migrasome)
        let run = 0;
        for (let q = dir < 0 ? i - 1 : j + 1; q >= 0 && q < d.length && !(d[q] <= touch); q += dir) if (d[q] > r) run += step;
        arms.push({ dirRad: Math.atan2(s[k][1] - y, s[k][0] - x), fiber: fi, runUm: run });
      }
      i = j + 1;
    }
  });
  return arms;
}

/** Arms closer than mergeDeg (degrees) grouped into one (around the circle); each group lists its arms. */
export function mergeArms(arms: FiberArm[], mergeDeg = ARM_GEOMETRY.mergeDeg): FiberArm[][] {
  if (arms.length < 2) return arms.map((a) => [a]);
  const A = [...arms].sort((a, b) => a.dirRad - b.dirRad);
  const m = (mergeDeg * Math.PI) / 180;
  const gap = (i: number) => (i + 1 < A.length ? A[i + 1].dirRad - A[i].dirRad : A[0].dirRad + 2 * Math.PI - A[A.length - 1].dirRad);
  // start after a gap ≥ m (if none, all arms are one group)
  let start = -1;
  for (let i = 0; i < A.length; i++) if (gap(i) >= m) start = (i + 1) % A.length;
  if (start < 0) return [A];
  const groups: FiberArm[][] = [];
  let cur: FiberArm[] = [];
  for (let n = 0; n < A.length; n++) {
    const i = (start + n) % A.length;
    cur.push(A[i]);
    if (gap(i) >= m) {
      groups.push(cur);
      cur = [];
    }
  }
  if (cur.length) groups.push(cur);
  return groups;
}

export function siteFromArms(arms: number): Site {
  return arms === 0 ? "none" : arms === 1 ? "tip" : arms === 2 ? "along" : "junction";
}

export function siteFromFibers(fibers: { points: [number, number][] }[], x: number, y: number, r: number): Site {
  return siteFromArms(fiberArms(fibers, x, y, r));
}

/** Random imaging conditions for a variant (PSF, ring thickness, background, read noise). */
export function randomOptics(seed: number, snr: number, variant: SceneVariant, pixelSizeUm = 0.1): Optics {
  const rng = new Rng(`optics:${seed}`);
  const v = VARIANT_RANGES[variant];
  return {
    pixelSizeUm,
    psfSigmaUm: rng.range(v.psf[0], v.psf[1]),
    ringThicknessUm: rng.range(v.ring[0], v.ring[1]),
    sectionHalfUm: rng.range(0.3, 0.45),
    snr,
    backgroundPhotons: rng.range(v.bg[0], v.bg[1]),
    unevenness: rng.range(v.uneven[0], v.uneven[1]),
    readNoise: rng.range(v.read[0], v.read[1]),
    offset: 100,
    label: rng.chance(0.7) ? "tspan4" : "wga",
  };
}

/** Total fiber length inside a rectangle and outside cell bodies (µm), sampled every 0.05 µm. */
export function sceneFiberLength(scene: Scene, x0 = 0, y0 = 0, x1 = scene.widthUm, y1 = scene.heightUm): number {
  let L = 0;
  const step = 0.05;
  for (const f of scene.fibers) {
    const p = f.points;
    for (let i = 1; i < p.length; i++) {
      const l = Math.hypot(p[i][0] - p[i - 1][0], p[i][1] - p[i - 1][1]);
      const n = Math.max(1, Math.ceil(l / step));
      for (let k = 0; k < n; k++) {
        const t = (k + 0.5) / n;
        const x = p[i - 1][0] + t * (p[i][0] - p[i - 1][0]);
        const y = p[i - 1][1] + t * (p[i][1] - p[i - 1][1]);
        if (x < x0 || y < y0 || x >= x1 || y >= y1) continue;
        if (scene.cells.some((c) => insideCell(c, x, y))) continue;
        L += l / n;
      }
    }
  }
  return L;
}

export function insideCell(c: SceneCell, x: number, y: number): boolean {
  const ca = Math.cos(c.angle);
  const sa = Math.sin(c.angle);
  const dx = x - c.x;
  const dy = y - c.y;
  const u = (dx * ca + dy * sa) / c.rx;
  const w = (-dx * sa + dy * ca) / c.ry;
  return u * u + w * w <= 1;
}
