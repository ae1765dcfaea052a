import { accessSync, constants, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { UserError } from "./errors.ts";

let counter = 0;

/**
 * Write a file atomically: the content goes to a temporary file in the same folder,
 * which is then renamed over the target. A reader never sees a half-written file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the folder itself may be missing or not a folder
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code && ["ENOTDIR", "EACCES", "EPERM", "EEXIST", "EROFS", "ENOSPC", "EISDIR"].includes(code))
      throw new UserError(`${path}: cannot write the output file (${code}); expected a writable folder for --out`);
    throw e;
  }
}

/** JSON with two-space indentation and a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Create (if needed) and check an output folder before any work starts; one-line error otherwise. */
export function ensureOutDir(dir: string, flag = "--out"): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new UserError(`${flag} ${dir}: cannot create or write this folder (${code}); expected a writable folder path`);
  }
}
