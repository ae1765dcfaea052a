/**
 * Overlay PNG for checking by eye: the image (contrast-stretched grey), traced fibers (cyan),
 * fiber tips (white) and junctions (orange), cell outlines (blue) and migrasomes as circles
 * coloured by site: tip red, junction yellow, along green, no fiber magenta.
 */
import { encode } from "fast-png";
import type { ImageAnalysis } from "./analyze.ts";
import type { Plane } from "./types.ts";

export const SITE_COLORS: Record<string, [number, number, number]> = {
  tip: [255, 60, 60],
  junction: [255, 230, 0],
  along: [60, 255, 60],
  none: [255, 0, 255],
};

export function overlayRgb(plane: Plane, a: ImageAnalysis): { width: number; height: number; rgb: Uint8Array } {
  const { width: w, height: h, data } = plane;
  // contrast stretch on a subsample
  const step = Math.max(1, Math.floor(data.length / 200000));
  const sample: number[] = [];
  for (let i = 0; i < data.length; i += step) sample.push(data[i]);
  sample.sort((x, y) => x - y);
  const lo = sample[Math.floor(0.005 * (sample.length - 1))];
  const hi = Math.max(lo + 1e-6, sample[Math.floor(0.998 * (sample.length - 1))]);
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const v = Math.max(0, Math.min(255, Math.round((255 * (data[i] - lo)) / (hi - lo))));
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v;
  }
  const px = a.pixelSizeUm;
  const put = (x: number, y: number, c: [number, number, number]) => {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    const i = 3 * (y * w + x);
    rgb[i] = c[0];
    rgb[i + 1] = c[1];
    rgb[i + 2] = c[2];
  };
  const line = (x0: number, y0: number, x1: number, y1: number, c: [number, number, number]) => {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2));
    for (let k = 0; k <= n; k++) put(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n, c);
  };
  // cell outlines
  const L = a.cellLabels;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (L[i] && (!L[i - 1] || !L[i + 1] || !L[i - w] || !L[i + w])) put(x, y, [80, 140, 255]);
    }
  for (const e of a.fibers.edges)
    for (let k = 1; k < e.points.length; k++)
      line(e.points[k - 1][0] / px - 0.5, e.points[k - 1][1] / px - 0.5, e.points[k][0] / px - 0.5, e.points[k][1] / px - 0.5, [0, 220, 255]);
  for (const n of a.fibers.nodes) {
    if (n.kind !== "tip" && n.kind !== "junction") continue;
    const c: [number, number, number] = n.kind === "tip" ? [255, 255, 255] : [255, 150, 0];
    const x = n.xUm / px - 0.5;
    const y = n.yUm / px - 0.5;
    for (let d = -1; d <= 1; d++) {
      put(x + d, y, c);
      put(x, y + d, c);
    }
  }
  for (const m of a.migrasomes) {
    const c = SITE_COLORS[m.site] ?? SITE_COLORS.none;
    const r = Math.max(2, (m.diameterUm / 2) / px + 1.5);
    const n = Math.max(16, Math.ceil(2 * Math.PI * r * 1.5));
    for (let k = 0; k < n; k++) {
      const t = (2 * Math.PI * k) / n;
      put(m.xUm / px - 0.5 + r * Math.cos(t), m.yUm / px - 0.5 + r * Math.sin(t), c);
      put(m.xUm / px - 0.5 + (r + 1) * Math.cos(t), m.yUm / px - 0.5 + (r + 1) * Math.sin(t), c);
    }
  }
  return { width: w, height: h, rgb };
}

export function overlayPng(plane: Plane, a: ImageAnalysis): Uint8Array {
  const o = overlayRgb(plane, a);
  return encode({ width: o.width, height: o.height, data: o.rgb, channels: 3, depth: 8 });
}
