/** Worker-thread entry for `migrasim sweep`: one dish per job. */
import { serveJobs } from "../util/pool.ts";
import { runSweepDish } from "./sweep.ts";

await serveJobs(runSweepDish);
