/**
 * The evaluation on a fixed set of SCORING scenes (seeds ≥ 1000; the detector was tuned on
 * tuning seeds 1–8 with different PSF, ring thickness, fiber brightness, background, cluster and
 * bundle ranges). Two scene sets: "sparse" (the scenes: rings on fibers, crossings,
 * decoys) and "dense" (plus clusters of touching/overlapping migrasomes and parallel fiber
 * bundles, as in simulated dishes). Asserts the bars reached (docs/imaging.md states which of the
 * issue's bars are still missed) and that Migrasim beats the LoG baseline clearly.
 */
import { describe, expect, it } from "vitest";
import { runSuite, suiteSeeds } from "../../src/imaging/suite.ts";

describe("evaluation on scoring scenes (40×40 µm, 0.1 µm pixels)", () => {
  const seeds = suiteSeeds("scoring", 6);
  it.each([
    // sparse: the bars; dense: the bars reached (docs/imaging.md)
    // site accuracy on matched migrasomes against the sites the scenes' fibers show (fiberArms): measured on these
    // 6 seeds with the learned arm reader 0.915 / 0.907 / 0.609 (sparse) and 0.820 / 0.805 / 0.679 (dense); with the
    // rules alone 0.877 / 0.837 / 0.565 and 0.807 / 0.720 / 0.527; the 0.85 at SNR 7 and 4 (sparse).
    // An ideal observer that knows every fiber's path reaches 0.995 / 0.953 / 0.790 on the sparse seeds (siteCeiling)
    [7, 0.97, 0.9, 0.85, 0.78],
    [4, 0.95, 0.9, 0.85, 0.75],
    [2, 0.85, 0.8, 0.55, 0.6],
  ])("SNR %s: F1 ≥ %s (sparse) / %s (dense), site accuracy ≥ %s (sparse) / %s (dense), better than the LoG baseline", (snr, sparseBar, denseBar, siteBar, denseSiteBar) => {
    const sparse = runSuite(snr, seeds, "scoring", 0.1, 40, undefined, { dense: false });
    expect(sparse.migrasim.nTrue).toBeGreaterThan(60);
    expect(sparse.migrasim.f1).toBeGreaterThanOrEqual(sparseBar);
    expect(sparse.migrasim.siteAccuracy).toBeGreaterThanOrEqual(siteBar);
    expect(sparse.migrasim.siteAccuracy).toBeLessThanOrEqual(sparse.siteCeiling);
    expect(sparse.migrasim.f1).toBeGreaterThan(sparse.log.f1 + 0.05);
    const dense = runSuite(snr, seeds, "scoring", 0.1, 40, undefined, { dense: true });
    expect(dense.migrasim.nTrue).toBeGreaterThan(sparse.migrasim.nTrue);
    expect(dense.migrasim.f1).toBeGreaterThanOrEqual(denseBar);
    expect(dense.migrasim.siteAccuracy).toBeGreaterThanOrEqual(denseSiteBar);
    expect(dense.migrasim.f1).toBeGreaterThan(dense.log.f1 + 0.05);
    // fiber length: measured 0.946 / 0.829 / 0.456 on these seeds at SNR 7 / 4 / 2 (0.944 / 0.819 / 0.440 before the
    // migrasome-piece and cell-join fixes, 0.943 / 0.820 / 0.472 before the cell-body gradient rule removed rim trace, 0.911 at SNR 7 before the line filter's wide pass, 0.879 at SNR 7 before the tip extension): the 10 % bar at SNR 7 (docs/imaging.md: it
    // is still missed at lower SNR and coarser pixels); at SNR 4 the level reached, as a guard
    if (snr >= 7) expect(Math.abs(sparse.fiberLengthRatio - 1)).toBeLessThan(0.1);
    if (snr === 4) expect(sparse.fiberLengthRatio).toBeGreaterThan(0.78);
  });
  it("works at 0.065 and 0.16 µm pixels without retuning (SNR 4, dense)", () => {
    for (const px of [0.065, 0.16]) {
      const r = runSuite(4, suiteSeeds("scoring", 2), "scoring", px, 32);
      expect(r.migrasim.f1, `pixel ${px}`).toBeGreaterThanOrEqual(0.75);
      expect(r.migrasim.f1).toBeGreaterThan(r.log.f1);
    }
  });
});
