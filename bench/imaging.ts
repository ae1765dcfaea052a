/**
 * Benchmark: one 2048×2048 frame (0.1 µm pixels, a 204.8 µm field tiled with scenes) through the
 * whole per-image pipeline on one core. Target: < 2 s. Run with `npm run bench:imaging`.
 */
import { analyzePlane } from "../src/imaging/analyze.ts";
import { renderScene } from "../src/imaging/optics.ts";
import { generateScene, randomOptics, type Scene } from "../src/imaging/scene.ts";

const N = 2048;
const px = 0.1;
const tile = 51.2;
const big: Scene = { widthUm: N * px, heightUm: N * px, cells: [], fibers: [], objects: [], crossings: [] };
let k = 0;
for (let ty = 0; ty < 4; ty++)
  for (let tx = 0; tx < 4; tx++) {
    const s = generateScene(500 + k++, { widthUm: tile, heightUm: tile, variant: "scoring" });
    const ox = tx * tile;
    const oy = ty * tile;
    for (const c of s.cells) big.cells.push({ ...c, id: big.cells.length + 1, x: c.x + ox, y: c.y + oy });
    for (const f of s.fibers) big.fibers.push({ ...f, points: f.points.map((p) => [p[0] + ox, p[1] + oy] as [number, number]) });
    for (const o of s.objects) big.objects.push({ ...o, x: o.x + ox, y: o.y + oy });
  }
const img = renderScene(big, randomOptics(1, 5, "scoring", px), 1);
const plane = { width: img.width, height: img.height, data: img.data };
analyzePlane({ width: 256, height: 256, data: img.data.subarray(0, 256 * 256) }, px); // warm-up (JIT)
const times: number[] = [];
let found = 0;
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const a = analyzePlane(plane, px);
  times.push((performance.now() - t0) / 1000);
  found = a.migrasomes.length;
}
times.sort((a, b) => a - b);
const truth = big.objects.filter((o) => o.kind === "migrasome").length;
process.stdout.write(
  `imaging: ${N}×${N} frame, ${truth} true migrasomes, ${found} detected; analyse time median ${times[1].toFixed(2)} s (min ${times[0].toFixed(2)} s, one core; target < 2 s)\n`,
);
