/** Test helper: the optics of the tip-extension tests (SNR 7, PSF 0.11–0.13 µm by seed, a mildly uneven background). */
import type { FiberGraph, FiberNode } from "../../src/imaging/trace.ts";
import type { Optics } from "../../src/imaging/scene.ts";

export const extendOptics = (px: number, seed: number): Optics => ({
  pixelSizeUm: px,
  psfSigmaUm: 0.11 + 0.01 * (seed % 3),
  ringThicknessUm: 0.08,
  sectionHalfUm: 0.35,
  snr: 7,
  backgroundPhotons: 60,
  unevenness: 0.2,
  readNoise: 2,
  offset: 100,
  label: "tspan4",
});

/** A graph of one straight traced fiber from (x0, y0) to (x1, y1), vertices 0.1 µm apart, ends of the given kinds. */
export function straightFiber(x0: number, y0: number, x1: number, y1: number, kindA: FiberNode["kind"], kindB: FiberNode["kind"]): FiberGraph {
  const L = Math.hypot(x1 - x0, y1 - y0);
  const n = Math.round(L / 0.1);
  const points = Array.from({ length: n + 1 }, (_, i): [number, number] => [x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * i) / n]);
  return {
    nodes: [
      { id: 0, xUm: x0, yUm: y0, kind: kindA, degree: 1 },
      { id: 1, xUm: x1, yUm: y1, kind: kindB, degree: 1 },
    ],
    edges: [{ id: 0, a: 0, b: 1, points, lengthUm: L, cellId: null }],
    totalLengthUm: L,
  };
}
