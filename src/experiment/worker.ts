/** Worker-thread entry for `migrasim experiment`: runs one replicate dish per job. */
import { serveJobs } from "../util/pool.ts";
import { runDish } from "./experiment.ts";

await serveJobs(runDish);
