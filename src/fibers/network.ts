import type { ParamSpec, Params } from "../core/params.ts";
import { SITE_ALONG, SITE_JUNCTION, SITE_TIP, type World } from "../core/world.ts";
import { segmentIntersection } from "./geometry.ts";
import { SegmentGrid } from "./segment-grid.ts";

/**
 * Operations on the retraction-fiber network shared by the fiber processes: creating fibers,
 * laying vertices, detecting crossings (junctions), registering candidate nucleation sites, and
 * breaking sections. Fibers are polylines from the adhesion anchor (tip, vertex 0) to the cell.
 */
export const networkParams: ParamSpec[] = [
  { path: "fibers.vertexSpacingUm", unit: "µm", default: 2, min: 0.1, max: 100, description: "spacing of polyline vertices laid as the fiber lengthens", source: "modelling assumption (numerical resolution)" },
  { path: "fibers.gridBinUm", unit: "µm", default: 10, min: 1, max: 1000, description: "bin size of the segment spatial hash used for crossing detection", source: "modelling assumption (numerical)" },
  { path: "migrasomes.markDensityPerUm", unit: "1/µm", default: 0.005, min: 0, max: 10, description: "density of pre-marked formation sites (SMS2 foci, PIP5K1A–Rab35/integrin α5 puncta) laid along new fiber, at wild-type levels", source: "modelling assumption (SMS2 foci laid under the cell: Liang et al. 2023 Nat Cell Biol; PIP5K1A–Rab35: Ding et al. 2023 Cell Res); calibrated to ≥70% of migrasomes at tips or junctions (Ma et al. 2015 Cell Res)" },
  { path: "fibers.minCrossingAngleRad", unit: "rad", default: 0.5, min: 0, max: 1.5707, description: "smallest angle at which two crossing fibers form a junction (shallower crossings run side by side)", source: "modelling assumption" },
  { path: "fibers.selfCrossingMinAgeMin", unit: "min", default: 60, min: 0, max: 1e6, description: "a cell's fiber crossing its own fiber forms a junction only if the crossed section is at least this old (its earlier trail, not its current rear bundle)", source: "modelling assumption" },
  { path: "molecular.sms2Level", unit: "1", default: 1, min: 0, max: 10, description: "sphingomyelin synthase 2 level (SMS2 foci density; sphingomyelin supply)", source: "Liang et al. 2023 Nat Cell Biol (SMS2 essential)" },
];

export class Network {
  readonly grid: SegmentGrid;
  private spacing: number;
  private markDensity: number;
  private lastRebuildMin = 0;
  private scratch: number[] = [];
  private minSin: number;
  private selfAge: number;

  constructor(
    private w: World,
    params: Params,
  ) {
    this.grid = new SegmentGrid(w.widthUm, w.heightUm, params.num("fibers.gridBinUm"));
    this.spacing = params.num("fibers.vertexSpacingUm");
    this.markDensity = params.num("migrasomes.markDensityPerUm") * params.num("molecular.sms2Level");
    this.minSin = Math.sin(params.num("fibers.minCrossingAngleRad"));
    this.selfAge = params.num("fibers.selfCrossingMinAgeMin");
    this.rebuild();
  }

  get vertexSpacingUm(): number {
    return this.spacing;
  }

  /** The network attached to a world (derived state, rebuilt from the tables after a restore). */
  static of(w: World, params: Params): Network {
    const key = "fibers.network";
    let n = w.derived.get(key) as Network | undefined;
    if (!n) {
      n = new Network(w, params);
      w.derived.set(key, n);
    }
    return n;
  }

  /** Rebuild the segment hash from intact segments (drops broken ones). */
  rebuild(): void {
    const g = this.grid;
    g.clear();
    const v = this.w.vertices.c;
    for (let k = 0; k < this.w.vertices.n; k++) {
      const p = v.prev[k];
      if (p < 0 || v.brokenMin[k] >= 0 || v.brokenMin[p] >= 0) continue;
      const f = v.fiber[k];
      if (this.w.fibers.c.headVertex[f] === k && this.w.fibers.c.attached[f]) continue; // live vertex
      g.insert(k, v.x[p], v.y[p], v.x[k], v.y[k]);
    }
    this.lastRebuildMin = this.w.timeMin;
  }

  maybeRebuild(everyMin: number): void {
    if (this.w.timeMin - this.lastRebuildMin >= everyMin) this.rebuild();
  }

  private newVertex(f: number, x: number, y: number, prev: number): number {
    const V = this.w.vertices;
    const k = V.push();
    const v = V.c;
    v.x[k] = x;
    v.y[k] = y;
    v.fiber[k] = f;
    v.prev[k] = prev;
    v.next[k] = -1;
    v.bornMin[k] = this.w.timeMin;
    v.brokenMin[k] = -1;
    v.mark[k] = 0;
    v.migrasome[k] = -1;
    if (prev >= 0) v.next[prev] = k;
    return k;
  }

  addSite(kind: number, vertex: number, fiber: number, otherFiber: number, x: number, y: number): void {
    const S = this.w.sites;
    const s = S.push();
    S.c.kind[s] = kind;
    S.c.vertex[s] = vertex;
    S.c.fiber[s] = fiber;
    S.c.otherFiber[s] = otherFiber;
    S.c.x[s] = x;
    S.c.y[s] = y;
    S.c.used[s] = 0;
    this.w.openSites.push(s);
  }

  /**
   * Create a fiber anchored at (ax, ay), pulled by `cell` from a rear attachment point at angle
   * alphaRad. If `fromVertex` ≥ 0 the fiber branches off at that vertex (a junction), otherwise
   * its anchor is a tip.
   */
  createFiber(cell: number, ax: number, ay: number, alphaRad: number, parent: number, fromVertex: number, breakAgeMin: number, attachedMin: number): number {
    const w = this.w;
    const F = w.fibers;
    const f = F.push();
    const c = F.c;
    c.cell[f] = cell;
    c.parent[f] = parent;
    c.attached[f] = 1;
    c.alphaRad[f] = alphaRad;
    c.bornMin[f] = w.timeMin;
    c.releasedMin[f] = -1;
    c.brokenMin[f] = -1;
    c.breakAgeMin[f] = breakAgeMin;
    c.releaseAtMin[f] = w.timeMin + attachedMin;
    c.lengthUm[f] = 0;
    const v0 = this.newVertex(f, ax, ay, -1);
    const v1 = this.newVertex(f, ax, ay, v0); // live vertex, follows the cell
    c.firstVertex[f] = v0;
    c.oldestIntact[f] = v0;
    c.headVertex[f] = v1;
    w.liveFibers.push(f);
    w.attachedFibers.push(f);
    w.counters.fibersCreated++;
    if (fromVertex < 0) this.addSite(SITE_TIP, v0, f, -1, ax, ay);
    else {
      this.addJunction(ax, ay, parent, fromVertex, f, v0, 0);
      w.counters.branches++;
    }
    return f;
  }

  /** Record a junction (kind 0 branch point, 1 crossing) and open a nucleation site on fiber A's vertex. */
  private addJunction(x: number, y: number, fiberA: number, vertexA: number, fiberB: number, vertexB: number, kind: number): void {
    const J = this.w.junctions;
    const j = J.push();
    J.c.x[j] = x;
    J.c.y[j] = y;
    J.c.fiberA[j] = fiberA;
    J.c.vertexA[j] = vertexA;
    J.c.fiberB[j] = fiberB;
    J.c.vertexB[j] = vertexB;
    J.c.bornMin[j] = this.w.timeMin;
    J.c.kind[j] = kind;
    this.addSite(SITE_JUNCTION, vertexA, fiberA, fiberB, x, y);
  }

  /** Fix the live end of an attached fiber where it is and continue with a new live vertex there (a branch point). */
  splitHead(f: number): number {
    const fc = this.w.fibers.c;
    const h = fc.headVertex[f];
    const v = this.w.vertices.c;
    fc.headVertex[f] = this.newVertex(f, v.x[h], v.y[h], h);
    return h;
  }

  /** Move the live (head) vertex of an attached fiber to (x, y); lay a new vertex every spacing. */
  pull(f: number, x: number, y: number, rng: { uniform(): number }): void {
    const w = this.w;
    const v = w.vertices.c;
    const fc = w.fibers.c;
    const h = fc.headVertex[f];
    const px = v.x[h];
    const py = v.y[h];
    fc.lengthUm[f] += Math.hypot(x - px, y - py);
    v.x[h] = x;
    v.y[h] = y;
    const p = v.prev[h];
    const segLen = Math.hypot(x - v.x[p], y - v.y[p]);
    if (segLen >= this.spacing) {
      this.commitHead(f, segLen, rng);
      fc.headVertex[f] = this.newVertex(f, x, y, h);
    }
  }

  /** Fix the head vertex in place: detect crossings of its segment, maybe mark a site on it. */
  commitHead(f: number, segLen: number, rng: { uniform(): number }): void {
    const w = this.w;
    const v = w.vertices.c;
    const h = w.fibers.c.headVertex[f];
    const p = v.prev[h];
    v.bornMin[h] = w.timeMin;
    const x1 = v.x[p];
    const y1 = v.y[p];
    const x2 = v.x[h];
    const y2 = v.y[h];
    const parent = w.fibers.c.parent[f];
    // candidates are sorted so that results do not depend on the hash's internal order
    // (which differs after a rebuild, e.g. on resume from a checkpoint)
    const cand = this.scratch;
    cand.length = 0;
    this.grid.query(x1, y1, x2, y2, (s) => {
      cand.push(s);
    });
    cand.sort((a, b) => a - b);
    for (const s of cand) {
      const of = v.fiber[s];
      if (of === f) continue; // a fiber does not cross itself here (sections are nearly straight)
      const sp = v.prev[s];
      if (v.brokenMin[s] >= 0 || v.brokenMin[sp] >= 0) continue;
      // the fibers of one rear bundle run side by side; a cell's own fibers form junctions only
      // when it crosses its older trail
      if (w.fibers.c.cell[of] === w.fibers.c.cell[f] && w.timeMin - v.bornMin[s] < this.selfAge) continue;
      if (of === parent || w.fibers.c.parent[of] === f) {
        // skip the segments touching the branch point itself
        if (v.prev[sp] < 0 || sp === w.fibers.c.firstVertex[of]) continue;
      }
      const t = segmentIntersection(x1, y1, x2, y2, v.x[sp], v.y[sp], v.x[s], v.y[s]);
      if (t < 0) continue;
      // shallow crossings of nearly parallel fibers are not junctions (they run side by side)
      const ax = x2 - x1;
      const ay = y2 - y1;
      const bx = v.x[s] - v.x[sp];
      const by = v.y[s] - v.y[sp];
      if (Math.abs(ax * by - ay * bx) < this.minSin * Math.hypot(ax, ay) * Math.hypot(bx, by)) continue;
      this.addJunction(x1 + t * (x2 - x1), y1 + t * (y2 - y1), f, h, of, s, 1);
      w.counters.crossings++;
    }
    this.grid.insert(h, x1, y1, x2, y2);
    if (this.markDensity > 0 && rng.uniform() < 1 - Math.exp(-this.markDensity * segLen)) {
      v.mark[h] = 1;
      this.addSite(SITE_ALONG, h, f, -1, x2, y2);
    }
  }
}
