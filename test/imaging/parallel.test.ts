import { describe, expect, it } from "vitest";
import { analyzePlane } from "../../src/imaging/analyze.ts";
import { polylineDistance } from "../../src/imaging/diagnose.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import type { Scene } from "../../src/imaging/scene.ts";
import { extendOptics } from "./extend-optics.ts";

describe("parallel fibers at 0.16 µm pixels", () => {
  it("traces two fibers 0.4 µm apart each on its own (centre lines thinned on a ≤ 0.1 µm raster)", () => {
    // Two 16 µm fibers 0.4 µm apart (2.5 pixels of 0.16 µm), at two angles, 4 noise draws (SNR 7). A fiber's
    // sample counts as traced when a traced edge passes within 0.15 µm of it (under half the spacing: one trace
    // between the two does not count for both). Drawn and thinned on the image's own 0.16 µm pixels the two centre
    // lines touch and thinning merges them: mean 0.50 of the length (per fiber 0.22–0.72); on the 0.08 µm raster
    // (`traceGridUm` 0.1) 0.74 (0.42–0.98), as at 0.1 µm pixels (0.69). With the line filter on a 0.18 µm bilinear
    // resampling (`resampleUm`, default) 0.72 (0.48–0.97); on a 0.2 µm one 0.57 (0.24–0.93), which is why not 0.2.
    const px = 0.16;
    const L = 16;
    const fr: number[] = [];
    for (const ang of [0.2, 0.7])
      for (let seed = 1; seed <= 4; seed++) {
        const c = Math.cos(ang);
        const s = Math.sin(ang);
        const fib = (o: number): [number, number][] => [
          [6 - s * o, 6 + c * o],
          [6 + c * L - s * o, 6 + s * L + c * o],
        ];
        const scene: Scene = {
          widthUm: 26, heightUm: 22, cells: [], objects: [], crossings: [],
          fibers: [{ id: 1, cellId: null, points: fib(0), brightness: 0.6 }, { id: 2, cellId: null, points: fib(0.4), brightness: 0.6 }],
        };
        const img = renderScene(scene, extendOptics(px, seed), seed);
        const a = analyzePlane({ width: img.width, height: img.height, data: img.data }, px);
        for (const f of scene.fibers) {
          const [[ax, ay], [bx, by]] = f.points;
          let hit = 0;
          let n = 0;
          for (let t = 0.025; t < L; t += 0.05, n++) {
            const x = ax + ((bx - ax) * t) / L;
            const y = ay + ((by - ay) * t) / L;
            if (a.fibers.edges.some((e) => polylineDistance(e.points, x, y) <= 0.15)) hit++;
          }
          fr.push(hit / n);
        }
      }
    const mean = fr.reduce((p, q) => p + q, 0) / fr.length;
    expect(mean).toBeGreaterThan(0.65);
    expect(Math.min(...fr)).toBeGreaterThan(0.3);
  });
});
