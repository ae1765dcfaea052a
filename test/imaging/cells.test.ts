/**
 * Cell bodies on an uneven background. Images are built here (0.1 µm pixels, 40 µm field): a flat
 * background with one broad Gaussian bump, thin fibers and ring-like migrasomes, Gaussian noise, and
 * optionally a cell body (a filled ellipse with a soft edge, dimmer than the bump).
 */
import { describe, expect, it } from "vitest";
import { analyzePlane } from "../../src/imaging/analyze.ts";
import { cellExclusion, detectCells, distanceToOutside } from "../../src/imaging/cells.ts";
import { gaussianBlur } from "../../src/imaging/filters.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { generateScene, insideCell, randomOptics } from "../../src/imaging/scene.ts";
import { Rng } from "../../src/util/rng.ts";

const PX = 0.1;
const N = 400;

interface Setup {
  bump: { x: number; y: number; sigma: number; amp: number };
  cell?: { x: number; y: number; rx: number; ry: number; level: number };
  /** more bodies: each added (touching cells), or their union (`union`: one lobed cell, the level of the first) */
  cells?: { x: number; y: number; rx: number; ry: number; level: number }[];
  union?: boolean;
  /** dark holes (µm centre and radius) in those bodies */
  holes?: [number, number, number][];
  /** fibers (µm segments) and migrasomes (µm centres) on the bump */
  fibers: [number, number, number, number][];
  migrasomes: [number, number][];
  seed: number;
  /** fiber line density (photons per 0.05 µm step; 12 if not given) */
  fiberLevel?: number;
}

function render(s: Setup): Float32Array {
  const sig = new Float32Array(N * N);
  for (let y = 0; y < N; y++)
    for (let x = 0; x < N; x++) {
      const xu = (x + 0.5) * PX;
      const yu = (y + 0.5) * PX;
      if (s.cell) {
        const c = s.cell;
        const rho = Math.hypot((xu - c.x) / c.rx, (yu - c.y) / c.ry);
        sig[y * N + x] += c.level * Math.max(0, Math.min(1, (1.02 - rho) / 0.06));
      }
      if (s.cells) {
        let u = 0;
        for (const c of s.cells) {
          const e = c.level * Math.max(0, Math.min(1, (1.02 - Math.hypot((xu - c.x) / c.rx, (yu - c.y) / c.ry)) / 0.06));
          u = s.union ? Math.max(u, e) : u + e;
        }
        if (s.holes?.some(([hx, hy, hr]) => Math.hypot(xu - hx, yu - hy) < hr)) u = 0;
        sig[y * N + x] += u;
      }
      for (const [mx, my] of s.migrasomes) {
        const r = Math.hypot(xu - mx, yu - my);
        sig[y * N + x] += 40 * Math.exp(-((r - 0.6) ** 2) / (2 * 0.12 ** 2));
      }
    }
  for (const [x0, y0, x1, y1] of s.fibers) {
    const n = Math.ceil(Math.hypot(x1 - x0, y1 - y0) / (PX / 2));
    for (let k = 0; k <= n; k++) {
      const x = Math.floor((x0 + ((x1 - x0) * k) / n) / PX);
      const y = Math.floor((y0 + ((y1 - y0) * k) / n) / PX);
      if (x >= 0 && y >= 0 && x < N && y < N) sig[y * N + x] += s.fiberLevel ?? 12;
    }
  }
  const blurred = gaussianBlur(sig, N, N, 0.12 / PX);
  const rng = new Rng(s.seed);
  const img = new Float32Array(N * N);
  const b = s.bump;
  for (let y = 0; y < N; y++)
    for (let x = 0; x < N; x++) {
      const xu = (x + 0.5) * PX;
      const yu = (y + 0.5) * PX;
      const bg = 60 + b.amp * Math.exp(-((xu - b.x) ** 2 + (yu - b.y) ** 2) / (2 * b.sigma ** 2));
      img[y * N + x] = bg + blurred[y * N + x] + Math.sqrt(bg) * rng.normal();
    }
  return img;
}

function mask(labels: Int32Array): { area: number; inside: (x: number, y: number) => boolean } {
  let area = 0;
  for (const l of labels) if (l) area++;
  return { area: area * PX * PX, inside: (x, y) => labels[Math.floor(y / PX) * N + Math.floor(x / PX)] > 0 };
}

/** exactly one body detected, with an area within [lo, hi] × the true ellipse's; its mask */
function oneBody(img: Float32Array, cell: { rx: number; ry: number }, lo: number, hi: number): ReturnType<typeof mask> {
  const cm = detectCells(img, N, N, PX);
  expect(cm.cells).toHaveLength(1);
  const m = mask(cm.labels);
  const trueArea = Math.PI * cell.rx * cell.ry;
  expect(m.area).toBeGreaterThan(lo * trueArea);
  expect(m.area).toBeLessThan(hi * trueArea);
  return m;
}

// a fan of fibers with migrasomes on them, spread over the bump
function fan(cx: number, cy: number): Pick<Setup, "fibers" | "migrasomes"> {
  const fibers: Setup["fibers"] = [];
  const migrasomes: Setup["migrasomes"] = [];
  for (let k = 0; k < 5; k++) {
    const a = -0.6 + 0.3 * k;
    fibers.push([cx, cy, cx + 16 * Math.cos(a), cy + 16 * Math.sin(a)]);
    migrasomes.push([cx + (6 + 2 * k) * Math.cos(a), cy + (6 + 2 * k) * Math.sin(a)]);
  }
  return { fibers, migrasomes };
}

describe("cell bodies on an uneven background", () => {
  it("a background bump cut by the image border, carrying fibers and migrasomes, is no cell", () => {
    for (const seed of [1, 2, 3])
      for (const [x, y] of [[0, 20], [2, 3]]) {
        const img = render({ bump: { x, y, sigma: 12, amp: 30 }, ...fan(x + 1, y + 1), seed });
        expect(detectCells(img, N, N, PX).cells).toHaveLength(0);
      }
  });
  it("a bump in an image corner under a fiber bundle is no cell", () => {
    // bump amplitude, fiber level, fiber spacing (µm), fiber count, noise seed: without the corner rule the
    // bundle's edge on the bump passes for a body's
    const cases: [number, number, number, number, number][] = [[15, 24, 0.5, 8, 1], [15, 24, 0.5, 8, 3], [25, 24, 0.5, 8, 1], [15, 10, 0.5, 14, 1]];
    for (const [amp, fiberLevel, spacing, n, seed] of cases) {
      const fibers: Setup["fibers"] = [];
      for (let k = 0; k < n; k++) fibers.push([0, 26 + spacing * k, 18, 32 + spacing * k]);
      const img = render({ bump: { x: 2, y: 38, sigma: 12, amp }, fibers, migrasomes: [[6, 33], [10, 36]], seed, fiberLevel });
      expect(detectCells(img, N, N, PX).cells).toHaveLength(0);
    }
  });
  it("a cell body on a brighter background bump is found, without the bump", () => {
    for (const seed of [1, 2, 3]) {
      const cell = { x: 30, y: 20, rx: 6, ry: 8, level: 18 };
      const img = render({ bump: { x: 29, y: 21, sigma: 12, amp: 30 }, cell, ...fan(23, 20), seed });
      const m = oneBody(img, cell, 0.8, 1.25);
      expect(m.inside(cell.x, cell.y)).toBe(true);
      // the bump around the body (2 µm outside it) is not part of it
      expect(m.inside(cell.x - cell.rx - 2, cell.y)).toBe(false);
      expect(m.inside(cell.x, cell.y - cell.ry - 2)).toBe(false);
    }
  });
  it("a body on a strong background gradient is found, with no false cell (rendered scenes)", () => {
    // tuning scenes with the scoring ranges, unevenness 0.26–0.48: without the
    // plane under the envelope the gradient's spread put the threshold above the body
    for (const [seed, px] of [[113, 0.065], [135, 0.065], [143, 0.065], [113, 0.16]] as const) {
      const scene = generateScene(seed, { variant: "scoring", widthUm: 32, heightUm: 32, dense: false });
      const img = renderScene(scene, randomOptics(seed, 4, "scoring", px), seed);
      const cells = detectCells(img.data, img.width, img.height, px).cells;
      expect(cells).toHaveLength(scene.cells.length);
      for (const c of cells) expect(scene.cells.some((t) => insideCell(t, c.xUm, c.yUm))).toBe(true);
    }
  });
});

describe("lobes of the body mask", () => {
  it("a cluster of migrasomes tied to the body by fibers is not taken into it", () => {
    // tuning scene 2 (dense, 0.065 µm pixels, SNR 2): above the cut, the fibers and a cluster of migrasomes
    // 2–10 µm left of the body joined it in a ragged lobe of ~40 µm², hiding eight migrasomes
    const px = 0.065;
    const scene = generateScene(2, { variant: "tuning", widthUm: 32, heightUm: 32, dense: true });
    const img = renderScene(scene, randomOptics(2, 2, "tuning", px), 2);
    const { width: w, height: h } = img;
    const cm = detectCells(img.data, w, h, px);
    expect(cm.cells).toHaveLength(1);
    // distance (µm) from the true body, for pixels outside it
    const out = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = scene.cells.some((c) => insideCell(c, (x + 0.5) * px, (y + 0.5) * px)) ? 0 : 1;
    const dist = distanceToOutside(out, w, h);
    let far = 0;
    let inTrue = 0;
    let trueArea = 0;
    for (let i = 0; i < w * h; i++) {
      if (!out[i]) trueArea++;
      if (!cm.labels[i]) continue;
      if (!out[i]) inTrue++;
      else if (dist[i] * px > 1) far++;
    }
    expect(far * px * px).toBeLessThan(0.5);
    expect(inTrue / trueArea).toBeGreaterThan(0.9);
    // no migrasome outside the body is hidden by the mask and its margin, and those near it are detected
    const ex = cellExclusion(cm.labels, w, h, px, 0.5);
    const a = analyzePlane({ width: w, height: h, data: img.data }, px);
    let near = 0;
    let found = 0;
    for (const o of scene.objects) {
      if (o.kind !== "migrasome") continue;
      const i = Math.floor(o.y / px) * w + Math.floor(o.x / px);
      if (!out[i]) continue;
      expect(ex[i]).toBe(0);
      if (dist[i] * px > 10) continue;
      near++;
      if (a.migrasomes.some((m) => Math.hypot(m.xUm - o.x, m.yUm - o.y) < 0.3)) found++;
    }
    // 25 migrasomes within 10 µm of the body: 16 were detected with the lobe, 20 are now
    expect(near).toBeGreaterThanOrEqual(20);
    expect(found).toBeGreaterThanOrEqual(near - 6);
  });
  it("an elongated body keeps its ends and a fan of fibers on it does not grow it", () => {
    for (const seed of [1, 2, 3]) {
      const cell = { x: 28, y: 20, rx: 5, ry: 10, level: 14 };
      const fibers: Setup["fibers"] = [];
      for (let k = 0; k < 6; k++) fibers.push([4, 20 + (k - 2.5) * 2, cell.x - cell.rx + 0.3, 20 + (k - 2.5) * 0.5]);
      const img = render({ bump: { x: 20, y: 20, sigma: 12, amp: 0 }, cell, fibers, migrasomes: [[cell.x - cell.rx - 2, 16]], seed, fiberLevel: 18 });
      const m = oneBody(img, cell, 0.9, 1.1);
      // the ends of the long axis
      expect(m.inside(cell.x, cell.y - cell.ry + 0.6)).toBe(true);
      expect(m.inside(cell.x, cell.y + cell.ry - 0.6)).toBe(true);
      // the fibers' root and the migrasome beside it
      expect(m.inside(cell.x - cell.rx - 1, cell.y)).toBe(false);
      expect(m.inside(cell.x - cell.rx - 2, 16)).toBe(false);
    }
  });
});

describe("a body beside a migrasome cluster (the cut measured again)", () => {
  it("the body keeps its size and the migrasomes beside it are detected (rendered scenes on a gradient)", () => {
    // tuning scenes with the scoring ranges, 0.1 µm pixels: with the plane under the envelope the threshold fell,
    // the body joined a cluster of bright migrasomes on a bump beside it, and the cut half-way between the
    // joined region's levels kept the cluster: 172 (SNR 2) a false 203 µm² body over the cluster instead of the
    // body, 189 (SNR 2) 267 µm² against 180, 223 (SNR 4) 233 µm² against 168; 1, 8 and 7 of the 5, 13 and 9
    // migrasomes within 10 µm of the body were detected
    const px = 0.1;
    for (const [seed, snr] of [[172, 2], [189, 2], [223, 4]] as const) {
      const scene = generateScene(seed, { variant: "scoring", widthUm: 40, heightUm: 40, dense: false });
      const img = renderScene(scene, randomOptics(seed, snr, "scoring", px), seed);
      const { width: w, height: h } = img;
      const cm = detectCells(img.data, w, h, px);
      const t = scene.cells[0];
      expect(cm.cells).toHaveLength(1);
      const c = cm.cells[0];
      expect(insideCell(t, c.xUm, c.yUm)).toBe(true);
      expect(c.areaUm2).toBeGreaterThan(0.9 * Math.PI * t.rx * t.ry);
      expect(c.areaUm2).toBeLessThan(1.2 * Math.PI * t.rx * t.ry);
      const ex = cellExclusion(cm.labels, w, h, px, 0.5);
      const a = analyzePlane({ width: w, height: h, data: img.data }, px);
      let near = 0;
      let found = 0;
      for (const o of scene.objects) {
        if (o.kind !== "migrasome") continue;
        // no migrasome lies under the body's mask and margin
        expect(ex[Math.floor(o.y / px) * w + Math.floor(o.x / px)]).toBe(0);
        if (Math.hypot(o.x - t.x, o.y - t.y) - Math.max(t.rx, t.ry) > 10) continue;
        near++;
        if (a.migrasomes.some((m) => Math.hypot(m.xUm - o.x, m.yUm - o.y) < 0.3)) found++;
      }
      expect(near).toBeGreaterThanOrEqual(5);
      expect(found).toBeGreaterThanOrEqual(near - 1);
    }
  });
});

describe("touching bodies", () => {
  const flat = { x: 20, y: 20, sigma: 12, amp: 0 };
  it("two touching cells are two bodies, each with its own centre", () => {
    // two round cells of 8 µm radius whose edges overlap by 0.2–1 µm (a neck of 2.5–5 µm half-width), the
    // second dimmer or brighter; fibers leave both
    const cases: [number, number, number][] = [[15.8, 14, 1], [15.5, 10, 2], [15, 18, 3]];
    for (const [D, level2, seed] of cases) {
      const cells = [{ x: 12, y: 20, rx: 8, ry: 8, level: 14 }, { x: 12 + D, y: 20, rx: 8, ry: 8, level: level2 }];
      const fibers: Setup["fibers"] = [[12, 12.5, 10, 1], [12 + D, 27.5, 14 + D, 39]];
      const img = render({ bump: flat, cells, fibers, migrasomes: [[10.5, 4]], seed, fiberLevel: 18 });
      const cm = detectCells(img, N, N, PX);
      expect(cm.cells).toHaveLength(2);
      for (const c of cells) {
        const b = cm.labels[Math.floor(c.y / PX) * N + Math.floor(c.x / PX)];
        expect(b).toBeGreaterThan(0);
        const body = cm.cells.find((q) => q.id === b)!;
        expect(Math.hypot(body.xUm - c.x, body.yUm - c.y)).toBeLessThan(1.5);
        expect(body.areaUm2).toBeGreaterThan(0.8 * Math.PI * 64);
        expect(body.areaUm2).toBeLessThan(1.2 * Math.PI * 64);
      }
    }
  });
  it("a single cell with a lobe or a waist stays one body", () => {
    // a round cell with a smaller lobe, a peanut (two equal lobes with a waist), a long ellipse with a round end
    const shapes: { x: number; y: number; rx: number; ry: number; level: number }[][] = [
      [{ x: 16, y: 20, rx: 8, ry: 8, level: 14 }, { x: 24, y: 20, rx: 5, ry: 5, level: 14 }],
      [{ x: 15, y: 20, rx: 7, ry: 7, level: 14 }, { x: 24, y: 20, rx: 7, ry: 7, level: 14 }],
      [{ x: 18, y: 20, rx: 12, ry: 4, level: 14 }, { x: 28, y: 20, rx: 5, ry: 5, level: 14 }],
    ];
    for (const cells of shapes)
      for (const seed of [1, 2]) {
        const img = render({ bump: flat, cells, union: true, fibers: [], migrasomes: [], seed });
        expect(detectCells(img, N, N, PX).cells).toHaveLength(1);
      }
  });
  it("a body with a row of holes left by the cut stays one body", () => {
    // a dim body whose cut left holes (dish seed 18, SNR 4: a single cell was split between them): a row of dark
    // spots across it leaves a narrow neck around each hole, but none from the outer edge
    const cells = [{ x: 20, y: 20, rx: 10, ry: 10, level: 14 }];
    const holes: [number, number, number][] = [-8, -3.5, 1, 5.5].map((dy) => [20, 20 + dy, 1]);
    for (const seed of [1, 2]) {
      const img = render({ bump: flat, cells, holes, fibers: [], migrasomes: [], seed });
      const cm = detectCells(img, N, N, PX);
      expect(cm.cells).toHaveLength(1);
      expect(cm.cells[0].areaUm2).toBeGreaterThan(0.8 * Math.PI * 100);
    }
  });
});
