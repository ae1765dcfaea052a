import { join } from "node:path";
import type { Command } from "commander";
import { writeFileAtomic, writeJsonAtomic } from "../../util/atomic.ts";
import { toCsv } from "../../util/csv.ts";
import { UserError } from "../../util/errors.ts";
import { evaluateCells, evaluateDetections, readCellsCsv, readPointsCsv, SITES, type CellEvaluation } from "../../imaging/evaluate.ts";
import { REALISM_PRESETS, realismFromNames, type Realism } from "../../imaging/realism.ts";
import type { Region } from "../../imaging/render.ts";
import { DEFAULT_LINK_OPTIONS } from "../../imaging/linking.ts";
import { evaluateTracks, type TrackEvaluation } from "../../imaging/trackeval.ts";

/**
 * The renderer's modules, loaded when `render` runs (the analysis's are loaded by `analyze`): the other commands and
 * `--help` start without them.
 */
async function renderLib() {
  const [tiff, optics, render, scene, timelapse] = await Promise.all([
    import("../../imaging/io-tiff.ts"),
    import("../../imaging/optics.ts"),
    import("../../imaging/render.ts"),
    import("../../imaging/scene.ts"),
    import("../../imaging/timelapse.ts"),
  ]);
  return { ...tiff, ...optics, ...render, ...scene, ...timelapse };
}

function num(name: string, v: string | undefined, lo: number, hi: number, unit = ""): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === "" || !Number.isFinite(x) || x < lo || x > hi) throw new UserError(`${name} must be a number in ${lo}–${hi}${unit} (got "${v}")`);
  return x;
}

/** A whole number in lo–hi (channels, worker counts). */
function int(name: string, v: string | undefined, lo: number, hi: number): number | undefined {
  const x = num(name, v, lo, hi);
  if (x !== undefined && !Number.isInteger(x)) throw new UserError(`${name} must be a whole number in ${lo}–${hi} (got "${v}")`);
  return x;
}

function parseRegion(text: string, px: number): Region {
  const v = text.split(",").map(Number);
  if (v.length !== 4 || !v.every(Number.isFinite) || v[2] <= v[0] || v[3] <= v[1]) throw new UserError(`--region must be x0,y0,x1,y1 in µm with x1 > x0 and y1 > y0`);
  const region = { x0: v[0], y0: v[1], x1: v[2], y1: v[3] };
  if ((region.x1 - region.x0) / px > 16384 || (region.y1 - region.y0) / px > 16384) throw new UserError(`--region is too large for pixel size ${px} µm (max 16384 px a side)`);
  return region;
}

/** `render --frames N`: the library's time-lapse (timelapse.ts) written as a multi-page TIFF and per-frame truth. */
function renderTimelapseFiles(
  L: Awaited<ReturnType<typeof renderLib>>,
  runDir: string,
  out: string,
  o: { snr: number; px: number; maxPx: number; seed: number; frames: number; intervalMin: number; endMin?: number; driftUm?: number; label: "tspan4" | "wga"; region?: string; realism?: Realism },
): void {
  const run = L.readTimedRun(runDir, o.seed);
  const optics = L.defaultOptics(o.snr, o.px, o.label);
  if (o.realism) optics.realism = o.realism;
  const r = L.renderTimelapse(run, optics, {
    frames: o.frames,
    intervalMin: o.intervalMin,
    endMin: o.endMin,
    seed: o.seed,
    maxPx: o.maxPx,
    region: o.region ? parseRegion(o.region, o.px) : undefined,
    driftUmPerFrame: o.driftUm,
    onFrame: process.stderr.isTTY ? (k, n) => process.stderr.write(`\rrendering frame ${k}/${n}${k === n ? "\n" : ""}`) : undefined,
  });
  // image coordinates of each frame: its own field of view (the first one moved by the stage drift)
  const X0 = (k: number) => r.regions[k].x0;
  const Y0 = (k: number) => r.regions[k].y0;
  writeFileAtomic(join(out, "image.tif"), L.writeTiff16(r.pages, r.width, r.height, { pixelSizeUm: o.px, frames: true }));
  writeFileAtomic(
    join(out, "truth_migrasomes.csv"),
    toCsv(
      ["image", "frame", "timeMin", "migrasomeId", "xUm", "yUm", "diameterUm", "site", "simSite", "cellId", "onMakerFiber", "worldXUm", "worldYUm"],
      r.truth.map(({ frame, object: m, onMakerFiber }) => ["image.tif", frame, r.timesMin[frame], m.id, m.x - X0(frame), m.y - Y0(frame), m.diameterUm, m.site, m.placedSite ?? "", m.cellId ?? "", onMakerFiber ? 1 : 0, m.x, m.y]),
    ),
  );
  writeFileAtomic(join(out, "truth_fibers.csv"), toCsv(["frame", "fiberId", "cellId", "vertex", "xUm", "yUm"], r.scenes.flatMap((s, k) => s.fibers.flatMap((f) => f.points.map((p, v) => [k, f.id, f.cellId ?? "", v, p[0] - X0(k), p[1] - Y0(k)])))));
  const inView = (c: { x: number; y: number; rx: number }, k: number) => {
    const gx = Math.max(X0(k) - c.x, 0, c.x - (X0(k) + r.width * o.px));
    const gy = Math.max(Y0(k) - c.y, 0, c.y - (Y0(k) + r.height * o.px));
    return Math.hypot(gx, gy) <= 0.5 * c.rx ? 1 : 0;
  };
  writeFileAtomic(
    join(out, "truth_cells.csv"),
    toCsv(["image", "frame", "cellId", "xUm", "yUm", "radiusUm", "inView"], r.scenes.flatMap((s, k) => s.cells.map((c) => ["image.tif", k, c.id, c.x - X0(k), c.y - Y0(k), c.rx, inView(c, k)]))),
  );
  writeJsonAtomic(join(out, "render.json"), { runDir, region: r.region, widthPx: r.width, heightPx: r.height, frames: o.frames, intervalMin: o.intervalMin, timesMin: r.timesMin, stageDriftUm: r.driftUm, optics, signalPhotons: r.signalPhotons, migrasomesInView: r.truth.length, seed: o.seed });
  const what = o.frames === 1 ? `the run at ${r.timesMin[0]} min, ${r.width}×${r.height} px (${r.truth.length} migrasomes in view)` : `${o.frames} frames of ${r.width}×${r.height} px (${r.truth.length} migrasome-frames in view)`;
  process.stdout.write(`rendered ${what} to ${out}\n`);
}

/** `migrasim analyze`, `migrasim render`, `migrasim evaluate` (issue 5). */
export function registerImaging(program: Command): void {
  program
    .command("analyze")
    .description("detect migrasomes, retraction fibers and cells in microscopy images (TIFF, OME-TIFF, PNG; files or folders)")
    .argument("<paths...>", "image files or folders")
    .option("--pixel-size <um>", "pixel size in µm (overrides the file's metadata)")
    .option("--channel <n>", "1-based channel with the membrane label", "1")
    .option("--cell-channel <n>", "optional 1-based channel for cell bodies")
    .option("--out <dir>", "output folder", "analysis")
    .option("--max-link-um <um>", `time series: largest step of a migrasome between frames after drift correction, µm (default ${DEFAULT_LINK_OPTIONS.maxLinkUm}; the gate is also ${DEFAULT_LINK_OPTIONS.maxLinkDiameterFraction} × its diameter)`)
    .option("--max-drift-um <um>", `time series: largest stage drift between frames, µm; 0 = no drift correction (default ${DEFAULT_LINK_OPTIONS.maxDriftUm})`)
    .option("--site-reader <reader>", "how migrasome sites are read: learned (the arm reader network, default) or rules (docs/imaging.md, Method 5)", "learned")
    .option("--workers <n>", "worker threads (default: all cores)")
    .option("--threads <n>", "same as --workers (older name)")
    .option("--quiet", "no progress output")
    .action(async (paths: string[], o: { pixelSize?: string; channel: string; cellChannel?: string; out: string; maxLinkUm?: string; maxDriftUm?: string; siteReader: string; threads?: string; workers?: string; quiet?: boolean }) => {
      if (o.siteReader !== "learned" && o.siteReader !== "rules") throw new UserError(`--site-reader: expected learned or rules, got "${o.siteReader}"`);
      const maxLinkUm = num("--max-link-um", o.maxLinkUm, 0.01, 100, " µm");
      const maxDriftUm = num("--max-drift-um", o.maxDriftUm, 0, 1000, " µm");
      const { analyzeBatch } = await import("../../imaging/batch.ts");
      const r = await analyzeBatch(paths, o.out, {
        link: { ...(maxLinkUm !== undefined ? { maxLinkUm } : {}), ...(maxDriftUm !== undefined ? { maxDriftUm } : {}) },
        pixelSizeUm: num("--pixel-size", o.pixelSize, 0.02, 1, " µm per pixel"),
        channel: int("--channel", o.channel, 1, 1000),
        cellChannel: int("--cell-channel", o.cellChannel, 1, 1000),
        siteReader: o.siteReader,
        threads: o.workers !== undefined ? int("--workers", o.workers, 1, 256) : int("--threads", o.threads, 1, 256),
        quiet: o.quiet,
      });
      if (r.analysed === 0) {
        if (r.failed.length === 1) throw new UserError(r.failed[0].error);
        throw new UserError(`none of the ${r.failed.length} images could be analysed`);
      }
      process.stdout.write(`analysed ${r.analysed} image(s)${r.failed.length ? `, skipped ${r.failed.length}` : ""}; results in ${o.out}\n`);
      // images whose sites or fiber length fall where the held-out evaluation misses the bars, or without migrasomes
      if (r.withQualityNote) process.stdout.write(`${r.withQualityNote} of them with a quality note (summary.json, perImage[].quality)\n`);
      if (r.failed.length) process.exitCode = 2;
    });

  program
    .command("render")
    .description("synthetic microscopy of a simulation run folder: a 16-bit TIFF plus ground-truth CSVs")
    .argument("<runDir>", "run folder (see docs/outputs.md)")
    .option("--snr <s>", "mean migrasome peak / √(background + read noise²)", "7")
    .option("--pixel-size <um>", "pixel size in µm", "0.1")
    .option("--label <label>", "tspan4 (rings) or wga (filled)", "tspan4")
    .option("--region <x0,y0,x1,y1>", "field of view in world µm (default: around the cells, at most --max-px pixels)")
    .option("--max-px <n>", "largest image side in pixels for the default field of view", "2048")
    .option("--seed <n>", "noise seed", "1")
    .option("--frames <n>", "a time-lapse of n frames ending at the run's end (multi-page TIFF; truth per frame)", "1")
    .option("--interval-min <m>", "with --frames: minutes between frames", "10")
    .option("--end-min <t>", "time of the (last) frame in the run's minutes (default: the run's end)")
    .option("--drift-um <um>", "with --frames: stage drift, a random walk of this root-mean-square step per frame in µm (default 0; render.json stageDriftUm: where the sample moved in the image)")
    .option("--realism <list>", `departures from the plain optics, comma list of ${Object.keys(REALISM_PRESETS).join(", ")} (docs/imaging.md)`)
    .option("--out <dir>", "output folder", "render")
    .action(async (runDir: string, o: { snr: string; pixelSize: string; label: string; region?: string; maxPx: string; seed: string; frames: string; intervalMin: string; endMin?: string; driftUm?: string; realism?: string; out: string }) => {
      const snr = num("--snr", o.snr, 0.1, 1000) as number;
      const px = num("--pixel-size", o.pixelSize, 0.02, 1) as number;
      const maxPx = num("--max-px", o.maxPx, 16, 16384) as number;
      const seed = num("--seed", o.seed, 0, 2 ** 32) as number;
      const frames = num("--frames", o.frames, 1, 10000) as number;
      if (!Number.isInteger(frames)) throw new UserError(`--frames must be a whole number ≥ 1 (got "${o.frames}")`);
      const intervalMin = num("--interval-min", o.intervalMin, 1e-3, 1e6) as number;
      const endMin = num("--end-min", o.endMin, 0, 1e9);
      const driftUm = num("--drift-um", o.driftUm, 0, 100, " µm");
      if (driftUm !== undefined && frames < 2) throw new UserError(`--drift-um needs a series (--frames 2 or more)`);
      if (o.label !== "tspan4" && o.label !== "wga") throw new UserError(`--label must be tspan4 or wga (got "${o.label}")`);
      let realism: Realism | undefined;
      if (o.realism !== undefined) {
        try {
          realism = realismFromNames(o.realism);
        } catch (e) {
          throw new UserError(`--realism: ${(e as Error).message}`);
        }
      }
      const L = await renderLib();
      // a series, or the run at an earlier time (a one-frame series: its truth has the frame columns too)
      if (frames > 1 || endMin !== undefined) {
        renderTimelapseFiles(L, runDir, o.out, { snr, px, maxPx, seed, frames, intervalMin, endMin, driftUm, label: o.label, region: o.region, realism });
        return;
      }
      const run = L.readRun(runDir, seed);
      const region = o.region ? parseRegion(o.region, px) : L.defaultRegion(run.scene, px, maxPx);
      const optics = L.defaultOptics(snr, px, o.label);
      if (realism) optics.realism = realism;
      const img = L.renderScene(run.scene, optics, seed, region);
      writeFileAtomic(join(o.out, "image.tif"), L.writeTiff16([img.counts], img.width, img.height, { pixelSizeUm: px }));
      const inside = (x: number, y: number) => x >= region.x0 && y >= region.y0 && x < region.x0 + img.width * px && y < region.y0 + img.height * px;
      const truth = run.scene.objects
        .filter((m) => inside(m.x, m.y))
        .map((m) => ["image.tif", m.x - region.x0, m.y - region.y0, m.diameterUm, m.site, m.placedSite ?? "", m.cellId ?? "", L.onMakerFiber(run.scene, m) ? 1 : 0, m.x, m.y]);
      writeFileAtomic(join(o.out, "truth_migrasomes.csv"), toCsv(["image", "xUm", "yUm", "diameterUm", "site", "simSite", "cellId", "onMakerFiber", "worldXUm", "worldYUm"], truth));
      const frows = run.scene.fibers.flatMap((f) => f.points.map((p, k) => [f.id, f.cellId ?? "", k, p[0] - region.x0, p[1] - region.y0]));
      writeFileAtomic(join(o.out, "truth_fibers.csv"), toCsv(["fiberId", "cellId", "vertex", "xUm", "yUm"], frows));
      writeFileAtomic(
        join(o.out, "truth_cells.csv"),
        // inView: the body's centre lies within half its radius of the field, so that at least about a third of it shows
        toCsv(["image", "cellId", "xUm", "yUm", "radiusUm", "inView"], run.scene.cells.map((c) => {
          const gx = Math.max(region.x0 - c.x, 0, c.x - (region.x0 + img.width * px));
          const gy = Math.max(region.y0 - c.y, 0, c.y - (region.y0 + img.height * px));
          return ["image.tif", c.id, c.x - region.x0, c.y - region.y0, c.rx, Math.hypot(gx, gy) <= 0.5 * c.rx ? 1 : 0];
        })),
      );
      writeJsonAtomic(join(o.out, "render.json"), {
        runDir,
        region,
        widthPx: img.width,
        heightPx: img.height,
        optics,
        signalPhotons: img.signalPhotons,
        migrasomesInView: truth.length,
        fiberLengthInViewUm: Number(L.sceneFiberLength(run.scene, region.x0, region.y0, region.x0 + img.width * px, region.y0 + img.height * px).toFixed(3)),
        seed,
      });
      process.stdout.write(`rendered ${img.width}×${img.height} px (${truth.length} migrasomes in view) to ${o.out}\n`);
    });

  program
    .command("evaluate")
    .description("match detections to ground truth (Hungarian, gate max(0.3 µm, R/2), per image and frame) and report precision, recall, F1, errors; tracks of a time series")
    .argument("<detections>", "detections CSV (xUm, yUm, diameterUm; optional image, site)")
    .argument("<truth>", "ground-truth CSV (same columns)")
    .option("--json", "print JSON instead of a table")
    .option("--detected-cells <csv>", "with --true-cells: per_cell.csv of migrasim analyze, to score cells and per-cell counts")
    .option("--true-cells <csv>", "with --detected-cells: truth_cells.csv of migrasim render (cellId, xUm, yUm, radiusUm)")
    .action((detPath: string, truthPath: string, o: { json?: boolean; detectedCells?: string; trueCells?: string }) => {
      if (!o.detectedCells !== !o.trueCells) throw new UserError("--detected-cells and --true-cells go together: give both (per_cell.csv and truth_cells.csv) or neither");
      const det = readPointsCsv(detPath);
      const truth = readPointsCsv(truthPath);
      const dCells = o.detectedCells ? readCellsCsv(o.detectedCells) : [];
      const tCells = o.trueCells ? readCellsCsv(o.trueCells) : [];
      // a single-image render's truth is matched regardless of the image name
      const imgs = new Set([...truth.map((t) => t.image), ...tCells.map((c) => c.image)]);
      const dimgs = new Set([...det.map((d) => d.image), ...dCells.map((c) => c.image)]);
      if (imgs.size <= 1 && dimgs.size <= 1) {
        const name = truth[0]?.image ?? tCells[0]?.image ?? "";
        for (const d of det) d.image = name;
        for (const c of dCells) c.image = name;
        for (const c of tCells) c.image = name;
      } else if (det.length && truth.length && ![...dimgs].some((i) => imgs.has(i)))
        process.stderr.write(
          `migrasim: warning: no image name in ${detPath} (e.g. "${[...dimgs][0]}") is in ${truthPath} (e.g. "${[...imgs][0]}"); nothing can match\n`,
        );
      const r = evaluateDetections(det, truth);
      const cells = o.detectedCells ? evaluateCells(det, truth, dCells, tCells) : undefined;
      // a time series on both sides (analyze's trackId, render --frames' migrasomeId): the tracks too
      const tracks = det.some((d) => d.trackId !== undefined) && truth.some((t) => t.trackId !== undefined) ? evaluateTracks(det, truth) : undefined;
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ ...r, ...(cells ? { cells } : {}), ...(tracks ? { tracks } : {}) }, null, 2)}\n`);
        return;
      }
      const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "n/a");
      process.stdout.write(
        [
          `true ${r.nTrue}  detected ${r.nDetected}  matched ${r.truePositives}`,
          `precision ${f(r.precision)}  recall ${f(r.recall)}  F1 ${f(r.f1)}  count ratio ${f(r.countRatio)}`,
          `position error mean ${f(r.positionErrorUm)} µm, median ${f(r.positionErrorMedianUm)} µm`,
          `diameter error mean |Δ| ${f(r.diameterErrorUm)} µm, bias ${f(r.diameterBiasUm)} µm`,
          `site accuracy ${f(r.siteAccuracy)} (${r.siteMatched} matched with sites)`,
          ...siteTable(r.siteConfusion),
          ...(cells ? cellLines(cells, f) : []),
          ...(tracks ? trackLines(tracks, f) : []),
        ].join("\n") + "\n",
      );
    });
}

/** Tracking read-outs as text lines. */
function trackLines(t: TrackEvaluation, f: (v: number) => string): string[] {
  return [
    `tracks: true ${t.trueTracks}  detected ${t.detectedTracks}  recovered (matched in ≥ half their frames) ${t.recovered} (${f(t.recoveredFraction)})`,
    `  detected tracks per recovered migrasome ${f(t.meanFragments)}, identity switches ${t.idSwitches}, track purity ${f(t.meanPurity)}`,
    `  formation frame (${t.formationN} forming in the series): exact ${f(t.formationExact)}, within ±1 ${f(t.formationWithinOne)}, mean |error| ${f(t.formationMeanAbsErrorFrames)} frames`,
    `  lifetime (${t.lifetimeN} forming and ending in the series): exact ${f(t.lifetimeExact)}, within ±1 ${f(t.lifetimeWithinOne)}, mean |error| ${f(t.lifetimeMeanAbsErrorFrames)} frames`,
  ];
}

/** Cell bodies, assignment and per-cell counts as text lines. */
function cellLines(c: CellEvaluation, f: (v: number) => string): string[] {
  return [
    `cells: true ${c.cellsTrue} (in view)  detected ${c.cellsDetected}  matched ${c.cellsMatched}`,
    `cell assignment ${f(c.assignmentAccuracy)} (${c.assignmentN} matched migrasomes with a known cell; on their maker's fiber ${f(c.assignmentOnFiberAccuracy)} of ${c.assignmentOnFiberN})`,
    `per-cell count error mean |Δ|/true ${f(c.countErrorRel)}`,
    ...(c.perCell.length ? [`${"true cell".padEnd(11)}${"found as".padStart(9)}${"true n".padStart(9)}${"found n".padStart(9)}`] : []),
    ...c.perCell.map((p) => `${p.trueCellId.padEnd(11)}${p.detectedCellId.padStart(9)}${String(p.trueCount).padStart(9)}${String(p.detectedCount).padStart(9)}`),
  ];
}

/** The site confusion matrix as text lines (rows: true site, columns: detected site); none when no sites. */
function siteTable(conf: Record<string, Record<string, number>>): string[] {
  const rows = SITES.filter((t) => conf[t]);
  if (!rows.length) return [];
  const cols = SITES.filter((d) => rows.some((t) => conf[t][d]));
  const pad = (v: string | number) => String(v).padStart(9);
  return [`${"true\\found".padEnd(11)}${cols.map(pad).join("")}`, ...rows.map((t) => `${t.padEnd(11)}${cols.map((d) => pad(conf[t][d] ?? 0)).join("")}`)];
}
