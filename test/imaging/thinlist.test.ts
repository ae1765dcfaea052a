/**
 * The tracer thins on a pixel list (`neighbourTable` + `thinRemoveCornersList`, sixth session of 2026-11-27), with no
 * raster; the raster functions `thin` and `removeCorners` stay as the reference: on any mask the list version must
 * delete exactly the same pixels (fast-check, random masks with lines, blobs and noise; no pixel on the border).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { neighbourTable, removeCorners, setPixels, thin, thinRemoveCornersList } from "../../src/imaging/mask.ts";

function viaList(mask: Uint8Array, w: number): number[] {
  const L = Int32Array.from(setPixels(mask));
  const n = L.length;
  const alive = new Uint8Array(n + 1);
  alive.fill(1, 0, n);
  thinRemoveCornersList(neighbourTable(L, n, w), n, alive);
  const out: number[] = [];
  for (let q = 0; q < n; q++) if (alive[q]) out.push(L[q]);
  return out;
}

function viaRaster(mask: Uint8Array, w: number, h: number): number[] {
  const m = Uint8Array.from(mask);
  thin(m, w, h);
  return removeCorners(m, w, h);
}

describe("thinning on a pixel list", () => {
  it("deletes the same pixels as the raster thinning and corner removal (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 40 }),
        fc.integer({ min: 3, max: 40 }),
        fc.array(fc.record({ x0: fc.double({ min: 0, max: 1, noNaN: true }), y0: fc.double({ min: 0, max: 1, noNaN: true }), x1: fc.double({ min: 0, max: 1, noNaN: true }), y1: fc.double({ min: 0, max: 1, noNaN: true }), r: fc.integer({ min: 0, max: 3 }) }), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 60 }),
        (w, h, strokes, dots) => {
          const mask = new Uint8Array(w * h);
          const set = (x: number, y: number) => {
            if (x >= 1 && y >= 1 && x < w - 1 && y < h - 1) mask[y * w + x] = 1;
          };
          for (const s of strokes) {
            const steps = 2 * Math.max(w, h);
            for (let k = 0; k <= steps; k++) {
              const x = Math.round((s.x0 + (s.x1 - s.x0) * (k / steps)) * (w - 1));
              const y = Math.round((s.y0 + (s.y1 - s.y0) * (k / steps)) * (h - 1));
              for (let dy = -s.r; dy <= s.r; dy++) for (let dx = -s.r; dx <= s.r; dx++) set(x + dx, y + dy);
            }
          }
          for (const d of dots) set(d % w, Math.floor(d / w) % h);
          expect(viaList(mask, w)).toEqual(viaRaster(mask, w, h));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("thins a filled 5-pixel-wide bar to a one-pixel line (and the list agrees)", () => {
    const w = 30;
    const h = 12;
    const mask = new Uint8Array(w * h);
    for (let y = 4; y < 9; y++) for (let x = 3; x < 27; x++) mask[y * w + x] = 1;
    const a = viaList(mask, w);
    expect(a).toEqual(viaRaster(mask, w, h));
    // one pixel per column along the bar's middle part
    const cols = new Map<number, number>();
    for (const i of a) cols.set(i % w, (cols.get(i % w) ?? 0) + 1);
    for (let x = 8; x < 22; x++) expect(cols.get(x)).toBe(1);
  });
});
