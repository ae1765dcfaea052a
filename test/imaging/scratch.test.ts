/**
 * analyzePlane and detectMigrasomes reuse scratch arrays between calls: results must not depend on call
 * order, on the image analysed before, nor on a nested call from the onCandidate callback.
 */
import { describe, expect, it } from "vitest";
import { analyzePlane } from "../../src/imaging/analyze.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { generateScene, randomOptics } from "../../src/imaging/scene.ts";

const frame = (seed: number, px: number) => {
  const sc = generateScene(seed, { variant: "tuning", widthUm: 24, heightUm: 24 });
  const im = renderScene(sc, randomOptics(seed, 7, "tuning", px), seed);
  return { width: im.width, height: im.height, data: im.data };
};
const ser = (a: ReturnType<typeof analyzePlane>) => JSON.stringify({ m: a.migrasomes, f: a.fibers, c: a.cells, l: Array.from(a.cellLabels) });

describe("scratch reuse", () => {
  it("the same results whatever ran before, and from inside a callback", () => {
    const a = frame(1, 0.1);
    const b = frame(2, 0.065);
    const first = ser(analyzePlane(a, 0.1));
    expect(first.length).toBeGreaterThan(100);
    const other = ser(analyzePlane(b, 0.065)); // another image and size in between
    expect(ser(analyzePlane(a, 0.1))).toBe(first);
    // a nested analysis of the other image while the outer one is inside migrasome detection
    let nested = "";
    const outer = analyzePlane(a, 0.1, {
      onCandidate: () => {
        if (!nested) nested = ser(analyzePlane(b, 0.065));
      },
    });
    expect(nested).toBe(other);
    expect(ser(outer)).toBe(first);
  });
});
