/** PNG input (1–16-bit, grey, colour or palette; channels become planes) with pHYs pixel size. */
import { decode } from "fast-png";
import { UserError } from "../util/errors.ts";
import type { ImageStack } from "./types.ts";

export function readPng(bytes: Uint8Array, name: string): ImageStack {
  let png;
  try {
    png = decode(bytes);
  } catch (e) {
    throw new UserError(`${name}: corrupted or truncated PNG (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  const { width: w, height: h, channels: ch, data, depth } = png;
  // samples below 8 bits stay packed in rows of whole bytes
  const rowBytes = Math.ceil((w * ch * depth) / 8);
  const mask = (1 << Math.min(depth, 8)) - 1;
  const sample = (i: number, c: number): number => {
    if (depth >= 8) return data[i * ch + c];
    const y = Math.floor(i / w);
    const bit = ((i - y * w) * ch + c) * depth;
    return (data[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
  };
  const planes: Float32Array[] = [];
  if (png.palette) {
    // indexed colour (e.g. Fiji with a LUT): a grey palette gives one channel, a coloured one R, G, B
    const pal = png.palette;
    const grey = pal.every((c) => c[0] === c[1] && c[1] === c[2]);
    for (let c = 0; c < (grey ? 1 : 3); c++) {
      const p = new Float32Array(w * h);
      for (let i = 0; i < w * h; i++) p[i] = pal[sample(i, 0)]?.[c] ?? 0;
      planes.push(p);
    }
  } else {
    const nc = ch === 2 || ch === 4 ? ch - 1 : ch; // drop alpha
    for (let c = 0; c < nc; c++) {
      const p = new Float32Array(w * h);
      for (let i = 0; i < w * h; i++) p[i] = sample(i, c);
      planes.push(p);
    }
  }
  let pixelSizeUm: number | undefined;
  let pixelSizeYUm: number | undefined;
  if (png.resolution && png.resolution.unit === 1 && png.resolution.x > 0) {
    pixelSizeUm = 1e6 / png.resolution.x;
    if (png.resolution.y > 0) pixelSizeYUm = 1e6 / png.resolution.y;
  }
  return {
    name,
    width: w,
    height: h,
    channels: planes.length,
    slices: 1,
    frames: 1,
    planes,
    pixelSizeUm,
    pixelSizeSource: pixelSizeUm ? "PNG pHYs" : undefined,
    pixelSizeYUm,
    bitDepth: png.palette ? 8 : depth,
  };
}
