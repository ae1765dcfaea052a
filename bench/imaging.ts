/**
 * Benchmark: one 2048×2048 frame at each of 0.065, 0.1 and 0.16 µm pixels (a 133 / 205 / 328 µm field tiled with
 * 51.2 µm scoring scenes, cycling the same 16 seeds) on one core. Target: < 2 s per frame. Two times per size:
 * - the analysis (`analyzePlane`: background, cells, fibers, migrasomes, sites, assignment);
 * - the whole per-file work of `migrasim analyze` (`analyzeFile` on a 16-bit TIFF of the frame: reading and decoding
 *   it, the analysis, the table rows and the overlay PNG), which is what a folder run does per image.
 * Each size first runs a warm-up frame of other scenes (seeds 600–615), as a folder run's worker has analysed earlier
 * images; its time is printed too (for the first size it is a cold process: the JIT has not yet compiled the hot code
 * for frames this large). Then the median of three runs of the benchmark frame. Run with `npm run bench:imaging`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzePlane } from "../src/imaging/analyze.ts";
import { writeTiff16 } from "../src/imaging/io-tiff.ts";
import { renderScene } from "../src/imaging/optics.ts";
import { analyzeFile } from "../src/imaging/pipeline.ts";
import { generateScene, randomOptics, type Scene } from "../src/imaging/scene.ts";

const N = 2048;
const tile = 51.2;
/** A 2048² frame at pxUm tiled with scoring scenes of seeds first … first + 15. */
function frame(pxUm: number, first: number): { scene: Scene; plane: { width: number; height: number; data: Float32Array } } {
  const big: Scene = { widthUm: N * pxUm, heightUm: N * pxUm, cells: [], fibers: [], objects: [], crossings: [] };
  const nt = Math.ceil((N * pxUm) / tile - 1e-9);
  let k = 0;
  for (let ty = 0; ty < nt; ty++)
    for (let tx = 0; tx < nt; tx++) {
      const s = generateScene(first + (k++ % 16), { widthUm: tile, heightUm: tile, variant: "scoring" });
      const ox = tx * tile;
      const oy = ty * tile;
      for (const c of s.cells) big.cells.push({ ...c, id: big.cells.length + 1, x: c.x + ox, y: c.y + oy });
      for (const f of s.fibers) big.fibers.push({ ...f, points: f.points.map((p) => [p[0] + ox, p[1] + oy] as [number, number]) });
      for (const o of s.objects) big.objects.push({ ...o, x: o.x + ox, y: o.y + oy });
    }
  const img = renderScene(big, randomOptics(1, 5, "scoring", pxUm), 1);
  return { scene: big, plane: { width: img.width, height: img.height, data: img.data } };
}

/** The frame as a 16-bit TIFF with its pixel size (the rendered counts are whole numbers, so nothing is lost). */
function writeFrame(dir: string, name: string, plane: { width: number; height: number; data: Float32Array }, pxUm: number): string {
  const u = new Uint16Array(plane.data.length);
  for (let i = 0; i < u.length; i++) u[i] = Math.max(0, Math.min(65535, Math.round(plane.data[i])));
  const path = join(dir, name);
  writeFileSync(path, writeTiff16([u], plane.width, plane.height, { pixelSizeUm: pxUm }));
  return path;
}

const median3 = (t: number[]) => [...t].sort((a, b) => a - b)[1];
const dir = mkdtempSync(join(tmpdir(), "migrasim-bench-"));
try {
  for (const px of [0.065, 0.1, 0.16]) {
    const { scene: big, plane } = frame(px, 500);
    const warm = frame(px, 600).plane;
    const warmFile = writeFrame(dir, `warm_${px}.tif`, warm, px);
    const file = writeFrame(dir, `frame_${px}.tif`, plane, px);
    const tw = performance.now();
    analyzePlane(warm, px); // warm-up on other scenes (JIT, scratch memory)
    const warmS = (performance.now() - tw) / 1000;
    await analyzeFile(warmFile); // and the reading, rows and overlay code
    const times: number[] = [];
    const fileTimes: number[] = [];
    let found = 0;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const a = analyzePlane(plane, px);
      times.push((performance.now() - t0) / 1000);
      found = a.migrasomes.length;
      const t1 = performance.now();
      const f = await analyzeFile(file);
      fileTimes.push((performance.now() - t1) / 1000);
      if (f.detections.length !== found) throw new Error(`bench: the TIFF gave ${f.detections.length} detections, the frame ${found}`);
    }
    // only migrasomes inside the frame count (the last row and column of tiles may reach past it)
    const truth = big.objects.filter((o) => o.kind === "migrasome" && o.x < N * px && o.y < N * px).length;
    process.stdout.write(
      `imaging: ${N}×${N} frame at ${px} µm pixels, ${truth} true migrasomes, ${found} detected; analyse time median ${median3(times).toFixed(2)} s ` +
        `(min ${Math.min(...times).toFixed(2)} s; warm-up frame ${warmS.toFixed(2)} s); whole file (read TIFF, analyse, rows, overlay PNG) median ` +
        `${median3(fileTimes).toFixed(2)} s (min ${Math.min(...fileTimes).toFixed(2)} s); one core; target < 2 s\n`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
