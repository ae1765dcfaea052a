import { describe, expect, it } from "vitest";
import { detectMigrasomes } from "../../src/imaging/migrasomes.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import type { Optics, Scene, SceneObject } from "../../src/imaging/scene.ts";
import { subtractBackground } from "./subtract.ts";

const optics = (px: number): Optics => ({
  pixelSizeUm: px, psfSigmaUm: 0.14, ringThicknessUm: 0.08, sectionHalfUm: 0.35, snr: 10,
  backgroundPhotons: 60, unevenness: 0.2, readNoise: 2, offset: 100, label: "tspan4",
});

/** Two straight fibers crossing at (8, 8) µm at the given angle, with an optional object on the crossing. */
function crossingScene(angleDeg: number, b1: number, b2: number, object?: Partial<SceneObject>): Scene {
  const a = (angleDeg * Math.PI) / 180;
  const [cx, cy, L] = [8, 8, 6];
  return {
    widthUm: 16, heightUm: 16, cells: [], crossings: [[cx, cy]],
    fibers: [
      { id: 1, cellId: null, points: [[cx - L, cy], [cx + L, cy]], brightness: b1 },
      { id: 2, cellId: null, points: [[cx - L * Math.cos(a), cy - L * Math.sin(a)], [cx + L * Math.cos(a), cy + L * Math.sin(a)]], brightness: b2 },
    ],
    objects: object ? [{ id: 1, x: cx, y: cy, diameterUm: 0.7, brightness: 0.8, kind: "migrasome", site: "junction", cellId: null, ...object }] : [],
  };
}

function reportedAtCrossing(scene: Scene, px: number, seed: number): number {
  const img = renderScene(scene, optics(px), seed);
  const { s, noise } = subtractBackground(img, px);
  const det = detectMigrasomes(s, noise, img.width, img.height, px, { psfSigmaUm: 0.14 });
  return det.filter((d) => Math.hypot(d.xUm - 8, d.yUm - 8) < 0.35).length;
}

// bright fibers at a wide PSF: without the crossing test most of these crossings were reported as small migrasomes
const CASES: [number, number, number][] = [
  [90, 0.5, 0.5],
  [90, 0.5, 0.35],
  [90, 0.4, 0.4],
  [70, 0.5, 0.5],
  [70, 0.4, 0.4],
];

describe("fiber crossings", () => {
  for (const px of [0.065, 0.1])
    it(`does not report a plain crossing of two fibers as a migrasome (${px} µm pixels)`, () => {
      for (const [ang, b1, b2] of CASES)
        for (const seed of [1, 2, 3, 4]) expect(reportedAtCrossing(crossingScene(ang, b1, b2), px, seed), `${ang}° ${b1}/${b2} seed ${seed}`).toBe(0);
    });

  for (const px of [0.065, 0.1])
    it(`reports a small migrasome sitting on a crossing (${px} µm pixels)`, () => {
      for (const [ang, b1, b2] of CASES)
        for (const seed of [1, 2]) {
          expect(reportedAtCrossing(crossingScene(ang, b1, b2, { diameterUm: 0.7, brightness: 0.8 }), px, seed), `${ang}° ${b1}/${b2} seed ${seed}`).toBe(1);
          expect(reportedAtCrossing(crossingScene(ang, b1, b2, { diameterUm: 0.6, brightness: 0.6 }), px, seed), `dim, ${ang}° ${b1}/${b2} seed ${seed}`).toBe(1);
        }
    });
});
