/**
 * Short pieces of the fiber mask are pruned as noise (spurs < 2 µm, components < 6 µm), unless the
 * line filter saw them strongly (median response along the piece ≥ 4 noise units): then spurs down to 1 µm and
 * components down to 3 µm are kept. At 0.16 µm pixels, fibers converging or running 0.4 µm apart
 * break into such pieces where they touch.
 */
import { describe, expect, it } from "vitest";
import { traceFibers } from "../../src/imaging/trace.ts";

const px = 0.16;
const w = 120;
const h = 100;

/** a horizontal line (11 µm) with a 1.4 µm side branch at a T, and an isolated 4 µm piece; every mask pixel at line response z */
function mask(z: number): { m: Uint8Array; lineZ: Float32Array } {
  const m = new Uint8Array(w * h);
  for (let x = 10; x <= 80; x++) m[30 * w + x] = 1;
  for (let y = 31; y <= 39; y++) m[y * w + 45] = 1;
  for (let x = 20; x <= 45; x++) m[70 * w + x] = 1;
  const lineZ = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) if (m[i]) lineZ[i] = z;
  return { m, lineZ };
}

function traced(z: number | null): number {
  const { m, lineZ } = mask(z ?? 0);
  const o = new Float32Array(w * h);
  return traceFibers(m, o, o, w, h, px, { migrasomes: [], lineZ: z === null ? undefined : lineZ }).totalLengthUm;
}

describe("strongly evidenced short pieces", () => {
  it("keeps a bright short spur and a bright short isolated piece", () => {
    // main line 11.2 µm + spur ≈ 1.4 µm + isolated piece 4 µm
    expect(traced(8)).toBeGreaterThan(16);
  });
  it("still prunes them when they are weak, or without line responses", () => {
    for (const z of [3, null]) {
      const L = traced(z);
      expect(L).toBeGreaterThan(10.5);
      expect(L).toBeLessThan(11.5);
    }
  });
  it("judges a spur by its own pixels, not by the bright fiber it leaves", () => {
    // the T's spur (9 pixels at y 31–39): its first 3 pixels carry the main line's response (20), the rest 1.5;
    // the mean (5.7) would keep it as strong, the median (1.5) does not
    const { m, lineZ } = mask(20);
    for (let y = 34; y <= 39; y++) lineZ[y * w + 45] = 1.5;
    for (let x = 20; x <= 45; x++) lineZ[70 * w + x] = 1.5; // and the isolated piece weak too
    const o = new Float32Array(w * h);
    const L = traceFibers(m, o, o, w, h, px, { migrasomes: [], lineZ }).totalLengthUm;
    expect(L).toBeGreaterThan(10.5);
    expect(L).toBeLessThan(11.5);
  });
});

