/**
 * Appends src to dst element by element. `dst.push(...src)` passes every element as an argument, which overflows
 * the call stack beyond roughly 10⁵ elements (a time series' fiber rows reach that).
 */
export function appendAll<T>(dst: T[], src: readonly T[]): T[] {
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
  return dst;
}
