/**
 * Real-world file variants (generated here): TIFF byte orders, bit depths, float, strips, tiles,
 * compressions, BigTIFF, RGB, ImageJ hyperstacks, OME-TIFF channels/z/t and pixel-size units.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { encode } from "fast-png";
import { describe, expect, it } from "vitest";
import { readImage } from "../../src/imaging/io.ts";
import { parseOme } from "../../src/imaging/pixel-size.ts";
import { encodeTiff, type EncodeOptions } from "./tiff-encode.ts";

const dir = mkdtempSync(join(tmpdir(), "migrasim-formats-"));
const w = 37;
const h = 29;
const ramp = (k = 0) => Array.from({ length: w * h }, (_, i) => ((i * 7 + k * 1000) % 250) + 3);
const ij = "ImageJ=1.54f\nimages=1\nunit=micron\n";

async function roundTrip(name: string, pages: ArrayLike<number>[], o: EncodeOptions) {
  const p = join(dir, name);
  writeFileSync(p, encodeTiff(pages, w, h, o));
  return readImage(p);
}

describe("TIFF variants", () => {
  const cases: [string, EncodeOptions][] = [
    ["le16.tif", { bits: 16 }],
    ["be16.tif", { bits: 16, bigEndian: true }],
    ["u8.tif", { bits: 8 }],
    ["u32.tif", { bits: 32 }],
    ["f32.tif", { bits: 32, float: true }],
    ["f32be.tif", { bits: 32, float: true, bigEndian: true }],
    ["strips.tif", { bits: 16, rowsPerStrip: 4 }],
    ["tiled.tif", { bits: 16, tile: 16 }],
    ["tiled-lzw-be.tif", { bits: 16, tile: 16, compression: "lzw", bigEndian: true }],
    ["lzw.tif", { bits: 16, compression: "lzw", rowsPerStrip: 8 }],
    ["deflate.tif", { bits: 16, compression: "deflate" }],
    ["packbits.tif", { bits: 8, compression: "packbits" }],
    ["bigtiff.tif", { bits: 16, bigTiff: true }],
    ["UPPER.TIF", { bits: 16 }],
  ];
  for (const [name, o] of cases)
    it(`reads ${name}`, async () => {
      const s = await roundTrip(name, [ramp()], { ...o, description: ij, xResolution: 10 });
      expect([s.width, s.height, s.channels, s.slices, s.frames]).toEqual([w, h, 1, 1, 1]);
      expect(s.pixelSizeUm).toBeCloseTo(0.1, 6);
      expect(Array.from(s.planes[0].subarray(0, 50))).toEqual(ramp().slice(0, 50));
      expect(s.planes[0][w * h - 1]).toBe(ramp()[w * h - 1]);
    });

  it("reads RGB as three channels", async () => {
    const rgb = Array.from({ length: w * h * 3 }, (_, i) => (i % 3 === 1 ? ramp()[(i / 3) | 0] : 0));
    const s = await roundTrip("rgb.tif", [rgb], { bits: 8, samplesPerPixel: 3, description: ij, xResolution: 10 });
    expect(s.channels).toBe(3);
    expect(s.planes[1][5]).toBe(ramp()[5]);
    expect(s.planes[0][5]).toBe(0);
  });

  it("reads an ImageJ RGB z-stack as 3 channels × slices, and an RGB time series as frames", async () => {
    const page = (v: number) => Array.from({ length: w * h * 3 }, (_, i) => (i % 3 === 1 ? v : 0));
    const z = await roundTrip("rgb-z.tif", [page(10), page(20), page(30), page(40)], {
      bits: 8, samplesPerPixel: 3, description: "ImageJ=1.54f\nimages=4\nslices=4\nunit=micron\nloop=false\n", xResolution: 10,
    });
    expect([z.channels, z.slices, z.frames]).toEqual([3, 4, 1]);
    expect(z.planes[2 * 3 + 1][0]).toBe(30); // z 2, green
    const t = await roundTrip("rgb-t.tif", [page(10), page(20)], {
      bits: 8, samplesPerPixel: 3, description: "ImageJ=1.54f\nimages=2\nframes=2\nunit=micron\nfinterval=60\n", xResolution: 10,
    });
    expect([t.channels, t.slices, t.frames]).toEqual([3, 1, 2]);
    expect(t.frameIntervalMin).toBeCloseTo(1);
  });

  it("reads an ImageJ hyperstack (channels, slices, frames; czt order)", async () => {
    const pages: number[][] = [];
    for (let t = 0; t < 2; t++) for (let z = 0; z < 3; z++) for (let c = 0; c < 2; c++) pages.push(new Array(w * h).fill(100 * t + 10 * z + c));
    const desc = "ImageJ=1.54f\nimages=12\nchannels=2\nslices=3\nframes=2\nhyperstack=true\nmode=composite\nunit=micron\nfinterval=30\nloop=false\n";
    const s = await roundTrip("hyper.tif", pages, { description: desc, xResolution: 10 });
    expect([s.channels, s.slices, s.frames]).toEqual([2, 3, 2]);
    expect(s.planes[(1 * 3 + 2) * 2 + 1][0]).toBe(121);
    expect(s.frameIntervalMin).toBeCloseTo(0.5);
  });

  it("reads an ImageJ stack stored as one IFD with the planes back to back (as ImageJ writes stacks over 4 GB)", async () => {
    const planes = [0, 1, 2].map((k) => ramp(k));
    const desc = "ImageJ=1.54f\nimages=3\nframes=3\nunit=micron\nfinterval=60\nloop=false\n";
    const big = encodeTiff([planes.flat()], w, 3 * h, { description: desc, xResolution: 10 }); // one strip of 3 planes
    // make the IFD describe the first plane only (little-endian, classic TIFF)
    const dv = new DataView(big.buffer);
    const ifd = dv.getUint32(4, true);
    for (let e = 0; e < dv.getUint16(ifd, true); e++) {
      const at = ifd + 2 + 12 * e;
      const tag = dv.getUint16(at, true);
      if (tag === 257 || tag === 278) dv.setUint32(at + 8, h, true);
      if (tag === 279) dv.setUint32(at + 8, w * h * 2, true);
    }
    const p = join(dir, "ij-contiguous.tif");
    writeFileSync(p, big);
    const s = await readImage(p);
    expect([s.width, s.height, s.channels, s.slices, s.frames]).toEqual([w, h, 1, 1, 3]);
    expect(s.planes[2][9]).toBe(planes[2][9]);
    // a description promising more planes than the file holds (a truncated copy) is refused
    const text = new TextDecoder("latin1").decode(big).replace("images=3\nframes=3", "images=5\nframes=5");
    writeFileSync(p, Uint8Array.from(text, (c) => c.charCodeAt(0)));
    await expect(readImage(p)).rejects.toThrow(/images=5 but the file holds 1/);
  });

  it("reads OME-TIFF with channels and time in XYZTC order, pixel size in nm or cm", async () => {
    const ome = (attrs: string, order: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="${order}" ${attrs} SizeC="2" SizeT="3" SizeX="${w}" SizeY="${h}" SizeZ="1" Type="uint16"><TiffData/></Pixels></Image></OME>`;
    const pages: number[][] = [];
    for (let c = 0; c < 2; c++) for (let t = 0; t < 3; t++) pages.push(new Array(w * h).fill(10 * t + c));
    const s = await roundTrip("ct.ome.tif", pages, { description: ome('PhysicalSizeX="65" PhysicalSizeXUnit="nm" TimeIncrement="30" TimeIncrementUnit="s"', "XYZTC") });
    expect([s.channels, s.slices, s.frames]).toEqual([2, 1, 3]);
    expect(s.pixelSizeUm).toBeCloseTo(0.065, 6);
    expect(s.planes[2 * 2 + 1][0]).toBe(21); // t2, c1
    expect(s.frameIntervalMin).toBeCloseTo(0.5);
    const cm = await roundTrip("cm.ome.tif", pages, { description: ome('PhysicalSizeX="0.00001" PhysicalSizeXUnit="cm"', "XYCZT") });
    expect(cm.pixelSizeUm).toBeCloseTo(0.1, 6);
    // two series (stage positions) in one file, or a part of a multi-file dataset: refused, not read as frames
    await expect(roundTrip("two-series.ome.tif", [...pages, ...pages], { description: ome('PhysicalSizeX="0.1"', "XYZTC") })).rejects.toThrow(
      /describes 2×1×3 \(C×Z×T\) planes but the file holds 12/,
    );
    await expect(roundTrip("part.ome.tif", pages.slice(0, 2), { description: ome('PhysicalSizeX="0.1"', "XYZTC") })).rejects.toThrow(/file holds 2/);
  });

  it("reads OME unit spellings: µ as a character reference, Greek mu, Ångström, single quotes", () => {
    const px = (a: string) => parseOme(`<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06"><Image><Pixels ${a} SizeC="1"/></Image></OME>`)?.pixelSizeUm;
    expect(px('PhysicalSizeX="0.1" PhysicalSizeXUnit="&#181;m"')).toBeCloseTo(0.1, 6);
    expect(px('PhysicalSizeX="0.1" PhysicalSizeXUnit="&#xB5;m"')).toBeCloseTo(0.1, 6);
    expect(px('PhysicalSizeX="0.1" PhysicalSizeXUnit="\u03bcm"')).toBeCloseTo(0.1, 6);
    expect(px('PhysicalSizeX="1000" PhysicalSizeXUnit="\u00c5"')).toBeCloseTo(0.1, 6);
    expect(px("PhysicalSizeX='0.1' PhysicalSizeXUnit='µm'")).toBeCloseTo(0.1, 6);
  });

  it("reads ImageJ unit spellings and TIFF resolution in cm", async () => {
    for (const [unit, xres] of [["um", 10], ["\\u00B5m", 10], ["µm", 10], ["micron", 10], ["nm", 0.01]] as const) {
      const s = await roundTrip(`unit-${xres}.tif`, [ramp()], { description: `ImageJ=1.54f\nunit=${unit}\n`, xResolution: xres });
      expect(s.pixelSizeUm, unit).toBeCloseTo(0.1, 6);
    }
    const pixel = await roundTrip("unit-pixel.tif", [ramp()], { description: "ImageJ=1.54f\nunit=pixel\n", xResolution: 1 });
    expect(pixel.pixelSizeUm).toBeUndefined(); // uncalibrated: the user must give --pixel-size
    const cm = await roundTrip("cm.tif", [ramp()], { xResolution: 1e5, resolutionUnit: 3 });
    expect(cm.pixelSizeUm).toBeCloseTo(0.1, 6);
  });
});

describe("odd pixel values", () => {
  it("fills NaN / Infinity in float TIFFs with the plane's median and refuses an all-NaN image", async () => {
    const v = Float32Array.from(ramp());
    const withNan = Float32Array.from(v);
    for (let i = 0; i < withNan.length; i += 11) withNan[i] = NaN;
    withNan[5] = Infinity;
    const s = await roundTrip("nan.tif", [withNan], { bits: 32, float: true, description: ij, xResolution: 10 });
    expect(s.planes[0].every(Number.isFinite)).toBe(true);
    const finite = Array.from(withNan).filter(Number.isFinite).sort((a, b) => a - b);
    expect(s.planes[0][0]).toBe(finite[finite.length >> 1]);
    expect(s.planes[0][1]).toBe(v[1]);
    await expect(roundTrip("allnan.tif", [new Float32Array(w * h).fill(NaN)], { bits: 32, float: true, description: ij, xResolution: 10 })).rejects.toThrow(
      /allnan\.tif: no finite pixel values/,
    );
  });
});

/** Insert a pHYs chunk (pixels per metre) after IHDR: fast-png does not write one. */
function withPhys(png: Uint8Array, pxPerMetre: number): Uint8Array {
  const chunk = new Uint8Array(21);
  const dv = new DataView(chunk.buffer);
  dv.setUint32(0, 9);
  chunk.set(new TextEncoder().encode("pHYs"), 4);
  dv.setUint32(8, pxPerMetre);
  dv.setUint32(12, pxPerMetre);
  chunk[16] = 1;
  dv.setUint32(17, crc32(chunk.subarray(4, 17)));
  const at = 8 + 25;
  return Uint8Array.from([...png.subarray(0, at), ...chunk, ...png.subarray(at)]);
}

describe("PNG variants", () => {
  const png = async (name: string, bytes: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return readImage(p);
  };
  const v = ramp();
  it("reads 8/16-bit grey with pHYs, RGB and RGBA as channels, grey+alpha as one", async () => {
    const g8 = await png("g8.png", withPhys(encode({ width: w, height: h, data: Uint8Array.from(v), channels: 1, depth: 8 }), 1e7));
    expect(g8.pixelSizeUm).toBeCloseTo(0.1, 6);
    expect(g8.planes[0][7]).toBe(v[7]);
    const g16 = await png("g16.png", withPhys(encode({ width: w, height: h, data: Uint16Array.from(v, (x) => x * 200), channels: 1, depth: 16 }), 15384615));
    expect(g16.pixelSizeUm).toBeCloseTo(0.065, 6);
    expect(g16.planes[0][7]).toBe(v[7] * 200);
    const rgba = await png("rgba.png", encode({ width: w, height: h, data: Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 1 ? v[i >> 2] : i % 4 === 3 ? 255 : 0)), channels: 4, depth: 8 }));
    expect(rgba.channels).toBe(3);
    expect(rgba.planes[1][7]).toBe(v[7]);
    expect(rgba.pixelSizeUm).toBeUndefined();
    const ga = await png("ga.png", encode({ width: w, height: h, data: Uint8Array.from({ length: w * h * 2 }, (_, i) => (i % 2 ? 255 : v[i >> 1])), channels: 2, depth: 8 }));
    expect(ga.channels).toBe(1);
    expect(ga.planes[0][7]).toBe(v[7]);
  });
  it("reads palette PNGs (Fiji with a LUT): grey palette as one channel, a colour LUT as R, G, B", async () => {
    const grey = await png("pal-grey.png", encode({ width: w, height: h, data: Uint8Array.from(v), channels: 1, depth: 8, palette: Array.from({ length: 256 }, (_, i) => [i, i, i]) }));
    expect(grey.channels).toBe(1);
    expect(grey.planes[0][7]).toBe(v[7]);
    const green = await png("pal-green.png", encode({ width: w, height: h, data: Uint8Array.from(v), channels: 1, depth: 8, palette: Array.from({ length: 256 }, (_, i) => [0, i, 0]) }));
    expect(green.channels).toBe(3);
    expect(green.planes[1][7]).toBe(v[7]);
  });
  it("unpacks 1-bit grey (packed rows)", async () => {
    const bits = Array.from({ length: w * h }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const row = Math.ceil(w / 8);
    const packed = new Uint8Array(row * h);
    bits.forEach((b, i) => {
      const y = Math.floor(i / w);
      const x = i % w;
      if (b) packed[y * row + (x >> 3)] |= 0x80 >> (x & 7);
    });
    const one = await png("g1.png", encode({ width: w, height: h, data: packed, channels: 1, depth: 1 }));
    expect(Array.from(one.planes[0])).toEqual(bits);
  });
});
