import { FATE_NAMES, SITE_NAMES, type World } from "../core/world.ts";
import { type CsvCell, toCsv } from "../util/csv.ts";

const opt = (v: number): CsvCell => (v >= 0 ? v : "");

/** migrasomes.csv: one row per migrasome (a swelling that stabilised); id = swelling id, as in transfers.csv. */
export function migrasomesCsv(w: World): string {
  const c = w.swellings.c;
  const rows: CsvCell[][] = [];
  for (let s = 0; s < w.swellings.n; s++) {
    if (c.stabilisedMin[s] < 0) continue;
    rows.push([
      s,
      c.x[s],
      c.y[s],
      c.diameterUm[s],
      SITE_NAMES[c.site[s]],
      opt(c.cell[s]),
      opt(c.fiber[s]),
      c.bornMin[s],
      c.stabilisedMin[s],
      opt(c.detachedMin[s]),
      opt(c.endMin[s]),
      FATE_NAMES[c.fate[s]],
      opt(c.recipient[s]),
    ]);
  }
  return toCsv(
    ["id", "xUm", "yUm", "diameterUm", "site", "cellId", "fiberId", "bornMin", "stabilisedMin", "detachedMin", "endMin", "fate", "recipientCellId"],
    rows,
  );
}

/** swellings.csv: swellings that never stabilised. */
export function swellingsCsv(w: World): string {
  const c = w.swellings.c;
  const rows: CsvCell[][] = [];
  for (let s = 0; s < w.swellings.n; s++) {
    if (c.stabilisedMin[s] >= 0) continue;
    rows.push([s, c.x[s], c.y[s], SITE_NAMES[c.site[s]], c.cell[s], c.fiber[s], c.bornMin[s], opt(c.endMin[s]), FATE_NAMES[c.fate[s]]]);
  }
  return toCsv(["swellingId", "xUm", "yUm", "site", "cellId", "fiberId", "bornMin", "endMin", "fate"], rows);
}

/** fibers.csv: polyline vertices, tip first. */
export function fibersCsv(w: World): string {
  const fc = w.fibers.c;
  const v = w.vertices.c;
  const rows: CsvCell[][] = [];
  for (let f = 0; f < w.fibers.n; f++) {
    let k = fc.firstVertex[f];
    let i = 0;
    const broken = fc.brokenMin[f] >= 0 ? fc.brokenMin[f] : -1;
    while (k >= 0) {
      rows.push([f, fc.cell[f], opt(fc.parent[f]), i++, v.x[k], v.y[k], fc.bornMin[f], opt(broken), v.brokenMin[k] >= 0 ? 0 : 1, v.bornMin[k], opt(v.brokenMin[k])]);
      k = v.next[k];
    }
  }
  return toCsv(["fiberId", "cellId", "parentFiberId", "vertex", "xUm", "yUm", "bornMin", "brokenMin", "intact", "vertexBornMin", "vertexBrokenMin"], rows);
}

/** cells.csv: sampled tracks. */
export function cellsCsv(w: World): string {
  const t = w.tracks.c;
  const r = w.cells.c.radiusUm;
  const rows: CsvCell[][] = [];
  for (let k = 0; k < w.tracks.n; k++) rows.push([t.cell[k], t.timeMin[k], t.x[k], t.y[k], r[t.cell[k]]]);
  return toCsv(["cellId", "timeMin", "xUm", "yUm", "radiusUm"], rows);
}

import { CARGO, ROUTE_NAMES, transfersTable } from "../cargo/cargo.ts";
import type { CargoSpec } from "../scenarios/schema.ts";

/**
 * transfers.csv: provenance of every delivery, donor → migrasome → recipient (or → field).
 * Leakage is one row per migrasome and species (the total leaked), timed at the migrasome's end
 * or at the end of the run.
 */
export function transfersCsv(w: World, species: CargoSpec[]): string {
  const T = transfersTable(w);
  const rows: Array<[number, CsvCell[]]> = [];
  for (let r = 0; r < T.n; r++) {
    const rec = T.c.recipient[r];
    rows.push([
      T.c.timeMin[r],
      [T.c.timeMin[r], opt(T.c.donor[r]), opt(T.c.migrasome[r]), rec >= 0 ? rec : "field", species[T.c.species[r]].name, T.c.amount[r], ROUTE_NAMES[T.c.route[r]]],
    ]);
  }
  const nS = species.length;
  if (nS) {
    const leaked = w.array(CARGO.leaked, w.swellings.n * nS);
    const c = w.swellings.c;
    for (let s = 0; s < w.swellings.n; s++)
      for (let k = 0; k < nS; k++) {
        const a = leaked[s * nS + k];
        if (a <= 0) continue;
        const t = c.endMin[s] >= 0 ? c.endMin[s] : w.timeMin;
        rows.push([t, [t, opt(c.cell[s]), s, "field", species[k].name, a, "leak"]]);
      }
  }
  rows.sort((a, b) => a[0] - b[0]);
  return toCsv(["timeMin", "donorCellId", "migrasomeId", "recipient", "species", "amount", "route"], rows.map((r) => r[1]));
}
