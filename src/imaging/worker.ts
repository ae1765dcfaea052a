/** worker_threads entry for `migrasim analyze`: one file per job (see util/pool.ts). */
import { serveJobs } from "../util/pool.ts";
import { analyzeOutcome } from "./batch.ts";

await serveJobs(analyzeOutcome);
