/**
 * Hungarian (Kuhn–Munkres, O(n³) with potentials) assignment for a rectangular cost matrix.
 * Pairs whose cost is ≥ `forbidden` are never returned.
 */
export function hungarian(cost: number[][], forbidden = 1e9): [number, number][] {
  const nr = cost.length;
  const nc = nr ? cost[0].length : 0;
  if (!nr || !nc) return [];
  const n = Math.max(nr, nc);
  const BIG = forbidden;
  const a = (i: number, j: number) => (i < nr && j < nc ? Math.min(cost[i][j], BIG) : BIG);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++)
        if (!used[j]) {
          const cur = a(i0 - 1, j - 1) - u[i0] - v[j];
          if (cur < minv[j]) {
            minv[j] = cur;
            way[j] = j0;
          }
          if (minv[j] < delta) {
            delta = minv[j];
            j1 = j;
          }
        }
      for (let j = 0; j <= n; j++)
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const out: [number, number][] = [];
  for (let j = 1; j <= n; j++) {
    const i = p[j] - 1;
    if (i < nr && j - 1 < nc && cost[i][j - 1] < forbidden) out.push([i, j - 1]);
  }
  out.sort((x, y) => x[0] - y[0]);
  return out;
}
