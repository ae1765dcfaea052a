/**
 * Arc-length mesh of the profile: the meridian is a chain of N straight segments with
 * nodes 0..N. Lipid segments have fixed lengths (geometrically graded, finest next to the
 * domain); the nDomain domain segments share one length h_d, which is not a free variable
 * but follows from the fixed domain area (see energy.ts).
 */
import type { MeshOptions, ResolvedParams } from "./params.ts";

export const REGION_LIPID_LEFT = 0;
export const REGION_DOMAIN = 1;
export const REGION_LIPID_RIGHT = 2;

export interface Mesh {
  /** number of segments */
  n: number;
  /** segment lengths; domain entries are placeholders (h_d is computed) */
  h: Float64Array;
  /** region of each segment */
  region: Uint8Array;
  /** first domain node (left boundary) */
  a: number;
  /** last domain node (right boundary, or the tip pole when closed) */
  b: number;
  nDomain: number;
  nLipid: number;
  closedEnd: boolean;
  /** relative lengths of the domain segments (mean 1): segment i has length h_d · w_i */
  w: Float64Array;
}

export const DEFAULT_MESH: Required<MeshOptions> = { nDomain: 160, nLipid: 64, hMinLipidR0: 0.12, domainGrading: 0 };

/**
 * Relative domain segment lengths w_i (mean 1), finest at both boundaries:
 * w ∝ 1 + (G − 1) sin²(π u), u = (i + ½)/n — smooth in u, so refinement keeps the order.
 * G = 0 picks a grading from the area: the domain as a tube of radius 2 r0 (near threshold) has
 * length A/(4π r0); G grows so that the boundary segments stay ≈ 0.25 r0 (at most 12).
 */
export function domainWeights(n: number, G: number): Float64Array {
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const u = (i + 0.5) / n;
    w[i] = 1 + (G - 1) * Math.sin(Math.PI * u) ** 2;
    sum += w[i];
  }
  for (let i = 0; i < n; i++) w[i] *= n / sum;
  return w;
}

export function autoGrading(p: ResolvedParams, n: number): number {
  const lengthNearThreshold = p.area / (4 * Math.PI * p.r0);
  const uniformH = lengthNearThreshold / n;
  // mean of 1 + (G−1) sin² is (1 + G)/2; boundary segment = 2 uniformH / (1 + G) ≈ 0.25 r0
  const G = (2 * uniformH) / (0.25 * p.r0) - 1;
  return Math.max(1, Math.min(12, G));
}

/**
 * Lengths of n graded segments covering L, the first of length ≈ h0, growing geometrically
 * by a smooth exponential map s(u) = L (e^{βu} − 1)/(e^β − 1) (smooth, so that doubling n
 * keeps the mapping and the convergence order).
 */
export function gradedLengths(L: number, n: number, h0: number): Float64Array {
  const out = new Float64Array(n);
  const uniform = L / n;
  let beta = 0;
  if (h0 < uniform) {
    // first segment length as a function of beta decreases monotonically; bisection on beta
    const first = (b: number) => (L * Math.expm1(b / n)) / Math.expm1(b);
    let lo = 1e-9;
    let hi = 1;
    while (first(hi) > h0 && hi < 1e4) hi *= 2;
    for (let it = 0; it < 200; it++) {
      const mid = 0.5 * (lo + hi);
      if (first(mid) > h0) lo = mid;
      else hi = mid;
    }
    beta = 0.5 * (lo + hi);
  }
  let prev = 0;
  for (let j = 1; j <= n; j++) {
    const s = beta === 0 ? (L * j) / n : (L * Math.expm1((beta * j) / n)) / Math.expm1(beta);
    out[j - 1] = s - prev;
    prev = s;
  }
  out[n - 1] += L - prev;
  return out;
}

export function buildMesh(p: ResolvedParams, o: MeshOptions = {}): Mesh {
  const nDomain = o.nDomain ?? DEFAULT_MESH.nDomain;
  const nLipid = o.nLipid ?? DEFAULT_MESH.nLipid;
  const h0 = (o.hMinLipidR0 ?? DEFAULT_MESH.hMinLipidR0) * p.r0;
  const G = o.domainGrading || autoGrading(p, nDomain);
  const arms = p.closedEnd ? 1 : 2;
  const n = nDomain + arms * nLipid;
  const h = new Float64Array(n);
  const region = new Uint8Array(n);
  const g = gradedLengths(p.tubeLength, nLipid, h0);
  // left arm: finest at its right end (next to the domain)
  for (let j = 0; j < nLipid; j++) {
    h[j] = g[nLipid - 1 - j];
    region[j] = REGION_LIPID_LEFT;
  }
  const a = nLipid;
  const b = nLipid + nDomain;
  for (let k = a; k < b; k++) {
    h[k] = Number.NaN;
    region[k] = REGION_DOMAIN;
  }
  if (!p.closedEnd)
    for (let j = 0; j < nLipid; j++) {
      h[b + j] = g[j];
      region[b + j] = REGION_LIPID_RIGHT;
    }
  return { n, h, region, a, b, nDomain, nLipid, closedEnd: p.closedEnd, w: domainWeights(nDomain, G) };
}
