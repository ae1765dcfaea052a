/** The LoG baseline: one detection per hollow ring (overlap pruning), none on a straight fiber, sizes from scale selection. */
import { describe, expect, it } from "vitest";
import { DEFAULT_LOG_PARAMS, detectLog, SCALE_LOG_PARAMS } from "../../src/imaging/baseline.ts";
import { estimateBackground } from "../../src/imaging/filters.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import type { Optics, Scene } from "../../src/imaging/scene.ts";

describe("LoG baseline", () => {
  it("finds each hollow ring of 2.2–2.6 µm once (overlap pruning) and ignores a fiber", () => {
    const objects: Scene["objects"] = [2.2, 2.4, 2.6].map((d, i) => ({ id: i + 1, x: 6 + 9 * i, y: 8, diameterUm: d, brightness: 1, kind: "migrasome", site: "none", cellId: null }));
    const scene: Scene = { widthUm: 32, heightUm: 20, cells: [], crossings: [], objects, fibers: [{ id: 1, cellId: null, points: [[2, 16], [30, 16]], brightness: 0.5 }] };
    const optics: Optics = { pixelSizeUm: 0.1, psfSigmaUm: 0.11, ringThicknessUm: 0.08, sectionHalfUm: 0.35, snr: 10, backgroundPhotons: 50, unevenness: 0, readNoise: 2, offset: 100, label: "tspan4" };
    const img = renderScene(scene, optics, 3);
    const bg = estimateBackground(img.data, img.width, img.height, 40);
    const sub = new Float32Array(img.data.length);
    for (let i = 0; i < sub.length; i++) sub[i] = img.data[i] - bg.background[i];
    const dets = detectLog(sub, bg.noise, img.width, img.height, 0.1);
    for (const o of objects) expect(dets.filter((d) => Math.hypot(d.xUm - o.x, d.yUm - o.y) < o.diameterUm).length, `ring d ${o.diameterUm}`).toBe(1);
    expect(dets.filter((d) => Math.abs(d.yUm - 16) < 1).length).toBe(0);
  });

  it("sizes filled discs of 0.6–2 µm within 25 % by σ²-normalised scale selection (noise-unit selection overshoots)", () => {
    const sizes = [0.6, 0.8, 1.0, 1.4, 2.0];
    const objects: Scene["objects"] = sizes.map((d, i) => ({ id: i + 1, x: 4 + 6 * i, y: 6, diameterUm: d, brightness: 1, kind: "migrasome", site: "none", cellId: null }));
    const scene: Scene = { widthUm: 34, heightUm: 12, cells: [], crossings: [], objects, fibers: [] };
    const optics: Optics = { pixelSizeUm: 0.1, psfSigmaUm: 0.11, ringThicknessUm: 0.08, sectionHalfUm: 0.35, snr: 10, backgroundPhotons: 50, unevenness: 0, readNoise: 2, offset: 100, label: "wga" };
    const img = renderScene(scene, optics, 3);
    const bg = estimateBackground(img.data, img.width, img.height, 40);
    const sub = new Float32Array(img.data.length);
    for (let i = 0; i < sub.length; i++) sub[i] = img.data[i] - bg.background[i];
    const sized = (dets: { xUm: number; yUm: number; diameterUm: number }[]) =>
      objects.map((o) => dets.filter((d) => Math.hypot(d.xUm - o.x, d.yUm - o.y) < o.diameterUm / 2).map((d) => d.diameterUm / o.diameterUm));
    for (const [i, r] of sized(detectLog(sub, bg.noise, img.width, img.height, 0.1, SCALE_LOG_PARAMS)).entries()) {
      expect(r.length, `disc ${sizes[i]} µm`).toBe(1);
      expect(Math.abs(r[0] - 1), `disc ${sizes[i]} µm`).toBeLessThan(0.25);
    }
    // the default rule (scales compared in noise units, which favours coarse scales) makes the same discs up to twice too big
    const plain = sized(detectLog(sub, bg.noise, img.width, img.height, 0.1, DEFAULT_LOG_PARAMS)).flat();
    expect(Math.max(...plain)).toBeGreaterThan(1.5);
  });
});
