/**
 * Regenerate src/mechanics/stabilisation-table.json:
 *   node --import tsx src/mechanics/generate-table.ts
 */
import { fileURLToPath } from "node:url";
import { writeJsonAtomic } from "../util/atomic.ts";
import { createProgress } from "../util/progress.ts";
import { buildStabilisationTable, DEFAULT_TABLE_AREAS, DEFAULT_TABLE_TENSIONS, tableToJson } from "./stabilisation-table.ts";

const total = DEFAULT_TABLE_AREAS.length * DEFAULT_TABLE_TENSIONS.length;
const bar = createProgress("stabilisation table", total);
const t0 = performance.now();
const table = buildStabilisationTable({ onProgress: (d) => bar.update(d) });
bar.stop();
const out = fileURLToPath(new URL("./stabilisation-table.json", import.meta.url));
writeJsonAtomic(out, tableToJson(table));
process.stderr.write(`wrote ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
