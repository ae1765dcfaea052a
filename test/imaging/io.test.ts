import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "fast-png";
import { describe, expect, it } from "vitest";
import { readImage } from "../../src/imaging/io.ts";
import { writeTiff16 } from "../../src/imaging/io-tiff.ts";
import { parseImageJ, parseOme, pixelSizeFromResolution } from "../../src/imaging/pixel-size.ts";
import { UserError } from "../../src/util/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "migrasim-io-"));

describe("image input", () => {
  it("reads a multi-page 16-bit TIFF with its ImageJ pixel size", async () => {
    const w = 5;
    const h = 4;
    const pages = [0, 1, 2].map((k) => Uint16Array.from({ length: w * h }, (_, i) => i + 1000 * k));
    const p = join(dir, "stack.tif");
    writeFileSync(p, writeTiff16(pages, w, h, { pixelSizeUm: 0.065, frames: true }));
    const s = await readImage(p);
    expect([s.width, s.height, s.frames, s.slices, s.channels]).toEqual([5, 4, 3, 1, 1]);
    expect(s.pixelSizeUm).toBeCloseTo(0.065, 6);
    expect(s.planes[2][7]).toBe(2007);
  });
  it("reads OME-XML: pixel size in nm, channels and z-stack order", async () => {
    const ome = `<?xml version="1.0"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels DimensionOrder="XYZCT" PhysicalSizeX="130" PhysicalSizeXUnit="nm" SizeC="2" SizeT="1" SizeX="3" SizeY="2" SizeZ="2" Type="uint16"/></Image></OME>`;
    const pages = [0, 1, 2, 3].map((k) => new Uint16Array(6).fill(k)); // z0c0 z1c0 z0c1 z1c1
    const p = join(dir, "ome.tif");
    writeFileSync(p, writeTiff16(pages, 3, 2, { description: ome }));
    const s = await readImage(p);
    expect(s.pixelSizeUm).toBeCloseTo(0.13, 6);
    expect([s.channels, s.slices, s.frames]).toEqual([2, 2, 1]);
    // planes are (t, z, c): z1 c0 is page 1
    expect(s.planes[(0 * 2 + 1) * 2 + 0][0]).toBe(1);
    expect(s.planes[(0 * 2 + 0) * 2 + 1][0]).toBe(2);
  });
  it("reads 8-bit PNG (no pixel size) and rejects bad files with UserError", async () => {
    const p = join(dir, "a.png");
    writeFileSync(p, encode({ width: 4, height: 3, data: new Uint8Array(12).fill(7), channels: 1, depth: 8 }));
    const s = await readImage(p);
    expect(s.pixelSizeUm).toBeUndefined();
    expect(s.planes[0][5]).toBe(7);
    const bad = join(dir, "bad.tif");
    const good = writeTiff16([new Uint16Array(64 * 64)], 64, 64, { pixelSizeUm: 0.1 });
    writeFileSync(bad, good.subarray(0, 300));
    await expect(readImage(bad)).rejects.toBeInstanceOf(UserError);
    const txt = join(dir, "x.tif");
    writeFileSync(txt, "hello world, not an image");
    await expect(readImage(txt)).rejects.toThrow(/unsupported format/);
  });
  it("parses metadata helpers", () => {
    expect(parseOme("<OME><Pixels PhysicalSizeX=\"0.1\" SizeC=\"1\"/></OME>")?.pixelSizeUm).toBeCloseTo(0.1);
    expect(parseImageJ("ImageJ=1.5\nchannels=2\nslices=3\nframes=4\nunit=micron\n")).toMatchObject({ channels: 2, slices: 3, frames: 4, unit: "micron" });
    expect(pixelSizeFromResolution(10, 1, "micron")).toBeCloseTo(0.1);
    expect(pixelSizeFromResolution(1e5, 3)).toBeCloseTo(0.1);
    expect(pixelSizeFromResolution(72, 2)).toBeUndefined();
  });
});
