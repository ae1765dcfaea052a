/**
 * `npm run bench [-- --json] [--cells N] [--migrasomes off|on|cargo]`: the bench-core workload
 * (cargo = migrasomes on plus one cargo species loaded, leaked into substrate 2 and taken up).
 * Each configuration runs in its own child process so that peak RSS is per configuration.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchCoreEngine } from "./core.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes("--json");
const STEPS = 1200;

if (args.includes("--single")) {
  const cells = Number(flag("--cells"));
  const mode = flag("--migrasomes") ?? "off";
  const mig = mode !== "off";
  const eng = benchCoreEngine(cells, mig, 1, mode === "cargo");
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) eng.step();
  const wall = (performance.now() - t0) / 1000;
  const w = eng.world;
  process.stdout.write(
    `${JSON.stringify({
      workload: "bench-core",
      cells,
      migrasomes: mig,
      cargo: mode === "cargo",
      steps: STEPS,
      wallSeconds: Number(wall.toFixed(3)),
      cellStepsPerSecond: Math.round((cells * STEPS) / wall),
      peakRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
      fibers: w.fibers.n,
      migrasomesFormed: w.swellings.n,
    })}\n`,
  );
} else {
  const cellList = flag("--cells") ? [Number(flag("--cells"))] : [1000, 10000];
  const migList = flag("--migrasomes") ? [flag("--migrasomes")!] : ["off", "on", "cargo"];
  const self = fileURLToPath(import.meta.url);
  const rows: Array<Record<string, unknown>> = [];
  for (const cells of cellList)
    for (const m of migList) {
      const r = spawnSync(process.execPath, ["--import", "tsx", self, "--single", "--cells", String(cells), "--migrasomes", m], { encoding: "utf8" });
      if (r.status !== 0) {
        process.stderr.write(r.stderr);
        process.exit(1);
      }
      const row = JSON.parse(r.stdout.trim());
      rows.push(row);
      if (json) process.stdout.write(`${JSON.stringify(row)}\n`);
      else
        process.stdout.write(
          `bench-core N=${String(cells).padStart(6)} fibers+migrasomes ${m === "cargo" ? "on + cargo" : m.padEnd(10)}  ${row.wallSeconds.toFixed(2)} s  ${(row.cellStepsPerSecond / 1e6).toFixed(2)} M cell-steps/s  peak RSS ${row.peakRssMb} MB\n`,
        );
    }
  if (!json) process.stdout.write("PhysiCell 1.14 on the same workload, one thread: 6.6 s (N=1,000), 97 s (N=10,000).\n");
}
