/**
 * Limited-memory BFGS with a backtracking (Armijo) line search that also extends steps
 * when the curvature condition fails. Infeasible trial points (energy = +∞) are treated as
 * "too far" and the step is shortened. Deterministic; all work in Float64Arrays.
 */

export interface LbfgsOptions {
  /** memory (pairs kept); default 12 */
  memory?: number;
  maxIterations?: number;
  /** stop when the max-norm of the (preconditioned) gradient is below this; default 1e-9 */
  gradTol?: number;
  /** stop when the relative energy decrease stays below this for 10 iterations; default 1e-14 */
  relTol?: number;
  /** diagonal preconditioner (approximate inverse Hessian diagonal) */
  precond?: Float64Array;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  gradNorm: number;
}

export type Objective = (x: Float64Array, g: Float64Array) => number;

export function lbfgs(fun: Objective, x0: Float64Array, o: LbfgsOptions = {}): LbfgsResult {
  const n = x0.length;
  const m = o.memory ?? 12;
  const maxIt = o.maxIterations ?? 20000;
  const gradTol = o.gradTol ?? 1e-9;
  const relTol = o.relTol ?? 1e-14;
  const pre = o.precond;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const xt = new Float64Array(n);
  const gt = new Float64Array(n);
  const d = new Float64Array(n);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  let f = fun(x, g);
  let evals = 1;
  if (!Number.isFinite(f)) return { x, f, iterations: 0, evaluations: evals, converged: false, gradNorm: Infinity };
  let small = 0;
  let it = 0;
  let converged = false;
  let gnorm = Infinity;
  let stepScale = 1;
  for (; it < maxIt; it++) {
    gnorm = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.abs(pre ? g[i] * Math.sqrt(pre[i]) : g[i]);
      if (v > gnorm) gnorm = v;
    }
    if (gnorm < gradTol) {
      converged = true;
      break;
    }
    // two-loop recursion
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      let s = 0;
      const sj = S[j];
      for (let i = 0; i < n; i++) s += sj[i] * d[i];
      alpha[j] = rho[j] * s;
      const yj = Y[j];
      for (let i = 0; i < n; i++) d[i] -= alpha[j] * yj[i];
    }
    if (k > 0) {
      // scaled initial Hessian: γ H0 with γ = s·y / y·H0·y
      const sl = S[k - 1];
      const yl = Y[k - 1];
      let sy = 0;
      let yhy = 0;
      for (let i = 0; i < n; i++) {
        sy += sl[i] * yl[i];
        yhy += yl[i] * yl[i] * (pre ? pre[i] : 1);
      }
      const gam = sy / yhy;
      for (let i = 0; i < n; i++) d[i] *= gam * (pre ? pre[i] : 1);
    } else {
      let gg = 0;
      for (let i = 0; i < n; i++) {
        if (pre) d[i] *= pre[i];
        gg += d[i] * d[i];
      }
      const sc = stepScale / Math.max(1e-12, Math.sqrt(gg));
      for (let i = 0; i < n; i++) d[i] *= Math.min(1, sc);
    }
    for (let j = 0; j < k; j++) {
      let s = 0;
      const yj = Y[j];
      for (let i = 0; i < n; i++) s += yj[i] * d[i];
      const beta = rho[j] * s;
      const sj = S[j];
      for (let i = 0; i < n; i++) d[i] += (alpha[j] - beta) * sj[i];
    }
    let dg = 0;
    for (let i = 0; i < n; i++) dg += d[i] * g[i];
    if (!(dg < 0)) {
      // not a descent direction: restart with steepest descent
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i] * (pre ? pre[i] : 1);
      dg = 0;
      for (let i = 0; i < n; i++) dg += d[i] * g[i];
      let dd = 0;
      for (let i = 0; i < n; i++) dd += d[i] * d[i];
      const sc = Math.min(1, 0.1 / Math.sqrt(dd));
      for (let i = 0; i < n; i++) d[i] *= sc;
      dg *= sc;
    }
    // line search
    let t = 1;
    let ft = Infinity;
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let i = 0; i < n; i++) xt[i] = x[i] + t * d[i];
      ft = fun(xt, gt);
      evals++;
      if (Number.isFinite(ft) && ft <= f + 1e-4 * t * dg) {
        accepted = true;
        break;
      }
      t *= Number.isFinite(ft) ? 0.5 : 0.25;
    }
    if (!accepted) {
      if (S.length === 0) break; // steepest descent failed too: at numerical precision
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      continue;
    }
    // reuse the oldest pair's storage once the memory is full
    const recycle = S.length === m;
    const s = recycle ? S[0] : new Float64Array(n);
    const y = recycle ? Y[0] : new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xt[i] - x[i];
      y[i] = gt[i] - g[i];
      sy += s[i] * y[i];
    }
    const fOld = f;
    x.set(xt);
    g.set(gt);
    f = ft;
    if (recycle) {
      S.shift();
      Y.shift();
      rho.shift();
    }
    if (sy > 1e-300) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    if (Math.abs(fOld - f) <= relTol * (1 + Math.abs(f))) {
      small++;
      if (small >= 10) {
        converged = true;
        it++;
        break;
      }
    } else small = 0;
  }
  return { x, f, iterations: it, evaluations: evals, converged, gradNorm: gnorm };
}
