/**
 * Two-sided Mann–Whitney U test (Wilcoxon rank-sum). Exact p-value by dynamic programming when
 * there are no ties and n1·n2 ≤ 2500; otherwise the normal approximation with tie correction and
 * continuity correction.
 */
export interface MannWhitneyResult {
  u: number;
  p: number;
  method: "exact" | "normal";
}

export function mannWhitney(a: ArrayLike<number>, b: ArrayLike<number>): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { u: Number.NaN, p: Number.NaN, method: "normal" };
  const all: Array<{ v: number; g: 0 | 1 }> = [];
  for (let i = 0; i < n1; i++) all.push({ v: a[i], g: 0 });
  for (let i = 0; i < n2; i++) all.push({ v: b[i], g: 1 });
  all.sort((x, y) => x.v - y.v);
  const N = n1 + n2;
  let r1 = 0;
  let tieSum = 0;
  let hasTies = false;
  for (let i = 0; i < N; ) {
    let j = i;
    while (j + 1 < N && all[j + 1].v === all[i].v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    if (t > 1) {
      hasTies = true;
      tieSum += t * t * t - t;
    }
    for (let k = i; k <= j; k++) if (all[k].g === 0) r1 += rank;
    i = j + 1;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u = Math.min(u1, n1 * n2 - u1);
  if (!hasTies && n1 * n2 <= 2500) {
    const dist = uDistribution(n1, n2);
    let cum = 0;
    for (let k = 0; k <= Math.floor(u); k++) cum += dist[k];
    return { u: u1, p: Math.min(1, 2 * cum), method: "exact" };
  }
  const mu = (n1 * n2) / 2;
  const sigma2 = ((n1 * n2) / 12) * (N + 1 - tieSum / (N * (N - 1)));
  if (sigma2 <= 0) return { u: u1, p: 1, method: "normal" };
  const z = (Math.abs(u1 - mu) - 0.5) / Math.sqrt(sigma2);
  return { u: u1, p: Math.min(1, 2 * (1 - normalCdf(Math.max(0, z)))), method: "normal" };
}

/** Probability mass of U for sample sizes m, n under H0 (no ties). */
function uDistribution(m: number, n: number): Float64Array {
  // f[i][j][u]: number of arrangements; iterative recurrence f(m,n,u) = f(m-1,n,u-n) + f(m,n-1,u)
  const maxU = m * n;
  let prev: Float64Array[] = [];
  for (let j = 0; j <= n; j++) {
    const arr = new Float64Array(maxU + 1);
    arr[0] = 1;
    prev.push(arr);
  }
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [];
    const first = new Float64Array(maxU + 1);
    first[0] = 1;
    cur.push(first);
    for (let j = 1; j <= n; j++) {
      const arr = new Float64Array(maxU + 1);
      for (let u = 0; u <= i * j; u++) arr[u] = (u - j >= 0 ? prev[j][u - j] : 0) + cur[j - 1][u];
      cur.push(arr);
    }
    prev = cur;
  }
  const counts = prev[n];
  let total = 0;
  for (let u = 0; u <= maxU; u++) total += counts[u];
  const out = new Float64Array(maxU + 1);
  for (let u = 0; u <= maxU; u++) out[u] = counts[u] / total;
  return out;
}

/** Standard normal CDF (Abramowitz–Stegun 26.2.17 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const y =
    1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
