/**
 * Dim retraction fibers: the line filter (`lines.ts`) integrates along the fiber, so fibers at a
 * fraction of a noise unit per pixel are traced to nearly their full length, while pure noise gives
 * (almost) no fiber. Scenes are built here (no migrasomes, no cells) so that only the fiber stage is
 * tested; every test runs in well under a second.
 */
import { describe, expect, it } from "vitest";
import { analyzePlane } from "../../src/imaging/analyze.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { sceneFiberLength, type Optics, type Scene, type SceneFiber } from "../../src/imaging/scene.ts";

const optics = (px: number, snr: number): Optics => ({
  pixelSizeUm: px, psfSigmaUm: 0.11, ringThicknessUm: 0.08, sectionHalfUm: 0.35, snr,
  backgroundPhotons: 50, unevenness: 0.2, readNoise: 2, offset: 100, label: "tspan4",
});

/** A gently curved fiber from (x0, y0) heading `angle` (rad) for `lengthUm`, bending by `bend` rad per µm. */
function fiber(id: number, x0: number, y0: number, angle: number, lengthUm: number, bend: number, brightness: number): SceneFiber {
  const points: [number, number][] = [[x0, y0]];
  let a = angle;
  for (let s = 0; s < lengthUm; s++) {
    a += bend;
    const [x, y] = points[points.length - 1];
    points.push([x + Math.cos(a), y + Math.sin(a)]);
  }
  return { id, cellId: null, points, brightness };
}

/**
 * Five dim fibers, two crossing: 0.35–0.5 of the migrasome signal, so at SNR 3 about one noise unit per
 * pixel (the Hessian ridge detector alone traced 55–75 % of them).
 */
function dimScene(): Scene {
  return {
    widthUm: 30, heightUm: 30, cells: [], objects: [], crossings: [],
    fibers: [
      fiber(1, 3, 4, 0.1, 22, 0.01, 0.45),
      fiber(2, 4, 12, -0.05, 20, 0.015, 0.4),
      fiber(3, 3, 22, 0.2, 21, -0.02, 0.5),
      fiber(4, 8, 3, 1.45, 22, -0.01, 0.35),
      fiber(5, 24, 26, -2.2, 14, 0.02, 0.45),
    ],
  };
}

function traced(scene: Scene, px: number, snr: number, seed: number): number {
  const img = renderScene(scene, optics(px, snr), seed);
  return analyzePlane({ width: img.width, height: img.height, data: img.data }, px).fibers.totalLengthUm;
}

describe("dim fibers (line filter)", () => {
  it("traces dim fibers at SNR 3 to within 15 % of their length", () => {
    const scene = dimScene();
    const truth = sceneFiberLength(scene);
    const L = traced(scene, 0.1, 3, 11);
    expect(L / truth).toBeGreaterThan(0.85);
    expect(L / truth).toBeLessThan(1.15);
  });
  it("traces them at 0.16 µm pixels too (SNR 6: fewer pixels across a fiber carry less signal)", () => {
    const scene = dimScene();
    const L = traced(scene, 0.16, 6, 12);
    expect(Math.abs(L / sceneFiberLength(scene) - 1)).toBeLessThan(0.15);
  });
  it("finds (almost) no fiber in pure noise", () => {
    const empty: Scene = { widthUm: 30, heightUm: 30, cells: [], objects: [], crossings: [], fibers: [] };
    for (const [px, seed] of [[0.1, 21], [0.065, 22], [0.16, 23]]) expect(traced(empty, px, 3, seed), `pixel ${px}`).toBeLessThan(3);
  });
  it("is deterministic", () => {
    const scene = dimScene();
    const img = renderScene(scene, optics(0.1, 3), 31);
    const run = () => JSON.stringify(analyzePlane({ width: img.width, height: img.height, data: img.data }, 0.1).fibers);
    expect(run()).toBe(run());
  });
});
