/**
 * The circle samples of migrasome radial profiles in WebAssembly SIMD, bit-identical to the
 * JavaScript sampling in migrasomes.ts: for every radius k·dr (k = 1 … nr − 1) the N bilinear samples
 * at cx + ρ·cos θ_a, cy + ρ·sin θ_a, two angles per f64x2 vector with exactly the scalar code's
 * double operations in its order ((s00·(1 − fx) + s10·fx)·(1 − fy) + (s01·(1 − fx) + s11·fx)·fy,
 * rounded to float32), the four pixels of each sample loaded per lane. Used only for circles wholly
 * inside the image (the scalar code's fast path; there x ≥ 0, so truncation is the floor).
 *
 * A sampler holds a copy of one smoothed image, the radii, their sample counts and the cos/sin
 * tables (copied from migrasomes.ts, so the same doubles) in a memory that the next sampler reuses
 * and rewrites (an older sampler then reports itself not live and is not used). Images with a
 * non-finite pixel are left to JavaScript.
 */

import { body, demote, F32, f32x4gt, f32x4lt, f32x4pmin, f32x4splat, F64, f64x2add, f64x2mul, f64x2splat, f64x2sub, I32, moduleBytes, nonFiniteFunction, op, promote, store64lane0, type Bytes, uleb, V128, v128load, vec, i32x4splat, i32x4add, i32x4mul, i32x4shl, i32x4lane, truncSat, convertLow, load32zero, load32lane1 } from "./fastwasm.ts";

const i32load = (off: number) => [0x28, 2, ...uleb(off)];
const f64const = (v: number): Bytes => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];

/**
 * samples(sm, w, desc, nr, cx, cy, out): for k = 1 … nr − 1, with the descriptor at desc + 32k
 * (ρ f64 @0, N i32 @8, cos table @12, sin table @16), the N samples of radius k at out, consecutively.
 * Pairs of angles; an odd N computes one sample more (zero padding in the tables: a sample at the
 * centre), which the next radius overwrites or the padding after the output absorbs.
 */
function samplesFunction(): Bytes {
  const [SM, W, DESC, NR, CX, CY, OUT] = [0, 1, 2, 3, 4, 5, 6];
  const [K, E, N, A, COS, SIN, O, P0, P1, W4] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const [RHO, CXV, CYV, XV, YV, XI, YI, FX, FY, WV, SMV, ONE, T1, IDX] = [17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30];
  const locals = [...Array(10).fill(I32), ...Array(14).fill(V128)];
  /** the four pixels at byte addresses p0 and p1 (+ off) as f64x2 lanes */
  const pair = (a0: number[], a1: number[], off: number) => [...a1, ...a0, ...load32zero(off), ...load32lane1(off), ...promote];
  const p0 = op.get(P0);
  const p1 = op.get(P1);
  const q0 = [...op.get(P0), ...op.get(W4), ...op.add];
  const q1 = [...op.get(P1), ...op.get(W4), ...op.add];
  const c: Bytes = [];
  c.push(...op.get(CX), ...f64x2splat, ...op.set(CXV), ...op.get(CY), ...f64x2splat, ...op.set(CYV));
  c.push(...op.get(W), ...i32x4splat, ...op.set(WV), ...op.get(SM), ...i32x4splat, ...op.set(SMV));
  c.push(...f64const(1), ...f64x2splat, ...op.set(ONE));
  c.push(...op.get(W), ...op.i32(2), ...op.shl, ...op.set(W4));
  c.push(...op.get(OUT), ...op.set(O), ...op.i32(1), ...op.set(K));
  c.push(...op.block, ...op.loop);
  c.push(...op.get(K), ...op.get(NR), ...op.ltS, ...op.eqz, ...op.brIf(1));
  c.push(...op.get(DESC), ...op.get(K), ...op.i32(5), ...op.shl, ...op.add, ...op.set(E));
  c.push(...op.get(E), ...op.f64load(0), ...f64x2splat, ...op.set(RHO));
  c.push(...op.get(E), ...i32load(8), ...op.set(N), ...op.get(E), ...i32load(12), ...op.set(COS), ...op.get(E), ...i32load(16), ...op.set(SIN));
  c.push(...op.i32(0), ...op.set(A));
  c.push(...op.block, ...op.loop);
  c.push(...op.get(A), ...op.get(N), ...op.ltS, ...op.eqz, ...op.brIf(1));
  // x = cx + ρ·cos, y = cy + ρ·sin (two angles)
  c.push(...op.get(CXV), ...op.get(RHO), ...op.get(COS), ...op.get(A), ...op.i32(3), ...op.shl, ...op.add, ...v128load(0), ...f64x2mul, ...f64x2add, ...op.set(XV));
  c.push(...op.get(CYV), ...op.get(RHO), ...op.get(SIN), ...op.get(A), ...op.i32(3), ...op.shl, ...op.add, ...v128load(0), ...f64x2mul, ...f64x2add, ...op.set(YV));
  c.push(...op.get(XV), ...truncSat, ...op.set(XI), ...op.get(YV), ...truncSat, ...op.set(YI));
  c.push(...op.get(XV), ...op.get(XI), ...convertLow, ...f64x2sub, ...op.set(FX));
  c.push(...op.get(YV), ...op.get(YI), ...convertLow, ...f64x2sub, ...op.set(FY));
  // byte addresses sm + 4·(y0·w + x0)
  c.push(...op.get(YI), ...op.get(WV), ...i32x4mul, ...op.get(XI), ...i32x4add, ...op.i32(2), ...i32x4shl, ...op.get(SMV), ...i32x4add, ...op.set(IDX));
  c.push(...op.get(IDX), ...i32x4lane(0), ...op.set(P0), ...op.get(IDX), ...i32x4lane(1), ...op.set(P1));
  c.push(...op.get(ONE), ...op.get(FX), ...f64x2sub, ...op.set(T1));
  // (s00·(1 − fx) + s10·fx)·(1 − fy)
  c.push(...pair(p0, p1, 0), ...op.get(T1), ...f64x2mul, ...pair(p0, p1, 4), ...op.get(FX), ...f64x2mul, ...f64x2add);
  c.push(...op.get(ONE), ...op.get(FY), ...f64x2sub, ...f64x2mul);
  // + (s01·(1 − fx) + s11·fx)·fy
  c.push(...pair(q0, q1, 0), ...op.get(T1), ...f64x2mul, ...pair(q0, q1, 4), ...op.get(FX), ...f64x2mul, ...f64x2add);
  c.push(...op.get(FY), ...f64x2mul, ...f64x2add);
  // store two float32 at out + 4a (the value is on the stack: address first)
  c.push(...op.set(XV), ...op.get(O), ...op.get(A), ...op.i32(2), ...op.shl, ...op.add, ...op.get(XV), ...demote, ...store64lane0(0));
  c.push(...op.get(A), ...op.i32(2), ...op.add, ...op.set(A), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(O), ...op.get(N), ...op.i32(2), ...op.shl, ...op.add, ...op.set(O));
  c.push(...op.get(K), ...op.i32(1), ...op.add, ...op.set(K), ...op.br(0), ...op.end, ...op.end);
  return body(locals, c);
}


const f32x4eq = op.simd(0x41);
const f32x4le = op.simd(0x45);
const f32x4pmax = op.simd(0xeb); // a < b ? b : a
const i32x4sub = op.simd(0xb1);
const bitselect = op.simd(0x52); // (v1 & c) | (v2 & ~c)
const f32lane = (l: number) => op.simd(0x1f, l); // f32x4.extract_lane
const f32x4const = (v: number): Bytes => op.simd(0x0c, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
const f32const = (v: number): Bytes => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
const f32load = (off: number) => [0x2a, 2, ...uleb(off)];
const [f32eq, f32lt, f32gt, f32le, f32min, f32max] = [[0x5b], [0x5d], [0x5e], [0x5f], [0x96], [0x97]];
const [i32and, i32eq, i32gtS, i32leS, ret] = [[0x71], [0x46], [0x4a], [0x4c], [0x0f]];
const f32store = (off: number) => [0x38, 2, ...uleb(off)];
const opElse = [0x05];
const call = (f: number) => [0x10, ...uleb(f)];

/** the most passes `select` makes before it leaves a selection to JavaScript (a poor guess) */
export const SELECT_MAX_NEED = 12;

/**
 * select(p, n, kq, t) → f32: the kq-th smallest (0-based) of the n finite float32 at byte address p, given a
 * guess t of it (f32), by branch-free SIMD passes instead of a heap: one pass counts the samples ≤ t and takes
 * the largest of them and the smallest above; the answer lies on the side the count says, `need` values in
 * from t, and each further pass steps one distinct value on (counting its ties). NaN when need exceeds
 * SELECT_MAX_NEED (JavaScript then selects). pmax/pmin may pick either zero of a ±0 tie: only the sign of a
 * zero result can depend on that, and the caller recomputes zero results.
 */
function selectFunction(): Bytes {
  const [P, N, KQ, T] = [0, 1, 2, 3];
  const [Q, E4, E, CNT, NEED] = [4, 5, 6, 7, 8];
  const [S, MXS, MNS, M] = [9, 10, 11, 12];
  const [V, TV, CV, MXV, MNV, MSK] = [13, 14, 15, 16, 17, 18];
  const locals = [I32, I32, I32, I32, I32, F32, F32, F32, F32, V128, V128, V128, V128, V128, V128];
  /** one pass over the samples: vector body on V, scalar body on S (tail); accumulators reset first, reduced after */
  const scan = (vbody: Bytes, sbody: Bytes): Bytes => {
    const c: Bytes = [];
    c.push(...op.i32(0), ...op.set(CNT), ...f32const(-Infinity), ...op.set(MXS), ...f32const(Infinity), ...op.set(MNS));
    c.push(...f32x4const(0), ...op.set(CV), ...f32x4const(-Infinity), ...op.set(MXV), ...f32x4const(Infinity), ...op.set(MNV));
    c.push(...op.get(P), ...op.set(Q));
    c.push(...op.block, ...op.loop, ...op.get(Q), ...op.get(E4), ...op.geU, ...op.brIf(1));
    c.push(...op.get(Q), ...v128load(0), ...op.set(V), ...vbody);
    c.push(...op.get(Q), ...op.i32(16), ...op.add, ...op.set(Q), ...op.br(0), ...op.end, ...op.end);
    c.push(...op.block, ...op.loop, ...op.get(Q), ...op.get(E), ...op.geU, ...op.brIf(1));
    c.push(...op.get(Q), ...f32load(0), ...op.set(S), ...sbody);
    c.push(...op.get(Q), ...op.i32(4), ...op.add, ...op.set(Q), ...op.br(0), ...op.end, ...op.end);
    // reduce the lanes into the scalar accumulators
    for (let l = 0; l < 4; l++) {
      c.push(...op.get(CNT), ...op.get(CV), ...i32x4lane(l), ...op.sub, ...op.set(CNT));
      c.push(...op.get(MXS), ...op.get(MXV), ...f32lane(l), ...f32max, ...op.set(MXS));
      c.push(...op.get(MNS), ...op.get(MNV), ...f32lane(l), ...f32min, ...op.set(MNS));
    }
    return c;
  };
  // vector bodies: CV counts by subtracting −1 masks (so CNT = −Σ lanes); MXV / MNV keep the masked max / min
  const cnt = (mask: Bytes) => [...op.get(CV), ...op.get(V), ...mask, ...i32x4sub, ...op.set(CV)];
  const maxIf = (cmp: Bytes) => [...op.get(MXV), ...op.get(V), ...f32x4const(-Infinity), ...op.get(V), ...cmp, ...bitselect, ...f32x4pmax, ...op.set(MXV)];
  const minIf = (cmp: Bytes) => [...op.get(MNV), ...op.get(V), ...f32x4const(Infinity), ...op.get(V), ...cmp, ...bitselect, ...f32x4pmin, ...op.set(MNV)];
  // scalar bodies: CNT counts down too (CNT −= 1 per hit), so that the lane reduction above adds up alike
  const sCnt = (cmp: Bytes) => [...op.get(CNT), ...op.get(S), ...cmp, ...op.sub, ...op.set(CNT)];
  const sMaxIf = (cmp: Bytes) => [...op.get(MXS), ...op.get(S), ...f32max, ...op.get(MXS), ...op.get(S), ...cmp, ...op.select, ...op.set(MXS)];
  const sMinIf = (cmp: Bytes) => [...op.get(MNS), ...op.get(S), ...f32min, ...op.get(MNS), ...op.get(S), ...cmp, ...op.select, ...op.set(MNS)];
  // comparisons against TV / MV (vector, the sample first) and T / M (scalar)
  const vs = (other: number, cmp: Bytes) => [...op.get(other), ...cmp];
  const c: Bytes = [];
  c.push(...op.get(N), ...op.i32(-4), ...i32and, ...op.i32(2), ...op.shl, ...op.get(P), ...op.add, ...op.set(E4));
  c.push(...op.get(N), ...op.i32(2), ...op.shl, ...op.get(P), ...op.add, ...op.set(E));
  c.push(...op.get(T), ...f32x4splat, ...op.set(TV));
  // pass 1: how many ≤ t, the largest of those and the smallest above t
  c.push(...scan(
    [...cnt(vs(TV, f32x4le)), ...maxIf(vs(TV, f32x4le)), ...minIf(vs(TV, f32x4gt))],
    [...sCnt(vs(T, f32le)), ...sMaxIf(vs(T, f32le)), ...sMinIf(vs(T, f32gt))],
  ));
  // CNT = −(count ≤ t)
  c.push(...op.i32(0), ...op.get(CNT), ...op.sub, ...op.get(KQ), ...i32gtS, ...op.if);
  {
    // below t: the need-th largest of the samples ≤ t, need = count − kq
    c.push(...op.i32(0), ...op.get(CNT), ...op.sub, ...op.get(KQ), ...op.sub, ...op.set(NEED), ...op.get(MXS), ...op.set(M));
    c.push(...op.get(NEED), ...op.i32(SELECT_MAX_NEED), ...i32gtS, ...op.if, ...f32const(NaN), ...ret, ...op.end);
    c.push(...op.block, ...op.loop);
    c.push(...op.get(NEED), ...op.i32(1), ...i32eq, ...op.if, ...op.get(M), ...ret, ...op.end);
    c.push(...op.get(M), ...f32x4splat, ...op.set(TV));
    // the ties of m and the largest value below m
    c.push(...scan([...cnt(vs(TV, f32x4eq)), ...maxIf(vs(TV, f32x4lt))], [...sCnt(vs(M, f32eq)), ...sMaxIf(vs(M, f32lt))]));
    c.push(...op.get(NEED), ...op.i32(0), ...op.get(CNT), ...op.sub, ...i32leS, ...op.if, ...op.get(M), ...ret, ...op.end);
    c.push(...op.get(NEED), ...op.get(CNT), ...op.add, ...op.set(NEED), ...op.get(MXS), ...op.set(M), ...op.br(0), ...op.end, ...op.end);
  }
  c.push(...op.end);
  {
    // above t: the need-th smallest of the samples > t, need = kq − count + 1
    c.push(...op.get(KQ), ...op.get(CNT), ...op.add, ...op.i32(1), ...op.add, ...op.set(NEED), ...op.get(MNS), ...op.set(M));
    c.push(...op.get(NEED), ...op.i32(SELECT_MAX_NEED), ...i32gtS, ...op.if, ...f32const(NaN), ...ret, ...op.end);
    c.push(...op.block, ...op.loop);
    c.push(...op.get(NEED), ...op.i32(1), ...i32eq, ...op.if, ...op.get(M), ...ret, ...op.end);
    c.push(...op.get(M), ...f32x4splat, ...op.set(TV));
    c.push(...scan([...cnt(vs(TV, f32x4eq)), ...minIf(vs(TV, f32x4gt))], [...sCnt(vs(M, f32eq)), ...sMinIf(vs(M, f32gt))]));
    c.push(...op.get(NEED), ...op.i32(0), ...op.get(CNT), ...op.sub, ...i32leS, ...op.if, ...op.get(M), ...ret, ...op.end);
    c.push(...op.get(NEED), ...op.get(CNT), ...op.add, ...op.set(NEED), ...op.get(MNS), ...op.set(M), ...op.br(0), ...op.end, ...op.end);
  }
  c.push(...f32const(NaN));
  return body(locals, c);
}

/**
 * quantiles(desc, k0, nr, hint, nh, q) → i32: `select` for radii k = k0 … nr − 1 of the last samples, radius k
 * (descriptor at desc + 32k: N @8, kq @20, sample address @24) guessed from hint[k] (k < nh) or else from
 * q[k − 1], the result stored at q[k] (float32). Returns the first radius it leaves to JavaScript (no guess,
 * a guess too far off, or a zero result; nr when none): one call per profile instead of one per radius.
 */
function quantilesFunction(selectIndex: number): Bytes {
  const [DESC, K, NR, HINT, NH, Q] = [0, 1, 2, 3, 4, 5];
  const [E, T, R] = [6, 7, 8];
  const locals = [I32, F32, F32];
  const c: Bytes = [];
  c.push(...op.block, ...op.loop);
  c.push(...op.get(K), ...op.get(NR), ...op.ltS, ...op.eqz, ...op.brIf(1));
  c.push(...op.get(DESC), ...op.get(K), ...op.i32(5), ...op.shl, ...op.add, ...op.set(E));
  // the guess: hint[k], else q[k − 1] (k > 1), else none
  c.push(...op.get(K), ...op.get(NH), ...op.ltS, ...op.if);
  c.push(...op.get(HINT), ...op.get(K), ...op.i32(2), ...op.shl, ...op.add, ...f32load(0), ...op.set(T));
  c.push(...opElse);
  c.push(...op.get(K), ...op.i32(1), ...i32gtS, ...op.eqz, ...op.if, ...op.get(K), ...ret, ...op.end);
  c.push(...op.get(Q), ...op.get(K), ...op.i32(2), ...op.shl, ...op.add, ...op.i32(4), ...op.sub, ...f32load(0), ...op.set(T));
  c.push(...op.end);
  c.push(...op.get(T), ...op.get(T), ...f32eq, ...op.eqz, ...op.if, ...op.get(K), ...ret, ...op.end);
  c.push(...op.get(E), ...i32load(24), ...op.get(E), ...i32load(8), ...op.get(E), ...i32load(20), ...op.get(T), ...call(selectIndex), ...op.set(R));
  // NaN (too far off) or a zero (its sign is the heap's to choose): JavaScript
  c.push(...op.get(R), ...op.get(R), ...f32eq, ...op.eqz, ...op.if, ...op.get(K), ...ret, ...op.end);
  c.push(...op.get(R), ...f32const(0), ...f32eq, ...op.if, ...op.get(K), ...ret, ...op.end);
  c.push(...op.get(Q), ...op.get(K), ...op.i32(2), ...op.shl, ...op.add, ...op.get(R), ...f32store(0));
  c.push(...op.get(K), ...op.i32(1), ...op.add, ...op.set(K), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(NR));
  return body(locals, c);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module (once per process), or null without WebAssembly SIMD. */
function circleModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    if (typeof WebAssembly === "object") {
      const types = [
        [0x60, ...vec([[I32], [I32], [I32], [I32], [F64], [F64], [I32]]), 0x00],
        [0x60, ...vec([[I32], [I32]]), ...vec([[I32]])],
        [0x60, ...vec([[I32], [I32], [I32], [F32]]), ...vec([[F32]])],
        [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([[I32]])],
      ];
      const bytes = moduleBytes(
        types,
        [0, 1, 2, 3],
        [["samples", 0], ["nonFinite", 1], ["select", 2], ["quantiles", 3]],
        [samplesFunction(), nonFiniteFunction(), selectFunction(), quantilesFunction(2)],
      );
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    }
  } catch {
    compiled = null;
  }
  return compiled;
}

interface Exports {
  samples: (sm: number, w: number, desc: number, nr: number, cx: number, cy: number, out: number) => void;
  nonFinite: (ptr: number, end: number) => number;
  select: (p: number, n: number, kq: number, t: number) => number;
  quantiles: (desc: number, k0: number, nr: number, hint: number, nh: number, q: number) => number;
}

let sharedMemory: WebAssembly.Memory | null = null;
let sharedExports: Exports | null = null;

/**
 * The one memory and instance of the samplers, grown to `bytes`: a new sampler rewrites everything it
 * reads (descriptors, tables and their padding, image), so earlier contents never matter; it takes
 * a new generation, and older samplers report themselves not live (radialProfile then samples in
 * JavaScript). Reusing the memory avoids mapping ~20 MB afresh for every image.
 */
function shared(mod: WebAssembly.Module, bytes: number): { memory: WebAssembly.Memory; ex: Exports } {
  if (!sharedMemory || !sharedExports) {
    sharedMemory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    sharedExports = new WebAssembly.Instance(mod, { m: { mem: sharedMemory } }).exports as unknown as Exports;
  }
  const have = sharedMemory.buffer.byteLength;
  if (have < bytes) sharedMemory.grow(Math.ceil((bytes - have) / 65536));
  return { memory: sharedMemory, ex: sharedExports };
}
shared.generation = 0;

/** Samples of all circles of a radial profile, for one smoothed image, radius step and pixel size. */
export interface ProfileSampler {
  /** the image it holds a copy of (radialProfile checks it is given the same) */
  src: Float32Array;
  /** its copy (a view of the shared memory: read it only while the sampler is live) */
  image: Float32Array;
  w: number;
  h: number;
  pxUm: number;
  drUm: number;
  /** profiles of up to this many radii */
  nrMax: number;
  /** false once a newer sampler has taken over the (shared) memory: then it must not be used */
  live(): boolean;
  /** sample offset of radius k in `samples` (k = 1 … nrMax − 1; index 0 unused) */
  offsets: Int32Array;
  /**
   * Fill the samples of radii 1 … nr − 1 around (cx, cy) (pixels) and return the view holding them
   * (radius k from offsets[k], N_k values). The caller checks that the largest circle is inside.
   */
  sample(cx: number, cy: number, nr: number): Float32Array;
  /**
   * The N samples of one circle of radius rho around (cx, cy) (pixels; cos/sin of `trig(N)`), as `sampleCircle` in
   * migrasomes.ts computes them on a circle inside the image (the caller checks that it is), at the start of the
   * returned scratch view (rewritten by the next call); null when N is too large or the table space is used up.
   */
  circle(cx: number, cy: number, rho: number, N: number): Float32Array | null;
  /**
   * The kq-th smallest (0-based) of radius k's samples from the last `sample` call, given a guess t that
   * must be a float32 value (see `selectFunction`); NaN when the guess is too far off (select in JavaScript).
   */
  select(k: number, kq: number, t: number): number;
  /**
   * The rim quantiles (rank kq of `counts`) of radii k0 … nr − 1 of the last `sample` into q, each from the guess
   * hint[k] (k < hint length) or else q[k − 1] (see `quantilesFunction`; needs kq from `counts`). Returns the
   * first radius not decided (nr: all); q[k0 − 1] must hold that radius's value when k0 > 1.
   */
  quantiles(k0: number, nr: number, hint: Float32Array | null, q: Float32Array): number;
}

const align16 = (n: number) => (n + 15) & ~15;
/** space for the cos/sin tables of `circle` (about 200 tables of up to 300 samples) */
const EXTRA_TABLE_BYTES = 1 << 20;

/**
 * A sampler for `sm` (w × h) and radii k·drUm/pxUm, k < nrMax, with the sample counts `counts(k)`
 * and cos/sin tables `trig(N)` of migrasomes.ts; null when WebAssembly SIMD is not available or
 * the image has a non-finite pixel.
 */
export function profileSampler(
  sm: Float32Array,
  w: number,
  h: number,
  pxUm: number,
  drUm: number,
  nrMax: number,
  counts: (k: number) => { rho: number; N: number; kq?: number },
  trig: (N: number) => Float64Array,
): ProfileSampler | null {
  const mod = circleModule();
  if (!mod || nrMax < 2 || w * h !== sm.length) return null;
  // layout: descriptors | cos/sin tables | image | samples
  const descAt = 0;
  let at = align16(32 * (nrMax + 1));
  const tables = new Map<number, number>();
  const rho = new Float64Array(nrMax);
  const Ns = new Int32Array(nrMax);
  const kqs = new Int32Array(nrMax);
  const offsets = new Int32Array(nrMax + 1);
  let total = 0;
  for (let k = 1; k < nrMax; k++) {
    const c = counts(k);
    rho[k] = c.rho;
    Ns[k] = c.N;
    kqs[k] = c.kq ?? -1;
    offsets[k] = total;
    total += c.N;
    if (!tables.has(c.N)) {
      tables.set(c.N, at);
      at += align16(16 * (c.N + 2));
    }
  }
  offsets[nrMax] = total;
  const imgAt = at;
  const outAt = align16(imgAt + 4 * sm.length + 16);
  // the guesses and results of `quantiles` (nrMax float32 each)
  const hintAt = outAt + align16(4 * (total + 8));
  const qAt = hintAt + align16(4 * nrMax);
  // one more circle (`circle`): its descriptor (radius 1 of a second table), samples, and the cos/sin tables of
  // sample counts the profile radii do not use, made when first asked for
  const desc1At = qAt + align16(4 * nrMax);
  const circAt = desc1At + 64;
  const extraAt = circAt + align16(4 * (4096 + 8));
  const end = extraAt + EXTRA_TABLE_BYTES;
  const { memory, ex } = shared(mod, end);
  const generation = ++shared.generation;
  const buf = memory.buffer;
  const img = new Float32Array(buf, imgAt, sm.length);
  img.set(sm);
  const n4 = sm.length & ~3;
  if (ex.nonFinite(imgAt, imgAt + 4 * n4)) return null;
  for (let i = n4; i < sm.length; i++) if (!Number.isFinite(img[i])) return null;
  for (const [N, tAt] of tables) {
    writeTrigTable(buf, tAt, N, trig);
  }
  const dv = new DataView(buf);
  for (let k = 1; k < nrMax; k++) {
    const e = descAt + 32 * k;
    const tAt = tables.get(Ns[k]) as number;
    dv.setFloat64(e, rho[k], true);
    dv.setInt32(e + 8, Ns[k], true);
    dv.setInt32(e + 12, tAt, true);
    dv.setInt32(e + 16, tAt + 8 * (Ns[k] + 2), true);
    dv.setInt32(e + 20, kqs[k], true);
    dv.setInt32(e + 24, outAt + 4 * offsets[k], true);
  }
  const samples = new Float32Array(buf, outAt, total + 8);
  const withRanks = kqs.every((kq, k) => k === 0 || kq >= 0);
  const circ = new Float32Array(buf, circAt, 4096 + 8);
  const hintMem = new Float32Array(buf, hintAt, nrMax);
  const qMem = new Float32Array(buf, qAt, nrMax);
  return new WasmProfileSampler(sm, img, w, h, pxUm, drUm, nrMax, offsets, generation, ex, imgAt, descAt, outAt, samples, desc1At, circAt, circ, dv, withRanks, hintMem, hintAt, qMem, qAt, buf, tables, extraAt, trig);
}

/**
 * The sampler of `profileSampler` as a class: its methods live on the prototype, so that code calling them is not
 * specialised on one image's closures (V8 discarded such code after every image, when the closures died).
 */
class WasmProfileSampler implements ProfileSampler {
  private extraUsed = 0;
  constructor(
    readonly src: Float32Array,
    readonly image: Float32Array,
    readonly w: number,
    readonly h: number,
    readonly pxUm: number,
    readonly drUm: number,
    readonly nrMax: number,
    readonly offsets: Int32Array,
    private readonly generation: number,
    private readonly ex: Exports,
    private readonly imgAt: number,
    private readonly descAt: number,
    private readonly outAt: number,
    private readonly samples: Float32Array,
    private readonly desc1At: number,
    private readonly circAt: number,
    private readonly circ: Float32Array,
    private readonly dv: DataView,
    private readonly withRanks: boolean,
    private readonly hintMem: Float32Array,
    private readonly hintAt: number,
    private readonly qMem: Float32Array,
    private readonly qAt: number,
    private readonly buf: ArrayBuffer,
    private readonly tables: Map<number, number>,
    private readonly extraAt: number,
    private readonly trig: (N: number) => Float64Array,
  ) {}
  live(): boolean {
    return this.generation === shared.generation;
  }
  sample(cx: number, cy: number, nr: number): Float32Array {
    this.ex.samples(this.imgAt, this.w, this.descAt, nr, cx, cy, this.outAt);
    return this.samples;
  }
  private tableAt(N: number): number {
    const have = this.tables.get(N);
    if (have !== undefined) return have;
    const bytes = align16(16 * (N + 2));
    if (this.extraUsed + bytes > EXTRA_TABLE_BYTES) return -1;
    const tAt = this.extraAt + this.extraUsed;
    this.extraUsed += bytes;
    writeTrigTable(this.buf, tAt, N, this.trig);
    this.tables.set(N, tAt);
    return tAt;
  }
  circle(cx: number, cy: number, rho: number, N: number): Float32Array | null {
    if (N > 4096) return null;
    const tAt = this.tableAt(N);
    if (tAt < 0) return null;
    const e = this.desc1At + 32;
    const dv = this.dv;
    dv.setFloat64(e, rho, true);
    dv.setInt32(e + 8, N, true);
    dv.setInt32(e + 12, tAt, true);
    dv.setInt32(e + 16, tAt + 8 * (N + 2), true);
    this.ex.samples(this.imgAt, this.w, this.desc1At, 2, cx, cy, this.circAt);
    return this.circ;
  }
  select(k: number, kq: number, t: number): number {
    const offsets = this.offsets;
    return this.ex.select(this.outAt + 4 * offsets[k], offsets[k + 1] - offsets[k], kq, t);
  }
  quantiles(k0: number, nr: number, hint: Float32Array | null, q: Float32Array): number {
    // (without ranks from `counts`, nothing is decided here)
    if (!this.withRanks) return k0;
    const nh = hint ? Math.min(hint.length, nr) : 0;
    if (hint && nh > 0) this.hintMem.set(hint.subarray(0, nh));
    if (k0 > 1) this.qMem[k0 - 1] = q[k0 - 1];
    const k = this.ex.quantiles(this.descAt, k0, nr, this.hintAt, nh, this.qAt);
    for (let j = k0; j < k; j++) q[j] = this.qMem[j];
    return k;
  }
}

/** The cos and sin of N directions (`trig(N)`) at byte tAt of buf, each followed by two padding entries (read by the
 * spare lane of an odd N): zero, a sample at the centre. */
function writeTrigTable(buf: ArrayBuffer, tAt: number, N: number, trig: (N: number) => Float64Array): void {
  const t = trig(N);
  const cos = new Float64Array(buf, tAt, N + 2);
  const sin = new Float64Array(buf, tAt + 8 * (N + 2), N + 2);
  for (let a = 0; a < N; a++) {
    cos[a] = t[2 * a];
    sin[a] = t[2 * a + 1];
  }
  cos[N] = cos[N + 1] = sin[N] = sin[N + 1] = 0;
}
