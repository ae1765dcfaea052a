/**
 * TIFF and OME-TIFF input (via geotiff: single and multi-page, 8/16/32-bit, compressed) and a
 * small, dependency-free 16-bit multi-page TIFF writer with ImageJ + resolution metadata.
 */
import type { GeoTIFFImage } from "geotiff";
import { UserError } from "../util/errors.ts";
import { parseImageJ, parseOme, pixelSizeFromResolution } from "./pixel-size.ts";
import type { ImageStack } from "./types.ts";

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if ((Array.isArray(v) || ArrayBuffer.isView(v)) && typeof (v as ArrayLike<number>)[0] === "number") {
    const a = v as ArrayLike<number>;
    return a.length >= 2 && a[1] ? a[0] / a[1] : a[0];
  }
  return undefined;
}

/**
 * The plane of an uncompressed, striped, one-sample page of unsigned 8/16-bit or 32-bit float pixels (what cameras,
 * Fiji and `writeTiff16` write), read straight from the file's bytes: geotiff's general reader took 60–90 ms for a
 * 2048² 16-bit page, this ~10 ms. null for anything else (compressed, tiled, several samples, signed, other depths,
 * strips that do not fit in the file), which geotiff then reads (and reports).
 */
export async function readPlainStrips(im: GeoTIFFImage, bytes: Uint8Array): Promise<Float32Array | null> {
  if (im.isTiled || im.getSamplesPerPixel() !== 1) return null;
  const fd = im.getFileDirectory();
  const compression = asNumber(await fd.loadValue("Compression")) ?? 1;
  const bits = im.getBitsPerSample();
  const format = asNumber(await fd.loadValue("SampleFormat")) ?? 1;
  if (compression !== 1 || !((format === 1 && (bits === 8 || bits === 16)) || (format === 3 && bits === 32))) return null;
  const offsets = (await fd.loadValue("StripOffsets")) as ArrayLike<number> | undefined;
  const counts = (await fd.loadValue("StripByteCounts")) as ArrayLike<number> | undefined;
  const w = im.getWidth();
  const h = im.getHeight();
  const rps = Math.min(h, asNumber(await fd.loadValue("RowsPerStrip")) ?? h);
  if (!offsets || !counts || !(rps >= 1) || offsets.length !== Math.ceil(h / rps) || counts.length !== offsets.length) return null;
  const bps = bits / 8;
  const le = im.littleEndian;
  const out = new Float32Array(w * h);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let s = 0; s < offsets.length; s++) {
    const rows = Math.min(rps, h - s * rps);
    const n = rows * w;
    const off = Number(offsets[s]);
    if (!(Number(counts[s]) >= n * bps) || !(off >= 0) || off + n * bps > bytes.length) return null;
    const o = s * rps * w;
    if (bits === 8) for (let i = 0; i < n; i++) out[o + i] = bytes[off + i];
    else if (bits === 16) {
      if (le && (bytes.byteOffset + off) % 2 === 0) {
        const v = new Uint16Array(bytes.buffer, bytes.byteOffset + off, n);
        for (let i = 0; i < n; i++) out[o + i] = v[i];
      } else for (let i = 0; i < n; i++) out[o + i] = dv.getUint16(off + 2 * i, le);
    } else for (let i = 0; i < n; i++) out[o + i] = dv.getFloat32(off + 4 * i, le);
  }
  return out;
}

export async function readTiff(bytes: Uint8Array, name: string): Promise<ImageStack> {
  // (geotiff is loaded on first read: writing, as `render` does, does not need it)
  const { fromArrayBuffer } = await import("geotiff");
  let tiff;
  try {
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    tiff = await fromArrayBuffer(ab);
    // geotiff 3.0.5 reads lazily loaded offset arrays (many strips or tiles) as little-endian, which breaks
    // big-endian files; the whole file is in memory anyway, so let its parser load every tag eagerly
    const parser = (tiff as unknown as { parser?: { eager?: boolean } }).parser;
    if (parser) parser.eager = true;
  } catch (e) {
    throw new UserError(`${name}: not a readable TIFF (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  try {
    const count = await tiff.getImageCount();
    const first = await tiff.getImage(0);
    const w = first.getWidth();
    const h = first.getHeight();
    const fd = first.getFileDirectory();
    const desc = String((await fd.loadValue("ImageDescription")) ?? "").replace(/\0+$/, "");
    const bits = first.getBitsPerSample();
    const spp = first.getSamplesPerPixel();
    const planes: Float32Array[] = [];
    for (let k = 0; k < count; k++) {
      const im = k === 0 ? first : await tiff.getImage(k);
      if (im.getWidth() !== w || im.getHeight() !== h) break; // pyramids / thumbnails
      const fast = await readPlainStrips(im, bytes);
      if (fast) planes.push(fast);
      else {
        const r = await im.readRasters();
        for (let s = 0; s < spp; s++) planes.push(Float32Array.from(r[s] as ArrayLike<number>));
      }
    }
    const ome = parseOme(desc);
    const ij = parseImageJ(desc);
    if (ij?.images && ij.images > planes.length && count === 1 && spp === 1) {
      // ImageJ stacks over 4 GB have one IFD and all planes back to back (uncompressed) after the first
      const compression = asNumber(await fd.loadValue("Compression")) ?? 1;
      const off = Number(((await fd.loadValue("StripOffsets")) as ArrayLike<number>)[0]);
      const bps = bits / 8;
      const planeBytes = w * h * bps;
      if (compression !== 1 || !Number.isInteger(bps) || off + ij.images * planeBytes > bytes.length)
        throw new UserError(`${name}: the ImageJ description says images=${ij.images} but the file holds ${planes.length} (truncated?)`);
      const read = first.getReaderForSample(0);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let k = 1; k < ij.images; k++) {
        const p = new Float32Array(w * h);
        const base = off + k * planeBytes;
        for (let i = 0; i < w * h; i++) p[i] = read.call(dv, base + i * bps, first.littleEndian);
        planes.push(p);
      }
    }
    let channels = 1;
    let slices = 1;
    let frames = planes.length;
    let frameIntervalMin: number | undefined;
    let pixelSizeUm: number | undefined;
    let pixelSizeSource: string | undefined;
    let pixelSizeYUm: number | undefined;
    let ordered = planes;
    if (ome) {
      channels = ome.sizeC;
      slices = ome.sizeZ;
      frames = ome.sizeT;
      frameIntervalMin = ome.frameIntervalMin;
      if (ome.pixelSizeUm) {
        pixelSizeUm = ome.pixelSizeUm;
        pixelSizeSource = "OME-XML PhysicalSizeX";
        pixelSizeYUm = ome.pixelSizeYUm;
      }
      if (channels * slices * frames === planes.length) {
        // reorder to (t, z, c)
        const order = ome.dimensionOrder.replace(/^XY/, ""); // e.g. "CZT"
        const size: Record<string, number> = { C: channels, Z: slices, T: frames };
        ordered = new Array(planes.length);
        for (let i = 0; i < planes.length; i++) {
          let rem = i;
          const idx: Record<string, number> = {};
          for (const d of order) {
            idx[d] = rem % size[d];
            rem = Math.floor(rem / size[d]);
          }
          ordered[(idx.T * slices + idx.Z) * channels + idx.C] = planes[i];
        }
      } else
        throw new UserError(
          `${name}: the OME-XML describes ${channels}×${slices}×${frames} (C×Z×T) planes but the file holds ${planes.length}` +
            ` (several series, or a multi-file OME dataset?); export each series as its own file (e.g. Fiji, Bio-Formats)`,
        );
    } else if (ij) {
      channels = ij.channels;
      slices = ij.slices;
      frames = ij.frames;
      frameIntervalMin = ij.frameIntervalMin;
      if (channels * slices * frames !== planes.length) {
        // an RGB stack: ImageJ counts pages (slices × frames), each page holds spp samples
        const rgbStack = spp > 1 && channels === 1 && slices * frames * spp === planes.length;
        channels = spp;
        if (!rgbStack) {
          slices = 1;
          frames = planes.length / spp;
        }
      } // ImageJ order is already czt (c fastest)
    } else {
      channels = spp;
      frames = planes.length / spp;
    }
    if (!pixelSizeUm) {
      const xres = asNumber(await fd.loadValue("XResolution"));
      const unit = asNumber(await fd.loadValue("ResolutionUnit"));
      const p = pixelSizeFromResolution(xres, unit, ij?.unit);
      if (p) {
        pixelSizeUm = p;
        pixelSizeSource = ij?.unit ? "ImageJ unit + XResolution" : "TIFF XResolution";
        pixelSizeYUm = pixelSizeFromResolution(asNumber(await fd.loadValue("YResolution")), unit, ij?.unit);
      }
    }
    return { name, width: w, height: h, channels, slices, frames, planes: ordered, pixelSizeUm, pixelSizeSource, pixelSizeYUm, frameIntervalMin, bitDepth: bits };
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${name}: corrupted or truncated TIFF (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
}

/**
 * Write 16-bit grey pages (uncompressed, little-endian) with an ImageJ description
 * (unit=micron, slices/frames) and XResolution/YResolution in pixels per µm.
 */
export function writeTiff16(
  pages: Uint16Array[],
  width: number,
  height: number,
  opts: { pixelSizeUm?: number; frames?: boolean; description?: string } = {},
): Uint8Array {
  const n = pages.length;
  const desc =
    opts.description ??
    `ImageJ=1.54f\nimages=${n}\n${opts.frames ? `frames=${n}` : `slices=${n}`}\nunit=micron\nspacing=1\nloop=false\n`;
  const descBytes = new TextEncoder().encode(`${desc}\0`);
  const tagCount = 12;
  const ifdSize = 2 + tagCount * 12 + 4;
  const imgBytes = width * height * 2;
  // layout: header(8) | desc | per page: [ifd][xres 8][yres 8][image]
  const descOff = 8;
  let off = descOff + descBytes.length;
  if (off % 2) off++;
  const pageOffs: number[] = [];
  for (let p = 0; p < n; p++) {
    pageOffs.push(off);
    off += ifdSize + 16 + imgBytes;
  }
  const buf = new Uint8Array(off);
  const dv = new DataView(buf.buffer);
  buf[0] = 0x49;
  buf[1] = 0x49;
  dv.setUint16(2, 42, true);
  dv.setUint32(4, pageOffs[0] ?? 0, true);
  buf.set(descBytes, descOff);
  const res = opts.pixelSizeUm && opts.pixelSizeUm > 0 ? 1 / opts.pixelSizeUm : 1;
  const resNum = Math.round(res * 1e6);
  for (let p = 0; p < n; p++) {
    const o = pageOffs[p];
    const xresOff = o + ifdSize;
    const yresOff = xresOff + 8;
    const dataOff = yresOff + 8;
    let t = o + 2;
    dv.setUint16(o, tagCount, true);
    const tag = (id: number, type: number, count: number, value: number) => {
      dv.setUint16(t, id, true);
      dv.setUint16(t + 2, type, true);
      dv.setUint32(t + 4, count, true);
      if (type === 3 && count === 1) dv.setUint16(t + 8, value, true);
      else dv.setUint32(t + 8, value, true);
      t += 12;
    };
    tag(256, 4, 1, width);
    tag(257, 4, 1, height);
    tag(258, 3, 1, 16);
    tag(259, 3, 1, 1);
    tag(262, 3, 1, 1);
    tag(270, 2, descBytes.length, descOff);
    tag(273, 4, 1, dataOff);
    tag(277, 3, 1, 1);
    tag(278, 4, 1, height);
    tag(279, 4, 1, imgBytes);
    tag(282, 5, 1, xresOff);
    tag(283, 5, 1, yresOff);
    dv.setUint32(t, p + 1 < n ? pageOffs[p + 1] : 0, true);
    dv.setUint32(xresOff, resNum, true);
    dv.setUint32(xresOff + 4, 1e6, true);
    dv.setUint32(yresOff, resNum, true);
    dv.setUint32(yresOff + 4, 1e6, true);
    const page = pages[p];
    for (let i = 0; i < width * height; i++) dv.setUint16(dataOff + 2 * i, page[i], true);
  }
  return buf;
}
