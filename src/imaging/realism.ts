/**
 * Microscope realism the detector was never tuned on: departures from the renderer's own model (Gaussian
 * PSF, smooth background, uniform fibers, round evenly labelled vesicles, an ideal camera), each of which a
 * real confocal or widefield image shows. `renderScene` applies them when `optics.realism` sets them; with
 * none set it renders exactly as before (byte-identical). They exist to measure how far the analysis holds
 * up off its own renderer (docs/imaging.md, Evaluation › Off the renderer's model), not to tune it.
 *
 * Every magnitude here is a modelling assumption chosen to be clearly visible, not a calibrated value; the
 * physics behind each form is cited where it has a source.
 */
import type { Rng } from "../util/rng.ts";

export interface Realism {
  /**
   * PSF shape: "gaussian" (the renderer's own) or "airy", the in-focus widefield PSF (2 J₁(v)/v)², v = 2π r NA/λ,
   * with λ/NA = σ / 0.21 so that its best-fitting Gaussian has the optics' σ (Zhang, Zerubia & Olivo-Marin 2007,
   * Appl Opt 46:1819). Its rings (the first at 1.75 % of the peak) and the 16 % of the light outside the central
   * disc are what a Gaussian lacks. Truncated at v = 20 (96.8 % of the light) and normalised.
   */
  psf?: "gaussian" | "airy";
  /** out-of-focus light: this fraction of all in-focus signal added again, blurred with hazeSigmaUm (0 = off) */
  hazeFraction?: number;
  hazeSigmaUm?: number;
  /**
   * fibers of uneven brightness along their length (beads, varying membrane content): a log-normal factor of
   * this coefficient of variation (mean 1), correlated over fiberBeadingUm (an Ornstein–Uhlenbeck process in
   * log brightness); 0 = off
   */
  fiberBeadingCv?: number;
  fiberBeadingUm?: number;
  /** vesicles elongated up to 1 + ellipticity (aspect ratio, area kept, random orientation); 0 = round */
  ellipticity?: number;
  /** uneven labelling around the rim: 1 + p·cos(kθ + ψ), k 2 or 3, random phase; 0 = even */
  rimPatchiness?: number;
  /**
   * camera: "ideal" (Poisson + Gaussian read noise, the renderer's own); "emccd": the gain register's excess
   * noise factor √2 (photon variance doubled; Robbins & Hadwen 2003, IEEE Trans Electron Devices 50:1227);
   * "scmos": pixel-to-pixel read noise (log-normal, σ of log 0.5), offset (± 3 counts) and gain (± 2 %), a
   * fixed pattern of the seed (Huang et al. 2013, Nat Methods 10:653)
   */
  camera?: "ideal" | "emccd" | "scmos";
  /** hot pixels: this fraction of pixels reads 1–5 × the migrasome signal above background (0 = none) */
  hotPixelFraction?: number;
}

/** Named departures, one at a time and all together (the settings of the robustness table). */
export const REALISM_PRESETS: Record<string, Realism> = {
  airy: { psf: "airy" },
  haze: { hazeFraction: 0.3, hazeSigmaUm: 1 },
  beaded: { fiberBeadingCv: 0.5, fiberBeadingUm: 1 },
  shapes: { ellipticity: 0.3, rimPatchiness: 0.4 },
  emccd: { camera: "emccd" },
  scmos: { camera: "scmos", hotPixelFraction: 2e-4 },
  all: { psf: "airy", hazeFraction: 0.3, hazeSigmaUm: 1, fiberBeadingCv: 0.5, fiberBeadingUm: 1, ellipticity: 0.3, rimPatchiness: 0.4, camera: "scmos", hotPixelFraction: 2e-4 },
};

/** Presets by comma-separated names, merged left to right; throws with the known names on an unknown one. */
export function realismFromNames(list: string): Realism {
  const out: Realism = {};
  for (const raw of list.split(",")) {
    const name = raw.trim();
    const p = REALISM_PRESETS[name];
    if (!p) throw new Error(`unknown realism "${name}" (expected a comma list of ${Object.keys(REALISM_PRESETS).join(", ")})`);
    Object.assign(out, p);
  }
  return out;
}

/** Whether anything departs from the plain renderer. */
export function realismActive(r: Realism | undefined): r is Realism {
  if (!r) return false;
  return (
    r.psf === "airy" ||
    (r.hazeFraction ?? 0) > 0 ||
    (r.fiberBeadingCv ?? 0) > 0 ||
    (r.ellipticity ?? 0) > 0 ||
    (r.rimPatchiness ?? 0) > 0 ||
    (r.camera !== undefined && r.camera !== "ideal") ||
    (r.hotPixelFraction ?? 0) > 0
  );
}

/** Checks the ranges; throws naming the field and the expected form. */
export function checkRealism(r: Realism): void {
  const frac = (k: keyof Realism, lo: number, hi: number) => {
    const v = r[k];
    if (v !== undefined && !(typeof v === "number" && v >= lo && v <= hi)) throw new Error(`realism.${k} must be a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  };
  if (r.psf !== undefined && r.psf !== "gaussian" && r.psf !== "airy") throw new Error(`realism.psf must be "gaussian" or "airy", got ${JSON.stringify(r.psf)}`);
  if (r.camera !== undefined && !["ideal", "emccd", "scmos"].includes(r.camera)) throw new Error(`realism.camera must be "ideal", "emccd" or "scmos", got ${JSON.stringify(r.camera)}`);
  frac("hazeFraction", 0, 10);
  frac("hazeSigmaUm", 0.05, 50);
  frac("fiberBeadingCv", 0, 3);
  frac("fiberBeadingUm", 0.01, 100);
  frac("ellipticity", 0, 2);
  frac("rimPatchiness", 0, 1);
  frac("hotPixelFraction", 0, 0.1);
}

/** Bessel function J₁ (rational approximations of Numerical Recipes, |error| < 1e-7). */
export function besselJ1(x: number): number {
  const ax = Math.abs(x);
  if (ax < 8) {
    const y = x * x;
    const a = x * (72362614232.0 + y * (-7895059235.0 + y * (242396853.1 + y * (-2972611.439 + y * (15704.4826 + y * -30.16036606)))));
    const b = 144725228442.0 + y * (2300535178.0 + y * (18583304.74 + y * (99447.43394 + y * (376.9991397 + y))));
    return a / b;
  }
  const z = 8 / ax;
  const y = z * z;
  const xx = ax - 2.356194491;
  const a = 1 + y * (0.183105e-2 + y * (-0.3516396496e-4 + y * (0.2457520174e-5 + y * -0.240337019e-6)));
  const b = 0.04687499995 + y * (-0.2002690873e-3 + y * (0.8449199096e-5 + y * (-0.88228987e-6 + y * 0.105787412e-6)));
  const v = Math.sqrt(0.636619772 / ax) * (Math.cos(xx) * a - z * Math.sin(xx) * b);
  return x < 0 ? -v : v;
}

/** Airy intensity (2 J₁(v)/v)², 1 at v = 0. */
export function airyIntensity(v: number): number {
  if (Math.abs(v) < 1e-8) return 1;
  const a = (2 * besselJ1(v)) / v;
  return a * a;
}

/** Airy PSF's v per pixel for a Gaussian-equivalent σ (pixels): v = 2π r NA/λ with λ/NA = σ / 0.21. */
export const airyVPerPx = (sigmaPx: number): number => (2 * Math.PI * 0.21) / sigmaPx;

/**
 * A 2-D Airy kernel (odd side, centred) for a Gaussian-equivalent σ in pixels: each pixel the mean of 5 × 5
 * samples, cut at v = vMax, normalised to sum 1.
 */
export function airyKernel(sigmaPx: number, vMax = 20): { k: Float32Array; side: number } {
  if (!(sigmaPx > 0)) throw new Error(`airyKernel: sigmaPx must be > 0, got ${sigmaPx}`);
  const vpp = airyVPerPx(sigmaPx);
  const r = Math.max(1, Math.ceil(vMax / vpp));
  const side = 2 * r + 1;
  const k = new Float32Array(side * side);
  const ss = 5;
  let sum = 0;
  for (let j = -r; j <= r; j++)
    for (let i = -r; i <= r; i++) {
      let s = 0;
      for (let b = 0; b < ss; b++)
        for (let a = 0; a < ss; a++) {
          const v = Math.hypot(i + (a + 0.5) / ss - 0.5, j + (b + 0.5) / ss - 0.5) * vpp;
          if (v <= vMax) s += airyIntensity(v);
        }
      k[(j + r) * side + i + r] = s;
      sum += s;
    }
  for (let q = 0; q < k.length; q++) k[q] /= sum;
  return { k, side };
}

/** Full 2-D convolution with zero outside the image (the light of a source near the edge leaves it). */
export function convolve2d(src: Float32Array, w: number, h: number, kern: { k: Float32Array; side: number }): Float32Array {
  const { k, side } = kern;
  const r = (side - 1) >> 1;
  const out = new Float32Array(w * h);
  // scatter each non-zero source pixel (most of a scene's deposit image is zero)
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const v = src[y * w + x];
      if (v === 0) continue;
      const ya = Math.max(0, y - r);
      const yb = Math.min(h - 1, y + r);
      const xa = Math.max(0, x - r);
      const xb = Math.min(w - 1, x + r);
      for (let yy = ya; yy <= yb; yy++) {
        const kr = (yy - y + r) * side - x + r;
        const orow = yy * w;
        for (let xx = xa; xx <= xb; xx++) out[orow + xx] += v * k[kr + xx];
      }
    }
  return out;
}

/**
 * Brightness factors along a fiber, one per piece of `stepsUm[i]` µm: exp(σ·X − σ²/2) with X an
 * Ornstein–Uhlenbeck process of unit variance and correlation length corrUm, σ² = ln(1 + cv²), so that the
 * factor has mean 1 and coefficient of variation cv.
 */
export function beadingFactors(rng: Rng, stepsUm: number[], cv: number, corrUm: number): number[] {
  const s2 = Math.log(1 + cv * cv);
  const s = Math.sqrt(s2);
  let x = rng.normal();
  return stepsUm.map((dl, i) => {
    if (i > 0) {
      const a = Math.exp(-dl / corrUm);
      x = a * x + Math.sqrt(1 - a * a) * rng.normal();
    }
    return Math.exp(s * x - s2 / 2);
  });
}

/** The per-vesicle shape of `ellipticity` and `rimPatchiness` (drawn once per vesicle). */
export interface VesicleShape {
  aspect: number;
  cosA: number;
  sinA: number;
  patch: number;
  k: number;
  phase: number;
}

export function drawVesicleShape(rng: Rng, r: Realism): VesicleShape {
  const angle = rng.range(0, Math.PI);
  return {
    aspect: 1 + (r.ellipticity ?? 0) * rng.uniform(),
    cosA: Math.cos(angle),
    sinA: Math.sin(angle),
    patch: r.rimPatchiness ?? 0,
    k: rng.chance(0.5) ? 2 : 3,
    phase: rng.range(0, 2 * Math.PI),
  };
}

/** The radius at which a round vesicle's profile is read for offset (dx, dy) µm, and the label's factor there. */
export function shapedRadius(s: VesicleShape, dx: number, dy: number): { r: number; factor: number } {
  const u = dx * s.cosA + dy * s.sinA;
  const v = -dx * s.sinA + dy * s.cosA;
  const q = Math.sqrt(s.aspect);
  const r = Math.hypot(u / q, v * q);
  const factor = s.patch > 0 ? 1 + s.patch * Math.cos(s.k * Math.atan2(dy, dx) + s.phase) : 1;
  return { r, factor };
}

/** A camera's fixed pattern (sCMOS): per-pixel read noise σ, offset and gain. */
export interface CameraPattern {
  readNoise: Float32Array;
  offset: Float32Array;
  gain: Float32Array;
}

export function scmosPattern(rng: Rng, n: number, readNoise: number, offset: number): CameraPattern {
  const rn = new Float32Array(n);
  const off = new Float32Array(n);
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    rn[i] = readNoise * Math.exp(0.5 * rng.normal() - 0.125);
    off[i] = offset + 3 * rng.normal();
    g[i] = 1 + 0.02 * rng.normal();
  }
  return { readNoise: rn, offset: off, gain: g };
}
