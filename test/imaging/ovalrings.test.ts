import { describe, expect, it } from "vitest";
import { DEFAULT_MIGRASOME_PARAMS, type MigrasomeParams } from "../../src/imaging/migrasomes.ts";
import type { Optics, SceneObject } from "../../src/imaging/scene.ts";
import { detectRingRow } from "./ringrow.ts";

const px = 0.1;
// oval (aspect up to 1.3) and unevenly labelled rims: the `shapes` realism preset
const optics: Optics = {
  pixelSizeUm: px, psfSigmaUm: 0.12, ringThicknessUm: 0.08, sectionHalfUm: 0.35, snr: 7,
  backgroundPhotons: 60, unevenness: 0.2, readNoise: 2, offset: 100, label: "tspan4",
  realism: { ellipticity: 0.3, rimPatchiness: 0.4 },
};

/** six large migrasomes, each on a fiber, per seed: how many are found (exactly once each) and how many extra detections */
function run(seeds: number[], params: Partial<MigrasomeParams>) {
  let found = 0;
  let twice = 0;
  let extra = 0;
  for (const seed of seeds) {
    const { objects, det } = detectRingRow(optics, seed, params);
    // every detection within the object's outline (its radius + 0.3 µm) belongs to it
    const near = (o: SceneObject, d: { xUm: number; yUm: number }) => Math.hypot(d.xUm - o.x, d.yUm - o.y) < o.diameterUm / 2 + 0.3;
    for (const o of objects) {
      const n = det.filter((d) => near(o, d)).length;
      if (n >= 1) found++;
      if (n > 1) twice++;
    }
    extra += det.filter((d) => !objects.some((o) => near(o, d))).length;
  }
  return { found, twice, extra };
}

describe("oval, unevenly labelled rings (ovalRefine, centreContain)", () => {
  const seeds = Array.from({ length: 24 }, (_, i) => i + 1);
  it("is on by default, gated on uneven rims, containment by the centre only inside ovals", () => {
    expect(DEFAULT_MIGRASOME_PARAMS.ovalRefine).toBe(true);
    expect(DEFAULT_MIGRASOME_PARAMS.ovalMaxUniformity).toBe(0.65);
    expect(DEFAULT_MIGRASOME_PARAMS.ovalMinRingZ).toBeGreaterThan(0);
    expect(DEFAULT_MIGRASOME_PARAMS.centreContain).toBe(true);
    expect(DEFAULT_MIGRASOME_PARAMS.centreContainOvalOnly).toBe(true);
  });
  it("elongated migrasomes on fibers are found, each once, with no extra circle inside a rim", () => {
    // 144 oval migrasomes of 1.8–2.8 µm at SNR 7: measured along circles, their rim quantile is that of the narrow
    // parts of the rim where a circle meets the oval (140 found); along ellipses 142, none twice. (At SNR 4 the
    // ungated search of the patch found 141–142 of 137, the gated one with ovalMinRingZ 0 140: there the ovals' ring
    // transform completeness is mostly below ovalMinRingZ, and they keep their circles.)
    const on = run(seeds, {});
    const off = run(seeds, { ovalRefine: false, centreContain: false });
    expect(off.found).toBeLessThanOrEqual(141);
    expect(on.found).toBeGreaterThanOrEqual(142);
    expect(on.twice).toBe(0);
    expect(on.extra).toBeLessThanOrEqual(off.extra);
  });
  it("with ovalRefine off, centreContainOvalOnly leaves the circles' results as they were", () => {
    // no ovals, so no containment by the centre: the same detections with centreContain on or off
    const a = run(seeds.slice(0, 6), { ovalRefine: false });
    const b = run(seeds.slice(0, 6), { ovalRefine: false, centreContain: false });
    expect(a).toEqual(b);
  });
});
