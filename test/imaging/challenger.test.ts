import { describe, expect, it } from "vitest";
import { analyzePlane } from "../../src/imaging/analyze.ts";
import { DEFAULT_MIGRASOME_PARAMS } from "../../src/imaging/migrasomes.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { generateScene, randomOptics } from "../../src/imaging/scene.ts";

// Tuning seeds (< 1000) rendered with the harder scoring ranges, 0.065 µm pixels, SNR 10: a small bright
// (filled, WGA-like) migrasome on fibers, where a larger, dimmer circle through it and the fibers around it
// was accepted first and the small one, a blob candidate inside that circle, was never profiled.
const cases = [
  { seed: 113, x: 9.9, y: 15.49, d: 0.65 },
  { seed: 284, x: 12.88, y: 13.76, d: 0.66 },
];

function found(seed: number, x: number, y: number, d: number, blobChallenge?: number): { hit: boolean; nearby: number } {
  const scene = generateScene(seed, { variant: "scoring", widthUm: 32, heightUm: 32, dense: false });
  const img = renderScene(scene, randomOptics(seed, 10, "scoring", 0.065), seed);
  const params = blobChallenge === undefined ? undefined : { migrasome: { ...DEFAULT_MIGRASOME_PARAMS, blobChallenge } };
  const a = analyzePlane({ width: img.width, height: img.height, data: img.data }, 0.065, { params });
  const gate = Math.max(0.3, d / 4);
  return {
    hit: a.migrasomes.some((m) => Math.hypot(m.xUm - x, m.yUm - y) <= gate && Math.abs(m.diameterUm - d) < 0.3),
    nearby: a.migrasomes.filter((m) => Math.hypot(m.xUm - x, m.yUm - y) < 1.5).length,
  };
}

describe("a blob inside an accepted circle challenges it", () => {
  it("finds the small bright migrasome instead of the larger circle through it", () => {
    for (const c of cases) {
      const on = found(c.seed, c.x, c.y, c.d);
      expect(on.hit, `seed ${c.seed}: small migrasome found`).toBe(true);
      // it replaced the larger circle: one detection there, not two
      expect(on.nearby, `seed ${c.seed}: detections within 1.5 µm`).toBe(1);
      // without the challenge the larger circle hides it
      expect(found(c.seed, c.x, c.y, c.d, 1).hit, `seed ${c.seed}: without the challenge`).toBe(false);
    }
  });
});
