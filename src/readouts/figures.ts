import { SITE_NAMES, type World } from "../core/world.ts";
import { fmt, histogramSvg } from "../util/svg.ts";

export const SITE_COLORS = ["#d62728", "#1f77b4", "#2ca02c"]; // tip, junction, along

/**
 * Snapshot of the dish at the end of the run: cell tracks (grey), intact fibers (black),
 * broken fibers (light), cells (outlines) and migrasomes coloured by site.
 * `maxCells` limits the drawing to a window holding the first cells, keeping the SVG small.
 */
export function snapshotSvg(w: World, opts: { widthPx?: number; window?: { x0Um: number; y0Um: number; sizeUm: number } } = {}): string {
  const win = opts.window ?? { x0Um: 0, y0Um: 0, sizeUm: Math.max(w.widthUm, w.heightUm) };
  const W = opts.window ? win.sizeUm : w.widthUm;
  const H = opts.window ? win.sizeUm : w.heightUm;
  const px = opts.widthPx ?? 900;
  const s = px / W;
  const ph = Math.round(H * s);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${ph + 30}" viewBox="0 0 ${px} ${ph + 30}" font-family="sans-serif" font-size="12">`,
    `<rect width="${px}" height="${ph + 30}" fill="white"/>`,
    `<svg x="0" y="0" width="${px}" height="${ph}" viewBox="${fmt(win.x0Um * s)} ${fmt(win.y0Um * s)} ${px} ${ph}">`,
    `<rect x="${fmt(win.x0Um * s)}" y="${fmt(win.y0Um * s)}" width="${px}" height="${ph}" fill="#fbfbf8" stroke="#999"/>`,
  ];
  // tracks
  const t = w.tracks.c;
  const byCell = new Map<number, string[]>();
  for (let k = 0; k < w.tracks.n; k++) {
    const a = byCell.get(t.cell[k]) ?? [];
    a.push(`${fmt(t.x[k] * s)},${fmt(t.y[k] * s)}`);
    byCell.set(t.cell[k], a);
  }
  for (const pts of byCell.values()) parts.push(`<polyline fill="none" stroke="#cfcfcf" stroke-width="0.6" points="${pts.join(" ")}"/>`);
  // fibers: intact segments
  const v = w.vertices.c;
  const fc = w.fibers.c;
  for (let f = 0; f < w.fibers.n; f++) {
    let k = fc.oldestIntact[f];
    if (k < 0) continue;
    const pts: string[] = [];
    while (k >= 0) {
      pts.push(`${fmt(v.x[k] * s)},${fmt(v.y[k] * s)}`);
      k = v.next[k];
    }
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="#333" stroke-width="0.5" points="${pts.join(" ")}"/>`);
  }
  // cells
  const c = w.cells.c;
  for (let i = 0; i < w.cells.n; i++)
    parts.push(`<circle cx="${fmt(c.x[i] * s)}" cy="${fmt(c.y[i] * s)}" r="${fmt(c.radiusUm[i] * s)}" fill="#e8e0f0" fill-opacity="0.6" stroke="#7a5c99" stroke-width="0.8"/>`);
  // migrasomes present at the end (attached or persisting); drawn enlarged for visibility
  const sw = w.swellings.c;
  for (let k = 0; k < w.swellings.n; k++) {
    const fate = sw.fate[k];
    if (sw.stabilisedMin[k] < 0 || (fate !== 2 && fate !== 3)) continue;
    const r = Math.max(1.2, (sw.diameterUm[k] / 2) * s);
    parts.push(`<circle cx="${fmt(sw.x[k] * s)}" cy="${fmt(sw.y[k] * s)}" r="${fmt(r)}" fill="${SITE_COLORS[sw.site[k]]}"${fate === 3 ? ' fill-opacity="0.45"' : ""}/>`);
  }
  parts.push("</svg>");
  // legend
  let x = 10;
  for (let k = 0; k < 3; k++) {
    parts.push(`<circle cx="${x + 5}" cy="${ph + 16}" r="5" fill="${SITE_COLORS[k]}"/>`, `<text x="${x + 14}" y="${ph + 20}">${SITE_NAMES[k]}</text>`);
    x += 90;
  }
  parts.push(
    `<text x="${x}" y="${ph + 20}">faded: detached · black: fibers · grey: tracks · ${fmt(W)}×${fmt(H)} µm${opts.window ? ` from (${fmt(win.x0Um)}, ${fmt(win.y0Um)})` : ""} at t = ${fmt(w.timeMin)} min</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

export function diameterHistogramSvg(w: World): string {
  const sw = w.swellings.c;
  const d: number[] = [];
  for (let k = 0; k < w.swellings.n; k++) if (sw.stabilisedMin[k] >= 0) d.push(sw.diameterUm[k]);
  return histogramSvg(d, { title: `Migrasome diameters (n = ${d.length})`, xLabel: "diameter (µm)", yLabel: "migrasomes", lo: 0, hi: 3.5, bins: 35 });
}

/** A square window of `sizeUm` centred on the cell that made the most migrasomes (a typical close-up). */
export function zoomWindow(w: World, sizeUm: number): { x0Um: number; y0Um: number; sizeUm: number } {
  const counts = new Int32Array(w.cells.n);
  const sw = w.swellings.c;
  for (let k = 0; k < w.swellings.n; k++) if (sw.stabilisedMin[k] >= 0 && (sw.fate[k] === 2 || sw.fate[k] === 3)) counts[sw.cell[k]]++;
  let best = 0;
  for (let i = 1; i < w.cells.n; i++) if (counts[i] > counts[best]) best = i;
  const c = w.cells.c;
  const clamp = (v: number, hi: number) => Math.max(0, Math.min(Math.max(0, hi - sizeUm), v));
  return { x0Um: clamp(c.x[best] - sizeUm / 2, w.widthUm), y0Um: clamp(c.y[best] - sizeUm / 2, w.heightUm), sizeUm };
}
