/**
 * Regenerates the imaging evidence in docs/imaging.md:
 *   node --import tsx scripts/imaging-docs.ts overlays   → docs/figures/imaging/overlay_*.png
 *   node --import tsx scripts/imaging-docs.ts table      → the evaluation table (markdown, stdout)
 *   node --import tsx scripts/imaging-docs.ts robustness → the table off the renderer's model (realism.ts; stdout)
 * Scoring scenes only (seeds ≥ 1000, never used for tuning). The table takes a few minutes.
 */
import { analyzePlane } from "../src/imaging/analyze.ts";
import { overlayPng } from "../src/imaging/overlay.ts";
import { renderScene } from "../src/imaging/optics.ts";
import { REALISM_PRESETS } from "../src/imaging/realism.ts";
import { generateScene, randomOptics } from "../src/imaging/scene.ts";
import { runSuite, suiteSeeds } from "../src/imaging/suite.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";

function overlays(): void {
  const cases: [string, number, number, boolean][] = [
    ["overlay_snr7", 1001, 7, false],
    ["overlay_snr2", 1002, 2, false],
    ["overlay_dense_snr7", 1003, 7, true],
  ];
  for (const [name, seed, snr, dense] of cases) {
    const scene = generateScene(seed, { variant: "scoring", dense });
    const img = renderScene(scene, randomOptics(seed, snr, "scoring", 0.1), seed);
    const plane = { width: img.width, height: img.height, data: img.data };
    writeFileAtomic(`docs/figures/imaging/${name}.png`, overlayPng(plane, analyzePlane(plane, 0.1)));
    process.stderr.write(`${name}.png\n`);
  }
}

function table(): void {
  const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  const lines = [
    "| scenes | SNR | px | n | P | R | F1 | count | pos | diam | site | site ceiling | fiber L | fiber ceiling | LoG P | LoG R | LoG F1 |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const dense of [false, true])
    for (const px of [0.1, 0.065, 0.16])
      for (const snr of [2, 4, 7, 10]) {
        // 24 scenes of 40 µm at 0.1 µm, 18 of 32 µm at 0.065 / 0.16 µm (about 480 / 280 true migrasomes sparse)
        const n = px === 0.1 ? 24 : 18;
        const size = px === 0.1 ? 40 : 32;
        const r = runSuite(snr, suiteSeeds("scoring", n), "scoring", px, size, undefined, { dense });
        const m = r.migrasim;
        const row = [dense ? "dense" : "sparse", snr, px, m.nTrue, f(m.precision), f(m.recall), `**${f(m.f1)}**`, f(m.countRatio, 2), f(m.positionErrorUm), f(m.diameterErrorUm), f(m.siteAccuracy, 2), f(r.siteCeiling, 2), f(r.fiberLengthRatio, 2), f(r.fiberCeiling, 2), f(r.log.precision), f(r.log.recall), f(r.log.f1)];
        lines.push(`| ${row.join(" | ")} |`);
        process.stderr.write(`${lines[lines.length - 1]}\n`);
      }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** The held-out sparse scenes rendered off the renderer's own model, one departure at a time and all together. */
function robustness(): void {
  const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  const lines = ["| departure | px | SNR | n | P | R | F1 | site | fiber L | LoG F1 |", "|---|---|---|---|---|---|---|---|---|---|"];
  const only = process.argv[3]?.split(",");
  for (const [px, n, size] of [[0.1, 24, 40], [0.16, 18, 32]] as const)
    for (const name of ["none", ...Object.keys(REALISM_PRESETS)]) {
      if (only && !only.includes(name)) continue;
      if (px !== 0.1 && name !== "none" && name !== "all") continue;
      for (const snr of [4, 7, 10]) {
        const r = runSuite(snr, suiteSeeds("scoring", n), "scoring", px, size, undefined, { dense: false, realism: name === "none" ? undefined : REALISM_PRESETS[name] });
        const m = r.migrasim;
        const row = [name, px, snr, m.nTrue, f(m.precision), f(m.recall), `**${f(m.f1)}**`, f(m.siteAccuracy, 2), f(r.fiberLengthRatio, 2), f(r.log.f1)];
        lines.push(`| ${row.join(" | ")} |`);
        process.stderr.write(`${lines[lines.length - 1]}\n`);
      }
    }
  process.stdout.write(`${lines.join("\n")}\n`);
}

const what = process.argv[2];
if (what === "overlays") overlays();
else if (what === "table") table();
else if (what === "robustness") robustness();
else {
  process.stderr.write("usage: node --import tsx scripts/imaging-docs.ts overlays|table|robustness [PRESETS]\n");
  process.exit(2);
}
