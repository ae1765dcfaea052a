/**
 * Which cell made each migrasome (the per-cell read-outs): the cell of the traced fiber it sits on, else, optionally,
 * the nearest cell body. Runs on the final fiber graph, after the tip extension, whose joins connect pieces of fiber
 * to cells (`extendTips` hands a joined component its cell).
 */
import type { CellBody } from "./cells.ts";
import { hypot } from "./hypot.ts";
import type { FiberGraph } from "./trace.ts";

export interface AssignParams {
  /** a migrasome takes the cell of the nearest traced vertex of a cell's fiber within its radius + this (µm) */
  fiberReachUm: number;
  /** else the nearest cell body whose edge (centre distance − equivalent radius) lies within this (µm; 0 = none) */
  nearestCellUm: number;
}

export const DEFAULT_ASSIGN_PARAMS: AssignParams = { fiberReachUm: 3, nearestCellUm: 30 };

export function assignCells(
  g: FiberGraph,
  migs: { xUm: number; yUm: number; rUm: number }[],
  cells: CellBody[],
  params: AssignParams = DEFAULT_ASSIGN_PARAMS,
): (number | null)[] {
  if (!(params.fiberReachUm >= 0) || !(params.nearestCellUm >= 0)) throw new Error(`assignCells: fiberReachUm and nearestCellUm must be ≥ 0 µm, got ${params.fiberReachUm} and ${params.nearestCellUm}`);
  // traced vertices of fibers with a cell, on a grid of cells of G µm (≥ the largest reach)
  const maxR = migs.reduce((a, m) => Math.max(a, m.rUm), 0);
  const G = Math.max(4, maxR + params.fiberReachUm);
  const grid = new Map<string, [number, number, number][]>();
  for (const e of g.edges) {
    if (e.cellId === null) continue;
    for (const p of e.points) {
      const k = `${Math.floor(p[0] / G)},${Math.floor(p[1] / G)}`;
      const l = grid.get(k);
      if (l) l.push([p[0], p[1], e.cellId]);
      else grid.set(k, [[p[0], p[1], e.cellId]]);
    }
  }
  return migs.map((m) => {
    let cellId: number | null = null;
    let best = m.rUm + params.fiberReachUm;
    const gx = Math.floor(m.xUm / G);
    const gy = Math.floor(m.yUm / G);
    for (let j = gy - 1; j <= gy + 1; j++)
      for (let i = gx - 1; i <= gx + 1; i++)
        for (const p of grid.get(`${i},${j}`) ?? []) {
          const d = hypot(p[0] - m.xUm, p[1] - m.yUm);
          if (d < best) {
            best = d;
            cellId = p[2];
          }
        }
    if (cellId !== null || !(params.nearestCellUm > 0)) return cellId;
    let bd = params.nearestCellUm;
    for (const c of cells) {
      const d = hypot(c.xUm - m.xUm, c.yUm - m.yUm) - Math.sqrt(c.areaUm2 / Math.PI);
      if (d < bd) {
        bd = d;
        cellId = c.id;
      }
    }
    return cellId;
  });
}
