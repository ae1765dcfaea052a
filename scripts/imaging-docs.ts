/**
 * Regenerates the imaging evidence in docs/imaging.md:
 *   node --import tsx scripts/imaging-docs.ts overlays   → docs/figures/imaging/overlay_*.png
 *   node --import tsx scripts/imaging-docs.ts table      → the evaluation table (markdown, stdout)
 *   node --import tsx scripts/imaging-docs.ts robustness → the table off the renderer's model (realism.ts; stdout)
 *   node --import tsx scripts/imaging-docs.ts timelapse [--drift UM] → tracking on time-lapse renders of simulated dishes
 *     (stdout; with a stage drift: linked with and without the drift correction)
 *   node --import tsx scripts/imaging-docs.ts dishes [--broken-sections] → single renders of simulated dishes: detection,
 *     sites and per-cell read-outs (stdout; --broken-sections draws fibers as renders did before 2026-11-27)
 *   node --import tsx scripts/imaging-docs.ts ceilings   → the site and fiber-length ceilings judged over longer stretches
 *     of fiber (stdout; no analysis, seconds)
 * Scoring scenes only (seeds ≥ 1000, never used for tuning). The table takes a few minutes.
 */
import { analyzePlane } from "../src/imaging/analyze.ts";
import { overlayPng } from "../src/imaging/overlay.ts";
import { renderScene } from "../src/imaging/optics.ts";
import { REALISM_PRESETS } from "../src/imaging/realism.ts";
import { generateScene, randomOptics } from "../src/imaging/scene.ts";
import { runSuite, suiteSeeds } from "../src/imaging/suite.ts";
import { fiberLengthCeiling, siteCeiling, siteSearchCeiling } from "../src/imaging/ceiling.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateCells, evaluateDetections, type CellRecord, type PointRecord } from "../src/imaging/evaluate.ts";
import { linkTracks, type FramePoint, type LinkOptions } from "../src/imaging/linking.ts";
import { defaultOptics, defaultRegion, onMakerFiber, readRun } from "../src/imaging/render.ts";
import { readTimedRun, renderTimelapse } from "../src/imaging/timelapse.ts";
import { evaluateTracks } from "../src/imaging/trackeval.ts";
import { writeRun } from "../src/readouts/write-run.ts";
import { simulate } from "../src/simulate.ts";
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
    "| scenes | SNR | px | n | P | R | F1 | count | pos | diam | site | site ceiling | fiber L | fiber ceiling | LoG P | LoG R | LoG F1 | F1, 95 % over images |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const dense of [false, true])
    for (const px of [0.1, 0.065, 0.16])
      for (const snr of [2, 4, 7, 10]) {
        // 24 scenes of 40 µm at 0.1 µm, 18 of 32 µm at 0.065 / 0.16 µm (about 480 / 280 true migrasomes sparse)
        const n = px === 0.1 ? 24 : 18;
        const size = px === 0.1 ? 40 : 32;
        const r = runSuite(snr, suiteSeeds("scoring", n), "scoring", px, size, undefined, { dense });
        const m = r.migrasim;
        const row = [dense ? "dense" : "sparse", snr, px, m.nTrue, f(m.precision), f(m.recall), `**${f(m.f1)}**`, f(m.countRatio, 2), f(m.positionErrorUm), f(m.diameterErrorUm), f(m.siteAccuracy, 2), f(r.siteCeiling, 2), f(r.fiberLengthRatio, 2), f(r.fiberCeiling, 2), f(r.log.precision), f(r.log.recall), f(r.log.f1), `${f(r.f1Interval[0])}–${f(r.f1Interval[1])}`];
        lines.push(`| ${row.join(" | ")} |`);
        process.stderr.write(`${lines[lines.length - 1]}\n`);
      }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** The held-out sparse scenes rendered off the renderer's own model, one departure at a time and all together. */
function robustness(): void {
  const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  const lines = ["| departure | px | SNR | n | P | R | F1 | site | fiber L | LoG F1 | F1, 95 % over images |", "|---|---|---|---|---|---|---|---|---|---|---|"];
  const only = process.argv[3]?.split(",");
  for (const [px, n, size] of [[0.1, 24, 40], [0.16, 18, 32]] as const)
    for (const name of ["none", ...Object.keys(REALISM_PRESETS)]) {
      if (only && !only.includes(name)) continue;
      if (px !== 0.1 && name !== "none" && name !== "all") continue;
      for (const snr of [4, 7, 10]) {
        const r = runSuite(snr, suiteSeeds("scoring", n), "scoring", px, size, undefined, { dense: false, realism: name === "none" ? undefined : REALISM_PRESETS[name] });
        const m = r.migrasim;
        const row = [name, px, snr, m.nTrue, f(m.precision), f(m.recall), `**${f(m.f1)}**`, f(m.siteAccuracy, 2), f(r.fiberLengthRatio, 2), f(r.log.f1), `${f(r.f1Interval[0])}–${f(r.f1Interval[1])}`];
        lines.push(`| ${row.join(" | ")} |`);
        process.stderr.write(`${lines[lines.length - 1]}\n`);
      }
    }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * Time-lapse renders of simulated dishes (default scenario, 18 h, seeds 1–3): 12 frames 10 min apart ending at 5, 10 and
 * 15 h, and 12 frames an hour apart ending at 18 h (lifetimes), on the default 1024 px field of the last frame (0.1 µm,
 * tspan4), analysed frame by frame and linked as `migrasim analyze` does, scored per frame and per track.
 */
function timelapse(): void {
  // `timelapse --drift UM`: the same dishes with a stage drift (random walk, UM µm root-mean-square per frame), SNR 7,
  // linked with the drift correction and without it
  const di = process.argv.indexOf("--drift");
  const drift = di > 0 ? Number(process.argv[di + 1]) : 0;
  if (!(Number.isFinite(drift) && drift >= 0)) throw new Error(`--drift must be a number ≥ 0 (µm), got ${process.argv[di + 1]}`);
  const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  const lines = [
    "| frames | SNR | windows | migrasome-frames | P | R | F1 | true tracks | recovered | tracks per migrasome | switches | purity | formation exact / ±1 (n) | lifetime exact / ±1 (n) |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const sims = [1, 2, 3].map((seed) => {
    const dir = mkdtempSync(join(tmpdir(), "migrasim-tl-"));
    writeRun(simulate({ seed }), dir);
    return { seed, dir, run: readTimedRun(dir, seed) };
  });
  const variants: { label: string; link: LinkOptions }[] = drift > 0 ? [{ label: `, drift ${drift} µm`, link: {} }, { label: `, drift ${drift} µm, no correction`, link: { maxDriftUm: 0 } }] : [{ label: "", link: {} }];
  for (const [intervalMin, ends] of [[10, [300, 600, 900]], [60, [1080]]] as const)
  for (const snr of drift > 0 ? [7] : [7, 4]) {
    const D: PointRecord[][] = variants.map(() => []);
    const T: PointRecord[] = [];
    let windows = 0;
    for (const { seed, run } of sims) {
      for (const endMin of ends) {
        const image = `s${seed}_${endMin}`;
        const r = renderTimelapse(run, defaultOptics(snr, 0.1, "tspan4"), { frames: 12, intervalMin, endMin, seed, maxPx: 1024, driftUmPerFrame: drift });
        windows++;
        const points: FramePoint[] = [];
        r.pages.forEach((page, k) => {
          const a = analyzePlane({ width: r.width, height: r.height, data: Float32Array.from(page) }, 0.1);
          for (const m of a.migrasomes) points.push({ frame: k, xUm: m.xUm, yUm: m.yUm, diameterUm: m.diameterUm });
        });
        variants.forEach((v, n) => {
          const trackOf = new Array<number>(points.length);
          for (const tr of linkTracks(points, r.pages.length, v.link)) for (const p of tr.points) trackOf[p] = tr.id;
          points.forEach((p, i) => D[n].push({ image, frame: p.frame, xUm: p.xUm, yUm: p.yUm, diameterUm: p.diameterUm, trackId: String(trackOf[i]) }));
        });
        for (const { frame, object: m } of r.truth) T.push({ image, frame, xUm: m.x - r.regions[frame].x0, yUm: m.y - r.regions[frame].y0, diameterUm: m.diameterUm, trackId: String(m.id) });
        process.stderr.write(".");
      }
    }
    variants.forEach((v, n) => {
      const e = evaluateDetections(D[n], T);
      const t = evaluateTracks(D[n], T);
      const row = [`12 × ${intervalMin} min${v.label}`, snr, windows, e.nTrue, f(e.precision, 3), f(e.recall, 3), `**${f(e.f1, 3)}**`, t.trueTracks, f(t.recoveredFraction), f(t.meanFragments), t.idSwitches, f(t.meanPurity), `${f(t.formationExact)} / ${f(t.formationWithinOne)} (${t.formationN})`, `${f(t.lifetimeExact)} / ${f(t.lifetimeWithinOne)} (${t.lifetimeN})`];
      lines.push(`| ${row.join(" | ")} |`);
      process.stderr.write(`\n${lines[lines.length - 1]}\n`);
    });
  }
  for (const { dir } of sims) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${lines.join("\n")}\n`);
}

/**
 * Simulated dishes (default scenario, 18 h), each rendered once at its own seed on the default 2048 px field (0.1 µm,
 * tspan4) at SNR 7 and 4 and analysed: detection, sites as seen, and the per-cell read-outs (Evaluation, Cells),
 * pooled over both SNRs per group of seeds (per-cell count error: mean over all matched cells).
 */
function dishes(): void {
  const broken = process.argv.includes("--broken-sections");
  const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  const lines = ["| seeds | true | P | R | F1 | site (as seen) | cells matched / true in view | for their maker | on the maker's fiber | per-cell count error |", "|---|---|---|---|---|---|---|---|---|---|"];
  for (const [label, seeds] of [["2–5", [2, 3, 4, 5]], ["1, 6–9", [1, 6, 7, 8, 9]], ["10–14", [10, 11, 12, 13, 14]], ["15–24", [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]]] as const) {
    const D: PointRecord[] = [];
    const T: PointRecord[] = [];
    let right = 0;
    let n = 0;
    let rightF = 0;
    let nF = 0;
    let cm = 0;
    let ct = 0;
    const rel: number[] = [];
    for (const seed of seeds) {
      const dir = mkdtempSync(join(tmpdir(), "migrasim-dish-"));
      try {
        writeRun(simulate({ seed }), dir);
        const run = readRun(dir, seed, { brokenSections: broken });
        const region = defaultRegion(run.scene, 0.1, 2048);
        for (const snr of [7, 4]) {
          const image = `${seed}_${snr}`;
          const img = renderScene(run.scene, defaultOptics(snr, 0.1, "tspan4"), seed, region);
          const a = analyzePlane({ width: img.width, height: img.height, data: img.data }, 0.1);
          const W = img.width * 0.1;
          const H = img.height * 0.1;
          const d = a.migrasomes.map((m) => ({ image, xUm: m.xUm, yUm: m.yUm, diameterUm: m.diameterUm, site: m.site, cellId: m.cellId === null ? "" : String(m.cellId) }));
          const t = run.scene.objects
            .filter((m) => m.x >= region.x0 && m.y >= region.y0 && m.x < region.x0 + W && m.y < region.y0 + H)
            .map((m) => ({ image, xUm: m.x - region.x0, yUm: m.y - region.y0, diameterUm: m.diameterUm, site: m.site, cellId: m.cellId === null ? "" : String(m.cellId), onMakerFiber: onMakerFiber(run.scene, m) }));
          const dc: CellRecord[] = a.cells.map((c) => ({ image, cellId: String(c.id), xUm: c.xUm, yUm: c.yUm }));
          const tc: CellRecord[] = run.scene.cells.map((c) => {
            const gx = Math.max(region.x0 - c.x, 0, c.x - (region.x0 + W));
            const gy = Math.max(region.y0 - c.y, 0, c.y - (region.y0 + H));
            return { image, cellId: String(c.id), xUm: c.x - region.x0, yUm: c.y - region.y0, radiusUm: c.rx, inView: Math.hypot(gx, gy) <= 0.5 * c.rx };
          });
          D.push(...d);
          T.push(...t);
          const e = evaluateCells(d, t, dc, tc);
          right += e.assignmentAccuracy * e.assignmentN || 0;
          n += e.assignmentN;
          rightF += e.assignmentOnFiberAccuracy * e.assignmentOnFiberN || 0;
          nF += e.assignmentOnFiberN;
          cm += e.cellsMatched;
          ct += e.cellsTrue;
          for (const c of e.perCell) if (c.trueCount > 0) rel.push(Math.abs(c.detectedCount - c.trueCount) / c.trueCount);
          process.stderr.write(".");
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const e = evaluateDetections(D, T);
    const row = [label, e.nTrue, f(e.precision), f(e.recall), `**${f(e.f1)}**`, f(e.siteAccuracy, 2), `${cm} / ${ct}`, `${f(right / n)} (${n})`, `${f(rightF / nF)} (${nF})`, f(rel.reduce((a, b) => a + b, 0) / rel.length, 2)];
    lines.push(`| ${row.join(" | ")} |`);
    process.stderr.write(`\n${lines[lines.length - 1]}\n`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** The ceilings over longer stretches of fiber (Evaluation, "The ceilings are local"): per pixel size and SNR, the
 * known-path site ceiling over 1 / 3.7 / 6.3 µm, the search ceiling over 1.3 / 3.7 / 6.3 µm, the fiber-length ceiling
 * over 2 / 4 / 6 / 8 µm (threshold 4; fibers closer than 2 σ_psf count once) and over 4 µm with threshold 4.5, on the
 * held-out scenes of the table (sparse). */
function ceilings(): void {
  const lines = [
    "| pixel | SNR | site, known paths over 1 / 3.7 / 6.3 µm | site, search over 1.3 / 3.7 / 6.3 µm | fiber-length ceiling over 2 / 4 / 6 / 8 µm (threshold 4) | over 4 µm, threshold 4.5 |",
    "|---|---|---|---|---|---|",
  ];
  for (const [px, n, sizeUm] of [[0.065, 18, 32], [0.1, 24, 40], [0.16, 18, 32]] as const)
    for (const snr of [2, 4, 7, 10]) {
      const sc = suiteSeeds("scoring", n).map((s) => ({ scene: generateScene(s, { variant: "scoring", widthUm: sizeUm, heightUm: sizeUm, dense: false }), optics: randomOptics(s, snr, "scoring", px) }));
      const known = [1, 3.7, 6.3].map((L) => {
        let a = 0;
        let m = 0;
        for (const { scene, optics } of sc) {
          const c = siteCeiling(scene, optics, L);
          a += c.n ? c.accuracy * c.n : 0;
          m += c.n;
        }
        return a / m;
      });
      const search = [1.3, 3.7, 6.3].map((L) => siteSearchCeiling(sc, { armUm: L }).accuracy);
      // the image's extent as the table renders it (whole pixels)
      const fiber = (L: number, z: number) => {
        let found = 0;
        let all = 0;
        for (const { scene, optics } of sc) {
          const wUm = Math.round(sizeUm / px) * px;
          const c = fiberLengthCeiling(scene, optics, wUm, wUm, L, z, 2);
          found += c.foundUm;
          all += c.trueUm;
        }
        return found / all;
      };
      const j = (v: number[]) => v.map((x) => x.toFixed(2)).join(" / ");
      lines.push(`| ${px} µm | ${snr} | ${j(known)} | ${j(search)} | ${j([2, 4, 6, 8].map((L) => fiber(L, 4)))} | ${fiber(4, 4.5).toFixed(2)} |`);
    }
  process.stdout.write(`${lines.join("\n")}\n`);
}

const what = process.argv[2];
if (what === "overlays") overlays();
else if (what === "ceilings") ceilings();
else if (what === "table") table();
else if (what === "robustness") robustness();
else if (what === "timelapse") timelapse();
else if (what === "dishes") dishes();
else {
  process.stderr.write("usage: node --import tsx scripts/imaging-docs.ts overlays|table|robustness [PRESETS]|timelapse|dishes [--broken-sections]|ceilings\n");
  process.exit(2);
}
