/**
 * `migrasim analyze` on awkward real-world inputs (all generated here): bad flags, an --out that is a
 * file, nested folders with repeated file names, hidden and non-image files, NaN in float images.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "fast-png";
import { describe, expect, it } from "vitest";
import { readImage } from "../../src/imaging/io.ts";
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

  it("reports a single bad file in one line", () => {
    const bad = join(dir, "empty.tif");
    writeFileSync(bad, "");
    const r = run(["analyze", bad, "--out", join(dir, "o-bad"), "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/empty\.tif: empty file/);
  });
});
