import { describe, expect, it } from "vitest";
import { detectMigrasomes } from "../../src/imaging/migrasomes.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import type { Optics, Scene } from "../../src/imaging/scene.ts";
import { subtractBackground } from "./subtract.ts";

const optics = (px: number, label: Optics["label"]): Optics => ({
  pixelSizeUm: px, psfSigmaUm: 0.12, ringThicknessUm: 0.08, sectionHalfUm: 0.35, snr: 10,
  backgroundPhotons: 100, unevenness: 0.3, readNoise: 2.5, offset: 100, label,
});

function detect(scene: Scene, px: number, label: Optics["label"], seed: number) {
  const img = renderScene(scene, optics(px, label), seed);
  const { s, noise } = subtractBackground(img, px);
  return detectMigrasomes(s, noise, img.width, img.height, px, { psfSigmaUm: 0.12 });
}

describe("overlapping and contained detections", () => {
  it("keeps a large filled disc whole: the more significant circles inside it are pieces of it", () => {
    // WGA-labelled (filled) discs with fibers under them: a smaller circle inside the disc can have the
    // higher rim significance, but it is a piece of the disc
    const scene: Scene = {
      widthUm: 24, heightUm: 12, cells: [], crossings: [],
      fibers: [
        { id: 1, cellId: null, points: [[1, 6], [23, 6.3]], brightness: 0.4 },
        { id: 2, cellId: null, points: [[5, 1], [7, 11]], brightness: 0.3 },
        { id: 3, cellId: null, points: [[17, 1], [18.5, 11]], brightness: 0.3 },
      ],
      objects: [
        { id: 1, x: 6, y: 6, diameterUm: 2.4, brightness: 1.1, kind: "migrasome", site: "junction", cellId: null },
        { id: 2, x: 18, y: 6.2, diameterUm: 2.9, brightness: 0.9, kind: "migrasome", site: "junction", cellId: null },
      ],
    };
    for (const seed of [1, 2, 3]) {
      const det = detect(scene, 0.065, "wga", seed);
      for (const o of scene.objects) {
        const near = det.filter((d) => Math.hypot(d.xUm - o.x, d.yUm - o.y) < o.diameterUm / 2 + 0.3);
        expect(near.length, `seed ${seed} disc at ${o.x}`).toBe(1);
        expect(Math.hypot(near[0].xUm - o.x, near[0].yUm - o.y)).toBeLessThan(o.diameterUm / 4);
        expect(Math.abs(near[0].diameterUm - o.diameterUm)).toBeLessThan(0.4);
      }
    }
  });
});
