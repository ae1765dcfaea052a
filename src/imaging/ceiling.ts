/**
 * How well could a detector that judges each arm over L µm classify sites on a rendered scene? An ideal
 * observer that knows where every fiber runs still has to decide, for each arm, whether the fiber is
 * there: a known signal in Gaussian noise, decided best by the matched filter, with detectability
 * d' = ‖signal‖ / σ. For a fiber
 * rendered at the optical limit (a line blurred by a Gaussian PSF of σ_psf, peak b·S, with S the mean
 * migrasome peak and σ = √(background + read noise²) per pixel, so that S = SNR·σ), over a length L of
 * pixels of size p:
 *
 *   d'² = Σ_pixels (b·S·exp(−u²/2σ_psf²))² / σ² = (b·SNR)² · √π · σ_psf · L / p²
 *
 * (the sum across the line of exp(−u²/σ_psf²) is √π·σ_psf/p pixels, along it L/p). With equal priors the
 * best error on that one decision is Φ(−d'/2), so a migrasome's site is right with probability at most
 * about Π over its arms Φ(d'/2) (merged arms: the strongest of the group). That is an upper estimate: the
 * observer here knows each arm's path, sees no passing fibers or decoys and only has to confirm arms that
 * exist. Note that d' grows as 1/p at a fixed SNR: the SNR is per pixel, so finer pixels carry more
 * photons per µm of fiber. It is a bound only for an observer that judges each arm over L: d' grows as √L, so
 * one that follows the fiber further can do better (docs/imaging.md, "The ceilings are local").
 */
import { PointGrid, polylineSamples } from "./pointgrid.ts";
import { fiberArmList, insideCell, mergeArms, sceneFiberLength, type Optics, type Scene } from "./scene.ts";

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Detectability d' of a known straight fiber segment (see the module comment). */
export function fiberDetectability(brightness: number, snr: number, psfSigmaUm: number, lengthUm: number, pixelSizeUm: number): number {
  if (!(lengthUm > 0) || !(brightness > 0) || !(snr > 0)) return 0;
  return (brightness * snr * Math.sqrt(Math.sqrt(Math.PI) * psfSigmaUm * lengthUm)) / pixelSizeUm;
}

export interface SiteCeiling {
  /** mean over migrasomes with a site of Π_arms Φ(d'/2) */
  accuracy: number;
  /** migrasomes counted */
  n: number;
}

/**
 * Site-accuracy ceiling of an ideal observer on a scene rendered with `optics`, each arm judged over
 * the fiber's first `armUm` µm beyond the migrasome's rim (or less where the fiber ends sooner).
 */
export function siteCeiling(scene: Scene, optics: Optics, armUm = 1): SiteCeiling {
  const sites = armDetectabilities(scene, optics, armUm);
  let acc = 0;
  for (const arms of sites) {
    let p = 1;
    for (const d of arms) p *= normalCdf(d / 2);
    acc += p;
  }
  return { accuracy: sites.length ? acc / sites.length : NaN, n: sites.length };
}

/** Per migrasome with a site, the d' of each of its merged arms (the group's strongest), judged over `armUm` µm. */
function armDetectabilities(scene: Scene, optics: Optics, armUm: number): number[][] {
  const out: number[][] = [];
  for (const o of scene.objects) {
    if (o.kind !== "migrasome" || o.site === "none") continue;
    const groups = mergeArms(fiberArmList(scene.fibers, o.x, o.y, o.diameterUm / 2));
    out.push(groups.map((g) => Math.max(0, ...g.map((a) => fiberDetectability(scene.fibers[a.fiber].brightness, optics.snr, optics.psfSigmaUm, Math.min(armUm, a.runUm), optics.pixelSizeUm)))));
  }
  return out;
}

/**
 * Site-accuracy ceiling of an observer that does NOT know where the fibers run: it must search `directions`
 * independent directions around each migrasome and call an arm wherever the evidence over `armUm` µm of the
 * direction (or less where the fiber ends sooner) passes one threshold t (in d' units). A true arm of detectability
 * d' is then found with probability Φ(d' − t), and each empty direction stays empty with probability Φ(t), so a site is
 * right with probability about Φ(t)^directions · Π_arms Φ(d' − t) (the arms' own directions counted as empty too: a
 * small, conservative error). The threshold is chosen per call among `thresholds` to maximise the mean over the
 * scenes given (the best single threshold for that SNR and pixel size). Like `siteCeiling` it sees no passing
 * fibers, decoys or touching neighbours, so it is an estimate; it shows how much of the gap between a detector and
 * the known-path ceiling is the search itself. Returns the accuracy and the threshold that gave it.
 */
export function siteSearchCeiling(
  scenes: readonly { scene: Scene; optics: Optics }[],
  opts: { directions?: number; armUm?: number; thresholds?: readonly number[] } = {},
): { accuracy: number; threshold: number; n: number } {
  const M = opts.directions ?? 24;
  const L = opts.armUm ?? 1.3;
  const ts = opts.thresholds ?? Array.from({ length: 41 }, (_, i) => 1 + i * 0.1);
  const sites = scenes.flatMap(({ scene, optics }) => armDetectabilities(scene, optics, L));
  let best = { accuracy: NaN, threshold: NaN, n: sites.length };
  for (const t of ts) {
    const empty = normalCdf(t) ** M;
    let acc = 0;
    for (const arms of sites) {
      let p = empty;
      for (const d of arms) p *= normalCdf(d - t);
      acc += p;
    }
    acc /= Math.max(1, sites.length);
    if (!(acc <= best.accuracy)) best = { accuracy: acc, threshold: t, n: sites.length };
  }
  return best;
}

/**
 * Fiber-length ceiling: the fraction of the scene's true fiber length (inside the image, outside cells) on fibers that
 * a tracer could find at all, i.e. whose detectability over `lengthUm` of straight fiber (its whole length in the
 * image when shorter) reaches `minDPrime`. A
 * tracer that searches the image for fibers tests some 10⁴–10⁵ independent positions and orientations of a 2 µm
 * stretch in a 40 µm field; to keep false fibers to about one per image its threshold must be near z = 4
 * (Φ(−4) ≈ 3·10⁻⁵), so a fiber with d' < 4 over 2 µm is found less often than not. Like `siteCeiling`, this is an
 * estimate, not a strict bound: a tracer can follow a known fiber at lower evidence once it has found it (the tip
 * extension does), and the threshold is a choice; `minDPrime` 3 and 5 bracket it.
 *
 * Two fibers running side by side closer than the optics resolve are one line in the image: two Gaussian lines of
 * equal height show no dip between them below 2 σ_psf apart (Sparrow's criterion), so a tracer draws one line where the
 * truth has two. With `resolveSigmas` > 0 the length of a findable fiber that runs within `resolveSigmas` · σ_psf of a
 * brighter findable one (earlier in the scene's order on a tie), in a direction within `parallelDeg` of it, counts
 * once: the fainter fiber's length there is not reachable (`unresolvedUm`). Crossings at larger angles are resolved
 * (a tracer follows both lines through them). 0 = every findable fiber's whole length, as before.
 */
export function fiberLengthCeiling(
  scene: Scene,
  optics: Optics,
  imageWidthUm = scene.widthUm,
  imageHeightUm = scene.heightUm,
  lengthUm = 2,
  minDPrime = 4,
  resolveSigmas = 0,
  parallelDeg = 30,
): { foundUm: number; trueUm: number; unresolvedUm: number } {
  let foundUm = 0;
  let trueUm = 0;
  const found: number[] = [];
  scene.fibers.forEach((f, i) => {
    const L = sceneFiberLength({ ...scene, fibers: [f] }, 0, 0, imageWidthUm, imageHeightUm);
    trueUm += L;
    if (fiberDetectability(f.brightness, optics.snr, optics.psfSigmaUm, Math.min(lengthUm, L), optics.pixelSizeUm) >= minDPrime) {
      foundUm += L;
      found.push(i);
    }
  });
  const sepUm = resolveSigmas * optics.psfSigmaUm;
  if (!(sepUm > 0) || found.length < 2) return { foundUm, trueUm, unresolvedUm: 0 };
  // samples (0.05 µm) of the findable fibers, brightest first, each tested against the brighter ones already added
  const order = found.slice().sort((a, b) => scene.fibers[b].brightness - scene.fibers[a].brightness || a - b);
  const grid = new PointGrid(Math.max(sepUm, 0.05));
  const dirs: number[] = [];
  const owner: number[] = [];
  const cosPar = Math.cos((parallelDeg * Math.PI) / 180);
  let unresolvedUm = 0;
  for (const fi of order) {
    const mine: [number, number, number][] = [];
    polylineSamples(scene.fibers[fi].points, 0.05, (x, y, dl, th) => {
      mine.push([x, y, th]);
      if (x < 0 || y < 0 || x >= imageWidthUm || y >= imageHeightUm) return;
      if (scene.cells.some((c) => insideCell(c, x, y))) return;
      if (grid.near(x, y, sepUm).some((j) => owner[j] !== fi && Math.abs(Math.cos(dirs[j] - th)) >= cosPar)) unresolvedUm += dl;
    });
    // (added after its own test: a fiber does not hide itself where it bends back)
    for (const [x, y, th] of mine) {
      grid.add(x, y);
      dirs.push(th);
      owner.push(fi);
    }
  }
  return { foundUm: foundUm - unresolvedUm, trueUm, unresolvedUm };
}
