/**
 * `migrasim analyze` on awkward real-world inputs (all generated here): bad flags, an --out that is a
 * file, nested folders with repeated file names, hidden and non-image files, NaN in float images.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { encode } from "fast-png";
import { describe, expect, it } from "vitest";
import { writeTiff16 } from "../../src/imaging/io-tiff.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { generateScene, randomOptics } from "../../src/imaging/scene.ts";
import { encodeTiff } from "./tiff-encode.ts";

const bin = join(import.meta.dirname, "../../bin/migrasim.mjs");
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "migrasim-inputs-"));
const w = 64;
const h = 48;
/** a dim background with a few bright blobs and a line: something to detect, fast to analyse */
const scene = (k: number) =>
  Array.from({ length: w * h }, (_, i) => {
    const x = i % w;
    const y = Math.floor(i / w);
    const blob = Math.exp(-((x - 20 - k) ** 2 + (y - 20) ** 2) / 4) + Math.exp(-((x - 45) ** 2 + (y - 30 + k) ** 2) / 4);
    const line = Math.abs(y - 24) < 1 ? 0.3 : 0;
    return Math.round(100 + 2000 * (blob + line) + ((i * 7919) % 13));
  });
const tif = (pages: ArrayLike<number>[], o = {}) => encodeTiff(pages, w, h, { description: "ImageJ=1.54f\nunit=micron\n", xResolution: 10, ...o });

describe("analyze: flags and output folder", () => {
  const img = join(dir, "one.tif");
  writeFileSync(img, tif([scene(0)]));

  it("refuses an --out that is an existing file before any work, in one line", () => {
    const f = join(dir, "afile");
    writeFileSync(f, "x");
    const r = run(["analyze", img, "--out", f, "--quiet", "--workers", "1"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/--out .*afile/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a --pixel-size outside 0.02–1 µm once, up front", () => {
    for (const v of ["0", "-1", "abc", "5"]) {
      const r = run(["analyze", img, "--pixel-size", v, "--out", join(dir, "o-ps"), "--quiet", "--workers", "1"]);
      expect(r.status, v).toBe(2);
      expect(r.stderr.trim().split("\n"), v).toHaveLength(1);
      expect(r.stderr, v).toMatch(/--pixel-size must be a number .*0\.02–1/);
    }
  });

  it("refuses a fractional or missing --channel in one line", () => {
    for (const a of [["--channel", "1.5"], ["--cell-channel", "2.5"], ["--workers", "1.5"], ["--channel", "3"]]) {
      const r = run(["analyze", img, ...a, "--out", join(dir, "o-ch"), "--quiet"]);
      expect(r.status, a.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), a.join(" ")).toHaveLength(1);
      expect(r.stderr, a.join(" ")).toMatch(new RegExp(`${a[0]} (must be a whole number|3 does not exist)`));
    }
  });

  it("warns when the chosen channel is blank (RGB with the label in green)", () => {
    const rgb = join(dir, "green.tif");
    const v = scene(0);
    writeFileSync(rgb, tif([Array.from({ length: w * h * 3 }, (_, i) => (i % 3 === 1 ? Math.min(255, v[(i / 3) | 0] >> 3) : 0))], { bits: 8, samplesPerPixel: 3 }));
    const out = join(dir, "o-green");
    const r = run(["analyze", rgb, "--out", out, "--quiet"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*green\.tif: channel 1 is blank .*3 channels, choose one with --channel N/);
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).warnings).toHaveLength(1);
    const r2 = run(["analyze", rgb, "--channel", "2", "--out", out, "--quiet"]);
    expect(r2.stderr).toBe("");
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).warnings).toHaveLength(0);
  });

  it("moves the progress bar frame by frame on a single time series", () => {
    const movie = join(dir, "movie.tif");
    writeFileSync(movie, tif(Array.from({ length: 10 }, (_, k) => scene(k % 3)), { description: "ImageJ=1.54f\nimages=10\nframes=10\nunit=micron\n" }));
    const r = run(["analyze", movie, "--out", join(dir, "o-movie"), "--workers", "1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/analyze: 50% \(0\/1\)/);
    expect(r.stderr).toMatch(/analyze: 100% \(1\/1\)/);
  });

  it("moves the progress bar within a single image too (stage by stage)", () => {
    const one = join(dir, "one.tif");
    writeFileSync(one, tif([scene(0)], { description: "ImageJ=1.54f\nunit=micron\n" }));
    const r = run(["analyze", one, "--out", join(dir, "o-one"), "--workers", "1"]);
    expect(r.status, r.stderr).toBe(0);
    // the bar's plain-text form (not a terminal): deciles of the one image before it is done
    expect(r.stderr).toMatch(/analyze: 40% \(0\/1\)/);
    expect(r.stderr).toMatch(/analyze: 80% \(0\/1\)/);
    expect(r.stderr).toMatch(/analyze: 100% \(1\/1\)/);
  });

  it("reports a single bad file in one line", () => {
    const bad = join(dir, "empty.tif");
    writeFileSync(bad, "");
    const r = run(["analyze", bad, "--out", join(dir, "o-bad"), "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/empty\.tif: empty file/);
  });

  it("refuses non-square pixels (OME, ImageJ/TIFF resolution, PNG pHYs) in one line unless --pixel-size is given", () => {
    const ome = (y: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYCZT" PhysicalSizeX="0.1" ${y} SizeC="1" SizeT="1" SizeX="${w}" SizeY="${h}" SizeZ="1" Type="uint16"><TiffData/></Pixels></Image></OME>`;
    const png = encode({ width: w, height: h, data: Uint16Array.from(scene(0)), channels: 1, depth: 16 });
    const phys = new Uint8Array(21); // pHYs: 1e7 px/m in x (0.1 µm), 8e6 in y (0.125 µm), unit metre
    const dv = new DataView(phys.buffer);
    dv.setUint32(0, 9);
    phys.set(new TextEncoder().encode("pHYs"), 4);
    dv.setUint32(8, 1e7);
    dv.setUint32(12, 8e6);
    phys[16] = 1;
    dv.setUint32(17, crc32(phys.subarray(4, 17)));
    const files: [string, Uint8Array, RegExp][] = [
      ["ome-rect.ome.tif", encodeTiff([scene(0)], w, h, { description: ome('PhysicalSizeY="0.3"') }), /0\.1 µm in x, 0\.3 µm in y, from OME-XML PhysicalSizeX\/Y/],
      ["ij-rect.tif", tif([scene(0)], { yResolution: 5 }), /0\.1 µm in x, 0\.2 µm in y, from ImageJ unit \+ X\/YResolution/],
      ["rect.png", Uint8Array.from([...png.subarray(0, 33), ...phys, ...png.subarray(33)]), /0\.1 µm in x, 0\.125 µm in y, from PNG pHYs/],
    ];
    for (const [name, bytes, msg] of files) {
      const f = join(dir, name);
      writeFileSync(f, bytes);
      const r = run(["analyze", f, "--out", join(dir, `o-${name}`), "--quiet", "--workers", "1"]);
      expect(r.status, name).toBe(2);
      expect(r.stderr.trim().split("\n"), name).toHaveLength(1);
      expect(r.stderr, name).toMatch(new RegExp(`${name.replace(/\./g, "\\.")}: non-square pixels`));
      expect(r.stderr, name).toMatch(msg);
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
      const ok = run(["analyze", f, "--pixel-size", "0.1", "--out", join(dir, `o2-${name}`), "--quiet", "--workers", "1"]);
      expect(ok.status, `${name} with --pixel-size`).toBe(0);
    }
    // square within 1 % (rounding in the file) passes
    const near = join(dir, "ome-near.ome.tif");
    writeFileSync(near, encodeTiff([scene(0)], w, h, { description: ome('PhysicalSizeY="0.1004"') }));
    expect(run(["analyze", near, "--out", join(dir, "o-near"), "--quiet", "--workers", "1"]).status).toBe(0);
  });
});

describe("analyze: a folder as biologists keep them", () => {
  it("analyses subfolders, keeps repeated file names apart, skips hidden and non-image files, reports the bad one", () => {
    const root = join(dir, "experiment");
    for (const d of ["ctrl", "kd/dish 2", "ünïcode"]) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, "ctrl", "Image 1.tif"), tif([scene(0)]));
    writeFileSync(join(root, "kd/dish 2", "Image 1.tif"), tif([scene(3)]));
    writeFileSync(join(root, "ünïcode", "Zelle.TIF"), tif([scene(1)]));
    writeFileSync(join(root, "a.tif"), tif([scene(2)]));
    writeFileSync(join(root, "a.png"), encode({ width: w, height: h, data: Uint16Array.from(scene(2)), channels: 1, depth: 16 }));
    writeFileSync(join(root, "._a.tif"), "AppleDouble resource fork, not an image");
    writeFileSync(join(root, "notes.txt"), "not an image");
    writeFileSync(join(root, "stage.csv"), "x,y\n1,2\n");
    writeFileSync(join(root, "ctrl", "broken.tif"), tif([scene(0)]).subarray(0, 100));
    const out = join(root, "analysis"); // inside the input folder: never read back
    const r = run(["analyze", root, "--out", out, "--pixel-size", "0.1", "--quiet", "--workers", "2"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/skipped .*ctrl\/broken\.tif/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const names = summary.perImage.map((i: { image: string }) => i.image);
    expect(names).toEqual(["a.png", "a.tif", "ctrl/Image 1.tif", "kd/dish 2/Image 1.tif", "ünïcode/Zelle.TIF"]);
    const overlays = readdirSync(out).filter((f) => f.endsWith("_overlay.png")).sort();
    expect(overlays).toEqual(["a_png_overlay.png", "a_tif_overlay.png", "ctrl__Image 1_overlay.png", "kd__dish 2__Image 1_overlay.png", "ünïcode__Zelle_overlay.png"]);
    const perCellImages = new Set(readFileSync(join(out, "per_cell.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(",")[0].replace(/^"|"$/g, "")));
    expect([...perCellImages].sort()).toEqual(names);
    // a second run does not pick up its own outputs
    const r2 = run(["analyze", root, "--out", out, "--pixel-size", "0.1", "--quiet", "--workers", "1"]);
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).images, r2.stderr).toBe(5);
  });

  it("keeps the same file name given from two folders apart", () => {
    const a = join(dir, "day1");
    const b = join(dir, "day2");
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    writeFileSync(join(a, "cell.tif"), tif([scene(0)]));
    writeFileSync(join(b, "cell.tif"), tif([scene(4)]));
    const out = join(dir, "o-two");
    const r = run(["analyze", join(a, "cell.tif"), join(b, "cell.tif"), "--out", out, "--quiet", "--workers", "1"]);
    expect(r.status, r.stderr).toBe(0);
    const names = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).perImage.map((i: { image: string }) => i.image);
    expect(new Set(names).size).toBe(2);
    expect(names[0]).toMatch(/day1\/cell\.tif$/);
    expect(readdirSync(out).filter((f) => f.endsWith("_overlay.png"))).toHaveLength(2);
    expect(existsSync(join(out, "detections.csv"))).toBe(true);
  });

  it("a reused --out shows the new run only: overlays an earlier run wrote for other images are removed, other files kept", () => {
    const src = join(dir, "reuse");
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, "first.tif"), tif([scene(0)]));
    writeFileSync(join(src, "second.tif"), tif([scene(3)]));
    const out = join(dir, "o-reuse");
    expect(run(["analyze", src, "--out", out, "--quiet", "--workers", "1"]).status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).overlays).toEqual(["first_overlay.png", "second_overlay.png"]);
    writeFileSync(join(out, "notes.txt"), "mine");
    writeFileSync(join(out, "mine_overlay.png"), "not written by migrasim");
    const r = run(["analyze", join(src, "second.tif"), "--out", out, "--quiet", "--workers", "1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["detections.csv", "fibers.csv", "mine_overlay.png", "notes.txt", "per_cell.csv", "second_overlay.png", "summary.json"]);
  });
});

describe("analyze: outputs agree with each other", () => {
  it("summary.json totals match detections.csv and per_cell.csv for a folder with a still image and a time series", () => {
    const folder = join(dir, "consistency");
    mkdirSync(folder, { recursive: true });
    const imgs = [1001, 1002].map((seed) => renderScene(generateScene(seed, { widthUm: 20, heightUm: 20 }), randomOptics(seed, 5, "scoring", 0.1), seed));
    const size = (i: number) => [imgs[i].width, imgs[i].height] as const;
    writeFileSync(join(folder, "still.tif"), writeTiff16([imgs[0].counts], ...size(0), { pixelSizeUm: 0.1 }));
    writeFileSync(join(folder, "movie.tif"), writeTiff16([imgs[1].counts, imgs[1].counts, imgs[1].counts], ...size(1), { pixelSizeUm: 0.1, frames: true }));
    const out = join(dir, "o-consistency");
    const r = run(["analyze", folder, "--out", out, "--quiet", "--workers", "1"]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    const table = (f: string) => {
      const [head, ...lines] = readFileSync(join(out, f), "utf8").trim().split("\n");
      return { col: head.split(",").reduce((m, h, i) => m.set(h, i), new Map<string, number>()), rows: lines.map((l) => l.split(",")) };
    };
    const det = table("detections.csv").rows;
    const pc = table("per_cell.csv");
    const cells = pc.rows.map((c) => [c[pc.col.get("image")!], c[pc.col.get("migrasomes")!], c[pc.col.get("fiberLengthUm")!]]); // image, migrasomes, fiberLengthUm
    expect(det.length).toBeGreaterThan(0);
    expect(s.migrasomes).toBe(det.length);
    expect(cells.reduce((a, c) => a + Number(c[1]), 0)).toBe(det.length);
    expect(s.fiberLengthUm).toBeCloseTo(cells.reduce((a, c) => a + Number(c[2]), 0), 1);
    const movie = s.perImage.find((i: { image: string }) => i.image === "movie.tif");
    const still = s.perImage.find((i: { image: string }) => i.image === "still.tif");
    expect(movie.frames).toBe(3);
    expect(movie.migrasomes).toBe(det.filter((d) => d[0] === "movie.tif").length);
    expect(movie.fiberLengthUm).toBeCloseTo(cells.filter((c) => c[0] === "movie.tif").reduce((a, c) => a + Number(c[2]), 0), 1);
    expect(movie.sites.tip + movie.sites.junction + movie.sites.along + movie.sites.none).toBe(movie.migrasomes);
    expect(movie.tracks.count).toBe(movie.migrasomes / 3); // the same migrasomes in every frame
    expect(s.fiberLengthUm).toBeCloseTo(movie.fiberLengthUm + still.fiberLengthUm, 2);
    if (s.fiberLengthUm > 0) expect(s.migrasomesPer100Um).toBeCloseTo((100 * s.migrasomes) / s.fiberLengthUm, 2);
  });
});

describe("evaluate: image names", () => {
  it("warns when detections and truth share no image name (e.g. a folder run against one render's truth)", () => {
    const det = join(dir, "det.csv");
    const truth = join(dir, "truth.csv");
    writeFileSync(det, "image,xUm,yUm,diameterUm\nr1/image.tif,1,1,1\nr2/image.tif,2,2,1\n");
    writeFileSync(truth, "image,xUm,yUm,diameterUm\nimage.tif,1,1,1\n");
    const r = run(["evaluate", det, truth, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: no image name in .*det\.csv .*r1\/image\.tif.* is in .*truth\.csv/);
  });
});
