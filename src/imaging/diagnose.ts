/**
 * Diagnostics of one analysed scene against its ground truth: where fiber length is traced, missed or
 * invented (`fiberCoverage`), and why a matched migrasome's site is wrong (`siteErrors`). These are the
 * read-outs behind the "honest status" figures in docs/imaging.md; `scripts/imaging-diagnose.ts` runs them
 * over tuning scenes. All lengths in µm.
 */
import type { ImageAnalysis } from "./analyze.ts";
import { hungarian } from "./hungarian.ts";
import { PointGrid, polylineSamples as samples } from "./pointgrid.ts";
import { fiberArmList, insideCell, mergeArms, type Scene } from "./scene.ts";

export interface FiberCoverage {
  /** true fiber length in the image, outside cell bodies (as `sceneFiberLength`) */
  trueUm: number;
  /** total traced length (the pipeline's read-out) */
  detectedUm: number;
  /** true length within `gateUm` of a trace */
  coveredUm: number;
  /** traced length farther than `gateUm` from every true fiber */
  falseUm: number;
  /** …of which within 0.6 µm of a migrasome's or decoy's rim (spokes, rims) and within 1.5 µm of a cell */
  falseNearObjectUm: number;
  falseNearCellUm: number;
  /** true length not covered: within 1 µm of a migrasome's rim (or under it), within 1.5 µm of a cell, elsewhere */
  missedNearMigrasomeUm: number;
  missedNearCellUm: number;
  missedFreeUm: number;
  /**
   * missedFreeUm split by the run of uncovered true fiber it lies in: a fiber never covered (whole), a run reaching a
   * fiber's end (or the image's or a cell's edge: end), a run between two covered stretches of the same fiber (gap);
   * and the part of missedFreeUm in runs longer than 4 µm
   */
  missedWholeUm: number;
  missedEndUm: number;
  missedGapUm: number;
  missedLongRunUm: number;
  /**
   * true length within `gateUm` of another true fiber (pairs closer than the gate: crossings, branch points, fibers
   * converging or running side by side), and the traced length within `gateUm` of two or more true fibers. A single
   * traced line where two fibers run closer than the gate covers both, so there tracedCloseUm ≈ closeUm / 2: length
   * lost inside covered fibers that no one-line tracer gets back; closeCoveredUm: the covered part of closeUm
   */
  closeUm: number;
  closeCoveredUm: number;
  tracedCloseUm: number;
}

const STEP_UM = 0.05;

/**
 * Traced against true fiber length on one scene: every 0.05 µm of true fiber (inside the image, outside
 * cell bodies) is covered when a trace passes within `gateUm`; every 0.05 µm of trace is false when no true
 * fiber lies within `gateUm`. Misses and false traces are split by where they lie.
 */
export function fiberCoverage(scene: Scene, analysis: ImageAnalysis, gateUm = 0.3): FiberCoverage {
  if (!(gateUm > 0 && gateUm <= 1)) throw new Error(`fiberCoverage: gateUm must be in (0, 1] µm, got ${gateUm}`);
  const W = analysis.width * analysis.pixelSizeUm;
  const H = analysis.height * analysis.pixelSizeUm;
  const inImage = (x: number, y: number) => x >= 0 && y >= 0 && x < W && y < H;
  const inCell = (x: number, y: number, marginUm: number) =>
    scene.cells.some((c) => insideCell({ ...c, rx: c.rx + marginUm, ry: c.ry + marginUm }, x, y));
  const truth = new PointGrid(1);
  const truthLen: number[] = [];
  const truthFiber: number[] = [];
  scene.fibers.forEach((f, fi) =>
    samples(f.points, STEP_UM, (x, y, dl) => {
      if (!inImage(x, y) || inCell(x, y, 0)) return;
      truth.add(x, y);
      truthLen.push(dl);
      truthFiber.push(fi);
    }),
  );
  /** whether the true samples `near` hold a fiber other than `fi` (−1: any two fibers) */
  const otherFiber = (near: number[], fi: number): boolean => {
    const f0 = fi >= 0 ? fi : near.length ? truthFiber[near[0]] : -1;
    for (const j of near) if (truthFiber[j] !== f0) return true;
    return false;
  };
  const traced = new PointGrid(1);
  const out: FiberCoverage = {
    trueUm: truthLen.reduce((a, b) => a + b, 0),
    detectedUm: analysis.fibers.totalLengthUm,
    coveredUm: 0,
    falseUm: 0,
    falseNearObjectUm: 0,
    falseNearCellUm: 0,
    missedNearMigrasomeUm: 0,
    missedNearCellUm: 0,
    missedFreeUm: 0,
    missedWholeUm: 0,
    missedEndUm: 0,
    missedGapUm: 0,
    missedLongRunUm: 0,
    closeUm: 0,
    closeCoveredUm: 0,
    tracedCloseUm: 0,
  };
  for (const e of analysis.fibers.edges)
    samples(e.points, STEP_UM, (x, y, dl) => {
      traced.add(x, y);
      const near = truth.near(x, y, gateUm);
      if (near.length) {
        if (otherFiber(near, -1)) out.tracedCloseUm += dl;
        return;
      }
      out.falseUm += dl;
      if (scene.objects.some((o) => Math.hypot(o.x - x, o.y - y) <= o.diameterUm / 2 + 0.6)) out.falseNearObjectUm += dl;
      else if (inCell(x, y, 1.5)) out.falseNearCellUm += dl;
    });
  // walk the true samples again in the same order, fiber by fiber; each sample: covered (0), missed free (1), missed
  // elsewhere (2), with its length; a run of misses is split at the fiber's edges (image, cell bodies)
  let i = 0;
  for (const f of scene.fibers) {
    const kind: number[] = [];
    const len: number[] = [];
    samples(f.points, STEP_UM, (x, y) => {
      if (!inImage(x, y) || inCell(x, y, 0)) {
        if (kind.length && kind[kind.length - 1] !== 3) (kind.push(3), len.push(0)); // an edge: runs end here
        return;
      }
      const fi = truthFiber[i];
      const dl = truthLen[i++];
      const close = otherFiber(truth.near(x, y, gateUm), fi);
      if (close) out.closeUm += dl;
      len.push(dl);
      if (traced.near(x, y, gateUm).length) {
        out.coveredUm += dl;
        if (close) out.closeCoveredUm += dl;
        kind.push(0);
        return;
      }
      if (scene.objects.some((o) => o.kind === "migrasome" && Math.hypot(o.x - x, o.y - y) <= o.diameterUm / 2 + 1)) (out.missedNearMigrasomeUm += dl), kind.push(2);
      else if (inCell(x, y, 1.5)) (out.missedNearCellUm += dl), kind.push(2);
      else (out.missedFreeUm += dl), kind.push(1);
    });
    const anyCovered = kind.includes(0);
    for (let a = 0; a < kind.length; ) {
      if (kind[a] === 0 || kind[a] === 3) {
        a++;
        continue;
      }
      let b = a;
      let free = 0;
      let all = 0;
      for (; b < kind.length && (kind[b] === 1 || kind[b] === 2); b++) {
        all += len[b];
        if (kind[b] === 1) free += len[b];
      }
      if (!anyCovered) out.missedWholeUm += free;
      else if (a > 0 && b < kind.length && kind[a - 1] === 0 && kind[b] === 0) out.missedGapUm += free;
      else out.missedEndUm += free;
      if (all > 4) out.missedLongRunUm += free;
      a = b;
    }
  }
  return out;
}

/** Why a matched migrasome's detected site differs from the truth (`site` of the scene object). */
export interface SiteError {
  xUm: number;
  yUm: number;
  radiusUm: number;
  trueSite: string;
  detectedSite: string;
  /** detected arms with no true arm within 20°: a fiber that is not the migrasome's (the site definition's) but
   * crosses the detector's annulus (R + 0.3 … R + 1.6 µm) within 20° of the arm, or nothing at all (noise, a dot) */
  extraPassing: number;
  extraNothing: number;
  /** true arms with no detected arm within 20°: within 55° of another true arm, dim (< 0.2 × the migrasome
   * signal), or neither */
  missedClose: number;
  missedDim: number;
  missedOther: number;
}

const angleDiffDeg = (a: number, b: number): number => {
  const x = Math.abs((((a - b) % 360) + 360) % 360);
  return Math.min(x, 360 - x);
};

/** Site errors of the matched migrasomes of one scene (matching as `evaluateDetections`, true site `none` left out). */
export function siteErrors(scene: Scene, analysis: ImageAnalysis): { matched: number; errors: SiteError[] } {
  const T = scene.objects.filter((o) => o.kind === "migrasome");
  const D = analysis.migrasomes;
  const C = T.map((t) => D.map((d) => {
    const dd = Math.hypot(t.x - d.xUm, t.y - d.yUm);
    return dd <= Math.max(0.3, t.diameterUm / 2) ? dd : 1e9;
  }));
  const errors: SiteError[] = [];
  let matched = 0;
  for (const [i, j] of hungarian(C)) {
    if (j < 0 || C[i][j] >= 1e9 || T[i].site === "none") continue;
    matched++;
    const t = T[i];
    const d = D[j];
    if (d.site === t.site) continue;
    const r = t.diameterUm / 2;
    const groups = mergeArms(fiberArmList(scene.fibers, t.x, t.y, r));
    const trueDirs = groups.map((g) => g.map((a) => (a.dirRad * 180) / Math.PI));
    // directions (degrees) of the fiber samples in the annulus r + 0.3 … r + 1.6 µm that the detector reads
    const annulus: number[] = [];
    for (const f of scene.fibers)
      samples(f.points, STEP_UM, (x, y) => {
        const dd = Math.hypot(x - t.x, y - t.y);
        if (dd >= r + 0.3 && dd <= r + 1.6) annulus.push((Math.atan2(y - t.y, x - t.x) * 180) / Math.PI);
      });
    const e: SiteError = { xUm: t.x, yUm: t.y, radiusUm: r, trueSite: t.site, detectedSite: d.site, extraPassing: 0, extraNothing: 0, missedClose: 0, missedDim: 0, missedOther: 0 };
    for (const dir of d.armDirsDeg) {
      if (trueDirs.some((g) => g.some((a) => angleDiffDeg(a, dir) < 20))) continue;
      if (annulus.some((a) => angleDiffDeg(a, dir) < 20)) e.extraPassing++;
      else e.extraNothing++;
    }
    groups.forEach((g, gi) => {
      const dirs = trueDirs[gi];
      if (d.armDirsDeg.some((dir) => dirs.some((a) => angleDiffDeg(a, dir) < 20))) return;
      const sepDeg = Math.min(360, ...trueDirs.filter((_, k) => k !== gi).map((o) => angleDiffDeg(o[0], dirs[0])));
      if (sepDeg < 55) e.missedClose++;
      else if (scene.fibers[g[0].fiber].brightness < 0.2) e.missedDim++;
      else e.missedOther++;
    });
    errors.push(e);
  }
  return { matched, errors };
}

/** Where a false positive lies (the first that applies, in this order). */
export type FalsePositiveKind = "vesicle" | "dot" | "inside a migrasome" | "beside a migrasome" | "cell edge" | "crossing" | "on a fiber" | "other";

export interface FalsePositive {
  xUm: number;
  yUm: number;
  diameterUm: number;
  kind: FalsePositiveKind;
  /** the nearest true migrasome is missed: the detection may be that migrasome, mis-placed or mis-sized */
  hidesMissed: boolean;
}

/** Distance from a point to a polyline (µm). */
export function polylineDistance(p: [number, number][], x: number, y: number): number {
  let best = Infinity;
  for (let i = 1; i < p.length; i++) {
    const [x0, y0] = p[i - 1];
    const dx = p[i][0] - x0;
    const dy = p[i][1] - y0;
    const L2 = dx * dx + dy * dy;
    const t = L2 > 0 ? Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / L2)) : 0;
    best = Math.min(best, Math.hypot(x0 + t * dx - x, y0 + t * dy - y));
  }
  return best;
}

/**
 * The detections of one scene that match no true migrasome (matching as `evaluateDetections`), each with where it
 * lies: on a decoy (within 0.35 µm of a vesicle's or dot's centre), inside a true migrasome (its centre within that
 * radius), beside one (rims within 0.3 µm), within 1.5 µm of a cell body, on two or more fibers (within 0.35 µm), on one
 * fiber, or elsewhere.
 */
export function falsePositives(scene: Scene, analysis: ImageAnalysis): FalsePositive[] {
  const T = scene.objects.filter((o) => o.kind === "migrasome");
  const D = analysis.migrasomes;
  const C = T.map((t) => D.map((d) => {
    const dd = Math.hypot(t.x - d.xUm, t.y - d.yUm);
    return dd <= Math.max(0.3, t.diameterUm / 2) ? dd : 1e9;
  }));
  const matchedD = new Set<number>();
  const matchedT = new Set<number>();
  for (const [i, j] of hungarian(C))
    if (j >= 0 && C[i][j] < 1e9) {
      matchedD.add(j);
      matchedT.add(i);
    }
  const out: FalsePositive[] = [];
  D.forEach((d, j) => {
    if (matchedD.has(j)) return;
    const x = d.xUm;
    const y = d.yUm;
    const r = d.diameterUm / 2;
    let nearest = -1;
    let nd = Infinity;
    T.forEach((t, i) => {
      const dd = Math.hypot(t.x - x, t.y - y);
      if (dd < nd) {
        nd = dd;
        nearest = i;
      }
    });
    const decoy = scene.objects.find((o) => o.kind !== "migrasome" && Math.hypot(o.x - x, o.y - y) < 0.35);
    const fibers = scene.fibers.filter((f) => polylineDistance(f.points, x, y) < 0.35).length;
    let kind: FalsePositiveKind = "other";
    if (decoy) kind = decoy.kind === "dot" ? "dot" : "vesicle";
    else if (nearest >= 0 && nd < T[nearest].diameterUm / 2) kind = "inside a migrasome";
    else if (nearest >= 0 && nd < T[nearest].diameterUm / 2 + r + 0.3) kind = "beside a migrasome";
    else if (scene.cells.some((c) => insideCell({ ...c, rx: c.rx + 1.5, ry: c.ry + 1.5 }, x, y))) kind = "cell edge";
    else if (fibers >= 2) kind = "crossing";
    else if (fibers === 1) kind = "on a fiber";
    const hidesMissed = nearest >= 0 && !matchedT.has(nearest) && nd < T[nearest].diameterUm / 2 + r + 0.3;
    out.push({ xUm: x, yUm: y, diameterUm: d.diameterUm, kind, hidesMissed });
  });
  return out;
}
