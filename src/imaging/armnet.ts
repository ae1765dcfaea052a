/**
 * The learned arm reader (Method 5, tenth session): a small circular convolutional network over the directions
 * around a migrasome. Its input is the image sampled on circles from R + 0.3 to R + 5.7 µm (in noise units of the
 * smoothed image, against each circle's median), which circles a neighbouring migrasome covers, the arms the
 * rules of `migrasomeArms` found, and (`pixelSizeChannel`, the shipped weights) the pixel size; each direction is the
 * largest of `superSample` samples across its 5° (one in the shipped weights since the fourteenth session). Its
 * output is, per 5° direction, the log-odds that a fiber arm leaves there. Arms are the output's peaks above a
 * threshold, at least 35° apart (the site definition's merge angle).
 *
 * The weights are trained by `scripts/train-armnet.ts` on tuning scenes only (seeds 1–100 and 161–460 for the shipped
 * weights, with the tuning ranges of
 * PSF, ring, fiber brightness and background, at 0.065 / 0.1 / 0.16 µm and SNR 2–10), and the threshold is chosen on
 * tuning seeds 101–160 with the scoring ranges; the held-out scenes (seeds ≥ 1000) are never seen. The convolution is
 * the same in every direction, so the reader does not depend on the image's orientation.
 */
import { circularParabolaPeak, selectK } from "./filters.ts";
import { ARMNET_WEIGHTS } from "./armnet-weights.ts";
import { armNetKernel, type ArmNetKernel } from "./fastarmnet.ts";
import { armInputKernel, armInputMemory } from "./fastarminput.ts";

/** One layer of the network: a circular 1-D convolution over directions (kernel k, dilation dil). With `opposite`
 * its input is the previous layer's channels followed by the same channels turned by 180° (a fiber through a
 * migrasome leaves in two opposite directions). */
export interface ArmNetLayer {
  cin: number;
  cout: number;
  k: number;
  dil: number;
  relu: boolean;
  opposite: boolean;
  /** cout × cin × k weights, little-endian float32, base64 */
  W: string;
  /** cout biases, little-endian float32, base64 */
  b: string;
}

export interface ArmNetWeights {
  /** directions (bins) around the migrasome */
  bins: number;
  /** circles: radius R + innerUm + k · stepUm, k = 0 … count − 1 */
  innerUm: number;
  stepUm: number;
  count: number;
  /** a neighbouring migrasome's disc, grown by this, masks the samples inside it */
  maskGapUm: number;
  /** one more input channel: log2(pixel size / 0.1 µm) (the same fiber gives fewer, noisier samples per µm on coarse
   * pixels); absent = no such channel */
  pixelSizeChannel?: boolean;
  /** samples per direction on each circle (absent = 1): each bin is read at `superSample` directions evenly spaced
   * within it (centred on the bin's direction), the circle's median is taken over all of them, and the bin's value is
   * the largest (its masked fraction counts the masked ones). The shipped weights use 2; on the same training scenes
   * it did not help by itself (arms are missed on dim fibers wherever they lie between directions: development log,
   * twelfth session). */
  superSample?: number;
  /** sigmoid threshold of an arm (chosen on tuning scenes) */
  threshold: number;
  /** the threshold where the rules found no arm at all (their zero is calibrated against the noise: the network must
   * be surer to overrule it); absent = `threshold` */
  thresholdNoRuleArms?: number;
  /** arms closer than this are one (the site definition's merge angle) */
  minSeparationDeg: number;
  layers: ArmNetLayer[];
  /**
   * further networks of the same input (absent = none): the output is the mean of the log-odds of `layers` and of
   * each member, an ensemble of networks trained alike from different random starts
   */
  members?: ArmNetLayer[][];
  /** how the weights were made */
  trained: string;
}

/** Input channels: the circles, the masked fraction per direction, the rules' arms, the radius (µm), and with
 * `pixelSizeChannel` log2(pixel size / 0.1 µm). */
export function armNetChannels(W: Pick<ArmNetWeights, "count" | "pixelSizeChannel">): number {
  return W.count + 3 + (W.pixelSizeChannel ? 1 : 0);
}

/** The geometry fields of the weights (what the input depends on). */
export type ArmNetGeometry = Pick<ArmNetWeights, "bins" | "innerUm" | "stepUm" | "count" | "maskGapUm" | "pixelSizeChannel" | "superSample">;

/** the samples per direction of a geometry (`superSample`, default 1) */
export function armNetSuperSample(g: Pick<ArmNetGeometry, "superSample">): number {
  const S = g.superSample ?? 1;
  if (!(Number.isInteger(S) && S >= 1)) throw new Error(`armnet: superSample must be a positive integer (${S})`);
  return S;
}

/** The direction (radians) of sample s of a circle of bins × S samples: sample j of bin q (s = q·S + j) lies at
 * q + (j + 0.5) / S − 0.5 bins (S = 1: the bin's own direction, 2πq / bins). */
export function armNetSampleAngle(s: number, bins: number, S: number): number {
  return S === 1 ? (2 * Math.PI * s) / bins : (2 * Math.PI * (s + 0.5 - S / 2)) / (bins * S);
}

function floats(b64: string): Float32Array {
  const buf = Buffer.from(b64, "base64");
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(4 * i);
  return out;
}

/** base64 of little-endian float32 values (the weights file's form) */
export function floatsToBase64(a: ArrayLike<number>): string {
  const buf = Buffer.alloc(4 * a.length);
  for (let i = 0; i < a.length; i++) buf.writeFloatLE(a[i], 4 * i);
  return buf.toString("base64");
}

interface Compiled {
  /** the input geometry it was compiled for */
  bins: number;
  channels: number;
  layers: { L: ArmNetLayer; W: Float32Array; b: Float32Array; wOff: number; bOff: number }[];
  /** halo (floats) each side of a row (a multiple of 4: rows stay 16-byte aligned), and the row stride */
  pad: number;
  stride: number;
  /** widest layer input (channels) */
  width: number;
  /** the WebAssembly kernel and its memory (null: JavaScript) */
  kernel: ArmNetKernel | null;
  /** the activations: two buffers of width × stride floats (views of the kernel's memory, or plain arrays) */
  act: [Float32Array, Float32Array];
  actOff: [number, number];
}

/** the networks compiled last (a few: the shipped one and its ensemble members, or a test's), by their layers */
const compiledCache = new Map<ArmNetLayer[], Compiled>();

function compile(w: ArmNetWeights, netLayers: ArmNetLayer[] = w.layers): Compiled {
  const hit = compiledCache.get(netLayers);
  if (hit && hit.bins === w.bins && hit.channels === armNetChannels(w)) return hit;
  if (w.bins % 4 !== 0) throw new Error("armnet: bins must be a multiple of 4");
  let halo = 0;
  let width = armNetChannels(w);
  let c = width;
  const parsed = netLayers.map((L) => {
    const cin = L.opposite ? 2 * c : c;
    if (cin !== L.cin) throw new Error(`armnet: layer expects ${L.cin} inputs, gets ${cin}`);
    halo = Math.max(halo, ((L.k - 1) >> 1) * L.dil);
    c = L.cout;
    width = Math.max(width, cin, L.cout);
    const W = floats(L.W);
    const b = floats(L.b);
    if (W.length !== L.cout * L.cin * L.k || b.length !== L.cout) throw new Error("armnet: weight sizes do not match the layers");
    return { L, W, b };
  });
  if (c !== 1) throw new Error("armnet: the last layer must have one output");
  const pad = Math.ceil(halo / 4) * 4;
  const stride = w.bins + 2 * pad;
  const actBytes = 4 * width * stride;
  let off = 2 * actBytes;
  const layers = parsed.map((p) => {
    const wOff = off;
    off += 16 * p.W.length;
    const bOff = off;
    off += 4 * Math.ceil(p.b.length / 4) * 4;
    return { ...p, wOff, bOff };
  });
  const kernel = w.bins % 8 === 0 ? armNetKernel(off, [...new Set(parsed.map((p) => `${p.L.k},${p.L.dil}`))].map((t) => t.split(",").map(Number) as [number, number])) : null;
  let act: [Float32Array, Float32Array];
  if (kernel) {
    const buf = kernel.memory.buffer;
    act = [new Float32Array(buf, 0, width * stride), new Float32Array(buf, actBytes, width * stride)];
    for (const l of layers) {
      // weights pre-splatted: four copies of each
      const wv = new Float32Array(buf, l.wOff, 4 * l.W.length);
      for (let i = 0; i < l.W.length; i++) wv.fill(l.W[i], 4 * i, 4 * i + 4);
      new Float32Array(buf, l.bOff, l.b.length).set(l.b);
    }
  } else act = [new Float32Array(width * stride), new Float32Array(width * stride)];
  const compiled: Compiled = { bins: w.bins, channels: armNetChannels(w), layers, pad, stride, width, kernel, act, actOff: [0, actBytes] };
  compiledCache.delete(netLayers);
  if (compiledCache.size >= 8) compiledCache.delete(compiledCache.keys().next().value as ArmNetLayer[]);
  compiledCache.set(netLayers, compiled);
  return compiled;
}

/**
 * The network's output (log-odds of an arm per direction, `out`, length bins) for one input (`x`: channels × bins).
 */
export function armNetForward(x: Float32Array, out: Float32Array, weights: ArmNetWeights = ARMNET_WEIGHTS): void {
  const NB = weights.bins;
  if (x.length < armNetChannels(weights) * NB) throw new Error(`armnet: the input has ${x.length} values, the weights need ${armNetChannels(weights) * NB}`);
  forwardOne(x, out, weights, weights.layers);
  const members = weights.members;
  if (!members || !members.length) return;
  if (memberOut.length !== NB) memberOut = new Float32Array(NB);
  for (const m of members) {
    forwardOne(x, memberOut, weights, m);
    for (let q = 0; q < NB; q++) out[q] += memberOut[q];
  }
  const k = 1 / (members.length + 1);
  for (let q = 0; q < NB; q++) out[q] *= k;
}

let memberOut = new Float32Array(0);
/** useJs: the JavaScript convolutions (armNetForwardJs) */
let useJs = false;

/** one network's output */
function forwardOne(x: Float32Array, out: Float32Array, weights: ArmNetWeights, netLayers: ArmNetLayer[]): void {
  const C = compile(weights, netLayers);
  const NB = weights.bins;
  const P = C.pad;
  const S = C.stride;
  let cur = 0;
  let c = armNetChannels(weights);
  for (let i = 0; i < c; i++) C.act[0].set(x.subarray(i * NB, (i + 1) * NB), i * S + P);
  for (const { L, W, b, wOff, bOff } of C.layers) {
    const src = C.act[cur];
    const dst = C.act[1 - cur];
    if (L.opposite) {
      // the channels turned by 180° follow the channels themselves
      const half = NB >> 1;
      for (let i = 0; i < c; i++) {
        const from = i * S + P;
        const to = (c + i) * S + P;
        for (let q = 0; q < NB; q++) src[to + q] = src[from + ((q + half) % NB)];
      }
      c *= 2;
    }
    // circular halos
    for (let i = 0; i < c; i++) {
      const o = i * S;
      for (let q = 0; q < P; q++) {
        src[o + q] = src[o + NB + q];
        src[o + P + NB + q] = src[o + P + q];
      }
    }
    const h = (L.k - 1) >> 1;
    if (C.kernel && !useJs)
      C.kernel.conv(L.k, L.dil)(C.actOff[cur] + 4 * (P - h * L.dil), C.actOff[1 - cur] + 4 * P, wOff, bOff, L.cin, L.cout, 4 * S, NB >> 3, L.relu ? 1 : 0);
    else convJs(src, dst, W, b, L, P, S, NB);
    c = L.cout;
    cur = 1 - cur;
  }
  out.set(C.act[cur].subarray(P, P + NB));
}

/** The convolution in JavaScript, bit-identical to the WebAssembly kernel (float32 rounding of every product and sum). */
function convJs(src: Float32Array, dst: Float32Array, W: Float32Array, b: Float32Array, L: ArmNetLayer, P: number, S: number, NB: number): void {
  const h = (L.k - 1) >> 1;
  const fr = Math.fround;
  for (let o = 0; o < L.cout; o++)
    for (let q = 0; q < NB; q++) {
      let acc = b[o];
      for (let i = 0; i < L.cin; i++)
        for (let t = 0; t < L.k; t++) acc = fr(acc + fr(W[(o * L.cin + i) * L.k + t] * src[i * S + P + q + (t - h) * L.dil]));
      dst[o * S + P + q] = L.relu && acc < 0 ? 0 : acc;
    }
}

/** JavaScript only (tests: the WebAssembly kernel against it) */
export function armNetForwardJs(x: Float32Array, out: Float32Array, weights: ArmNetWeights = ARMNET_WEIGHTS): void {
  useJs = true;
  try {
    armNetForward(x, out, weights);
  } finally {
    useJs = false;
  }
}

/** Arms from the output: its peaks at or above the threshold (log-odds), strongest first, kept when at least
 * `sepBins` from every kept one, the separation measured between peak positions refined by a parabola through the
 * peak and its neighbours (on whole bins, fibers 31–32° apart would come out 35° apart, as in the rules). Bins, in
 * the order kept. */
export function decodeArms(out: Float32Array, threshold: number, sepBins: number): number[] {
  const NB = out.length;
  const lt = Math.log(threshold / (1 - threshold));
  const cand: number[] = [];
  for (let q = 0; q < NB; q++) {
    const v = out[q];
    if (v >= lt && v >= out[(q + 1) % NB] && v >= out[(q + NB - 1) % NB]) cand.push(q);
  }
  cand.sort((a, b) => out[b] - out[a] || a - b);
  const kept: number[] = [];
  const keptAt: number[] = [];
  for (const q of cand) {
    const at = circularParabolaPeak(out, q);
    let ok = true;
    for (const k of keptAt) {
      const d = Math.abs(k - at);
      if (Math.min(d, NB - d) < sepBins) {
        ok = false;
        break;
      }
    }
    if (ok) {
      kept.push(q);
      keptAt.push(at);
    }
  }
  return kept;
}


/** scratch of `armNetInput`: one circle's samples, and their copy for the median */
let rowBuf = new Float32Array(0);
let medBuf = new Float32Array(0);
let ordBuf = new Float32Array(0);
/** direction tables of `armNetInput`, and the neighbours a circle crosses */
let cosTab = new Float64Array(0);
let sinTab = new Float64Array(0);
let tabS = 1;
let hitBuf = new Int32Array(0);
/** the neighbours of `armNetInput`: centre (µm), grown radius and its square, distance from the migrasome */
let nbX = new Float64Array(0);
let nbY = new Float64Array(0);
let nbR = new Float64Array(0);
let nbR2 = new Float64Array(0);
let nbD = new Float64Array(0);

/**
 * The k-th smallest of buf[0..n) (n > 0), the value `selectK` returns unless it is a zero (±0 compare equal: which
 * zero `selectK` picks depends on its partitioning; the caller checks). Quickselect with a median-of-three pivot
 * and branch-free partitions (first the values below the pivot to the front, then those equal to it): the
 * comparisons of a circle's samples are unpredictable, and mispredicted branches were most of `selectK`'s time.
 */
function selectKBranchless(buf: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const a = buf[lo];
    const b = buf[(lo + hi) >> 1];
    const c = buf[hi - 1];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let f = lo;
    for (let i = lo; i < hi; i++) {
      const v = buf[i];
      const lt = (v < pivot) as unknown as number;
      buf[i] = buf[f];
      buf[f] = v;
      f += lt;
    }
    if (k < f) {
      hi = f;
      continue;
    }
    let g = f;
    for (let i = f; i < hi; i++) {
      const v = buf[i];
      const eq = (v === pivot) as unknown as number;
      buf[i] = buf[g];
      buf[g] = v;
      g += eq;
    }
    if (k < g) return pivot;
    lo = g;
  }
  return buf[k];
}

/**
 * The network's input for migrasome `i` (channels × bins, written into `x`): the smoothed image `sm` (noise map
 * `noise` × `noiseGain` = one sample's noise) on the circles, as z / (2 + |z| / 4) with z the sample's height above its
 * circle's median in noise units (samples inside a neighbour's disc or outside the image: 0); the fraction of
 * circles masked per direction; with `superSample` S > 1, each circle is read at bins × S directions, its median is
 * that of all its samples, a bin's value is the largest of its S samples' (compressed z) and its masked fraction
 * counts samples; the rules' arms (1 at an arm's direction, falling to 0 two bins away); the radius.
 * `neighbours` lists the migrasomes whose disc may reach the circles.
 */
export function armNetInput(
  x: Float32Array,
  sm: Float32Array,
  noise: Float32Array,
  noiseGain: number,
  w: number,
  h: number,
  pxUm: number,
  migs: { xUm: number; yUm: number; rUm: number }[],
  i: number,
  neighbours: number[],
  ruleArmsDeg: number[],
  weights: ArmNetGeometry = ARMNET_WEIGHTS,
): void {
  const NB = weights.bins;
  const K = weights.count;
  const SS = armNetSuperSample(weights);
  const NS = NB * SS;
  const m = migs[i];
  const mx = m.xUm;
  const my = m.yUm;
  x.fill(0, 0, armNetChannels(weights) * NB);
  const nN = neighbours.length;
  if (hitBuf.length < nN) {
    hitBuf = new Int32Array(2 * nN);
    nbX = new Float64Array(2 * nN);
    nbY = new Float64Array(2 * nN);
    nbR = new Float64Array(2 * nN);
    nbR2 = new Float64Array(2 * nN);
    nbD = new Float64Array(2 * nN);
  }
  for (let u = 0; u < nN; u++) {
    const o = migs[neighbours[u]];
    const rr = o.rUm + weights.maskGapUm;
    nbX[u] = o.xUm;
    nbY[u] = o.yUm;
    nbR[u] = rr;
    nbR2[u] = rr * rr;
    nbD[u] = Math.hypot(o.xUm - mx, o.yUm - my);
  }
  if (rowBuf.length < NS) {
    rowBuf = new Float32Array(NS);
    medBuf = new Float32Array(NS);
    ordBuf = new Float32Array(NS);
  }
  const cx = mx / pxUm - 0.5;
  const cy = my / pxUm - 0.5;
  const ci = Math.min(h - 1, Math.max(0, Math.round(cy))) * w + Math.min(w - 1, Math.max(0, Math.round(cx)));
  const nz = Math.max(1e-9, noise[ci] * noiseGain);
  const inv = 1 / nz;
  const maskRow = K * NB;
  const maskStep = 1 / K / SS;
  if (cosTab.length !== NS || tabS !== SS) {
    cosTab = new Float64Array(NS);
    sinTab = new Float64Array(NS);
    tabS = SS;
    for (let s = 0; s < NS; s++) {
      const a = armNetSampleAngle(s, NB, SS);
      cosTab[s] = Math.cos(a);
      sinTab[s] = Math.sin(a);
    }
  }
  const wm1 = w - 1;
  const hm1 = h - 1;
  for (let k = 0; k < K; k++) {
    const rUm = m.rUm + weights.innerUm + weights.stepUm * k;
    // the neighbours whose disc this circle crosses (only their samples need the test)
    let nHit = 0;
    for (let u = 0; u < nN; u++) if (Math.abs(nbD[u] - rUm) < nbR[u] + 1e-6) hitBuf[nHit++] = u;
    let n = 0;
    let nan = false;
    for (let q = 0; q < NS; q++) {
      const xu = mx + rUm * cosTab[q];
      const yu = my + rUm * sinTab[q];
      let masked = false;
      for (let u = 0; u < nHit; u++) {
        const t = hitBuf[u];
        const dx = xu - nbX[t];
        const dy = yu - nbY[t];
        if (dx * dx + dy * dy < nbR2[t]) {
          masked = true;
          break;
        }
      }
      const px = xu / pxUm - 0.5;
      const py = yu / pxUm - 0.5;
      if (masked || !(px >= 0 && py >= 0 && px < wm1 && py < hm1)) {
        rowBuf[q] = NaN;
        x[maskRow + (SS === 1 ? q : (q / SS) | 0)] += maskStep;
        continue;
      }
      const x0 = px | 0;
      const y0 = py | 0;
      const fx = px - x0;
      const fy = py - y0;
      const p = y0 * w + x0;
      const v = (sm[p] * (1 - fx) + sm[p + 1] * fx) * (1 - fy) + (sm[p + w] * (1 - fx) + sm[p + w + 1] * fx) * fy;
      rowBuf[q] = v;
      ordBuf[n] = v;
      medBuf[n++] = v;
      if (v !== v) nan = true;
    }
    let med = 0;
    if (n) {
      if (!nan) med = selectKBranchless(medBuf, n, n >> 1);
      if (nan || med === 0) {
        // a zero, or NaN among the samples: the value selectK picks (from the samples in their order)
        medBuf.set(ordBuf.subarray(0, n));
        selectK(medBuf, n, n >> 1);
        med = medBuf[n >> 1];
      }
    }
    const o = k * NB;
    if (SS === 1)
      for (let q = 0; q < NB; q++) {
        const v = rowBuf[q];
        if (v !== v) continue;
        // z in noise units, compressed (z / 2 near 0, towards 4 for bright fibers; cheaper than asinh)
        const z = (v - med) * inv;
        x[o + q] = z / (2 + Math.abs(z) / 4);
      }
    else
      for (let q = 0; q < NB; q++) {
        // the bin's largest sample (masked ones, NaN, left out; all masked: 0)
        let vmax = NaN;
        for (let j = q * SS; j < (q + 1) * SS; j++) {
          const v = rowBuf[j];
          if (v > vmax || vmax !== vmax) vmax = v;
        }
        if (vmax !== vmax) continue;
        const z = (vmax - med) * inv;
        x[o + q] = z / (2 + Math.abs(z) / 4);
      }
  }
  armNetInputRest(x, m.rUm, pxUm, ruleArmsDeg, weights);
}

/** The channels after the circles and the masked fraction: the rules' arms, the radius, the pixel size. */
function armNetInputRest(x: Float32Array, rUm: number, pxUm: number, ruleArmsDeg: number[], weights: ArmNetGeometry): void {
  const NB = weights.bins;
  const K = weights.count;
  const ruleRow = (K + 1) * NB;
  for (const dDeg of ruleArmsDeg) {
    const bc = (((dDeg / 360) * NB) % NB + NB) % NB;
    for (let q = 0; q < NB; q++) {
      let d = Math.abs(q - bc);
      d = Math.min(d, NB - d);
      const v = Math.max(0, 1 - d / 2);
      if (v > x[ruleRow + q]) x[ruleRow + q] = v;
    }
  }
  x.fill(rUm, (K + 2) * NB, (K + 3) * NB);
  if (weights.pixelSizeChannel) x.fill(Math.log2(pxUm / 0.1), (K + 3) * NB, (K + 4) * NB);
}

/** The image the reader reads: the site stage's 0.12 µm smoothing `sm` (w × h pixels of `pxUm` µm), and its noise
 * map `noise` × `noiseGain` (one smoothed sample's noise). */
export interface ArmNetImage {
  sm: Float32Array;
  noise: Float32Array;
  noiseGain: number;
  w: number;
  h: number;
  pxUm: number;
}

/** the neighbours the WebAssembly kernel of the input has room for (more: JavaScript) */
const INPUT_KERNEL_NEIGHBOURS = 512;
let useInputKernel = true;

/** `forEachArmNetInput` in JavaScript only (tests: the WebAssembly kernel against it) */
export function forEachArmNetInputJs(...args: Parameters<typeof forEachArmNetInput>): void {
  const was = useInputKernel;
  useInputKernel = false;
  try {
    forEachArmNetInput(...args);
  } finally {
    useInputKernel = was;
  }
}

/** The sampling geometry of the reader's input (the weights file repeats it; training starts from this). */
export const ARMNET_GEOMETRY = { bins: 72, innerUm: 0.3, stepUm: 0.3, count: 19, maskGapUm: 0.3 };

/**
 * The network's input for every migrasome in turn (`visit(i, x)`; x is reused): see `armNetInput`. The neighbours
 * whose disc may reach a migrasome's circles are found on a grid of 4 µm cells.
 */
export function forEachArmNetInput(
  img: ArmNetImage,
  migs: { xUm: number; yUm: number; rUm: number }[],
  ruleArmsDeg: number[][],
  geometry: ArmNetGeometry,
  visit: (i: number, x: Float32Array) => void,
): void {
  const { sm, noise, noiseGain, w, h, pxUm } = img;
  const g = geometry;
  const x = new Float32Array(armNetChannels(g) * g.bins);
  // a disc reaches the outermost circle when the centres are closer than R + outer + r + gap
  const outer = g.innerUm + g.stepUm * (g.count - 1);
  const maxR = migs.reduce((a, o) => Math.max(a, o.rUm), 0);
  const G = 4;
  const gw = Math.max(1, Math.ceil((w * pxUm) / G) + 1);
  const grid = new Map<number, number[]>();
  migs.forEach((o, j) => {
    const k = Math.max(0, Math.floor(o.yUm / G)) * gw + Math.min(gw - 1, Math.max(0, Math.floor(o.xUm / G)));
    const l = grid.get(k);
    if (l) l.push(j);
    else grid.set(k, [j]);
  });
  const nbrs: number[] = [];
  // the WebAssembly kernel (fastarminput.ts) for the circles, with a copy of the image and the direction tables
  const NB = g.bins;
  const K = g.count;
  const SS = armNetSuperSample(g);
  const NS = NB * SS;
  const kern = useInputKernel ? armInputKernel(NB, K, INPUT_KERNEL_NEIGHBOURS, SS) : null;
  let kv: { L: NonNullable<typeof kern>["L"]; nbX: Float64Array; nbY: Float64Array; nbR: Float64Array; nbR2: Float64Array; nbD: Float64Array; radii: Float64Array; out: Float32Array } | null = null;
  if (kern && w * h === sm.length) {
    const L = kern.L;
    const buf = armInputMemory(kern, w * h);
    new Float32Array(buf, L.image, w * h).set(sm);
    const cos = new Float64Array(buf, L.cos, NS);
    const sin = new Float64Array(buf, L.sin, NS);
    for (let s = 0; s < NS; s++) {
      const a = armNetSampleAngle(s, NB, SS);
      cos[s] = Math.cos(a);
      sin[s] = Math.sin(a);
    }
    const M = L.NMAX;
    kv = {
      L,
      nbX: new Float64Array(buf, L.nbX, M),
      nbY: new Float64Array(buf, L.nbY, M),
      nbR: new Float64Array(buf, L.nbR, M),
      nbR2: new Float64Array(buf, L.nbR2, M),
      nbD: new Float64Array(buf, L.nbD, M),
      radii: new Float64Array(buf, L.radii, K),
      out: new Float32Array(buf, L.out, (K + 1) * NB),
    };
  }
  const maskStep = 1 / K / SS;
  for (let i = 0; i < migs.length; i++) {
    const m = migs[i];
    nbrs.length = 0;
    // (with the kernel, the neighbours' tables are filled here, in the grid's order: masking does not depend on it)
    let nN = 0;
    const reach = m.rUm + outer + maxR + g.maskGapUm;
    const gx0 = Math.max(0, Math.floor((m.xUm - reach) / G));
    const gx1 = Math.min(gw - 1, Math.max(0, Math.floor((m.xUm + reach) / G)));
    const gy0 = Math.max(0, Math.floor((m.yUm - reach) / G));
    const gy1 = Math.max(0, Math.floor((m.yUm + reach) / G));
    for (let gy = gy0; gy <= gy1; gy++)
      for (let gx = gx0; gx <= gx1; gx++) {
        const l = grid.get(gy * gw + gx);
        if (l)
          for (const j of l) {
            if (j === i) continue;
            const o = migs[j];
            const d = Math.hypot(o.xUm - m.xUm, o.yUm - m.yUm);
            if (d < m.rUm + outer + o.rUm + g.maskGapUm) {
              nbrs.push(j);
              if (kv && nN < kv.L.NMAX) {
                const rr = o.rUm + g.maskGapUm;
                kv.nbX[nN] = o.xUm;
                kv.nbY[nN] = o.yUm;
                kv.nbR[nN] = rr;
                kv.nbR2[nN] = rr * rr;
                kv.nbD[nN] = d;
              }
              nN++;
            }
          }
      }
    if (kv && kern && nN <= kv.L.NMAX) {
      const mx = m.xUm;
      const my = m.yUm;
      for (let k = 0; k < K; k++) kv.radii[k] = m.rUm + g.innerUm + g.stepUm * k;
      const cx = mx / pxUm - 0.5;
      const cy = my / pxUm - 0.5;
      const ci = Math.min(h - 1, Math.max(0, Math.round(cy))) * w + Math.min(w - 1, Math.max(0, Math.round(cx)));
      const nz = Math.max(1e-9, noise[ci] * noiseGain);
      kv.out.fill(0);
      // the patch of pixels the circles read (bytes: first and last line of the rows, first and last row)
      const rmax = kv.radii[K - 1];
      const tx0 = Math.max(0, Math.floor((mx - rmax) / pxUm - 1));
      const tx1 = Math.min(w - 1, Math.ceil((mx + rmax) / pxUm + 1));
      const ty0 = Math.max(0, Math.floor((my - rmax) / pxUm - 1));
      const ty1 = Math.min(h - 1, Math.ceil((my + rmax) / pxUm + 1));
      if (kern.inputs(mx, my, pxUm, 1 / nz, maskStep, w, h, nN, 4 * tx0, 4 * tx1, 4 * w * ty0, 4 * w * ty1) === 0) {
        x.set(kv.out);
        x.fill(0, (K + 1) * NB, armNetChannels(g) * NB);
        armNetInputRest(x, m.rUm, pxUm, ruleArmsDeg[i], g);
        visit(i, x);
        continue;
      }
    }
    nbrs.sort((a, b) => a - b);
    armNetInput(x, sm, noise, noiseGain, w, h, pxUm, migs, i, nbrs, ruleArmsDeg[i], g);
    visit(i, x);
  }
}

/**
 * Arms of every migrasome by the network: `ruleArmsDeg[i]` are the rules' arms of migrasome i (an input). Returns
 * each migrasome's arm directions (degrees, 0 … 355, strongest first).
 */
export function armNetArms(img: ArmNetImage, migs: { xUm: number; yUm: number; rUm: number }[], ruleArmsDeg: number[][], weights: ArmNetWeights = ARMNET_WEIGHTS): number[][] {
  const NB = weights.bins;
  const out = new Float32Array(NB);
  const sepBins = Math.round((weights.minSeparationDeg / 360) * NB);
  const arms: number[][] = [];
  forEachArmNetInput(img, migs, ruleArmsDeg, weights, (i, x) => {
    armNetForward(x, out, weights);
    const thr = ruleArmsDeg[i].length === 0 && weights.thresholdNoRuleArms !== undefined ? weights.thresholdNoRuleArms : weights.threshold;
    arms[i] = decodeArms(out, thr, sepBins).map((q) => (q * 360) / NB);
  });
  return arms;
}
