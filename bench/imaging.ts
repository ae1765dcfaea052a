/**
 * Benchmark: one 2048×2048 frame at each of 0.065, 0.1 and 0.16 µm pixels (a 133 / 205 / 328 µm field tiled with
 * 51.2 µm scoring scenes, cycling the same 16 seeds) through the whole per-image pipeline on one core. Target: < 2 s
 * per frame. Each size first analyses a warm-up frame of other scenes (seeds 600–615), as a folder run's worker has
 * analysed earlier images; its time is printed too (for the first size it is a cold process: the JIT has not yet
 * compiled the hot code for frames this large). Then the median of three runs of the benchmark frame. Run with
 * `npm run bench:imaging`.
 */
import { analyzePlane } from "../src/imaging/analyze.ts";
import { renderScene } from "../src/imaging/optics.ts";
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

for (const px of [0.065, 0.1, 0.16]) {
  const { scene: big, plane } = frame(px, 500);
  const warm = frame(px, 600).plane;
  const tw = performance.now();
  analyzePlane(warm, px); // warm-up on other scenes (JIT, scratch memory)
  const warmS = (performance.now() - tw) / 1000;
  const times: number[] = [];
  let found = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const a = analyzePlane(plane, px);
    times.push((performance.now() - t0) / 1000);
    found = a.migrasomes.length;
  }
  times.sort((a, b) => a - b);
  // only migrasomes inside the frame count (the last row and column of tiles may reach past it)
  const truth = big.objects.filter((o) => o.kind === "migrasome" && o.x < N * px && o.y < N * px).length;
  process.stdout.write(
    `imaging: ${N}×${N} frame at ${px} µm pixels, ${truth} true migrasomes, ${found} detected; analyse time median ${times[1].toFixed(2)} s (min ${times[0].toFixed(2)} s; warm-up frame ${warmS.toFixed(2)} s; one core; target < 2 s)\n`,
  );
}
