/**
 * The stabilisation rule for the simulation engine, derived from the shape solver: a swelling
 * of dimensionless domain area A (table units: κ_l = 2, length unit r0 at tension 1) under
 * dimensionless tension γ is kept (stabilised) when the local stiffening κ_d/κ_l reaches the
 * threshold ratio at which the global-minimum shape is a swelling (max r > 2 r0).
 * Infinity means "no swelling up to the search limit" (stored as null in the JSON).
 */
import { readFileSync } from "node:fs";
import { thresholdRatio, type ThresholdOptions } from "./phase.ts";

export interface StabilisationTable {
  areas: number[];
  tensions: number[];
  thresholdKappaRatio: number[][] /* [tensionIndex][areaIndex] */;
}

export const DEFAULT_TABLE_AREAS = [50, 75, 100, 150, 200, 300, 600, 1200, 2400];
export const DEFAULT_TABLE_TENSIONS = [0.25, 0.5, 1, 2, 4];

export function buildStabilisationTable(
  opts: { areas?: number[]; tensions?: number[]; threshold?: ThresholdOptions; onProgress?: (done: number, total: number) => void } = {},
): StabilisationTable {
  const areas = [...(opts.areas ?? DEFAULT_TABLE_AREAS)].sort((a, b) => a - b);
  const tensions = [...(opts.tensions ?? DEFAULT_TABLE_TENSIONS)].sort((a, b) => a - b);
  const total = areas.length * tensions.length;
  let done = 0;
  const thresholdKappaRatio = tensions.map((g) =>
    areas.map((A) => {
      const r = thresholdRatio(A, g, opts.threshold).kappaRatio;
      opts.onProgress?.(++done, total);
      return r;
    }),
  );
  return { areas, tensions, thresholdKappaRatio };
}

/** JSON form: Infinity → null. */
export function tableToJson(t: StabilisationTable): unknown {
  return {
    description:
      "Threshold stiffness ratio kappa_d/kappa_l above which a domain of the given dimensionless area forms a swelling (max r > 2 r0); rows = tensions, columns = areas; null = no swelling up to ratio 50. Units: kappa_l = 2, length unit = r0 at tension 1.",
    areas: t.areas,
    tensions: t.tensions,
    thresholdKappaRatio: t.thresholdKappaRatio.map((row) => row.map((v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null))),
  };
}

export function tableFromJson(j: { areas: number[]; tensions: number[]; thresholdKappaRatio: (number | null)[][] }): StabilisationTable {
  return {
    areas: j.areas,
    tensions: j.tensions,
    thresholdKappaRatio: j.thresholdKappaRatio.map((row) => row.map((v) => (v === null ? Number.POSITIVE_INFINITY : v))),
  };
}

let cached: StabilisationTable | undefined;

/** The precomputed table shipped as stabilisation-table.json (generate-table.ts). */
export function defaultStabilisationTable(): StabilisationTable {
  if (!cached) cached = tableFromJson(JSON.parse(readFileSync(new URL("./stabilisation-table.json", import.meta.url), "utf8")));
  return { areas: [...cached.areas], tensions: [...cached.tensions], thresholdKappaRatio: cached.thresholdKappaRatio.map((r) => [...r]) };
}

function locate(grid: number[], v: number): [number, number, number] {
  const n = grid.length;
  if (n === 1 || v <= grid[0]) return [0, 0, 0];
  if (v >= grid[n - 1]) return [n - 1, n - 1, 0];
  let i = 0;
  while (i < n - 2 && grid[i + 1] <= v) i++;
  return [i, i + 1, (v - grid[i]) / (grid[i + 1] - grid[i])];
}

/** Bilinear interpolation in (area, tension), clamped to the grid; Infinity wherever a corner with positive weight is Infinity. */
export function thresholdKappaRatio(table: StabilisationTable, areaDimless: number, tensionDimless: number): number {
  const [a0, a1, ta] = locate(table.areas, areaDimless);
  const [g0, g1, tg] = locate(table.tensions, tensionDimless);
  const M = table.thresholdKappaRatio;
  const corners: [number, number][] = [
    [M[g0][a0], (1 - ta) * (1 - tg)],
    [M[g0][a1], ta * (1 - tg)],
    [M[g1][a0], (1 - ta) * tg],
    [M[g1][a1], ta * tg],
  ];
  let s = 0;
  for (const [v, w] of corners) {
    if (w === 0) continue;
    if (!Number.isFinite(v)) return Number.POSITIVE_INFINITY;
    s += v * w;
  }
  return s;
}

export function isStabilised(table: StabilisationTable, kappaRatio: number, areaDimless: number, tensionDimless: number): boolean {
  return kappaRatio >= thresholdKappaRatio(table, areaDimless, tensionDimless);
}
