import { FATE_NAMES, SITE_NAMES, type World } from "../core/world.ts";
import { type CsvCell, toCsv } from "../util/csv.ts";

const opt = (v: number): CsvCell => (v >= 0 ? v : "");

/** migrasomes.csv: one row per migrasome (a swelling that stabilised). */
export function migrasomesCsv(w: World): string {
  const c = w.swellings.c;
  const rows: CsvCell[][] = [];
  let id = 0;
  for (let s = 0; s < w.swellings.n; s++) {
    if (c.stabilisedMin[s] < 0) continue;
    rows.push([
      id++,
      c.x[s],
      c.y[s],
      c.diameterUm[s],
      SITE_NAMES[c.site[s]],
      c.cell[s],
      c.fiber[s],
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
      rows.push([f, fc.cell[f], opt(fc.parent[f]), i++, v.x[k], v.y[k], fc.bornMin[f], opt(broken), v.brokenMin[k] >= 0 ? 0 : 1]);
      k = v.next[k];
    }
  }
  return toCsv(["fiberId", "cellId", "parentFiberId", "vertex", "xUm", "yUm", "bornMin", "brokenMin", "intact"], rows);
}

/** cells.csv: sampled tracks. */
export function cellsCsv(w: World): string {
  const t = w.tracks.c;
  const r = w.cells.c.radiusUm;
  const rows: CsvCell[][] = [];
  for (let k = 0; k < w.tracks.n; k++) rows.push([t.cell[k], t.timeMin[k], t.x[k], t.y[k], r[t.cell[k]]]);
  return toCsv(["cellId", "timeMin", "xUm", "yUm", "radiusUm"], rows);
}
