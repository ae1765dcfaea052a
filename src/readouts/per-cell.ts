import type { World } from "../core/world.ts";

/**
 * Per-cell read-outs, as a wet lab measures them cell by cell: migrasomes made, intact fiber
 * length at the end, and migrasomes per 100 µm of fiber the cell pulled.
 */
export interface PerCell {
  migrasomes: Float64Array;
  fiberLengthUm: Float64Array;
  pulledLengthUm: Float64Array;
  per100UmFiber: Float64Array;
}

export function perCell(w: World): PerCell {
  const n = w.cells.n;
  const migrasomes = new Float64Array(n);
  const fiberLengthUm = new Float64Array(n);
  const pulledLengthUm = new Float64Array(n);
  const sw = w.swellings.c;
  for (let s = 0; s < w.swellings.n; s++) if (sw.stabilisedMin[s] >= 0) migrasomes[sw.cell[s]]++;
  const fc = w.fibers.c;
  const v = w.vertices.c;
  for (let f = 0; f < w.fibers.n; f++) pulledLengthUm[fc.cell[f]] += fc.lengthUm[f];
  for (let k = 0; k < w.vertices.n; k++) {
    const p = v.prev[k];
    if (p >= 0 && v.brokenMin[k] < 0 && v.brokenMin[p] < 0)
      fiberLengthUm[fc.cell[v.fiber[k]]] += Math.hypot(v.x[k] - v.x[p], v.y[k] - v.y[p]);
  }
  const per100UmFiber = new Float64Array(n);
  for (let i = 0; i < n; i++) per100UmFiber[i] = pulledLengthUm[i] > 0 ? (100 * migrasomes[i]) / pulledLengthUm[i] : 0;
  return { migrasomes, fiberLengthUm, pulledLengthUm, per100UmFiber };
}
