import { describe, expect, it } from "vitest";
import { DEFAULT_MIGRASOME_PARAMS, type MigrasomeParams } from "../../src/imaging/migrasomes.ts";
import { REALISM_PRESETS } from "../../src/imaging/realism.ts";
import { runSuite } from "../../src/imaging/suite.ts";

/** true and false positives on tuning scenes (scoring ranges, 32 µm, 0.1 µm pixels) */
function run(snr: number, seeds: number[], dense: boolean, shapes: boolean, mp: Partial<MigrasomeParams>) {
  const r = runSuite(snr, seeds, "scoring", 0.1, 32, { migrasome: mp }, { baseline: false, dense, realism: shapes ? REALISM_PRESETS.shapes : undefined }).migrasim;
  return { tp: r.truePositives, fp: r.nDetected - r.truePositives };
}

describe("a small dimmer circle inside a complete hollow ring (ringContainRingZ)", () => {
  it("is on by default", () => {
    expect(DEFAULT_MIGRASOME_PARAMS.ringContainRingZ).toBe(2);
    expect(DEFAULT_MIGRASOME_PARAMS.ringContainMaxRatio).toBe(0.6);
    expect(DEFAULT_MIGRASOME_PARAMS.ringContainPeakRatio).toBe(1.2);
  });
  it("removes circles drawn through an unevenly labelled ring's bright patch (shapes, SNR 7)", () => {
    // tuning seeds 103 and 129: a 0.8–0.9 µm circle centred just inside the rim of a 1.3–1.4 µm patchy migrasome,
    // through its bright patch, its hollow and a fiber beyond (arm contrast 2.2 and 3.8): each a false positive
    const off = run(7, [103, 129], false, true, { ringContainRingZ: 0 });
    const on = run(7, [103, 129], false, true, {});
    expect(on.tp).toBe(off.tp);
    expect(on.fp).toBe(off.fp - 2);
  });
  it("keeps the smaller members of dense clusters that are as bright as their neighbour (dense, SNR 4)", () => {
    // tuning seed 125: a member of half its neighbour's radius, centred inside its rim, with a rim peak 1/1.03 of the
    // neighbour's, is lost at a peak ratio of 1 and kept at 1.2
    const off = run(4, [125], true, false, { ringContainRingZ: 0 });
    expect(run(4, [125], true, false, {}).tp).toBe(off.tp);
    expect(run(4, [125], true, false, { ringContainPeakRatio: 1 }).tp).toBe(off.tp - 1);
  });
});
