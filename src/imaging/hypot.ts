/**
 * `Math.hypot(a, b)` for two numbers, the same bits as V8's builtin (math.tq: the larger magnitude m,
 * then √((|a|/m)² + (|b|/m)²)·m, its Kahan compensation being exactly 0 for two terms; ±∞ before NaN).
 * Plain arithmetic that the optimiser inlines: the builtin is a call that boxes its result and allocates
 * a scratch array, which in the hot loops was several MB of garbage per frame.
 * `test/imaging/wasm.test.ts` checks it against Math.hypot.
 */
export function hypot(a: number, b: number): number {
  const x = Math.abs(a);
  const y = Math.abs(b);
  if (x === Infinity || y === Infinity) return Infinity;
  if (x !== x || y !== y) return NaN;
  const m = x > y ? x : y;
  if (m === 0) return 0;
  const p = x / m;
  const q = y / m;
  return Math.sqrt(p * p + q * q) * m;
}
