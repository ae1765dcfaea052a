import { deflateSync } from "node:zlib";
import { decode } from "fast-png";
import { describe, expect, it } from "vitest";
import { analyzePlane } from "../../src/imaging/analyze.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { OVERLAY_PALETTE, overlayIndexed, overlayPng, overlayRgb, SITE_COLORS } from "../../src/imaging/overlay.ts";
import { generateScene, randomOptics } from "../../src/imaging/scene.ts";
import { crc32, encodePng } from "../../src/util/png.ts";

describe("PNG encoder (node:zlib)", () => {
  it("computes the standard CRC-32 check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    // continued over two parts = over the whole
    const b = new TextEncoder().encode("migrasomes on retraction fibers");
    expect(crc32(b, 10, b.length, crc32(b, 0, 10))).toBe(crc32(b));
  });

  it("writes RGB and palette images that an independent decoder reads back exactly", () => {
    const w = 37;
    const h = 11;
    const rgb = new Uint8Array(w * h * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 7919) % 256;
    const d = decode(encodePng(w, h, rgb));
    expect([d.width, d.height, d.channels, d.depth]).toEqual([w, h, 3, 8]);
    expect(Array.from(d.data)).toEqual(Array.from(rgb));
    const palette = new Uint8Array([0, 0, 0, 255, 0, 0, 0, 255, 0, 10, 20, 30]);
    const idx = new Uint8Array(w * h);
    for (let i = 0; i < idx.length; i++) idx[i] = (i * 31) % 4;
    for (const [level, rle] of [[1, true], [9, true], [1, false]] as const) {
      const p = decode(encodePng(w, h, idx, { palette, level, rle }));
      expect(Array.from(p.data)).toEqual(Array.from(idx));
      expect(p.palette?.slice(0, 4)).toEqual([
        [0, 0, 0],
        [255, 0, 0],
        [0, 255, 0],
        [10, 20, 30],
      ]);
    }
    // and the deflate stream is zlib's own
    expect(deflateSync(new Uint8Array(1)).length).toBeGreaterThan(0);
  });

  it("refuses data of the wrong size, bad palettes and indices beyond the palette", () => {
    expect(() => encodePng(4, 4, new Uint8Array(47))).toThrow(/width·height·3 = 48 bytes, got 47/);
    expect(() => encodePng(0, 4, new Uint8Array(0))).toThrow(/positive integers/);
    expect(() => encodePng(2, 2, new Uint8Array(4), { palette: new Uint8Array(4) })).toThrow(/1–256 RGB entries/);
    expect(() => encodePng(2, 2, new Uint8Array([0, 1, 2, 1]), { palette: new Uint8Array(6) })).toThrow(/index 2 at byte 2 is beyond the palette's 2 entries/);
  });
});

describe("overlay", () => {
  const px = 0.1;
  const scene = generateScene(7, { widthUm: 24, heightUm: 24, dense: false });
  const img = renderScene(scene, randomOptics(7, 10, "tuning", px), 7);
  const plane = { width: img.width, height: img.height, data: img.data };
  const a = analyzePlane(plane, px);

  it("draws each migrasome as a circle in its site's colour, and the PNG holds exactly the indexed overlay", () => {
    expect(a.migrasomes.length).toBeGreaterThan(3);
    const o = overlayIndexed(plane, a);
    const png = decode(overlayPng(plane, a));
    expect([png.width, png.height]).toEqual([img.width, img.height]);
    expect(Array.from(png.data)).toEqual(Array.from(o.index));
    const rgb = overlayRgb(plane, a).rgb;
    const colourAt = (x: number, y: number) => Array.from(rgb.subarray(3 * (y * img.width + x), 3 * (y * img.width + x) + 3));
    // the last-drawn circle's colour shows at most of its points (an earlier overlapping circle may be covered)
    for (const m of a.migrasomes) {
      const r = Math.max(2, m.diameterUm / 2 / px + 1.5);
      let hit = 0;
      let n = 0;
      for (let k = 0; k < 32; k++) {
        const t = (2 * Math.PI * k) / 32;
        const x = Math.round(m.xUm / px - 0.5 + r * Math.cos(t));
        const y = Math.round(m.yUm / px - 0.5 + r * Math.sin(t));
        if (x < 0 || y < 0 || x >= img.width || y >= img.height) continue;
        n++;
        if (colourAt(x, y).join() === SITE_COLORS[m.site].join()) hit++;
      }
      if (n >= 16) expect(hit / n).toBeGreaterThan(0.5);
    }
  });

  it("stretches the image into grey levels that rise with intensity", () => {
    const o = overlayIndexed(plane, a);
    const greyTop = 247;
    let prevV = -Infinity;
    let prevG = -1;
    const pairs: [number, number][] = [];
    for (let i = 0; i < o.index.length; i += 97) if (o.index[i] <= greyTop) pairs.push([img.data[i], o.index[i]]);
    pairs.sort((p, q) => p[0] - q[0]);
    for (const [v, g] of pairs) {
      if (v > prevV) expect(g).toBeGreaterThanOrEqual(prevG);
      prevV = v;
      prevG = g;
    }
    expect(pairs[0][1]).toBe(0); // the darkest pixels (below the 0.5th percentile) are black
    // grey entries are grey, and the palette's colours are the site colours
    for (let k = 0; k <= greyTop; k++) expect(new Set(OVERLAY_PALETTE.subarray(3 * k, 3 * k + 3)).size).toBe(1);
    for (const c of Object.values(SITE_COLORS)) {
      let found = false;
      for (let k = greyTop + 1; k < 256; k++) if (OVERLAY_PALETTE.subarray(3 * k, 3 * k + 3).join() === c.join()) found = true;
      expect(found).toBe(true);
    }
  });
});
