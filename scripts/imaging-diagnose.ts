/**
 * Where the imaging pipeline loses fiber length and site accuracy, on TUNING scenes (seeds < 1000; the
 * scoring seeds of the evaluation table are refused, so that diagnosing never becomes tuning on them):
 *   node --import tsx scripts/imaging-diagnose.ts fibers [--seeds 1-16] [--px 0.1] [--snr 7] [--size 40] [--dense]
 *   node --import tsx scripts/imaging-diagnose.ts sites  [--seeds 1-24] [--px 0.1] [--snr 7] [--size 40] [--dense] [--list]
 *   node --import tsx scripts/imaging-diagnose.ts fps    [--seeds 1-100] [--px 0.065] [--snr 10] [--size 32] [--dense] [--list]
 * `--snr` and `--px` take comma lists; `--params JSON` overrides analysis parameters (e.g. '{"extend":null}' runs
 * without tip extension); `--ranges scoring` renders the tuning seeds with the scoring scenes' harder ranges (PSF,
 * ring, fiber brightness, background: a robustness check, still on tuning seeds). Lengths are fractions of the true
 * fiber length (the free misses split by the run of missed fiber they lie in: fibers never covered, ends, gaps between
 * covered stretches); `fps` lists false positives by where they lie (`falsePositives`).
 */
import { analyzePlane, type AnalyzeParams } from "../src/imaging/analyze.ts";
import { falsePositives, fiberCoverage, siteErrors, type FalsePositive, type FiberCoverage, type SiteError } from "../src/imaging/diagnose.ts";
import { renderScene } from "../src/imaging/optics.ts";
import { generateScene, randomOptics } from "../src/imaging/scene.ts";

function fail(msg: string): never {
  process.stderr.write(`imaging-diagnose: ${msg}\n`);
  process.exit(2);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode !== "fibers" && mode !== "sites" && mode !== "fps") fail(`first argument must be "fibers", "sites" or "fps", got ${JSON.stringify(mode ?? "")}`);
const opt = new Map<string, string>();
for (let i = 0; i < rest.length; i++) {
  const k = rest[i];
  if (k === "--dense" || k === "--list") opt.set(k, "1");
  else if (["--seeds", "--px", "--snr", "--size", "--params", "--ranges"].includes(k) && i + 1 < rest.length) opt.set(k, rest[++i]);
  else fail(`unknown or incomplete option ${JSON.stringify(k)}`);
}
const numbers = (flag: string, def: string): number[] => {
  const v = (opt.get(flag) ?? def).split(",").map(Number);
  if (!v.length || v.some((x) => !(x > 0))) fail(`${flag} must be positive numbers separated by commas, got ${JSON.stringify(opt.get(flag))}`);
  return v;
};
const seedArg = opt.get("--seeds") ?? (mode === "fibers" ? "1-16" : mode === "fps" ? "1-100" : "1-24");
const ranges = opt.get("--ranges") ?? "tuning";
if (ranges !== "tuning" && ranges !== "scoring") fail(`--ranges must be "tuning" or "scoring", got ${JSON.stringify(ranges)}`);
const m = /^(\d+)-(\d+)$/.exec(seedArg);
if (!m || Number(m[2]) < Number(m[1])) fail(`--seeds must be a range A-B, got ${JSON.stringify(seedArg)}`);
const seeds = Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
if (seeds.some((s) => s >= 1000)) fail(`--seeds: seeds ≥ 1000 are the held-out scoring scenes; diagnose on tuning seeds (1–999)`);
const [sizeUm] = numbers("--size", mode === "fps" ? "32" : "40");
const dense = opt.has("--dense");
let params: Partial<AnalyzeParams> = {};
try {
  params = JSON.parse(opt.get("--params") ?? "{}");
} catch {
  fail(`--params must be a JSON object of analysis parameters, got ${JSON.stringify(opt.get("--params"))}`);
}
if (typeof params !== "object" || params === null || Array.isArray(params)) fail(`--params must be a JSON object, got ${JSON.stringify(opt.get("--params"))}`);
const f3 = (v: number) => v.toFixed(3);

for (const px of numbers("--px", mode === "fps" ? "0.065" : "0.1"))
  for (const snr of numbers("--snr", mode === "fps" ? "10" : "7")) {
    const fib: FiberCoverage[] = [];
    const errs: SiteError[] = [];
    const fps: FalsePositive[] = [];
    let matched = 0;
    for (const s of seeds) {
      const scene = generateScene(s, { variant: ranges, widthUm: sizeUm, heightUm: sizeUm, dense });
      const img = renderScene(scene, randomOptics(s, snr, ranges, px), s);
      const a = analyzePlane({ width: img.width, height: img.height, data: img.data }, px, { params });
      if (mode === "fibers") fib.push(fiberCoverage(scene, a));
      else if (mode === "fps") {
        const f = falsePositives(scene, a);
        fps.push(...f);
        if (opt.has("--list"))
          for (const e of f)
            console.log(`  seed ${s} (${e.xUm.toFixed(1)}, ${e.yUm.toFixed(1)}) d ${e.diameterUm.toFixed(2)} µm: ${e.kind}${e.hidesMissed ? ", beside a missed migrasome" : ""}`);
      } else {
        const r = siteErrors(scene, a);
        matched += r.matched;
        errs.push(...r.errors);
        if (opt.has("--list"))
          for (const e of r.errors)
            console.log(`  seed ${s} (${e.xUm.toFixed(1)}, ${e.yUm.toFixed(1)}) R ${e.radiusUm.toFixed(2)} µm: ${e.trueSite} → ${e.detectedSite}`);
      }
      process.stderr.write(".");
    }
    process.stderr.write("\n");
    const head = `px ${px} µm, SNR ${snr}, ${seeds.length} tuning scenes of ${sizeUm} µm${dense ? " (dense)" : ""}${ranges === "scoring" ? " with the scoring ranges" : ""}`;
    if (mode === "fibers") {
      const sum = (k: keyof FiberCoverage) => fib.reduce((a, c) => a + c[k], 0);
      const T = sum("trueUm");
      console.log(
        `${head}: true ${T.toFixed(0)} µm; detected/true ${f3(sum("detectedUm") / T)}; covered ${f3(sum("coveredUm") / T)}; ` +
          `false ${f3(sum("falseUm") / T)} (near objects ${f3(sum("falseNearObjectUm") / T)}, near cells ${f3(sum("falseNearCellUm") / T)}); ` +
          `missed near migrasomes ${f3(sum("missedNearMigrasomeUm") / T)}, near cells ${f3(sum("missedNearCellUm") / T)}, free ${f3(sum("missedFreeUm") / T)} ` +
          `(whole fibers ${f3(sum("missedWholeUm") / T)}, ends ${f3(sum("missedEndUm") / T)}, gaps ${f3(sum("missedGapUm") / T)}; in runs over 4 µm ${f3(sum("missedLongRunUm") / T)}); ` +
          `within 0.3 µm of another fiber ${f3(sum("closeUm") / T)} (covered ${f3(sum("closeCoveredUm") / T)}, traced there ${f3(sum("tracedCloseUm") / T)})`,
      );
    } else if (mode === "fps") {
      const by = new Map<string, number>();
      for (const e of fps) by.set(e.kind, (by.get(e.kind) ?? 0) + 1);
      const kinds = [...by].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
      console.log(`${head}: ${fps.length} false positives (${kinds.join(", ") || "none"}); ${fps.filter((e) => e.hidesMissed).length} of them beside a missed migrasome`);
    } else {
      const sum = (k: keyof SiteError) => errs.reduce((a, c) => a + (c[k] as number), 0);
      console.log(
        `${head}: site accuracy ${f3(1 - errs.length / Math.max(1, matched))} (${matched - errs.length}/${matched}); wrong arms: ` +
          `extra on a passing fiber ${sum("extraPassing")}, extra on nothing ${sum("extraNothing")}, missed close to another ${sum("missedClose")}, ` +
          `missed dim ${sum("missedDim")}, missed other ${sum("missedOther")}`,
      );
    }
  }
