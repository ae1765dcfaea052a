/** SVG figures of the mechanics module: shape profile, phase diagram, threshold curve, junction comparison. */
import { axes, esc, fmt, lineChartSvg, PALETTE } from "../util/svg.ts";
import type { JunctionRow } from "./junction.ts";
import type { PhasePoint, ThresholdResult } from "./phase.ts";
import type { Profile } from "./profile.ts";

const DOMAIN_COLOUR = "#d62728";
const LIPID_COLOUR = "#1f77b4";

/** Meridian profile ±r(x) around the domain (equal scales on both axes), domain in red. */
export function shapeSvg(prof: Profile, r0: number, title: string): string {
  const n = prof.x.length;
  let xa = Infinity;
  let xb = -Infinity;
  for (let k = 0; k < n; k++)
    if (prof.inDomain[k]) {
      xa = Math.min(xa, prof.x[k]);
      xb = Math.max(xb, prof.x[k]);
    }
  const rMax = Math.max(...prof.r) * 1.15;
  const pad = Math.max(8 * r0, 0.5 * (xb - xa));
  const x0 = Math.max(prof.x[0], xa - pad);
  const x1 = Math.min(prof.x[n - 1], xb + pad);
  const width = 800;
  const plotW = width - 90;
  const height = Math.round(Math.min(600, Math.max(220, (plotW * (2 * rMax)) / (x1 - x0) + 86)));
  const { frame, parts } = axes({ width, height, title, xLabel: "x (units of length; r0 = " + fmt(r0) + ")", yLabel: "r", xDomain: [x0, x1], yDomain: [-rMax, rMax] });
  for (const sign of [1, -1]) {
    let cur: string[] = [];
    let curDom = -1;
    const flush = () => {
      if (cur.length > 1)
        parts.push(`<polyline fill="none" stroke="${curDom ? DOMAIN_COLOUR : LIPID_COLOUR}" stroke-width="${curDom ? 3 : 2}" points="${cur.join(" ")}"/>`);
    };
    for (let k = 0; k < n; k++) {
      if (prof.x[k] < x0 || prof.x[k] > x1) continue;
      const pt = `${fmt(frame.sx(prof.x[k]))},${fmt(frame.sy(sign * prof.r[k]))}`;
      if (prof.inDomain[k] !== curDom) {
        flush();
        cur = cur.length ? [cur[cur.length - 1]] : [];
        curDom = prof.inDomain[k];
      }
      cur.push(pt);
    }
    flush();
  }
  parts.push(
    `<line x1="${frame.x0}" y1="${fmt(frame.sy(0))}" x2="${frame.x1}" y2="${fmt(frame.sy(0))}" stroke="#999" stroke-dasharray="4 4"/>`,
    `<text x="${frame.x0 + 8}" y="${frame.y0 + 14}" fill="${DOMAIN_COLOUR}">domain</text>`,
    `<text x="${frame.x0 + 70}" y="${frame.y0 + 14}" fill="${LIPID_COLOUR}">lipid tube</text>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

function colour(v: number, lo: number, hi: number): string {
  const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo || 1)));
  // white → dark red
  const r = Math.round(255 - 60 * t);
  const g = Math.round(255 - 225 * t);
  const b = Math.round(255 - 215 * t);
  return `rgb(${r},${g},${b})`;
}

/** One panel per tension: cells over (κ_d/κ_l, area) shaded by max r / r0, swelling cells marked, threshold overlaid. */
export function phaseSvg(points: PhasePoint[], thresholds: ThresholdResult[] = []): string {
  const tensions = [...new Set(points.map((p) => p.tension))].sort((a, b) => a - b);
  const panelW = 460;
  const panelH = 360;
  const out: string[] = [];
  const W = panelW * tensions.length;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${panelH}" viewBox="0 0 ${W} ${panelH}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${panelH}" fill="white"/>`,
  );
  const vmax = Math.max(2.5, ...points.map((p) => p.maxRadiusOverR0));
  tensions.forEach((g, ti) => {
    const pts = points.filter((p) => p.tension === g);
    const ratios = [...new Set(pts.map((p) => p.kappaRatio))].sort((a, b) => a - b);
    const areas = [...new Set(pts.map((p) => p.area))].sort((a, b) => a - b);
    const edges = (v: number[], log: boolean): number[] => {
      const f = log ? Math.log : (x: number) => x;
      const finv = log ? Math.exp : (x: number) => x;
      if (v.length === 1) return [finv(f(v[0]) - 0.5), finv(f(v[0]) + 0.5)];
      const e = [finv(f(v[0]) - (f(v[1]) - f(v[0])) / 2)];
      for (let i = 0; i < v.length - 1; i++) e.push(finv((f(v[i]) + f(v[i + 1])) / 2));
      e.push(finv(f(v[v.length - 1]) + (f(v[v.length - 1]) - f(v[v.length - 2])) / 2));
      return e;
    };
    const re = edges(ratios, false);
    const ae = edges(areas, true);
    const { frame, parts } = axes({
      width: panelW,
      height: panelH,
      title: `γ = ${g}: shading max r/r0, ● swelling (max r > 2 r0)`,
      xLabel: "stiffness ratio κ_d/κ_l",
      yLabel: "log10 domain area A_d",
      xDomain: [re[0], re[re.length - 1]],
      yDomain: [Math.log10(ae[0]), Math.log10(ae[ae.length - 1])],
    });
    const body: string[] = [];
    for (const p of pts) {
      const i = ratios.indexOf(p.kappaRatio);
      const j = areas.indexOf(p.area);
      const xA = frame.sx(re[i]);
      const xB = frame.sx(re[i + 1]);
      const yA = frame.sy(Math.log10(ae[j + 1]));
      const yB = frame.sy(Math.log10(ae[j]));
      body.push(`<rect x="${fmt(xA)}" y="${fmt(yA)}" width="${fmt(xB - xA)}" height="${fmt(yB - yA)}" fill="${colour(p.maxRadiusOverR0, 1, vmax)}"/>`);
      if (p.swelling) body.push(`<circle cx="${fmt((xA + xB) / 2)}" cy="${fmt((yA + yB) / 2)}" r="2.5" fill="black"/>`);
    }
    const th = thresholds.filter((t) => t.tension === g && Number.isFinite(t.kappaRatio)).sort((a, b) => a.area - b.area);
    if (th.length > 1)
      body.push(
        `<polyline fill="none" stroke="${PALETTE[0]}" stroke-width="2" points="${th.map((t) => `${fmt(frame.sx(Math.min(re[re.length - 1], t.kappaRatio)))},${fmt(frame.sy(Math.log10(t.area)))}`).join(" ")}"/>`,
      );
    // axes parts after the cells so the axes stay visible; skip the svg tag and background of the panel
    out.push(`<g transform="translate(${ti * panelW} 0)">`, ...body, ...parts.slice(2), "</g>");
  });
  out.push(`<text x="${W - 10}" y="${panelH - 6}" text-anchor="end" font-size="10">${esc(`shading: max r/r0 from 1 (white) to ${fmt(vmax)} (red); line: threshold`)}</text>`, "</svg>");
  return `${out.join("\n")}\n`;
}

export function thresholdSvg(th: ThresholdResult[]): string {
  const tensions = [...new Set(th.map((t) => t.tension))].sort((a, b) => a - b);
  const series = tensions.map((g, k) => {
    const rows = th.filter((t) => t.tension === g && Number.isFinite(t.kappaRatio)).sort((a, b) => a.area - b.area);
    return { name: `γ = ${g}`, x: rows.map((r) => r.area), y: rows.map((r) => r.kappaRatio), color: PALETTE[k % PALETTE.length] };
  });
  return lineChartSvg(series, {
    title: "Threshold stiffness ratio for a swelling (max r > 2 r0)",
    xLabel: "domain area A_d (log scale)",
    yLabel: "threshold κ_d/κ_l",
    logX: true,
  });
}

export function junctionSvg(rows: JunctionRow[], title: string): string {
  return lineChartSvg(
    [
      { name: "junction − arm", x: rows.map((r) => r.tension), y: rows.map((r) => r.deltaJunctionMinusArm), color: PALETTE[1] },
      { name: "zero", x: rows.map((r) => r.tension), y: rows.map(() => 0), color: "#999", dashed: true },
    ],
    { title, xLabel: "tension γ (log scale)", yLabel: "ΔE (energy units; < 0: junction preferred)", logX: true },
  );
}
