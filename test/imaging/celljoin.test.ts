/**
 * Fibers ending at a cell's exclusion margin (where nothing is detected) are continued straight on to the cell body
 * when the body lies within `cellJoinUm` ahead: 1.5 µm (1 µm before) in the tracer, and the same join now also for
 * tip extensions that run into the margin (before, they stopped there).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_EXTEND_PARAMS, extendTips } from "../../src/imaging/extend.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { detectRidges } from "../../src/imaging/ridges.ts";
import type { Scene } from "../../src/imaging/scene.ts";
import { traceFibers, type FiberGraph } from "../../src/imaging/trace.ts";
import { extendOptics, straightFiber } from "./extend-optics.ts";
import { subtractBackground } from "./subtract.ts";

/** cell labels: a body at x ≥ bodyX (µm), and the exclusion margin 0.5 µm in front of it */
function cellMaps(w: number, h: number, px: number, bodyX: number): { labels: Int32Array; exclude: Uint8Array } {
  const labels = new Int32Array(w * h);
  const exclude = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const xu = (x + 0.5) * px;
      if (xu >= bodyX) labels[y * w + x] = 1;
      if (xu >= bodyX - 0.5) exclude[y * w + x] = 1;
    }
  return { labels, exclude };
}

const maxX = (g: FiberGraph) => Math.max(...g.edges.flatMap((e) => e.points.map((p) => p[0])));

describe("fibers joined to a cell body across its margin", () => {
  it("the tracer continues a fiber ending 1.3 µm before the body on to it (not with the old 1 µm reach)", () => {
    const px = 0.1;
    const w = 200;
    const h = 80;
    // the mask line ends at x = 10.2 µm; the body starts at 11.5 µm (margin from 11.0 µm)
    const m = new Uint8Array(w * h);
    for (let x = 20; x <= 101; x++) m[40 * w + x] = 1;
    const { labels, exclude } = cellMaps(w, h, px, 11.5);
    const o = new Float32Array(w * h);
    const run = (cellJoinUm?: number) => traceFibers(m, o, o, w, h, px, { migrasomes: [], cellLabels: labels, exclude, cellJoinUm });
    const now = run();
    expect(maxX(now)).toBeGreaterThan(11.4);
    expect(maxX(now)).toBeLessThan(11.7);
    expect(maxX(run(1))).toBeLessThan(10.4);
  });

  it("a tip extension that runs into the margin is joined to the body", () => {
    const px = 0.1;
    // a fiber (0.3 × the migrasome signal) from x = 2 to 24 µm, traced to x = 12; the body from x = 21.2 µm
    const sc: Scene = { widthUm: 32, heightUm: 12, cells: [], crossings: [], objects: [], fibers: [{ id: 1, cellId: null, points: [[2, 6], [24, 6]], brightness: 0.3 }] };
    for (const seed of [1, 2, 3, 4]) {
      const img = renderScene(sc, extendOptics(px, seed), seed);
      const { s, noise } = subtractBackground(img, px);
      const r = detectRidges(s, noise, img.width, img.height, px);
      const { labels, exclude } = cellMaps(img.width, img.height, px, 21.2);
      const run = (cellJoinUm: number) => {
        const g = straightFiber(2, 6, 12, 6, "border", "tip");
        const inp = { smooth: r.smooth, smoothSigmaPx: r.smoothSigmaPx, noise, w: img.width, h: img.height, pxUm: px, psfSigmaUm: extendOptics(px, seed).psfSigmaUm, migrasomes: [], exclude, cellLabels: labels };
        return extendTips(g, inp, { ...DEFAULT_EXTEND_PARAMS, cellJoinUm });
      };
      const now = run(DEFAULT_EXTEND_PARAMS.cellJoinUm);
      expect(now.stats.cellJoins, `seed ${seed}`).toBe(1);
      expect(maxX(now.graph), `seed ${seed}`).toBeGreaterThan(21.1);
      expect(maxX(now.graph), `seed ${seed}`).toBeLessThan(21.4);
      // without the join the extension stops at the margin (x ≈ 20.7)
      expect(maxX(run(0).graph), `seed ${seed}`).toBeLessThan(20.8);
    }
  });
});
