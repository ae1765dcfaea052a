/** Descriptive statistics on plain number arrays. */

export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** Sample standard deviation (n − 1). */
export function sd(xs: ArrayLike<number>): number {
  if (xs.length < 2) return xs.length === 1 ? 0 : Number.NaN;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Quantile with linear interpolation (type 7). */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) return Number.NaN;
  const a = Float64Array.from(xs).sort();
  const h = (a.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return a[lo] + (h - lo) * (a[hi] - a[lo]);
}

/** Round to `digits` significant digits (keeps JSON output compact and stable). */
export function sig(x: number, digits = 6): number {
  if (!Number.isFinite(x) || x === 0) return Number.isFinite(x) ? x : Number.NaN;
  return Number(x.toPrecision(digits));
}
