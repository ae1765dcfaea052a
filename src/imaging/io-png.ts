/** PNG input (8/16-bit, grey or colour; channels become planes) with pHYs pixel size. */
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
  const { width: w, height: h, channels: ch, data } = png;
  if (png.palette) throw new UserError(`${name}: palette PNGs are not supported (use greyscale or RGB)`);
  const nc = ch === 2 || ch === 4 ? ch - 1 : ch; // drop alpha
  const planes: Float32Array[] = [];
  for (let c = 0; c < nc; c++) {
    const p = new Float32Array(w * h);
    for (let i = 0; i < w * h; i++) p[i] = data[i * ch + c];
    planes.push(p);
  }
  let pixelSizeUm: number | undefined;
  if (png.resolution && png.resolution.unit === 1 && png.resolution.x > 0) pixelSizeUm = 1e6 / png.resolution.x;
  return {
    name,
    width: w,
    height: h,
    channels: nc,
    slices: 1,
    frames: 1,
    planes,
    pixelSizeUm,
    pixelSizeSource: pixelSizeUm ? "PNG pHYs" : undefined,
    bitDepth: png.depth,
  };
}
