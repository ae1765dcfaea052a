import { fromArrayBuffer } from "geotiff";
import { describe, expect, it } from "vitest";
import { readPlainStrips, readTiff } from "../../src/imaging/io-tiff.ts";
import { encodeTiff, type EncodeOptions } from "./tiff-encode.ts";

/** Pages of pseudo-random pixels in the range of the sample type. */
function pages(n: number, w: number, h: number, o: EncodeOptions): number[][] {
  const max = o.float ? 1000 : 2 ** (o.bits ?? 16) - 1;
  let s = 12345;
  return Array.from({ length: n }, () =>
    Array.from({ length: w * h * (o.samplesPerPixel ?? 1) }, () => {
      s = (s * 1103515245 + 12345) >>> 0;
      const u = s / 2 ** 32;
      return o.float ? Math.fround((u - 0.3) * max) : Math.floor(u * (max + 1));
    }),
  );
}

/** geotiff on a whole file, as readTiff opens it (tags loaded eagerly: lazily loaded offsets break big-endian files) */
async function open(file: Uint8Array) {
  const tiff = await fromArrayBuffer(file.slice().buffer);
  (tiff as unknown as { parser: { eager: boolean } }).parser.eager = true;
  return tiff;
}

/** The bytes at an odd address of their buffer (a file read into the middle of a larger buffer). */
function unaligned(b: Uint8Array): Uint8Array {
  const big = new Uint8Array(b.length + 1);
  big.set(b, 1);
  return big.subarray(1);
}

describe("plain striped TIFF pages read straight from the bytes", () => {
  const w = 37;
  const h = 23;
  const cases: [string, EncodeOptions][] = [
    ["16-bit, one strip", { bits: 16 }],
    ["16-bit big-endian, 5 rows a strip", { bits: 16, bigEndian: true, rowsPerStrip: 5 }],
    ["8-bit, 4 rows a strip", { bits: 8, rowsPerStrip: 4 }],
    ["32-bit float", { bits: 32, float: true }],
    ["32-bit float big-endian, 7 rows a strip", { bits: 32, float: true, bigEndian: true, rowsPerStrip: 7 }],
    ["16-bit BigTIFF", { bits: 16, bigTiff: true, rowsPerStrip: 6 }],
  ];
  for (const [name, o] of cases)
    for (const odd of [false, true])
      it(`${name}${odd ? ", at an odd address" : ""}: the same values as geotiff's reader, and as written`, async () => {
        const want = pages(2, w, h, o);
        const file = encodeTiff(want, w, h, o);
        const bytes = odd ? unaligned(file) : file;
        const tiff = await open(file);
        for (let k = 0; k < 2; k++) {
          const im = await tiff.getImage(k);
          const fast = await readPlainStrips(im, bytes);
          expect(fast).not.toBeNull();
          const r = await im.readRasters();
          expect(Array.from(fast!)).toEqual(Array.from(r[0] as ArrayLike<number>));
          expect(Array.from(fast!)).toEqual(want[k]);
        }
        const stack = await readTiff(bytes, "t.tif");
        expect(stack.planes.map((p) => Array.from(p))).toEqual(want);
      });

  const others: [string, EncodeOptions][] = [
    ["LZW", { bits: 16, compression: "lzw" }],
    ["deflate", { bits: 8, compression: "deflate" }],
    ["tiles", { bits: 16, tile: 16 }],
    ["RGB", { bits: 8, samplesPerPixel: 3 }],
    ["32-bit integer", { bits: 32 }],
  ];
  for (const [name, o] of others)
    it(`${name}: left to geotiff's reader (null), and read the same through readTiff`, async () => {
      const want = pages(1, w, h, o);
      const file = encodeTiff(want, w, h, o);
      const im = await (await open(file)).getImage(0);
      expect(await readPlainStrips(im, file)).toBeNull();
      const stack = await readTiff(file, "t.tif");
      const spp = o.samplesPerPixel ?? 1;
      // (planes are float32: 32-bit integers keep 24 bits of precision)
      for (let s = 0; s < spp; s++) expect(Array.from(stack.planes[s])).toEqual(want[0].filter((_, i) => i % spp === s).map(Math.fround));
    });

  it("a truncated strip is left to geotiff (which reports the file), not read past the end", async () => {
    const file = encodeTiff(pages(1, w, h, { bits: 16 }), w, h, { bits: 16, rowsPerStrip: 5 });
    const im = await (await open(file)).getImage(0);
    const offsets = (await im.getFileDirectory().loadValue("StripOffsets")) as ArrayLike<number>;
    const cut = file.subarray(0, Number(offsets[offsets.length - 1]) + 10);
    expect(await readPlainStrips(im, cut)).toBeNull();
  });
});
