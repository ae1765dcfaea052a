/**
 * Time series end to end: a rendered multi-frame TIFF (ImageJ frames) in which migrasomes form and vanish at known
 * frames and drift a little, analysed by `analyzeFile` (detection per frame, then linking with gap closing). One
 * migrasome fades out of focus for a frame (a gap the linker must close). Every true migrasome must come out as one
 * track with its true formation frame and lifetime.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeTiff16 } from "../../src/imaging/io-tiff.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { analyzeFile } from "../../src/imaging/pipeline.ts";
import type { Optics, Scene, SceneObject } from "../../src/imaging/scene.ts";

const FRAMES = 8;
const PX = 0.1;
const DRIFT_UM_PER_FRAME = 0.08;
// position, diameter and [first, last] frame of each migrasome (frame 0 and the last frame: formation or end not seen)
const LIFE: [number, number, number, number, number][] = [
  [5, 6, 1.2, 0, 7],
  [12, 6, 0.9, 0, 3],
  [19, 6, 1.6, 2, 7],
  [5, 13, 1.0, 3, 5],
  [12, 13, 2.0, 1, 6],
  [19, 13, 0.8, 4, 7],
  [8, 19, 1.4, 5, 7],
  [16, 19, 1.1, 2, 4],
];

// migrasome 3 is out of focus (too dim to detect) in frame 4
const GAP = { index: 2, frame: 4 };

function frameScene(t: number): Scene {
  const objects: SceneObject[] = [];
  LIFE.forEach(([x, y, d, first, last], i) => {
    const brightness = i === GAP.index && t === GAP.frame ? 0.05 : 1;
    if (t >= first && t <= last) objects.push({ id: i + 1, x: x + DRIFT_UM_PER_FRAME * t, y, diameterUm: d, brightness, kind: "migrasome", site: "along", cellId: null });
  });
  // a sub-resolution dot in every frame (a retractosome): not a migrasome, no track
  objects.push({ id: 99, x: 21, y: 21, diameterUm: 0.1, brightness: 1, kind: "dot", site: "none", cellId: null });
  const fibers: Scene["fibers"] = [6, 13, 19].map((y, k) => ({ id: k + 1, cellId: null, points: [[1, y], [23, y + 0.2]], brightness: 0.3 }));
  return { widthUm: 24, heightUm: 24, cells: [], crossings: [], fibers, objects };
}

describe("time series", () => {
  it("gives each migrasome one track with its formation frame and lifetime (SNR 7, drift 0.08 µm per frame)", async () => {
    const optics: Optics = { pixelSizeUm: PX, psfSigmaUm: 0.11, ringThicknessUm: 0.08, sectionHalfUm: 0.35, snr: 7, backgroundPhotons: 50, unevenness: 0.2, readNoise: 2, offset: 100, label: "tspan4" };
    const pages: Uint16Array[] = [];
    let w = 0;
    let h = 0;
    for (let t = 0; t < FRAMES; t++) {
      const img = renderScene(frameScene(t), optics, 40 + t);
      w = img.width;
      h = img.height;
      pages.push(Uint16Array.from(img.data, (v) => Math.max(0, Math.min(65535, Math.round(v)))));
    }
    const path = join(mkdtempSync(join(tmpdir(), "migrasim-ts-")), "series.tif");
    writeFileSync(path, writeTiff16(pages, w, h, { pixelSizeUm: PX, frames: true }));
    const r = await analyzeFile(path, { overlay: false });
    // detections rows: image, frame, xUm, yUm, diameterUm, site, score, cellId, trackId
    const rows = r.detections.map((d) => ({ frame: Number(d[1]), x: Number(d[2]), y: Number(d[3]), track: Number(d[8]) }));
    const used = new Set<number>();
    LIFE.forEach(([x, y, , first, last], i) => {
      // the detection of this migrasome in each of its frames, and the track they belong to
      const tracks = new Set<number>();
      for (let t = first; t <= last; t++) {
        const hit = rows.filter((d) => d.frame === t && Math.hypot(d.x - (x + DRIFT_UM_PER_FRAME * t), d.y - y) < 0.4);
        const gap = i === GAP.index && t === GAP.frame;
        expect(hit.length, `migrasome ${i + 1}, frame ${t}`).toBe(gap ? 0 : 1);
        if (gap) continue;
        tracks.add(hit[0].track);
      }
      expect(tracks.size, `migrasome ${i + 1}: one track`).toBe(1);
      const id = [...tracks][0];
      expect(used.has(id), `track ${id} shared`).toBe(false);
      used.add(id);
      const frames = rows.filter((d) => d.track === id).map((d) => d.frame);
      expect(Math.min(...frames), `migrasome ${i + 1}: formation frame`).toBe(first);
      expect(Math.max(...frames) - Math.min(...frames) + 1, `migrasome ${i + 1}: lifetime`).toBe(last - first + 1);
    });
    // nothing else is tracked (the dot is not a migrasome), and the summary counts formations seen (not in frame 0)
    expect(r.summary.tracks?.count).toBe(LIFE.length);
    expect([...(r.summary.tracks?.formationFrames ?? [])].sort()).toEqual(LIFE.filter((l) => l[3] > 0).map((l) => l[3]).sort());
    // the stage drift the linking corrected: 0.08 µm per frame in x, none in y
    const drift = r.summary.tracks?.driftUm ?? [];
    expect(drift.length).toBe(8);
    drift.forEach(([dx, dy], t) => {
      expect(Math.abs(dx - DRIFT_UM_PER_FRAME * t)).toBeLessThan(0.03 + 0.01 * t);
      expect(Math.abs(dy)).toBeLessThan(0.03 + 0.01 * t);
    });
    expect(r.summary.tracks?.linkOptions.maxLinkUm).toBeGreaterThan(0);
  });
});
