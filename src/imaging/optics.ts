/**
 * Image formation for a scene: membrane-label rings (a spherical shell seen through an
 * optical section), fibers at the optical limit, cell bodies, Gaussian PSF, uneven
 * background, Poisson photon noise, read noise and a camera offset; 16-bit counts out. With
 * `optics.realism` (realism.ts) it departs from that model: Airy PSF, out-of-focus haze, beaded fibers,
 * elongated and patchily labelled vesicles, EMCCD or sCMOS cameras, hot pixels.
 */
import { Rng } from "../util/rng.ts";
import { convolveSeparable, gaussianKernel } from "./filters.ts";
import { airyKernel, beadingFactors, checkRealism, convolve2d, drawVesicleShape, realismActive, scmosPattern, shapedRadius } from "./realism.ts";
import type { Optics, Scene, SceneObject } from "./scene.ts";

export interface RenderedImage {
  width: number;
  height: number;
  /** camera counts */
  counts: Uint16Array;
  /** the same as Float32 (for analysis without a file round trip) */
  data: Float32Array;
  pixelSizeUm: number;
  /** peak signal S used for the mean migrasome (photons) */
  signalPhotons: number;
}

/** Radial profile of a vesicle (path length through the labelled shell within the section). */
function vesicleProfile(r: number, R: number, t: number, h: number, label: "tspan4" | "wga"): number {
  const outer = r < R ? Math.min(Math.sqrt(R * R - r * r), h) : 0;
  const Ri = Math.max(0, R - t);
  const inner = r < Ri ? Math.min(Math.sqrt(Ri * Ri - r * r), h) : 0;
  let v = 2 * (outer - inner);
  if (label === "wga") v += 0.35 * 2 * inner; // WGA also fills the vesicle's glycan-rich lumen
  return v;
}

/**
 * Render a scene (µm) into an image with the given optics. The region (µm) defaults to the
 * whole scene; the image origin is the region's top-left corner. Frames of a time series (frame > 0) keep
 * frame 0's uneven background and camera pattern and draw their own photon and read noise.
 */
export function renderScene(
  scene: Scene,
  optics: Optics,
  seed: number,
  region: { x0: number; y0: number; x1: number; y1: number } = { x0: 0, y0: 0, x1: scene.widthUm, y1: scene.heightUm },
  frame = 0,
): RenderedImage {
  if (!(Number.isInteger(frame) && frame >= 0)) throw new Error(`renderScene: frame must be a whole number ≥ 0, got ${frame}`);
  const px = optics.pixelSizeUm;
  const W = Math.max(8, Math.round((region.x1 - region.x0) / px));
  const H = Math.max(8, Math.round((region.y1 - region.y0) / px));
  const rng = new Rng(`noise:${seed}`);
  const B = optics.backgroundPhotons;
  const S = optics.snr * Math.sqrt(B + optics.readNoise * optics.readNoise);
  const sp = optics.psfSigmaUm / px;
  if (optics.realism) checkRealism(optics.realism);
  const re = realismActive(optics.realism) ? optics.realism : undefined;
  // the departures draw from their own stream, so the photon and read noise stay those of the plain render
  const rr = re ? new Rng(`realism:${seed}`) : null;
  const airy = re?.psf === "airy" ? airyKernel(sp) : null;
  // pixel centre (i, j) is at µm (x0 + (i + 0.5)·px, y0 + (j + 0.5)·px)
  const toPx = (x: number) => (x - region.x0) / px - 0.5;
  const toPy = (y: number) => (y - region.y0) / px - 0.5;
  const pre = new Float32Array(W * H); // blurred with the PSF afterwards
  const post = new Float32Array(W * H); // already blurred patches
  const deposit = (fx: number, fy: number, wgt: number) => {
    const x0 = Math.floor(fx);
    const y0 = Math.floor(fy);
    const ax = fx - x0;
    const ay = fy - y0;
    for (let dy = 0; dy <= 1; dy++)
      for (let dx = 0; dx <= 1; dx++) {
        const x = x0 + dx;
        const y = y0 + dy;
        if (x < 0 || y < 0 || x >= W || y >= H) continue;
        pre[y * W + x] += wgt * (dx ? ax : 1 - ax) * (dy ? ay : 1 - ay);
      }
  };
  // fibers: a line of density λ blurred by a Gaussian has peak λ/(√(2π)σ)
  const beads = (re?.fiberBeadingCv ?? 0) > 0;
  const pieces: number[] = [];
  const steps: number[] = [];
  for (const f of scene.fibers) {
    const lam = f.brightness * S * Math.sqrt(2 * Math.PI) * sp;
    const p = f.points;
    for (let i = 1; i < p.length; i++) {
      const ax = toPx(p[i - 1][0]);
      const ay = toPy(p[i - 1][1]);
      const bx = toPx(p[i][0]);
      const by = toPy(p[i][1]);
      const l = Math.hypot(bx - ax, by - ay);
      const n = Math.max(1, Math.ceil(l / 0.25));
      for (let k = 0; k < n; k++) {
        const t = (k + 0.5) / n;
        if (beads) {
          pieces.push(ax + t * (bx - ax), ay + t * (by - ay), (lam * l) / n);
          steps.push((l / n) * px);
        } else deposit(ax + t * (bx - ax), ay + t * (by - ay), (lam * l) / n);
      }
    }
    if (beads && rr) {
      const fac = beadingFactors(rr, steps, re?.fiberBeadingCv ?? 0, re?.fiberBeadingUm ?? 1);
      for (let q = 0; q < fac.length; q++) deposit(pieces[3 * q], pieces[3 * q + 1], pieces[3 * q + 2] * fac[q]);
      pieces.length = 0;
      steps.length = 0;
    }
  }
  // cell bodies: soft-edged, slightly textured ellipses with a brighter membrane rim
  for (const c of scene.cells) {
    const R = Math.max(c.rx, c.ry) + 1;
    const xa = Math.max(0, Math.floor(toPx(c.x - R)));
    const xb = Math.min(W - 1, Math.ceil(toPx(c.x + R)));
    const ya = Math.max(0, Math.floor(toPy(c.y - R)));
    const yb = Math.min(H - 1, Math.ceil(toPy(c.y + R)));
    const ca = Math.cos(c.angle);
    const sa = Math.sin(c.angle);
    for (let y = ya; y <= yb; y++)
      for (let x = xa; x <= xb; x++) {
        const ux = region.x0 + (x + 0.5) * px - c.x;
        const uy = region.y0 + (y + 0.5) * px - c.y;
        const u = (ux * ca + uy * sa) / c.rx;
        const w = (-ux * sa + uy * ca) / c.ry;
        const rho = Math.sqrt(u * u + w * w);
        if (rho > 1.05) continue;
        const edge = Math.max(0, Math.min(1, (1.02 - rho) / 0.06));
        const rim = Math.exp(-((rho - 0.97) ** 2) / (2 * 0.02 ** 2));
        pre[y * W + x] += S * c.brightness * (0.7 * edge * (0.85 + 0.15 * Math.cos(ux * 0.9) * Math.sin(uy * 0.7)) + 0.5 * rim);
      }
  }
  // sub-resolution dots: a point of weight p·2πσ² has peak p
  const patches: SceneObject[] = [];
  for (const o of scene.objects) {
    if (o.kind === "dot") deposit(toPx(o.x), toPy(o.y), o.brightness * S * 2 * Math.PI * sp * sp);
    else patches.push(o);
  }
  // vesicles and migrasomes: each rendered in its own patch, blurred, scaled to its peak
  const kern = gaussianKernel(sp);
  const ss = 3; // supersampling
  for (const o of patches) {
    const R = o.diameterUm / 2;
    const half = Math.ceil((R + (airy ? ((airy.side - 1) / 2) * px : 4 * optics.psfSigmaUm)) / px) + 1;
    const shape = re && ((re.ellipticity ?? 0) > 0 || (re.rimPatchiness ?? 0) > 0) && rr ? drawVesicleShape(rr, re) : null;
    const cx = Math.round(toPx(o.x));
    const cy = Math.round(toPy(o.y));
    const n = 2 * half + 1;
    const patch = new Float32Array(n * n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let b = 0; b < ss; b++)
          for (let a = 0; a < ss; a++) {
            const xu = region.x0 + (cx - half + i + 0.5 + (a + 0.5) / ss - 0.5) * px - o.x;
            const yu = region.y0 + (cy - half + j + 0.5 + (b + 0.5) / ss - 0.5) * px - o.y;
            if (shape) {
              const q = shapedRadius(shape, xu, yu);
              s += q.factor * vesicleProfile(q.r, R, optics.ringThicknessUm, optics.sectionHalfUm, optics.label);
            } else s += vesicleProfile(Math.hypot(xu, yu), R, optics.ringThicknessUm, optics.sectionHalfUm, optics.label);
          }
        patch[j * n + i] = s;
      }
    const blurred = airy ? convolve2d(patch, n, n, airy) : convolveSeparable(patch, n, n, kern);
    let peak = 0;
    for (const v of blurred) if (v > peak) peak = v;
    if (!(peak > 0)) continue;
    const scale = (o.brightness * S) / peak;
    for (let j = 0; j < n; j++) {
      const y = cy - half + j;
      if (y < 0 || y >= H) continue;
      for (let i = 0; i < n; i++) {
        const x = cx - half + i;
        if (x < 0 || x >= W) continue;
        post[y * W + x] += blurred[j * n + i] * scale;
      }
    }
  }
  const signal = airy ? convolve2d(pre, W, H, airy) : convolveSeparable(pre, W, H, kern);
  if (re && (re.hazeFraction ?? 0) > 0) {
    // out-of-focus light: the in-focus signal again, broadly blurred
    const all = new Float32Array(W * H);
    for (let i = 0; i < all.length; i++) all[i] = signal[i] + post[i];
    const hz = convolveSeparable(all, W, H, gaussianKernel((re.hazeSigmaUm ?? 1) / px));
    const f = re.hazeFraction ?? 0;
    for (let i = 0; i < all.length; i++) signal[i] += f * hz[i];
  }
  const cam = re?.camera === "emccd" || re?.camera === "scmos" ? re.camera : null;
  const pattern = cam === "scmos" && rr ? scmosPattern(rr, W * H, optics.readNoise, optics.offset) : null;
  const hot = re?.hotPixelFraction ?? 0;
  // smooth uneven background: a gradient plus a few broad bumps (fixed in µm)
  const bumps: [number, number, number, number][] = [];
  for (let k = 0; k < 4; k++) bumps.push([rng.range(region.x0, region.x1), rng.range(region.y0, region.y1), rng.range(10, 30), rng.range(-1, 1)]);
  const gx = rng.range(-1, 1);
  const gy = rng.range(-1, 1);
  const u = optics.unevenness;
  const Wum = region.x1 - region.x0;
  const Hum = region.y1 - region.y0;
  // the pixels' noise: frame 0 goes on with the background's stream (as a single image always has)
  const noise = frame > 0 ? new Rng(`noise:${seed}:frame${frame}`) : rng;
  const counts = new Uint16Array(W * H);
  const data = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const yu = region.y0 + (y + 0.5) * px;
    for (let x = 0; x < W; x++) {
      const xu = region.x0 + (x + 0.5) * px;
      let b = 1 + 0.5 * u * (gx * ((xu - region.x0) / Wum - 0.5) + gy * ((yu - region.y0) / Hum - 0.5));
      for (const [bx, by, bs, ba] of bumps) b += 0.5 * u * ba * Math.exp(-((xu - bx) ** 2 + (yu - by) ** 2) / (2 * bs * bs));
      const mean = Math.max(0, B * Math.max(0.2, b) + signal[y * W + x] + post[y * W + x]);
      let v: number;
      if (!cam) v = noise.poisson(mean) + optics.readNoise * noise.normal() + optics.offset;
      else if (pattern) {
        const i = y * W + x;
        v = noise.poisson(mean) * pattern.gain[i] + pattern.readNoise[i] * noise.normal() + pattern.offset[i];
      } else {
        // EMCCD: the gain register's output for n electrons, in electrons, is Gamma(n, 1) (variance doubled)
        const n = noise.poisson(mean);
        v = (n > 0 && rr ? (frame > 0 ? noise : rr).gamma(n, 1) : 0) + optics.readNoise * noise.normal() + optics.offset;
      }
      if (hot > 0 && rr && rr.uniform() < hot) v = optics.offset + B + rr.range(1, 5) * S;
      const c = Math.max(0, Math.min(65535, Math.round(v)));
      counts[y * W + x] = c;
      data[y * W + x] = c;
    }
  }
  return { width: W, height: H, counts, data, pixelSizeUm: px, signalPhotons: S };
}
