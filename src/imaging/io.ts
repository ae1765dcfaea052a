/** Open an image file by its content (TIFF or PNG magic bytes), with one-line errors. */
import { readFileSync } from "node:fs";
import { UserError } from "../util/errors.ts";
import { readPng } from "./io-png.ts";
import { readTiff } from "./io-tiff.ts";
import type { ImageStack } from "./types.ts";

export const IMAGE_EXTENSIONS = [".tif", ".tiff", ".png"];

export async function readImage(path: string): Promise<ImageStack> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new UserError(`${path}: cannot read the file`);
  }
  if (bytes.length === 0) throw new UserError(`${path}: empty file (0 bytes); expected a TIFF, OME-TIFF or PNG image`);
  const name = path;
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return readPng(bytes, name);
  if (bytes.length >= 8 && ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d))) return fillNonFinite(await readTiff(bytes, name));
  throw new UserError(`${path}: unsupported format (expected TIFF, OME-TIFF or PNG)`);
}

/**
 * Float images may hold NaN or ±Infinity (Fiji masks, ratio images): such pixels become the median of the plane's finite
 * pixels (the background, in a sparse fluorescence image), so filters do not spread them. No finite pixel at all is an error.
 */
export function fillNonFinite(s: ImageStack): ImageStack {
  let anyFinite = false;
  for (const p of s.planes) {
    let bad = 0;
    for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i])) bad++;
    if (bad < p.length) anyFinite = true;
    if (!bad) continue;
    const finite = new Float32Array(p.length - bad);
    let k = 0;
    for (let i = 0; i < p.length; i++) if (Number.isFinite(p[i])) finite[k++] = p[i];
    finite.sort();
    const fill = finite.length ? finite[finite.length >> 1] : 0;
    for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i])) p[i] = fill;
  }
  if (!anyFinite) throw new UserError(`${s.name}: no finite pixel values (all NaN or infinite); expected image data`);
  return s;
}
