/** Test helper: the optics of the tip-extension tests (SNR 7, PSF 0.11–0.13 µm by seed, a mildly uneven background). */
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
