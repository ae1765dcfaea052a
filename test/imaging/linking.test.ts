/**
 * Time-series linking (`src/imaging/linking.ts`): stage drift estimated per pair of frames, the tight gate (a
 * neighbour must not carry the track of a migrasome that has ended), gap closing after drift correction, and the
 * per-component assignment against the Hungarian method on the whole matrix.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hungarian } from "../../src/imaging/hungarian.ts";
import { DEFAULT_LINK_OPTIONS, estimateDrift, linkTracks, type FramePoint } from "../../src/imaging/linking.ts";
import { Rng } from "../../src/util/rng.ts";

/** n stationary migrasomes at random (at least 1.2 µm apart, by dart throwing), seen in every frame, with a stage drift per frame */
function scene(seed: number, n: number, frames: number, driftPerFrame: [number, number], jitterUm = 0.05): { pts: FramePoint[]; ids: number[] } {
  const rng = new Rng(`link:${seed}`);
  const pts: FramePoint[] = [];
  const ids: number[] = [];
  const side = 1.6 * Math.sqrt(n);
  const at: [number, number][] = [];
  while (at.length < n) {
    const x = rng.range(0, side);
    const y = rng.range(0, side);
    if (at.every(([u, v]) => (u - x) ** 2 + (v - y) ** 2 >= 1.2 ** 2)) at.push([x, y]);
  }
  at.forEach(([x, y], k) => {
    const d = rng.range(0.6, 1.2);
    for (let f = 0; f < frames; f++) {
      pts.push({ frame: f, xUm: x + f * driftPerFrame[0] + rng.normal() * jitterUm, yUm: y + f * driftPerFrame[1] + rng.normal() * jitterUm, diameterUm: d });
      ids.push(k);
    }
  });
  return { pts, ids };
}

/** each true id lies on exactly one track and each track holds one id */
function clean(pts: FramePoint[], ids: number[], frames: number): boolean {
  const tracks = linkTracks(pts, frames);
  const seen = new Set<number>();
  for (const t of tracks) {
    const own = new Set(t.points.map((i) => ids[i]));
    if (own.size !== 1) return false;
    const id = ids[t.points[0]];
    if (seen.has(id)) return false;
    seen.add(id);
  }
  return seen.size === new Set(ids).size;
}

describe("linking: stage drift", () => {
  it("recovers a known drift between two frames from many pairs, and zero without drift", () => {
    for (const [dx, dy] of [[0, 0], [1.3, -0.7], [-2.2, 1.6], [0.45, 0.35]] as const) {
      const { pts } = scene(7, 64, 2, [dx, dy], 0.04);
      const d = estimateDrift(pts.filter((p) => p.frame === 0), pts.filter((p) => p.frame === 1), 3);
      expect(d.support).toBeGreaterThanOrEqual(40);
      expect(Math.abs(d.dxUm - dx)).toBeLessThan(0.05);
      expect(Math.abs(d.dyUm - dy)).toBeLessThan(0.05);
    }
  });

  it("estimates from two pairs that agree, and gives zero drift (no estimate) from one", () => {
    const two = estimateDrift([{ xUm: 1, yUm: 1 }, { xUm: 5, yUm: 5 }], [{ xUm: 2, yUm: 1.2 }, { xUm: 6, yUm: 5.2 }], 3);
    expect(two.support).toBe(2);
    expect(two.dxUm).toBeCloseTo(1, 9);
    expect(two.dyUm).toBeCloseTo(0.2, 9);
    expect(estimateDrift([{ xUm: 1, yUm: 1 }], [{ xUm: 2, yUm: 1 }], 3)).toEqual({ dxUm: 0, dyUm: 0, support: 0 });
  });

  it("links every migrasome to one track under a drift larger than their spacing (1.3 µm per frame, neighbours ≥ 1.2 µm apart)", () => {
    const { pts, ids } = scene(3, 49, 8, [1.3, 0.9]);
    expect(clean(pts, ids, 8)).toBe(true);
    // without drift correction the same series breaks up or swaps
    const tracks = linkTracks(pts, 8, { maxDriftUm: 0 });
    expect(tracks.length).toBeGreaterThan(49);
  });
});

describe("linking: the tight gate", () => {
  it("does not let a touching neighbour carry the track of a migrasome that has ended", () => {
    // A (1 µm) ends after frame 2; B (1 µm) touching it, 1 µm away, forms at frame 3; C, D, E stationary far away
    const pts: FramePoint[] = [];
    for (let f = 0; f < 6; f++) {
      if (f <= 2) pts.push({ frame: f, xUm: 10, yUm: 10, diameterUm: 1 });
      if (f >= 3) pts.push({ frame: f, xUm: 11, yUm: 10, diameterUm: 1 });
      for (const [x, y] of [[20, 20], [25, 5], [5, 25]]) pts.push({ frame: f, xUm: x, yUm: y, diameterUm: 1 });
    }
    const tracks = linkTracks(pts, 6);
    const a = tracks.find((t) => pts[t.points[0]].xUm === 10) as (typeof tracks)[0];
    const b = tracks.find((t) => pts[t.points[0]].xUm === 11) as (typeof tracks)[0];
    expect(a.lastFrame).toBe(2);
    expect(a.lastFrame - a.firstFrame + 1).toBe(3);
    expect(b.firstFrame).toBe(3);
    expect(b.censoredStart).toBe(false);
    // the old loose gate (1.5 µm, no drift) joined them into one track
    expect(linkTracks(pts, 6, { maxLinkUm: 1.5, maxLinkDiameterFraction: 0, maxDriftUm: 0 }).length).toBe(4);
  });

  it("closes a two-frame gap under drift", () => {
    const { pts, ids } = scene(11, 25, 7, [0.6, 0]);
    // migrasome 0 out of focus in frames 3 and 4
    const keep = pts.map((p, i) => !(ids[i] === 0 && (p.frame === 3 || p.frame === 4)));
    const p2 = pts.filter((_, i) => keep[i]);
    const id2 = ids.filter((_, i) => keep[i]);
    expect(clean(p2, id2, 7)).toBe(true);
  });

  it("rejects a negative or non-finite option with its name", () => {
    expect(() => linkTracks([], 2, { maxLinkUm: -1 })).toThrow(/maxLinkUm/);
    expect(() => linkTracks([], 2, { maxDriftUm: Number.NaN })).toThrow(/maxDriftUm/);
    expect(DEFAULT_LINK_OPTIONS.maxLinkUm).toBeGreaterThan(0);
  });
});

describe("linking: assignment per connected component", () => {
  it("matches as many and at the same total cost as the Hungarian method on the whole matrix (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ x: fc.double({ min: 0, max: 6, noNaN: true }), y: fc.double({ min: 0, max: 6, noNaN: true }) }), { minLength: 1, maxLength: 14 }),
        fc.array(fc.record({ x: fc.double({ min: 0, max: 6, noNaN: true }), y: fc.double({ min: 0, max: 6, noNaN: true }) }), { minLength: 1, maxLength: 14 }),
        (A, B) => {
          const pts: FramePoint[] = [...A.map((p) => ({ frame: 0, xUm: p.x, yUm: p.y, diameterUm: 1 })), ...B.map((p) => ({ frame: 1, xUm: p.x, yUm: p.y, diameterUm: 1 }))];
          const tracks = linkTracks(pts, 2, { maxDriftUm: 0, maxGapFrames: 0 });
          const links = tracks.filter((t) => t.points.length === 2).map((t) => [t.points[0], t.points[1] - A.length] as const);
          const gate = Math.max(DEFAULT_LINK_OPTIONS.maxLinkUm, DEFAULT_LINK_OPTIONS.maxLinkDiameterFraction);
          const d2 = (i: number, j: number) => (A[i].x - B[j].x) ** 2 + (A[i].y - B[j].y) ** 2;
          const full = hungarian(A.map((_, i) => B.map((_, j) => (d2(i, j) <= gate * gate ? d2(i, j) : 1e9))));
          expect(links.length).toBe(full.length);
          const cost = (l: readonly (readonly [number, number])[]) => l.reduce((s, [i, j]) => s + d2(i, j), 0);
          expect(cost(links)).toBeCloseTo(cost(full), 9);
          for (const [i, j] of links) expect(d2(i, j)).toBeLessThanOrEqual(gate * gate + 1e-12);
        },
      ),
      { numRuns: 300 },
    );
  });
});
