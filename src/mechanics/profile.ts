/**
 * Profiles: initial shapes for the scan (a tube, or a smooth bulge of a chosen radius whose
 * area equals A_d) and the read-out of a solved shape as nodes (x, r, region).
 */
import { EnergyModel } from "./energy.ts";

export interface ProfilePoint {
  x: number;
  r: number;
  region: "lipid" | "domain";
}

export interface Profile {
  x: Float64Array;
  r: Float64Array;
  /** 1 where the node belongs to the domain (boundary nodes included), 0 for lipid */
  inDomain: Uint8Array;
  /** domain maximal radius */
  maxRadius: number;
  /** axial length of the domain x_b − x_a */
  domainLength: number;
  /** radius at the two tube ends */
  endRadii: [number, number];
  /** domain segment arc length h_d */
  hDomain: number;
}

const DENSE = 4000;

/** Dense polyline (x, r) of a bulge of height R on a tube of radius r0, axial length ℓ (open) or rise ℓ + cap (closed). */
function bulgePolyline(r0: number, R: number, ell: number, closed: boolean): { x: Float64Array; r: Float64Array } {
  const x = new Float64Array(DENSE + 1);
  const r = new Float64Array(DENSE + 1);
  if (!closed) {
    for (let i = 0; i <= DENSE; i++) {
      const u = i / DENSE;
      x[i] = u * ell;
      r[i] = r0 + (R - r0) * Math.sin(Math.PI * u) ** 2;
    }
  } else {
    const nRise = DENSE / 2;
    for (let i = 0; i <= nRise; i++) {
      const u = i / nRise;
      x[i] = u * ell;
      r[i] = r0 + (R - r0) * Math.sin((Math.PI * u) / 2) ** 2;
    }
    for (let j = 1; j <= DENSE - nRise; j++) {
      const th = ((Math.PI / 2) * j) / (DENSE - nRise);
      x[nRise + j] = ell + R * Math.sin(th);
      r[nRise + j] = R * Math.cos(th);
    }
  }
  return { x, r };
}

function polyArea(x: Float64Array, r: Float64Array): number {
  let A = 0;
  for (let i = 0; i < x.length - 1; i++) A += Math.PI * (r[i] + r[i + 1]) * Math.hypot(x[i + 1] - x[i], r[i + 1] - r[i]);
  return A;
}

/**
 * Initial unknowns for a bulge of maximal radius `seedRadius` (≤ r0: a plain tube).
 * The bulge's axial length is chosen so that the domain area is A_d; if even a flat bulge
 * is too large, its radius is reduced until it fits.
 */
export function initialState(model: EnergyModel, seedRadius: number): Float64Array {
  const { p, mesh } = model;
  const r0 = p.r0;
  const n = mesh.n;
  const x = new Float64Array(n);
  x[0] = r0;
  const nd = mesh.nDomain;
  const a = mesh.a;
  const closed = mesh.closedEnd;
  let R = Math.max(seedRadius, r0);
  if (!closed && R <= r0 * 1.0001) return x; // the tube: ψ ≡ 0
  // fit the axial length to the area
  let poly = bulgePolyline(r0, R, 0, closed);
  for (let tries = 0; tries < 60 && polyArea(poly.x, poly.r) > p.area * 0.98; tries++) {
    R = r0 + (R - r0) * 0.9;
    poly = bulgePolyline(r0, R, 0, closed);
  }
  let lo = 0;
  let hi = p.area / (2 * Math.PI * r0) + 1;
  for (let it = 0; it < 60; it++) {
    const mid = 0.5 * (lo + hi);
    const trial = bulgePolyline(r0, R, mid, closed);
    if (polyArea(trial.x, trial.r) > p.area) hi = mid;
    else lo = mid;
  }
  poly = bulgePolyline(r0, R, 0.5 * (lo + hi), closed);
  // resample the tangent angle at nd+1 equally spaced arc-length nodes
  const m = poly.x.length - 1;
  const sMid = new Float64Array(m);
  const ang = new Float64Array(m);
  let s = 0;
  for (let i = 0; i < m; i++) {
    const dx = poly.x[i + 1] - poly.x[i];
    const dr = poly.r[i + 1] - poly.r[i];
    const ds = Math.hypot(dx, dr);
    sMid[i] = s + ds / 2;
    ang[i] = Math.atan2(dr, dx);
    s += ds;
  }
  const S = s;
  let j = 0;
  let cum = 0;
  for (let i = 0; i <= nd; i++) {
    const node = a + i;
    const si = (cum * S) / nd;
    if (i < nd) cum += mesh.w[i];
    if (node <= 0 || node >= n) continue;
    while (j < m - 2 && sMid[j + 1] < si) j++;
    let v: number;
    if (si <= sMid[0]) v = ang[0];
    else if (si >= sMid[m - 1]) v = ang[m - 1];
    else {
      const t = (si - sMid[j]) / (sMid[j + 1] - sMid[j]);
      v = ang[j] + t * (ang[j + 1] - ang[j]);
    }
    x[node] = v;
  }
  return x;
}

/** Read out the profile of the unknowns x; x is shifted so that the domain centre is at 0. */
export function extractProfile(model: EnergyModel, xs: Float64Array): Profile {
  if (!model.geometry(xs)) throw new Error("extractProfile(): infeasible shape");
  const { mesh, r, hs, psi } = model;
  const n = mesh.n;
  const X = new Float64Array(n + 1);
  const R = Float64Array.from(r);
  const inDomain = new Uint8Array(n + 1);
  for (let k = 0; k < n; k++) X[k + 1] = X[k] + hs[k] * Math.cos(0.5 * (psi[k] + psi[k + 1]));
  const xa = X[mesh.a];
  const xb = X[mesh.b];
  const centre = mesh.closedEnd ? xa : 0.5 * (xa + xb);
  for (let k = 0; k <= n; k++) X[k] -= centre;
  let maxRadius = 0;
  for (let k = 0; k <= n; k++) {
    const dom = k >= mesh.a && k <= mesh.b;
    inDomain[k] = dom ? 1 : 0;
    if (dom && R[k] > maxRadius) maxRadius = R[k];
  }
  if (mesh.closedEnd) R[n] = Math.max(0, R[n]);
  return {
    x: X,
    r: R,
    inDomain,
    maxRadius,
    domainLength: xb - xa,
    endRadii: [R[0], R[n]],
    hDomain: model.hd,
  };
}

export function profilePoints(p: Profile): ProfilePoint[] {
  const out: ProfilePoint[] = [];
  for (let k = 0; k < p.x.length; k++) out.push({ x: p.x[k], r: p.r[k], region: p.inDomain[k] ? "domain" : "lipid" });
  return out;
}

