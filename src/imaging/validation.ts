/**
 * What the held-out evaluation says about an image's read-outs: the sparse rows of the evaluation table in
 * docs/imaging.md (scoring scenes never used for tuning; `node --import tsx scripts/imaging-docs.ts table`), looked up
 * at an image's pixel size and estimated SNR (`quality.ts`). `test/imaging/quality.test.ts` checks that these rows
 * are the ones the docs show.
 */

export interface ValidationRow {
  pixelSizeUm: number;
  snr: number;
  /** migrasome detection F1 */
  f1: number;
  /** site accuracy on matched migrasomes */
  siteAccuracy: number;
  /** detected / true fiber length */
  fiberLengthRatio: number;
}

/** the sparse rows of the held-out table (docs/imaging.md, Evaluation) */
export const VALIDATION: readonly ValidationRow[] = [
  { pixelSizeUm: 0.065, snr: 2, f1: 0.962, siteAccuracy: 0.81, fiberLengthRatio: 0.81 },
  { pixelSizeUm: 0.065, snr: 4, f1: 0.995, siteAccuracy: 0.91, fiberLengthRatio: 0.95 },
  { pixelSizeUm: 0.065, snr: 7, f1: 0.995, siteAccuracy: 0.94, fiberLengthRatio: 0.99 },
  { pixelSizeUm: 0.065, snr: 10, f1: 0.991, siteAccuracy: 0.92, fiberLengthRatio: 1.01 },
  { pixelSizeUm: 0.1, snr: 2, f1: 0.927, siteAccuracy: 0.65, fiberLengthRatio: 0.49 },
  { pixelSizeUm: 0.1, snr: 4, f1: 0.978, siteAccuracy: 0.87, fiberLengthRatio: 0.81 },
  { pixelSizeUm: 0.1, snr: 7, f1: 0.992, siteAccuracy: 0.93, fiberLengthRatio: 0.95 },
  { pixelSizeUm: 0.1, snr: 10, f1: 0.991, siteAccuracy: 0.93, fiberLengthRatio: 0.96 },
  { pixelSizeUm: 0.16, snr: 2, f1: 0.856, siteAccuracy: 0.43, fiberLengthRatio: 0.21 },
  { pixelSizeUm: 0.16, snr: 4, f1: 0.972, siteAccuracy: 0.74, fiberLengthRatio: 0.62 },
  { pixelSizeUm: 0.16, snr: 7, f1: 0.988, siteAccuracy: 0.87, fiberLengthRatio: 0.85 },
  { pixelSizeUm: 0.16, snr: 10, f1: 0.993, siteAccuracy: 0.91, fiberLengthRatio: 0.94 },
];

/** the bars: site accuracy ≥ 0.85, fiber length within 10 % */
export const SITE_BAR = 0.85;
export const FIBER_LENGTH_TOLERANCE = 0.1;

export interface Expected {
  f1: number;
  siteAccuracy: number;
  fiberLengthRatio: number;
  /** the pixel size or SNR lies outside the validated range (0.065–0.16 µm, SNR 2–10): the nearest edge is used */
  extrapolated: boolean;
}

const PX = [0.065, 0.1, 0.16];
const SNRS = [2, 4, 7, 10];
type Key = "f1" | "siteAccuracy" | "fiberLengthRatio";

function at(px: number, snr: number, k: Key): number {
  const r = VALIDATION.find((v) => v.pixelSizeUm === px && v.snr === snr);
  if (!r) throw new Error(`validation: no row for ${px} µm, SNR ${snr}`);
  return r[k];
}

/** where x lies on the grid g: the lower index and the weight of the upper one (clamped to the ends) */
function bracket(g: number[], x: number): [number, number] {
  if (x <= g[0]) return [0, 0];
  if (x >= g[g.length - 1]) return [g.length - 2, 1];
  let i = 0;
  while (x > g[i + 1]) i++;
  return [i, (x - g[i]) / (g[i + 1] - g[i])];
}

/**
 * The held-out results expected at a pixel size (µm) and SNR: linear in pixel size and in log SNR between the table's
 * rows, clamped to its edges. null when the SNR is not a positive number (no migrasome detected).
 */
export function expectedResults(pixelSizeUm: number, snr: number): Expected | null {
  if (!(snr > 0) || !(pixelSizeUm > 0)) return null;
  const [i, u] = bracket(PX, pixelSizeUm);
  const [j, v] = bracket(SNRS.map(Math.log), Math.log(snr));
  const value = (k: Key) => {
    const lo = (1 - v) * at(PX[i], SNRS[j], k) + v * at(PX[i], SNRS[j + 1], k);
    const hi = (1 - v) * at(PX[i + 1], SNRS[j], k) + v * at(PX[i + 1], SNRS[j + 1], k);
    return Number(((1 - u) * lo + u * hi).toFixed(3));
  };
  return {
    f1: value("f1"),
    siteAccuracy: value("siteAccuracy"),
    fiberLengthRatio: value("fiberLengthRatio"),
    extrapolated: pixelSizeUm < PX[0] || pixelSizeUm > PX[PX.length - 1] || snr < SNRS[0] || snr > SNRS[SNRS.length - 1],
  };
}
