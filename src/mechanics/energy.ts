/**
 * Discrete Helfrich energy of the axisymmetric profile and its exact gradient.
 *
 * Geometry (arc length s, tangent angle ψ to the x axis): dx/ds = cos ψ, dr/ds = sin ψ.
 * Unknowns: the left end radius r_L and ψ at the interior nodes 1..N−1; ψ_0 = 0 and
 * ψ_N = 0 (open tube end) or −π/2 (closed tip, pole r_N = 0 imposed by an augmented
 * Lagrangian term). ψ is piecewise linear; on segment k (length h_k) the midpoint rule gives
 *   r_{k+1} = r_k + h_k sin ψ̄_k,  ψ̄_k = (ψ_k + ψ_{k+1})/2,  r̄_k = (r_k + r_{k+1})/2,
 *   c₁ + c₂ = cos ψ̄_k / r̄_k − (ψ_{k+1} − ψ_k)/h_k,
 *   bending  (κ_k/2)(c₁+c₂)² 2π r̄_k h_k,  lipid area 2π r̄_k h_k (exact frustum area),
 *   pulling work −f Σ h_k cos ψ̄_k.
 * Gaussian modulus: ∫K dA over a region = −2π [sin ψ]_start^end exactly (Gauss–Bonnet for a
 * surface of revolution), so E_G = Σ_regions κ̄_i (−2π)[sin ψ] — the boundary terms with
 * Δκ̄ = κ̄_l − κ̄_d. Line tension: 2πλ r at each domain boundary.
 * Domain area constraint: domain segment i has length h_d w_i (fixed relative weights w, mean 1)
 * and h_d is eliminated exactly: the domain area π h_d Σ w_i (r_i + r_{i+1}) = 2π W r_a h_d + π T h_d²
 * (W = Σ w_i, T = Σ_j w_j c_j sin ψ̄_j, c_j = 2(W − Σ_{i≤j} w_i) + w_j) equals A_d, so
 * h_d = 2A / (P + √(P² + 4πTA)), P = 2π W r_a. The problem is then unconstrained.
 */
import type { Mesh } from "./mesh.ts";
import { REGION_DOMAIN } from "./mesh.ts";
import type { ResolvedParams } from "./params.ts";

export interface EnergyTerms {
  bendingLipid: number;
  bendingDomain: number;
  /** γ × lipid area */
  tensionLipid: number;
  /** Gaussian-modulus (Gauss–Bonnet boundary) terms */
  gaussian: number;
  lineTension: number;
  /** −f × end-to-end length (work of the holding force) */
  pullingWork: number;
  total: number;
}

export class EnergyModel {
  readonly p: ResolvedParams;
  readonly mesh: Mesh;
  /** number of unknowns (= number of segments) */
  readonly dim: number;
  readonly psiEnd: number;
  /** augmented-Lagrangian parameters of the pole condition r_N = 0 (closed end only) */
  mu = 0;
  nu = 0;
  // work arrays
  readonly psi: Float64Array;
  readonly r: Float64Array;
  readonly hs: Float64Array;
  private sm: Float64Array;
  private cm: Float64Array;
  private gr: Float64Array;
  private gsm: Float64Array;
  private gcm: Float64Array;
  private gpsi: Float64Array;
  /** w_j c_j: derivative of T with respect to sin ψ̄ of domain segment j */
  private tw: Float64Array;
  private W: number;
  hd = 0;
  evaluations = 0;

  constructor(p: ResolvedParams, mesh: Mesh) {
    this.p = p;
    this.mesh = mesh;
    const n = mesh.n;
    this.dim = n;
    this.psiEnd = mesh.closedEnd ? -Math.PI / 2 : 0;
    this.psi = new Float64Array(n + 1);
    this.r = new Float64Array(n + 1);
    this.hs = new Float64Array(n);
    this.sm = new Float64Array(n);
    this.cm = new Float64Array(n);
    this.gr = new Float64Array(n + 1);
    this.gsm = new Float64Array(n);
    this.gcm = new Float64Array(n);
    this.gpsi = new Float64Array(n + 1);
    if (mesh.closedEnd) this.mu = 10 * p.kappaLipid / (p.r0 * p.r0);
    const nd = mesh.nDomain;
    this.tw = new Float64Array(nd);
    let W = 0;
    for (let i = 0; i < nd; i++) W += mesh.w[i];
    this.W = W;
    let C = 0;
    for (let j = 0; j < nd; j++) {
      C += mesh.w[j];
      this.tw[j] = mesh.w[j] * (2 * (W - C) + mesh.w[j]);
    }
  }

  /** Fill psi, r, hs from the unknowns; false when the shape is infeasible. */
  geometry(x: Float64Array): boolean {
    const { mesh, psi, r, hs, sm, cm } = this;
    const n = mesh.n;
    psi[0] = 0;
    for (let i = 1; i < n; i++) psi[i] = x[i];
    psi[n] = this.psiEnd;
    for (let k = 0; k < n; k++) {
      const m = 0.5 * (psi[k] + psi[k + 1]);
      sm[k] = Math.sin(m);
      cm[k] = Math.cos(m);
    }
    const a = mesh.a;
    const nd = mesh.nDomain;
    r[0] = x[0];
    if (!(r[0] > 0)) return false;
    for (let k = 0; k < a; k++) {
      hs[k] = mesh.h[k];
      r[k + 1] = r[k] + hs[k] * sm[k];
      if (!(r[k + 1] > 0)) return false;
    }
    let T = 0;
    for (let i = 0; i < nd; i++) T += this.tw[i] * sm[a + i];
    const P = 2 * Math.PI * this.W * r[a];
    const disc = P * P + 4 * Math.PI * T * this.p.area;
    if (!(disc >= 0)) return false;
    const D = Math.sqrt(disc);
    const hd = (2 * this.p.area) / (P + D);
    if (!(hd > 0) || !Number.isFinite(hd)) return false;
    this.hd = hd;
    this.lastP = P;
    this.lastD = D;
    const last = mesh.closedEnd ? n - 1 : n; // the pole node may touch zero
    for (let k = a; k < n; k++) {
      hs[k] = mesh.region[k] === REGION_DOMAIN ? hd * mesh.w[k - a] : mesh.h[k];
      r[k + 1] = r[k] + hs[k] * sm[k];
      if (k + 1 < last && !(r[k + 1] > 0)) return false;
      if (!(r[k] + r[k + 1] > 0)) return false;
    }
    return true;
  }
  private lastP = 0;
  private lastD = 0;

  /** Energy (with the augmented-Lagrangian pole term when closed); gradient into g if given. */
  evaluate(x: Float64Array, g?: Float64Array): number {
    this.evaluations++;
    if (!this.geometry(x)) return Number.POSITIVE_INFINITY;
    const { mesh, psi, r, hs, sm, cm, gr, gsm, gcm, gpsi, p } = this;
    const n = mesh.n;
    const a = mesh.a;
    const b = mesh.b;
    const nd = mesh.nDomain;
    const f = p.pullingForce;
    const gamma = p.tension;
    const TWO_PI = 2 * Math.PI;
    let E = 0;
    let ghd = 0;
    if (g) {
      gr.fill(0);
      gsm.fill(0);
      gcm.fill(0);
      gpsi.fill(0);
    }
    for (let k = 0; k < n; k++) {
      const h = hs[k];
      const dom = mesh.region[k] === REGION_DOMAIN;
      const kap = dom ? p.kappaDomain : p.kappaLipid;
      const rm = 0.5 * (r[k] + r[k + 1]);
      const c = (psi[k + 1] - psi[k]) / h;
      const Q = cm[k] - rm * c;
      const bend = (Math.PI * kap * h * Q * Q) / rm;
      E += bend - f * h * cm[k];
      if (!dom) E += TWO_PI * gamma * rm * h;
      if (g) {
        let grm = Math.PI * kap * h * ((-2 * Q * c) / rm - (Q * Q) / (rm * rm));
        let gh = (Math.PI * kap * Q * Q) / rm - f * cm[k];
        const gc = -2 * Math.PI * kap * h * Q;
        gcm[k] += (2 * Math.PI * kap * h * Q) / rm - f * h;
        if (!dom) {
          grm += TWO_PI * gamma * h;
          gh += TWO_PI * gamma * rm;
        }
        gpsi[k + 1] += gc / h;
        gpsi[k] -= gc / h;
        gh += (-gc * c) / h;
        // rm = r_k + h sm/2
        gr[k] += grm;
        gsm[k] += (grm * h) / 2;
        gh += (grm * sm[k]) / 2;
        if (dom) ghd += gh * mesh.w[k - a];
      }
    }
    // Gaussian modulus: Σ κ̄_i (−2π)[sin ψ]
    const sa = Math.sin(psi[a]);
    const sb = Math.sin(psi[b]);
    const s0 = Math.sin(psi[0]);
    const sN = Math.sin(psi[n]);
    if (mesh.closedEnd) {
      E += -TWO_PI * (p.kbarLipid * (sa - s0) + p.kbarDomain * (sb - sa));
      E += TWO_PI * p.lineTension * r[a];
      if (g) {
        gpsi[a] += -TWO_PI * (p.kbarLipid - p.kbarDomain) * Math.cos(psi[a]);
        gr[a] += TWO_PI * p.lineTension;
      }
      const rn = r[n];
      E += 0.5 * this.mu * rn * rn + this.nu * rn;
      if (g) gr[n] += this.mu * rn + this.nu;
    } else {
      E += -TWO_PI * (p.kbarLipid * (sa - s0) + p.kbarDomain * (sb - sa) + p.kbarLipid * (sN - sb));
      E += TWO_PI * p.lineTension * (r[a] + r[b]);
      if (g) {
        gpsi[a] += -TWO_PI * (p.kbarLipid - p.kbarDomain) * Math.cos(psi[a]);
        gpsi[b] += -TWO_PI * (p.kbarDomain - p.kbarLipid) * Math.cos(psi[b]);
        gr[a] += TWO_PI * p.lineTension;
        gr[b] += TWO_PI * p.lineTension;
      }
    }
    if (!g) return E;
    // backward sweep through the recurrence r_{k+1} = r_k + h_k sin ψ̄_k
    for (let k = n - 1; k >= 0; k--) {
      const gnext = gr[k + 1];
      gr[k] += gnext;
      gsm[k] += gnext * hs[k];
      if (mesh.region[k] === REGION_DOMAIN) ghd += gnext * sm[k] * mesh.w[k - a];
      if (k === a) {
        // h_d = 2A/(P + D) depends on r_a (through P) and on the domain angles (through T)
        const A = p.area;
        const PD = this.lastP + this.lastD;
        const dhdP = ((-2 * A) / (PD * PD)) * (1 + this.lastP / this.lastD);
        const dhdT = ((-2 * A) / (PD * PD)) * ((2 * Math.PI * A) / this.lastD);
        gr[a] += ghd * dhdP * 2 * Math.PI * this.W;
        const w = ghd * dhdT;
        for (let i = 0; i < nd; i++) gsm[a + i] += w * this.tw[i];
      }
    }
    for (let k = 0; k < n; k++) {
      const gm = 0.5 * (gsm[k] * cm[k] - gcm[k] * sm[k]);
      gpsi[k] += gm;
      gpsi[k + 1] += gm;
    }
    g[0] = gr[0];
    for (let i = 1; i < n; i++) g[i] = gpsi[i];
    return E;
  }

  /** Each energy term of the shape x (without the augmented-Lagrangian term). */
  terms(x: Float64Array): EnergyTerms {
    if (!this.geometry(x)) throw new Error("terms(): infeasible shape");
    const { mesh, psi, r, hs, cm, p } = this;
    const n = mesh.n;
    let bendingLipid = 0;
    let bendingDomain = 0;
    let tensionLipid = 0;
    let pullingWork = 0;
    for (let k = 0; k < n; k++) {
      const h = hs[k];
      const dom = mesh.region[k] === REGION_DOMAIN;
      const kap = dom ? p.kappaDomain : p.kappaLipid;
      const rm = 0.5 * (r[k] + r[k + 1]);
      const c = (psi[k + 1] - psi[k]) / h;
      const Q = cm[k] - rm * c;
      const bend = (Math.PI * kap * h * Q * Q) / rm;
      if (dom) bendingDomain += bend;
      else {
        bendingLipid += bend;
        tensionLipid += 2 * Math.PI * p.tension * rm * h;
      }
      pullingWork -= p.pullingForce * h * cm[k];
    }
    const a = mesh.a;
    const b = mesh.b;
    const sa = Math.sin(psi[a]);
    const sb = Math.sin(psi[b]);
    let gaussian: number;
    let lineTension: number;
    if (mesh.closedEnd) {
      gaussian = -2 * Math.PI * (p.kbarLipid * sa + p.kbarDomain * (sb - sa));
      lineTension = 2 * Math.PI * p.lineTension * r[a];
    } else {
      gaussian = -2 * Math.PI * (p.kbarLipid * sa + p.kbarDomain * (sb - sa) + p.kbarLipid * (Math.sin(psi[n]) - sb));
      lineTension = 2 * Math.PI * p.lineTension * (r[a] + r[b]);
    }
    const total = bendingLipid + bendingDomain + tensionLipid + gaussian + lineTension + pullingWork;
    return { bendingLipid, bendingDomain, tensionLipid, gaussian, lineTension, pullingWork, total };
  }
}

/**
 * Bending energy (κ/2)∮(c₁+c₂)² dA of a closed or open surface of revolution given by
 * node angles ψ_0..ψ_N, segment lengths h and start radius r_start, with the same quadrature
 * as the solver. Used to check the discretisation against exact results (sphere: 8πκ).
 */
export function bendingEnergyOfProfile(psi: ArrayLike<number>, h: ArrayLike<number>, rStart: number, kappa: number): number {
  let r = rStart;
  let E = 0;
  for (let k = 0; k < h.length; k++) {
    const m = 0.5 * (psi[k] + psi[k + 1]);
    const rn = r + h[k] * Math.sin(m);
    const rm = 0.5 * (r + rn);
    const c = (psi[k + 1] - psi[k]) / h[k];
    const Q = Math.cos(m) - rm * c;
    E += (Math.PI * kappa * h[k] * Q * Q) / rm;
    r = rn;
  }
  return E;
}
