/**
 * `f1BootstrapInterval`: a percentile bootstrap of F1 over images, for tables whose rows sit near a bar (the
 * off-model table, Evaluation). Checked on hand-made detections whose per-image F1 is known.
 */
import { describe, expect, it } from "vitest";
import { evaluateDetections, f1BootstrapInterval, type PointRecord } from "../../src/imaging/evaluate.ts";

/** image `name` with `nt` true migrasomes, the first `tp` of them detected exactly, and `fp` false detections far away */
function image(name: string, nt: number, tp: number, fp: number): { d: PointRecord[]; t: PointRecord[] } {
  const t: PointRecord[] = [];
  const d: PointRecord[] = [];
  for (let i = 0; i < nt; i++) {
    t.push({ image: name, xUm: 5 * i, yUm: 0, diameterUm: 1 });
    if (i < tp) d.push({ image: name, xUm: 5 * i, yUm: 0, diameterUm: 1 });
  }
  for (let i = 0; i < fp; i++) d.push({ image: name, xUm: 5 * i, yUm: 50, diameterUm: 1 });
  return { d, t };
}

function pool(images: { d: PointRecord[]; t: PointRecord[] }[]) {
  return { d: images.flatMap((x) => x.d), t: images.flatMap((x) => x.t) };
}

describe("F1 bootstrap interval over images", () => {
  it("collapses to the point when every image is alike, and is deterministic", () => {
    const { d, t } = pool(Array.from({ length: 12 }, (_, i) => image(`im${i}`, 20, 18, 1)));
    const f1 = evaluateDetections(d, t).f1;
    expect(f1).toBeCloseTo((2 * 18) / (19 + 20), 10);
    const [lo, hi] = f1BootstrapInterval(d, t);
    expect(lo).toBeCloseTo(f1, 10);
    expect(hi).toBeCloseTo(f1, 10);
    expect(f1BootstrapInterval(d, t)).toEqual([lo, hi]);
  });

  it("holds the point F1 and narrows as images are added when images differ", () => {
    const mk = (n: number) => pool(Array.from({ length: n }, (_, i) => (i % 2 ? image(`im${i}`, 20, 20, 0) : image(`im${i}`, 20, 16, 3))));
    const small = mk(8);
    const big = mk(64);
    const f1 = evaluateDetections(small.d, small.t).f1;
    const [lo, hi] = f1BootstrapInterval(small.d, small.t);
    expect(lo).toBeLessThan(f1);
    expect(hi).toBeGreaterThan(f1);
    const [lo2, hi2] = f1BootstrapInterval(big.d, big.t);
    expect(evaluateDetections(big.d, big.t).f1).toBeCloseTo(f1, 10);
    // the width falls about as 1/√(images): 8× the images, about a third of the width
    expect(hi2 - lo2).toBeLessThan(0.5 * (hi - lo));
    expect(hi2 - lo2).toBeGreaterThan(0.2 * (hi - lo));
  });

  it("refuses a bad level or number of draws, and gives NaN without truth", () => {
    const { d, t } = image("a", 5, 4, 0);
    expect(() => f1BootstrapInterval(d, t, 1)).toThrow(/level/);
    expect(() => f1BootstrapInterval(d, t, 0.95, 3)).toThrow(/reps/);
    expect(f1BootstrapInterval(d, [])).toEqual([NaN, NaN]);
  });
});
