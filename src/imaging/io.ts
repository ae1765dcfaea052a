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
  if (bytes.length >= 8 && ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d))) return readTiff(bytes, name);
  throw new UserError(`${path}: unsupported format (expected TIFF, OME-TIFF or PNG)`);
}
