/**
 * Overlay PNG for checking by eye: the image (contrast-stretched grey), traced fibers (cyan),
 * fiber tips (white) and junctions (orange), cell outlines (blue) and migrasomes as circles
 * coloured by site: tip red, junction yellow, along green, no fiber magenta.
 */
import { encodePng } from "../util/png.ts";
import type { ImageAnalysis } from "./analyze.ts";
import type { Plane } from "./types.ts";

export const SITE_COLORS: Record<string, [number, number, number]> = {
  tip: [255, 60, 60],
  junction: [255, 230, 0],
  along: [60, 255, 60],
  none: [255, 0, 255],
};

/** Grey levels of the overlay's palette (indices 0 … GREY_LEVELS − 1); the colours follow them. */
const GREY_LEVELS = 248;
const CELL = GREY_LEVELS;
const FIBER = GREY_LEVELS + 1;
const TIP = GREY_LEVELS + 2;
const JUNCTION = GREY_LEVELS + 3;
const SITE_INDEX: Record<string, number> = { tip: GREY_LEVELS + 4, junction: GREY_LEVELS + 5, along: GREY_LEVELS + 6, none: GREY_LEVELS + 7 };

/** The overlay's palette: 248 grey levels, then cell outline, fiber, fiber tip, fiber junction, and the four sites. */
export const OVERLAY_PALETTE: Uint8Array = (() => {
  const p = new Uint8Array(256 * 3);
  for (let k = 0; k < GREY_LEVELS; k++) p[3 * k] = p[3 * k + 1] = p[3 * k + 2] = Math.round((255 * k) / (GREY_LEVELS - 1));
  const put = (i: number, c: readonly number[]) => p.set(c, 3 * i);
  put(CELL, [80, 140, 255]);
  put(FIBER, [0, 220, 255]);
  put(TIP, [255, 255, 255]);
  put(JUNCTION, [255, 150, 0]);
  for (const [site, i] of Object.entries(SITE_INDEX)) put(i, SITE_COLORS[site]);
  return p;
})();

/**
 * The overlay as palette indices (one byte per pixel, `OVERLAY_PALETTE`): the image contrast-stretched between its
 * 0.5th and 99.8th percentiles into 248 grey levels, then cell outlines, fibers, tips and junctions, and migrasomes
 * as double circles coloured by site.
 */
export function overlayIndexed(plane: Plane, a: ImageAnalysis): { width: number; height: number; index: Uint8Array } {
  const { width: w, height: h, data } = plane;
  // contrast stretch on a subsample
  const step = Math.max(1, Math.floor(data.length / 200000));
  const sample = new Float64Array(Math.ceil(data.length / step));
  for (let i = 0, j = 0; i < data.length; i += step) sample[j++] = data[i];
  sample.sort(); // (numeric, as a typed array; NaN last)
  const lo = sample[Math.floor(0.005 * (sample.length - 1))];
  const hi = Math.max(lo + 1e-6, sample[Math.floor(0.998 * (sample.length - 1))]);
  const index = new Uint8Array(w * h);
  const top = GREY_LEVELS - 1;
  const k = top / (hi - lo);
  for (let i = 0; i < w * h; i++) {
    const t = (data[i] - lo) * k;
    index[i] = t <= 0 ? 0 : t >= top ? top : (t + 0.5) | 0; // (rounded; NaN → 0)
  }
  const px = a.pixelSizeUm;
  const put = (x: number, y: number, c: number) => {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    index[y * w + x] = c;
  };
  const line = (x0: number, y0: number, x1: number, y1: number, c: number) => {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2));
    for (let k = 0; k <= n; k++) put(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n, c);
  };
  // cell outlines
  const L = a.cellLabels;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (L[i] && (!L[i - 1] || !L[i + 1] || !L[i - w] || !L[i + w])) index[i] = CELL;
    }
  for (const e of a.fibers.edges)
    for (let k = 1; k < e.points.length; k++)
      line(e.points[k - 1][0] / px - 0.5, e.points[k - 1][1] / px - 0.5, e.points[k][0] / px - 0.5, e.points[k][1] / px - 0.5, FIBER);
  for (const n of a.fibers.nodes) {
    if (n.kind !== "tip" && n.kind !== "junction") continue;
    const c = n.kind === "tip" ? TIP : JUNCTION;
    const x = n.xUm / px - 0.5;
    const y = n.yUm / px - 0.5;
    for (let d = -1; d <= 1; d++) {
      put(x + d, y, c);
      put(x, y + d, c);
    }
  }
  for (const m of a.migrasomes) {
    const c = SITE_INDEX[m.site] ?? SITE_INDEX.none;
    const r = Math.max(2, (m.diameterUm / 2) / px + 1.5);
    const n = Math.max(16, Math.ceil(2 * Math.PI * r * 1.5));
    for (let k = 0; k < n; k++) {
      const t = (2 * Math.PI * k) / n;
      put(m.xUm / px - 0.5 + r * Math.cos(t), m.yUm / px - 0.5 + r * Math.sin(t), c);
      put(m.xUm / px - 0.5 + (r + 1) * Math.cos(t), m.yUm / px - 0.5 + (r + 1) * Math.sin(t), c);
    }
  }
  return { width: w, height: h, index };
}

/** The overlay as RGB bytes (`overlayIndexed` through its palette). */
export function overlayRgb(plane: Plane, a: ImageAnalysis): { width: number; height: number; rgb: Uint8Array } {
  const { width, height, index } = overlayIndexed(plane, a);
  const rgb = new Uint8Array(index.length * 3);
  for (let i = 0, j = 0; i < index.length; i++, j += 3) {
    const p = 3 * index[i];
    rgb[j] = OVERLAY_PALETTE[p];
    rgb[j + 1] = OVERLAY_PALETTE[p + 1];
    rgb[j + 2] = OVERLAY_PALETTE[p + 2];
  }
  return { width, height, rgb };
}

/** The overlay as a palette PNG (a third of the bytes to compress and write that RGB would take). */
export function overlayPng(plane: Plane, a: ImageAnalysis): Uint8Array {
  const o = overlayIndexed(plane, a);
  return encodePng(o.width, o.height, o.index, { palette: OVERLAY_PALETTE });
}
