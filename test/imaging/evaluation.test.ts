/**
 * The evaluation on a fixed set of SCORING scenes (seeds ≥ 1000; the detector was tuned on
 * seeds 1–8 with different PSF, ring thickness, fiber brightness and background ranges).
 * Asserts the F1 bars for Migrasim and that it beats the LoG baseline.
 */
import { describe, expect, it } from "vitest";
import { runSuite, suiteSeeds } from "../../src/imaging/suite.ts";

describe("evaluation on scoring scenes (40×40 µm, 0.1 µm pixels)", () => {
  const seeds = suiteSeeds("scoring", 8);
  it.each([
    [7, 0.97],
    [4, 0.95],
    [2, 0.85],
  ])("SNR %d: F1 ≥ %d and better than the LoG baseline", (snr, bar) => {
    const r = runSuite(snr, seeds, "scoring", 0.1);
    expect(r.migrasim.nTrue).toBeGreaterThan(60);
    expect(r.migrasim.f1).toBeGreaterThanOrEqual(bar);
    expect(r.migrasim.f1).toBeGreaterThan(r.log.f1 + 0.05);
    if (snr >= 7) expect(Math.abs(r.fiberLengthRatio - 1)).toBeLessThan(0.1);
  });
  it("works at 0.065 and 0.16 µm pixels without retuning (SNR 4)", () => {
    for (const px of [0.065, 0.16]) {
      const r = runSuite(4, suiteSeeds("scoring", 2), "scoring", px, 32);
      expect(r.migrasim.f1, `pixel ${px}`).toBeGreaterThanOrEqual(0.85);
      expect(r.migrasim.f1).toBeGreaterThan(r.log.f1);
    }
  });
});
