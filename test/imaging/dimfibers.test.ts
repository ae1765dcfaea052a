import { describe, expect, it } from "vitest";
import { detectMigrasomes } from "../../src/imaging/migrasomes.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import type { Optics, Scene, SceneFiber } from "../../src/imaging/scene.ts";
import { subtractBackground } from "./subtract.ts";

describe("arm contrast at coarse pixels", () => {
  it("finds no migrasomes on dim fibers at 0.16 µm pixels (SNR 7): the arms are averaged over more radii there", () => {
    // fibers at 1.5–3.3 noise σ per pixel: with one arm circle, the max-of-noise bias removed from the brightest arm
    // took the whole fiber away, and a noise bump on the fiber looked far brighter than its arms
    let n = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const fibers: SceneFiber[] = [];
      for (let k = 0; k < 10; k++) {
        const y = 2 + k * 2.8;
        fibers.push({ id: k + 1, cellId: null, points: [[1, y], [10, y + 0.6], [20, y + 0.2], [31, y + 1]], brightness: 0.15 + 0.02 * k });
      }
      const scene: Scene = { widthUm: 32, heightUm: 32, cells: [], crossings: [], objects: [], fibers };
      const optics: Optics = {
        pixelSizeUm: 0.16, psfSigmaUm: 0.12, ringThicknessUm: 0.08, sectionHalfUm: 0.35, snr: 7,
        backgroundPhotons: 60, unevenness: 0.2, readNoise: 2, offset: 100, label: "tspan4",
      };
      const img = renderScene(scene, optics, seed);
      const { s, noise } = subtractBackground(img, 0.16);
      n += detectMigrasomes(s, noise, img.width, img.height, 0.16, { psfSigmaUm: 0.12 }).length;
    }
    expect(n).toBe(0);
  });
});
