/**
 * Small, dependency-free SVG plotting: axes, line charts, histograms and scatter plots.
 * Output is deterministic text (numbers rounded), so figures are byte-stable for a seed.
 */

export const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

export function fmt(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : "0";
}

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** "Nice" tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export interface Frame {
  width: number;
  height: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  sx: (v: number) => number;
  sy: (v: number) => number;
}

export interface AxesOptions {
  width?: number;
  height?: number;
  title?: string;
  xLabel: string;
  yLabel: string;
  xDomain: [number, number];
  yDomain: [number, number];
  logX?: boolean;
}

/** An empty chart with axes, ticks, labels and a title; returns the frame and the opening SVG parts. */
export function axes(o: AxesOptions): { frame: Frame; parts: string[] } {
  const width = o.width ?? 640;
  const height = o.height ?? 400;
  const m = { l: 70, r: 20, t: o.title ? 36 : 16, b: 50 };
  const [xa, xb] = o.xDomain;
  const [ya, yb] = o.yDomain;
  const tx = (v: number) => (o.logX ? Math.log10(v) : v);
  const sx = (v: number) => m.l + ((tx(v) - tx(xa)) / (tx(xb) - tx(xa) || 1)) * (width - m.l - m.r);
  const sy = (v: number) => height - m.b - ((v - ya) / (yb - ya || 1)) * (height - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (o.title) parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(o.title)}</text>`);
  parts.push(
    `<line x1="${m.l}" y1="${height - m.b}" x2="${width - m.r}" y2="${height - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${height - m.b}" stroke="black"/>`,
  );
  const xt = o.logX
    ? ticks(Math.log10(xa), Math.log10(xb)).filter((t) => Number.isInteger(t)).map((t) => 10 ** t)
    : ticks(xa, xb);
  for (const t of xt) {
    const x = sx(t);
    parts.push(
      `<line x1="${fmt(x)}" y1="${height - m.b}" x2="${fmt(x)}" y2="${height - m.b + 5}" stroke="black"/>`,
      `<text x="${fmt(x)}" y="${height - m.b + 18}" text-anchor="middle">${esc(String(t))}</text>`,
    );
  }
  for (const t of ticks(ya, yb)) {
    const y = sy(t);
    parts.push(
      `<line x1="${m.l - 5}" y1="${fmt(y)}" x2="${m.l}" y2="${fmt(y)}" stroke="black"/>`,
      `<text x="${m.l - 8}" y="${fmt(y + 4)}" text-anchor="end">${esc(String(t))}</text>`,
    );
  }
  parts.push(
    `<text x="${(m.l + width - m.r) / 2}" y="${height - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text transform="translate(16 ${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  return { frame: { width, height, x0: m.l, x1: width - m.r, y0: m.t, y1: height - m.b, sx, sy }, parts };
}

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
}

function extent(values: ArrayLike<number>[], pad = 0): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const arr of values)
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

function legend(parts: string[], f: Frame, items: { name: string; color: string }[]): void {
  items.forEach((it, i) => {
    const y = f.y0 + 10 + i * 16;
    parts.push(
      `<rect x="${f.x1 - 150}" y="${y - 8}" width="10" height="10" fill="${it.color}"/>`,
      `<text x="${f.x1 - 135}" y="${y + 1}">${esc(it.name)}</text>`,
    );
  });
}

/** A line chart of one or more series. */
export function lineChartSvg(
  series: Series[],
  o: { title?: string; xLabel: string; yLabel: string; yDomain?: [number, number]; logX?: boolean; width?: number; height?: number },
): string {
  const xDomain = extent(series.map((s) => s.x));
  const yDomain = o.yDomain ?? extent(series.map((s) => s.y), 0.05);
  const { frame, parts } = axes({ ...o, xDomain, yDomain });
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const pts: string[] = [];
    for (let i = 0; i < s.x.length; i++)
      if (Number.isFinite(s.y[i])) pts.push(`${fmt(frame.sx(s.x[i]))},${fmt(frame.sy(s.y[i]))}`);
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""} points="${pts.join(" ")}"/>`,
    );
  });
  if (series.length > 1) legend(parts, frame, series.map((s, k) => ({ name: s.name, color: s.color ?? PALETTE[k % PALETTE.length] })));
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** A histogram of values in `bins` equal bins over [lo, hi]. */
export function histogramSvg(
  values: ArrayLike<number>,
  o: { title?: string; xLabel: string; yLabel?: string; lo: number; hi: number; bins: number; color?: string },
): string {
  const counts = new Array<number>(o.bins).fill(0);
  const w = (o.hi - o.lo) / o.bins;
  for (let i = 0; i < values.length; i++) {
    const b = Math.floor((values[i] - o.lo) / w);
    if (b >= 0 && b < o.bins) counts[b]++;
    else if (values[i] === o.hi) counts[o.bins - 1]++;
  }
  const maxC = Math.max(1, ...counts);
  const { frame, parts } = axes({
    title: o.title,
    xLabel: o.xLabel,
    yLabel: o.yLabel ?? "count",
    xDomain: [o.lo, o.hi],
    yDomain: [0, maxC * 1.05],
  });
  counts.forEach((c, b) => {
    const x = frame.sx(o.lo + b * w);
    const x2 = frame.sx(o.lo + (b + 1) * w);
    const y = frame.sy(c);
    parts.push(
      `<rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(Math.max(0, x2 - x - 1))}" height="${fmt(frame.y1 - y)}" fill="${o.color ?? PALETTE[0]}"/>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** A scatter plot with categorical colours. */
export function scatterSvg(
  groups: { name: string; x: ArrayLike<number>; y: ArrayLike<number>; color?: string }[],
  o: { title?: string; xLabel: string; yLabel: string; radius?: number },
): string {
  const xDomain = extent(groups.map((g) => g.x), 0.05);
  const yDomain = extent(groups.map((g) => g.y), 0.05);
  const { frame, parts } = axes({ ...o, xDomain, yDomain });
  groups.forEach((g, k) => {
    const color = g.color ?? PALETTE[k % PALETTE.length];
    for (let i = 0; i < g.x.length; i++)
      parts.push(`<circle cx="${fmt(frame.sx(g.x[i]))}" cy="${fmt(frame.sy(g.y[i]))}" r="${o.radius ?? 3}" fill="${color}"/>`);
  });
  legend(parts, frame, groups.map((g, k) => ({ name: g.name, color: g.color ?? PALETTE[k % PALETTE.length] })));
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
