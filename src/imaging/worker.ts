/** worker_threads entry: analyse files sent by the parent, one at a time. */
import { parentPort } from "node:worker_threads";
import { isUserError } from "../util/errors.ts";
import { analyzeFile, type FileOptions } from "./pipeline.ts";

parentPort?.on("message", async (msg: { id: number; path: string; opts: FileOptions }) => {
  try {
    const r = await analyzeFile(msg.path, msg.opts);
    parentPort?.postMessage({ id: msg.id, ok: true, result: r });
  } catch (e) {
    parentPort?.postMessage({ id: msg.id, ok: false, userError: isUserError(e), message: e instanceof Error ? e.message : String(e) });
  }
});
