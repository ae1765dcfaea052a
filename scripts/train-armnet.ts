/**
 * Trains the learned arm reader (src/imaging/armnet.ts) and writes src/imaging/armnet-weights.ts.
 *
 *   node --import tsx scripts/train-armnet.ts [--train 1-100,161-260] [--val 101-160] [--epochs 8] [--hidden 12]
 *                                             [--seed 1] [--thin 0.5] [--dense] [--threshold-no-rule-arms 0.9]
 *                                             [--pixel-channel] [--lr-schedule step|cosine] [--super-sample 1]
 *                                             [--count 19] [--step 0.3]
 *                                             [--cache DIR] [--out src/imaging/armnet-weights.ts]
 *   node --import tsx scripts/train-armnet.ts --threshold-only [--val 101-160] [--out …] [--tta] [--ensemble FILE]
 *                                             [--per-threshold] [--dry]
 *
 * With --threshold-only the weights in --out are kept and only the threshold is chosen again (on the validation
 * seeds, with the inference code of armnet.ts), e.g. after a change to the decoding. Experiments on the same
 * validation pairs: `--tta` averages the output with that of the mirrored input, `--ensemble FILE` with that of a
 * second weights file of the same geometry; `--per-threshold` prints every condition at every threshold; `--dry`
 * writes nothing.
 *
 * Examples: the detected migrasomes matched to a true one on sparse 32 µm tuning scenes (the tuning ranges of PSF,
 * ring, fiber brightness and background), at 0.065 / 0.1 / 0.16 µm and SNR 2 / 4 / 7 / 10; the targets are the
 * directions of the true arms (`fiberArmList`, merged as the site definition merges them), ± 5°. The threshold is
 * chosen on the validation seeds, rendered with the scoring ranges. Held-out scenes (seeds ≥ 1000) are never used.
 * Deterministic: the same options give the same weights. The shipped weights took about 100 minutes on one core (15 of
 * them collecting the examples; `--cache DIR` keeps those for the next run).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { resolve } from "node:path";
import { analyzePlane } from "../src/imaging/analyze.ts";
import { ARMNET_GEOMETRY, armNetChannels, type ArmNetGeometry, armNetForward, decodeArms, forEachArmNetInput, type ArmNetWeights } from "../src/imaging/armnet.ts";
import { adamStep, exportLayers, lcg, makeLayers, trainActs, trainBackward, trainForward } from "../src/imaging/armnet-train.ts";
import { matchDetections } from "../src/imaging/evaluate.ts";
import { renderScene } from "../src/imaging/optics.ts";
import { fiberArmList, generateScene, mergeArms, randomOptics, siteFromFibers, type SceneVariant } from "../src/imaging/scene.ts";

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : def;
};
const seedList = (s: string) =>
  s.split(",").flatMap((r) => {
    const [a, b] = r.split("-").map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
const TRAIN = seedList(opt("train", "1-100,161-260"));
const VAL = seedList(opt("val", "101-160"));
const EPOCHS = Number(opt("epochs", "8"));
const HIDDEN = Number(opt("hidden", "12"));
const SEED = Number(opt("seed", "1"));
/** probability of taking each fiber away in the thinned copy of every scene (0: no thinned copies) */
const THIN = Number(opt("thin", "0.5"));
/** also train on the dense version of each training scene (clusters, bundles); validation stays sparse */
const DENSE = args.includes("--dense");
/** the threshold where the rules found no arm (`ArmNetWeights.thresholdNoRuleArms`): chosen on isolated fiberless
 * migrasomes and validation seeds 101–120 (0.65 / 0.8 / 0.9: fiberless called none 116 / 134 / 139 of 150 at SNR 4–10,
 * validation sites within 0.003) */
const NO_RULE_THR = Number(opt("threshold-no-rule-arms", "0.9"));
/** an input channel with log2(pixel size / 0.1 µm) (`ArmNetWeights.pixelSizeChannel`) */
const PIXEL_CHANNEL = args.includes("--pixel-channel");
/** learning rate: "step" (3e-3, the last two epochs 0.3 of it) or "cosine" (3e-3 falling to 0 along a half cosine over
 * all steps) */
const SCHEDULE = opt("lr-schedule", "step");
/** a folder where the collected examples are kept (and read again by a later run with the same seeds and options) */
const CACHE = opt("cache", "");
/** samples per direction on each circle (`ArmNetWeights.superSample`; 1: one, the bin's own direction) */
const SUPER = Number(opt("super-sample", "1"));
if (!(Number.isInteger(SUPER) && SUPER >= 1)) throw new Error("--super-sample must be a positive integer");
/** circles read (`ArmNetWeights.count`) and their spacing in µm (`stepUm`): the look reaches R + innerUm + (count − 1) · step */
const COUNT = Number(opt("count", String(ARMNET_GEOMETRY.count)));
const STEP = Number(opt("step", String(ARMNET_GEOMETRY.stepUm)));
if (!(Number.isInteger(COUNT) && COUNT >= 2 && COUNT <= 64)) throw new Error("--count must be an integer from 2 to 64");
if (!(STEP > 0 && STEP <= 1)) throw new Error("--step must be a number of µm in (0, 1]");
const LOOK = COUNT !== ARMNET_GEOMETRY.count || STEP !== ARMNET_GEOMETRY.stepUm;
/** the cache key names the circles unless they are 19 at 0.2 µm (the look before the fourteenth session, whose caches
 * carry no such suffix) */
const LOOK_KEY = COUNT !== 19 || STEP !== 0.2 ? `-c${COUNT}-s${STEP}` : "";
const OUT = opt("out", new URL("../src/imaging/armnet-weights.ts", import.meta.url).pathname);
if (SCHEDULE !== "step" && SCHEDULE !== "cosine") throw new Error("--lr-schedule must be step or cosine");
if ([...TRAIN, ...VAL].some((s) => !(s >= 1 && s < 1000))) throw new Error("training and validation seeds must be tuning seeds (1–999)");
if (TRAIN.some((s) => VAL.includes(s))) throw new Error("training and validation seeds overlap");

/** the geometry collected (without the pixel-size channel, which is the same for every direction and is added when an
 * example is loaded) and the one trained */
const GB: ArmNetGeometry = { ...ARMNET_GEOMETRY, count: COUNT, stepUm: STEP, ...(SUPER !== 1 ? { superSample: SUPER } : {}) };
const G: ArmNetGeometry = { ...GB, ...(PIXEL_CHANNEL ? { pixelSizeChannel: true } : {}) };
const NB = G.bins;
const CB = armNetChannels(GB);
const C = armNetChannels(G);
const PXS = [0.065, 0.1, 0.16];
const SNRS = [2, 4, 7, 10];
const SIZE_UM = 32;

interface Example {
  px: number;
  snr: number;
  truthSite: string;
  truthDirs: number[];
  /** from a scene with fibers taken away */
  thinned: boolean;
}

/** The inputs and targets of every matched migrasome of the given scenes (from the cache when it holds them). */
function collect(seeds: number[], variant: SceneVariant): { X: Float32Array; E: Example[] } {
  if (!CACHE) return collectNow(seeds, variant);
  const key = `${variant}-${seeds[0]}-${seeds[seeds.length - 1]}-n${seeds.length}-thin${THIN}${DENSE && variant === "tuning" ? "-dense" : ""}-${GB.bins}x${CB}${SUPER !== 1 ? `-ss${SUPER}` : ""}${LOOK_KEY}`;
  const bin = `${CACHE}/${key}.f32`;
  const json = `${CACHE}/${key}.json`;
  if (existsSync(bin) && existsSync(json)) {
    const E = JSON.parse(readFileSync(json, "utf8")) as Example[];
    const buf = readFileSync(bin);
    const X = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    if (X.length === E.length * CB * NB) {
      console.error(`  ${variant}: ${E.length} examples from ${bin}`);
      return { X, E };
    }
  }
  const r = collectNow(seeds, variant);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(bin + ".tmp", new Uint8Array(r.X.buffer, r.X.byteOffset, r.X.byteLength));
  renameSync(bin + ".tmp", bin);
  writeFileSync(json + ".tmp", JSON.stringify(r.E));
  renameSync(json + ".tmp", json);
  return r;
}

function collectNow(seeds: number[], variant: SceneVariant): { X: Float32Array; E: Example[] } {
  const chunks: Float32Array[] = [];
  const E: Example[] = [];
  for (const px of PXS)
    for (const snr of SNRS) {
      for (const s of seeds)
        for (const copy of [...(THIN > 0 ? ["plain", "thinned"] : ["plain"]), ...(DENSE && variant === "tuning" ? ["dense"] : [])]) {
        const thinned = copy === "thinned";
        const scene = generateScene(s, { variant, widthUm: SIZE_UM, heightUm: SIZE_UM, dense: copy === "dense" });
        if (thinned) {
          // the same scene with each fiber gone with probability THIN: migrasomes left without fibers (site none)
          // or with fewer arms, so that the reader learns to call none too (the scenes have few such migrasomes)
          const keep = lcg(7919 * s + 17);
          scene.fibers = scene.fibers.filter(() => keep() >= THIN);
          for (const o of scene.objects) if (o.kind === "migrasome") o.site = siteFromFibers(scene.fibers, o.x, o.y, o.diameterUm / 2);
        }
        const img = renderScene(scene, randomOptics(s, snr, variant, px), s);
        let ctx: Parameters<NonNullable<Parameters<typeof analyzePlane>[2]["onSites"]>>[0] | null = null;
        analyzePlane({ width: img.width, height: img.height, data: img.data }, px, { params: { armNet: null }, onSites: (c) => (ctx = c) });
        if (!ctx) continue;
        const c = ctx as NonNullable<typeof ctx>;
        const D = c.migs.map((m, i) => ({ image: "a", xUm: m.xUm, yUm: m.yUm, diameterUm: 2 * m.rUm, idx: i }));
        const truth = scene.objects.filter((o) => o.kind === "migrasome");
        const T = truth.map((o, i) => ({ image: "a", xUm: o.x, yUm: o.y, diameterUm: o.diameterUm, site: o.site, idx: i }));
        const matchOf = new Map<number, number>();
        for (const { t, d } of matchDetections(D, T)) matchOf.set((d as (typeof D)[number]).idx, (t as (typeof T)[number]).idx);
        forEachArmNetInput({ sm: c.sm, noise: c.noise, noiseGain: c.gain, w: c.w, h: c.h, pxUm: c.pxUm }, c.migs, c.sites.map((q) => q.armDirsDeg), GB, (i, x) => {
          const ti = matchOf.get(i);
          if (ti === undefined) return;
          const o = truth[ti];
          const groups = mergeArms(fiberArmList(scene.fibers, o.x, o.y, o.diameterUm / 2));
          const dirs = groups.map((g) => Math.atan2(g.reduce((a, q) => a + Math.sin(q.dirRad), 0), g.reduce((a, q) => a + Math.cos(q.dirRad), 0)));
          chunks.push(x.slice());
          E.push({ px, snr, thinned, truthSite: o.site ?? "none", truthDirs: dirs });
        });
        }
      console.error(`  ${variant} ${px} µm SNR ${snr}: ${E.length} examples`);
    }
  const X = new Float32Array(E.length * CB * NB);
  chunks.forEach((c, i) => X.set(c, i * CB * NB));
  return { X, E };
}

const x = new Float32Array(C * NB);
/** example i (channels × bins, the pixel-size channel added when trained), mirrored (direction b → −b) when flip */
function load(S: { X: Float32Array; E: Example[] }, i: number, flip: boolean): Float32Array {
  const o = i * CB * NB;
  for (let c = 0; c < CB; c++) for (let b = 0; b < NB; b++) x[c * NB + b] = S.X[o + c * NB + (flip ? (NB - b) % NB : b)];
  if (C > CB) x.fill(Math.log2(S.E[i].px / 0.1), CB * NB, C * NB);
  return x;
}

const THRS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];
const sepBins = Math.round((35 / 360) * NB);
const siteOf = (n: number) => (n === 0 ? "none" : n === 1 ? "tip" : n === 2 ? "along" : "junction");

/** did the rules find an arm for example i (its rules'-arms row is not all zero)? */
function rulesFoundArm(S: { X: Float32Array }, i: number): boolean {
  const o = i * CB * NB + (GB.count + 1) * NB;
  for (let b = 0; b < NB; b++) if (S.X[o + b] > 0) return true;
  return false;
}

/** site accuracy per threshold on examples, overall and per condition (pairs whose true site is `none` left out, as in
 * the evaluation), from the network's outputs, deciding as `armNetArms` does (where the rules found no arm, the
 * threshold is `NO_RULE_THR`) */
function accuracy(S: { X: Float32Array; E: Example[] }, output: (i: number) => Float32Array) {
  const per = new Map<string, { n: number; ok: number[] }>();
  const perAll = new Map<string, { n: number; ok: number[] }>();
  // the evaluation's site accuracy (plain scenes, pairs whose true site is `none` left out) …
  const bar = { n: 0, ok: THRS.map(() => 0) };
  // … and every matched pair of plain and thinned scenes, `none` included: the threshold is chosen on this, so that
  // the reader is right about migrasomes without fibers too
  const all = { n: 0, ok: THRS.map(() => 0) };
  const none = { n: 0, ok: THRS.map(() => 0) };
  for (let i = 0; i < S.E.length; i++) {
    const e = S.E[i];
    const out = output(i);
    const inBar = !e.thinned && e.truthSite !== "none";
    const k = `${e.px} µm SNR ${e.snr}`;
    const r = per.get(k) ?? { n: 0, ok: THRS.map(() => 0) };
    per.set(k, r);
    const ra = perAll.get(k) ?? { n: 0, ok: THRS.map(() => 0) };
    perAll.set(k, ra);
    ra.n++;
    if (inBar) r.n++, bar.n++;
    all.n++;
    if (e.truthSite === "none") none.n++;
    const ruled = rulesFoundArm(S, i);
    THRS.forEach((t, j) => {
      if (siteOf(decodeArms(out, ruled ? t : NO_RULE_THR, sepBins).length) !== e.truthSite) return;
      all.ok[j]++;
      ra.ok[j]++;
      if (e.truthSite === "none") none.ok[j]++;
      if (inBar) {
        r.ok[j]++;
        bar.ok[j]++;
      }
    });
  }
  let best = 0;
  THRS.forEach((_, j) => {
    if (all.ok[j] > all.ok[best]) best = j;
  });
  return { per, perAll, all, bar, none, best };
}

/** one line: accuracies per threshold */
const line = (r: { n: number; ok: number[] }) => r.ok.map((v) => (v / r.n).toFixed(3)).join(" ");

function writeWeights(weights: ArmNetWeights): void {
  const text = `/**
 * Weights of the learned arm reader (\`armnet.ts\`), written by \`scripts/train-armnet.ts\`; do not edit by hand.
 */
import type { ArmNetWeights } from "./armnet.ts";

export const ARMNET_WEIGHTS: ArmNetWeights = ${JSON.stringify(weights, null, 2)};
`;
  writeFileSync(OUT + ".tmp", text);
  renameSync(OUT + ".tmp", OUT);
}

if (args.includes("--threshold-only")) {
  const { ARMNET_WEIGHTS: W } = (await import(resolve(OUT))) as { ARMNET_WEIGHTS: ArmNetWeights };
  if ((W.thresholdNoRuleArms ?? 0) !== NO_RULE_THR) throw new Error(`--threshold-no-rule-arms must match the weights in ${OUT} (${W.thresholdNoRuleArms})`);
  if ((W.superSample ?? 1) !== SUPER) throw new Error(`--super-sample must match the weights in ${OUT} (${W.superSample ?? 1})`);
  if (W.count !== COUNT || W.stepUm !== STEP) throw new Error(`--count and --step must match the weights in ${OUT} (${W.count}, ${W.stepUm})`);
  const va = collect(VAL, "scoring");
  if (!!W.pixelSizeChannel !== PIXEL_CHANNEL) throw new Error(`--pixel-channel must match the weights in ${OUT}`);
  const out = new Float32Array(NB);
  const outF = new Float32Array(NB);
  const outE = new Float32Array(NB);
  const TTA = args.includes("--tta");
  if (TTA && !args.includes("--dry")) throw new Error("--tta is an experiment: run it with --dry (the shipped reader does not mirror its input)");
  const ensembleFile = opt("ensemble", "");
  const WE = ensembleFile ? ((await import(resolve(ensembleFile))) as { ARMNET_WEIGHTS: ArmNetWeights }).ARMNET_WEIGHTS : null;
  if (WE && (WE.count !== W.count || WE.stepUm !== W.stepUm || (WE.superSample ?? 1) !== (W.superSample ?? 1) || !!WE.pixelSizeChannel !== !!W.pixelSizeChannel))
    throw new Error(`--ensemble ${ensembleFile}: its geometry must match the weights in ${OUT}`);
  const { per, perAll, all, bar, none, best } = accuracy(va, (i) => {
    armNetForward(load(va, i, false), out, W);
    if (TTA) {
      armNetForward(load(va, i, true), outF, W);
      for (let b = 0; b < NB; b++) out[b] = 0.5 * (out[b] + outF[(NB - b) % NB]);
    }
    if (WE) {
      armNetForward(load(va, i, false), outE, WE);
      for (let b = 0; b < NB; b++) out[b] = 0.5 * (out[b] + outE[b]);
    }
    return out;
  });
  console.error(`thresholds ${THRS.join(" ")}\n  all pairs ${line(all)}\n  evaluation's ${line(bar)}\n  true none ${line(none)} (n = ${none.n})`);
  for (const [k, r] of per) console.error(`  ${k}: ${(r.ok[best] / r.n).toFixed(3)} (n = ${r.n})${args.includes("--per-threshold") ? " " + line(r) + "\n      all " + line(perAll.get(k)!) : ""}`);
  if (args.includes("--dry")) process.exit(0);
  const trained = W.trained.replace(/, threshold [0-9.]+ chosen.*$/, "");
  const members = WE ? [...(W.members ?? []), WE.layers, ...(WE.members ?? [])] : W.members;
  const what = WE ? `${trained}; ensemble with ${ensembleFile} (${WE.trained.replace(/, threshold [0-9.]+ chosen.*$/, "")}), the mean of their log-odds` : trained;
  writeWeights({ ...W, members, threshold: THRS[best], trained: `${what}, threshold ${THRS[best]} chosen (--threshold-only) on ${all.n} validation pairs (scoring ranges, thinned copies included), their site accuracy ${(all.ok[best] / all.n).toFixed(4)}, the evaluation's ${(bar.ok[best] / bar.n).toFixed(4)}` });
  console.error(`wrote ${OUT}: threshold ${THRS[best]}`);
  process.exit(0);
}

const t0 = Date.now();
console.error(`examples: training seeds ${opt("train", "1-100,161-260")} (tuning ranges), validation ${opt("val", "101-160")} (scoring ranges)`);
const tr = collect(TRAIN, "tuning");
const va = collect(VAL, "scoring");
console.error(`${tr.E.length} training, ${va.E.length} validation examples (${((Date.now() - t0) / 60000).toFixed(1)} min)`);

/** targets: 1 within one bin (5°) of a true arm's direction */
const target = (e: Example) => {
  const y = new Float32Array(NB);
  for (const d of e.truthDirs) {
    const bc = ((d / (2 * Math.PI)) * NB + NB) % NB;
    for (let b = 0; b < NB; b++) {
      const dd = Math.abs(b - bc);
      if (Math.min(dd, NB - dd) <= 1) y[b] = 1;
    }
  }
  return y;
};
const Y = tr.E.map(target);
const rnd = lcg(SEED);
const layers = makeLayers(C, HIDDEN, [[7, 1, false], [5, 2, false], [5, 3, true]], rnd);
const A = trainActs(layers, NB);
const dOut = new Float32Array(NB);
const validate = () => accuracy(va, (i) => trainForward(layers, load(va, i, false), A, NB));
const BATCH = 32;
let step = 0;
const N = tr.E.length;
const totalSteps = Math.floor((EPOCHS * N) / BATCH);
for (let ep = 0; ep < EPOCHS; ep++) {
  const stepLr = 3e-3 * (ep < EPOCHS - 2 ? 1 : 0.3);
  const order = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const i = order[n];
    const flip = rnd() < 0.5;
    const out = trainForward(layers, load(tr, i, flip), A, NB);
    const y = Y[i];
    for (let b = 0; b < NB; b++) {
      const yb = y[flip ? (NB - b) % NB : b];
      const p = 1 / (1 + Math.exp(-out[b]));
      // arms are rarer than empty directions: weight 3
      const wgt = yb ? 3 : 1;
      loss -= wgt * (yb ? Math.log(p + 1e-9) : Math.log(1 - p + 1e-9));
      dOut[b] = wgt * (p - yb);
    }
    trainBackward(layers, dOut, A, NB);
    if ((n + 1) % BATCH === 0) {
      const lr = SCHEDULE === "cosine" ? 3e-3 * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)) : stepLr;
      adamStep(layers, lr, ++step, BATCH);
    }
  }
  const { all, bar, none } = validate();
  console.error(`epoch ${ep + 1}/${EPOCHS}: loss ${(loss / N).toFixed(3)}, ${((Date.now() - t0) / 60000).toFixed(1)} min; validation by threshold ${THRS.join(" ")}:\n  all pairs ${line(all)}\n  evaluation's ${line(bar)}\n  true none ${line(none)}`);
}
const { per, all, bar, best } = validate();
for (const [k, r] of per) console.error(`  ${k}: ${(r.ok[best] / r.n).toFixed(3)} (n = ${r.n})`);
writeWeights({
  ...(G as typeof ARMNET_GEOMETRY),
  threshold: THRS[best],
  thresholdNoRuleArms: NO_RULE_THR,
  minSeparationDeg: 35,
  layers: exportLayers(layers),
  trained: `scripts/train-armnet.ts --train ${opt("train", "1-100,161-260")} --val ${opt("val", "101-160")} --epochs ${EPOCHS} --hidden ${HIDDEN} --seed ${SEED}${DENSE ? " --dense" : ""}${PIXEL_CHANNEL ? " --pixel-channel" : ""}${SCHEDULE !== "step" ? ` --lr-schedule ${SCHEDULE}` : ""}${THIN !== 0.5 ? ` --thin ${THIN}` : ""}${SUPER !== 1 ? ` --super-sample ${SUPER}` : ""}${LOOK ? ` --count ${COUNT} --step ${STEP}` : ""}: ${N} training examples (tuning ranges), threshold ${THRS[best]} chosen on ${all.n} validation pairs (scoring ranges, thinned copies included), their site accuracy ${(all.ok[best] / all.n).toFixed(4)}, the evaluation's ${(bar.ok[best] / bar.n).toFixed(4)}`,
});
console.error(`wrote ${OUT}: threshold ${THRS[best]}, validation site accuracy ${(all.ok[best] / all.n).toFixed(4)}, the evaluation's ${(bar.ok[best] / bar.n).toFixed(4)} (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
