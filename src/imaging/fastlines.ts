/**
 * The row passes of the line filter's steep sums (`steepSums`, `steepSumsPair` in lines.ts) in
 * WebAssembly SIMD, bit-identical to the JavaScript loops: the line sums are float32, four pixels per f32x4
 * vector, each lane doing exactly the scalar code's float32 operations in its order (the capped second
 * derivative added to the running line sums, the window difference times the gain; the JavaScript rounds each
 * with Math.fround), and its comparisons as lane masks (`v > cp ? cp : v` is pmin(v, cp); `z1 >= z2 ? z1 : z2`
 * and the update of the best response and its orientation are bit selects). The gain is branch-free selection:
 * in JavaScript those comparisons are data-dependent branches that noise makes unpredictable.
 *
 * The caller (lines.ts) lays the planes, the best-response rows and the line sums out in this module's
 * memory, which is scratch: every call rewrites all it reads (results never depend on earlier calls). That memory
 * is the pipeline's shared stage scratch (stagescratch.ts), which later stages borrow between line filter calls.
 */

import { body, type Bytes, demote, F32, f32x4add, f32x4ge, f32x4gt, f32x4lt, f32x4mul, f32x4pmin, f32x4splat, f32x4sub, F64, f64x2add, f64x2mul, f64x2splat, f64x2sub, I32, load64zero, moduleBytes, nonFiniteFunction, op, promote, store64lane0, uleb, V128, v128load, vec } from "./fastwasm.ts";
import { stageMemory, stageScratchBorrowed } from "./stagescratch.ts";

const bitselect = op.simd(0x52); // (v1 & c) | (v2 & ~c)
const i8x16splat = op.simd(0x0f);
const v128store = (off: number) => op.simd(0x0b, 4, ...uleb(off));
const load32zero = (off: number) => op.simd(0x5c, 2, ...uleb(off));
const store32lane0 = (off: number) => op.simd(0x5a, 2, ...uleb(off), 0);
const load16lane0 = (off: number) => op.simd(0x55, 1, ...uleb(off), 0);
const store16lane0 = (off: number) => op.simd(0x59, 1, ...uleb(off), 0);
const load8lane0 = (off: number) => op.simd(0x54, 0, ...uleb(off), 0);
const store8lane0 = (off: number) => op.simd(0x58, 0, ...uleb(off), 0);
const v128zero = op.simd(0x0c, ...Array(16).fill(0));
const f64const = (v: number): Bytes => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];

/** Memory access of one step: two pixels (vector) or the last one of an odd row (lane 0). */
interface Access {
  f32: (ptr: number) => Bytes; // two float32 → f64x2
  f64: (ptr: number) => Bytes; // two doubles
  f64store: (ptr: number, value: Bytes) => Bytes;
  f32store: (ptr: number, value: Bytes) => Bytes; // value: f64x2, stored as float32
  u8: (ptr: number, into: Bytes) => Bytes; // bytes into lanes 0 (and 1) of `into`
  u8store: (ptr: number, value: Bytes) => Bytes;
  /** pixels per step */
  n: number;
}
const PAIR: Access = {
  f32: (p) => [...op.get(p), ...load64zero(0), ...promote],
  f64: (p) => [...op.get(p), ...v128load(0)],
  f64store: (p, v) => [...op.get(p), ...v, ...v128store(0)],
  f32store: (p, v) => [...op.get(p), ...v, ...demote, ...store64lane0(0)],
  u8: (p, into) => [...op.get(p), ...into, ...load16lane0(0)],
  u8store: (p, v) => [...op.get(p), ...v, ...store16lane0(0)],
  n: 2,
};
const LAST: Access = {
  f32: (p) => [...op.get(p), ...load32zero(0), ...promote],
  f64: (p) => [...op.get(p), ...load64zero(0)],
  f64store: (p, v) => [...op.get(p), ...v, ...store64lane0(0)],
  f32store: (p, v) => [...op.get(p), ...v, ...demote, ...store32lane0(0)],
  u8: (p, into) => [...op.get(p), ...into, ...load8lane0(0)],
  u8store: (p, v) => [...op.get(p), ...v, ...store8lane0(0)],
  n: 1,
};

/**
 * Loop over n pixels: `step(acc)` for each pair, then once for an odd last pixel; the pointer locals
 * advance by their element size (bytes) per pixel.
 */
function pixelLoop(N: number, ptrs: [number, number][], step: (a: Access) => Bytes): Bytes {
  const advance = (k: number) => ptrs.flatMap(([p, size]) => [...op.get(p), ...op.i32(size * k), ...op.add, ...op.set(p)]);
  const c: Bytes = [];
  // while n ≥ 2
  c.push(...op.block, ...op.loop, ...op.get(N), ...op.i32(2), ...op.ltS, ...op.brIf(1));
  c.push(...step(PAIR), ...advance(2), ...op.get(N), ...op.i32(2), ...op.sub, ...op.set(N), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(N), ...op.if, ...step(LAST), ...op.end);
  return c;
}

/** Memory access of one float32 step: four pixels (vector) or one (lane 0). */
interface Access32 {
  f32: (ptr: number) => Bytes;
  f32store: (ptr: number, value: Bytes) => Bytes;
  u8: (ptr: number, into: Bytes) => Bytes;
  u8store: (ptr: number, value: Bytes) => Bytes;
  n: number;
}
const QUAD: Access32 = {
  f32: (p) => [...op.get(p), ...v128load(0)],
  f32store: (p, v) => [...op.get(p), ...v, ...v128store(0)],
  u8: (p) => [...op.get(p), ...load32zero(0)],
  u8store: (p, v) => [...op.get(p), ...v, ...store32lane0(0)],
  n: 4,
};
const ONE: Access32 = {
  f32: (p) => [...op.get(p), ...load32zero(0)],
  f32store: (p, v) => [...op.get(p), ...v, ...store32lane0(0)],
  u8: (p, into) => [...op.get(p), ...into, ...load8lane0(0)],
  u8store: (p, v) => [...op.get(p), ...v, ...store8lane0(0)],
  n: 1,
};

/** Loop over n pixels: `step(QUAD)` while four remain, then `step(ONE)` per remaining pixel; pointers advance by size·pixels. */
function quadLoop(N: number, ptrs: [number, number][], step: (a: Access32) => Bytes): Bytes {
  const advance = (k: number) => ptrs.flatMap(([p, size]) => [...op.get(p), ...op.i32(size * k), ...op.add, ...op.set(p)]);
  const c: Bytes = [];
  for (const [m, k] of [[QUAD, 4], [ONE, 1]] as [Access32, number][]) {
    c.push(...op.block, ...op.loop, ...op.get(N), ...op.i32(k), ...op.ltS, ...op.brIf(1));
    c.push(...step(m), ...advance(k), ...op.get(N), ...op.i32(k), ...op.sub, ...op.set(N), ...op.br(0), ...op.end, ...op.end);
  }
  return c;
}

const demoteScalar = [0xb6];
/** bytes 0 … 3 ← bytes 0, 4, 8, 12 (32-bit lane masks as byte masks) */
const quadBytes = op.simd(0x0d, 0, 4, 8, 12, ...Array(12).fill(0));

/**
 * accumulate(xx, yy, xy, u, n, r, q, a, b, d, clip, nb) / accumulatePair(xx, yy, xy, u, n, r1, r2, q1, q2, a, b, d,
 * clip, nb): one row of the capped cross-line second derivative added to the float32 line sums of the previous row at
 * q1 (and q2 for the mirror slope), stored at r1 (r2), every operation in float32 (the f64 parameters are float32
 * values): pair: base = a·X + d·Y, v1,2 = base ± b·Z; single: v = a·X + b·Z + d·Y; cp = U < 0 ? nb·U : clip·U
 * (nb = −blobCap); sum = prev + (v > cp ? cp : v) (q = r: in place). Byte addresses; n pixels, four per step.
 */
function accumulate32Function(pair: boolean): Bytes {
  const [XX, YY, XY, U, N, R1] = [0, 1, 2, 3, 4, 5];
  const R2 = pair ? 6 : -1;
  const Q1 = pair ? 7 : 6;
  const Q2 = pair ? 8 : -1;
  const P = pair ? 9 : 7;
  const [A, B, D, CLIP, NB] = [P, P + 1, P + 2, P + 3, P + 4];
  const L = P + 5;
  const [AV, BV, DV, CLIPV, NBV, X, Y, Z, UV, CP, BASE, BZ] = Array.from({ length: 12 }, (_, i) => L + i);
  const locals = Array(12).fill(V128);
  const c: Bytes = [];
  for (const [s, v] of [[A, AV], [B, BV], [D, DV], [CLIP, CLIPV], [NB, NBV]]) c.push(...op.get(s), ...demoteScalar, ...f32x4splat, ...op.set(v));
  const capped = (v: Bytes) => [...v, ...op.get(CP), ...f32x4pmin];
  const step = (m: Access32): Bytes => {
    const s: Bytes = [];
    s.push(...m.f32(XX), ...op.set(X), ...m.f32(YY), ...op.set(Y), ...m.f32(XY), ...op.set(Z), ...m.f32(U), ...op.set(UV));
    s.push(...op.get(NBV), ...op.get(UV), ...f32x4mul, ...op.get(CLIPV), ...op.get(UV), ...f32x4mul, ...op.get(UV), ...v128zero, ...f32x4lt, ...bitselect, ...op.set(CP));
    if (pair) {
      s.push(...op.get(AV), ...op.get(X), ...f32x4mul, ...op.get(DV), ...op.get(Y), ...f32x4mul, ...f32x4add, ...op.set(BASE));
      s.push(...op.get(BV), ...op.get(Z), ...f32x4mul, ...op.set(BZ));
      s.push(...m.f32store(R1, [...m.f32(Q1), ...capped([...op.get(BASE), ...op.get(BZ), ...f32x4add]), ...f32x4add]));
      s.push(...m.f32store(R2, [...m.f32(Q2), ...capped([...op.get(BASE), ...op.get(BZ), ...f32x4sub]), ...f32x4add]));
    } else {
      const v = [...op.get(AV), ...op.get(X), ...f32x4mul, ...op.get(BV), ...op.get(Z), ...f32x4mul, ...f32x4add, ...op.get(DV), ...op.get(Y), ...f32x4mul, ...f32x4add];
      s.push(...m.f32store(R1, [...m.f32(Q1), ...capped(v), ...f32x4add]));
    }
    return s;
  };
  const ptrs: [number, number][] = [[XX, 4], [YY, 4], [XY, 4], [U, 4], [R1, 4], [Q1, 4]];
  if (pair) ptrs.push([R2, 4], [Q2, 4]);
  c.push(...quadLoop(N, ptrs, step));
  return body(locals, c);
}

/**
 * window(hi, lo, best, bestK, n, g, k) / windowPair(hi1, lo1, hi2, lo2, best, bestK, n, g1, g2, k1, k2): one output
 * row: z = (hi − lo)·g per line sum in float32 (lo: a zero row before the window is full); pair: zb = z1 ≥ z2 ? z1 :
 * z2, and where zb > best: best = zb, bestK = z1 ≥ z2 ? k1 : k2 (single: z, k). init: the first sweep over rows not
 * yet written: best and bestK are taken as 0 (what zeroed rows hold) instead of read, and every pixel is written.
 */
function window32Function(pair: boolean, init = false): Bytes {
  const [HI1, LO1] = [0, 1];
  const [HI2, LO2] = pair ? [2, 3] : [-1, -1];
  const BEST = pair ? 4 : 2;
  const [BK, N, G1] = [BEST + 1, BEST + 2, BEST + 3];
  const G2 = pair ? G1 + 1 : -1;
  const K1 = pair ? G1 + 2 : G1 + 1;
  const K2 = pair ? K1 + 1 : -1;
  const L = (pair ? K2 : K1) + 1;
  const [G1V, G2V, K1V, K2V, Z1, Z2, GE, ZB, CUR, WIN] = Array.from({ length: 10 }, (_, i) => L + i);
  const locals = Array(10).fill(V128);
  const c: Bytes = [...op.get(G1), ...demoteScalar, ...f32x4splat, ...op.set(G1V), ...op.get(K1), ...i8x16splat, ...op.set(K1V)];
  if (pair) c.push(...op.get(G2), ...demoteScalar, ...f32x4splat, ...op.set(G2V), ...op.get(K2), ...i8x16splat, ...op.set(K2V));
  const step = (m: Access32): Bytes => {
    const s: Bytes = [];
    s.push(...m.f32(HI1), ...m.f32(LO1), ...f32x4sub, ...op.get(G1V), ...f32x4mul, ...op.set(Z1));
    if (pair) {
      s.push(...m.f32(HI2), ...m.f32(LO2), ...f32x4sub, ...op.get(G2V), ...f32x4mul, ...op.set(Z2));
      s.push(...op.get(Z1), ...op.get(Z2), ...f32x4ge, ...op.set(GE));
      s.push(...op.get(Z1), ...op.get(Z2), ...op.get(GE), ...bitselect, ...op.set(ZB));
    } else s.push(...op.get(Z1), ...op.set(ZB));
    s.push(...(init ? v128zero : m.f32(BEST)), ...op.set(CUR), ...op.get(ZB), ...op.get(CUR), ...f32x4gt, ...op.set(WIN));
    s.push(...m.f32store(BEST, [...op.get(ZB), ...op.get(CUR), ...op.get(WIN), ...bitselect]));
    const kz = pair ? [...op.get(K1V), ...op.get(K2V), ...op.get(GE), ...op.get(GE), ...quadBytes, ...bitselect] : op.get(K1V);
    s.push(...m.u8store(BK, [...kz, ...(init ? v128zero : m.u8(BK, v128zero)), ...op.get(WIN), ...op.get(WIN), ...quadBytes, ...bitselect]));
    return s;
  };
  const ptrs: [number, number][] = [[HI1, 4], [LO1, 4], [BEST, 4], [BK, 1]];
  if (pair) ptrs.push([HI2, 4], [LO2, 4]);
  c.push(...quadLoop(N, ptrs, step));
  return body(locals, c);
}

/**
 * transpose(src, dst, W, H, W4, H4): the W4 × H4 corner (multiples of 4) of the W × H float32 plane at src
 * into the H × W plane at dst (dst[x·H + y] = src[y·W + x]), in 4 × 4 blocks (four row loads, eight lane
 * shuffles, four row stores; bits copied, no arithmetic), in strips of 64 columns so that the destination
 * rows a strip writes stay in the cache. The caller copies the remaining edge strips.
 */
function transposeFunction(): Bytes {
  const [SRC, DST, W, H, W4, H4] = [0, 1, 2, 3, 4, 5];
  const [X0, XE, YB, XB, S, D, SW, DH] = [6, 7, 8, 9, 10, 11, 12, 13];
  const [R0, R1, R2, R3, T0, T1, T2, T3] = [14, 15, 16, 17, 18, 19, 20, 21];
  const locals = [...Array(8).fill(I32), ...Array(8).fill(V128)];
  const shuf = (a: number, b: number, lanes: number[]) => [...op.get(a), ...op.get(b), ...op.simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]))];
  const c: Bytes = [];
  c.push(...op.get(W), ...op.i32(4), ...op.mul, ...op.set(SW), ...op.get(H), ...op.i32(4), ...op.mul, ...op.set(DH));
  c.push(...op.i32(0), ...op.set(X0));
  c.push(...op.block, ...op.loop, ...op.get(X0), ...op.get(W4), ...op.geU, ...op.brIf(1));
  c.push(...op.get(X0), ...op.i32(64), ...op.add, ...op.set(XE), ...op.get(XE), ...op.get(W4), ...op.get(XE), ...op.get(W4), ...op.ltS, ...op.select, ...op.set(XE));
  c.push(...op.i32(0), ...op.set(YB));
  c.push(...op.block, ...op.loop, ...op.get(YB), ...op.get(H4), ...op.geU, ...op.brIf(1));
  c.push(...op.get(X0), ...op.set(XB));
  c.push(...op.block, ...op.loop, ...op.get(XB), ...op.get(XE), ...op.geU, ...op.brIf(1));
  // four source rows of the block
  c.push(...op.get(YB), ...op.get(W), ...op.mul, ...op.get(XB), ...op.add, ...op.i32(4), ...op.mul, ...op.get(SRC), ...op.add, ...op.tee(S), ...v128load(0), ...op.set(R0));
  for (const R of [R1, R2, R3]) c.push(...op.get(S), ...op.get(SW), ...op.add, ...op.tee(S), ...v128load(0), ...op.set(R));
  // rows a, b, c, d → columns: t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3
  c.push(...shuf(R0, R1, [0, 4, 1, 5]), ...op.set(T0), ...shuf(R0, R1, [2, 6, 3, 7]), ...op.set(T1));
  c.push(...shuf(R2, R3, [0, 4, 1, 5]), ...op.set(T2), ...shuf(R2, R3, [2, 6, 3, 7]), ...op.set(T3));
  c.push(...op.get(XB), ...op.get(H), ...op.mul, ...op.get(YB), ...op.add, ...op.i32(4), ...op.mul, ...op.get(DST), ...op.add, ...op.tee(D), ...shuf(T0, T2, [0, 1, 4, 5]), ...v128store(0));
  const cols: [number, number, number[]][] = [[T0, T2, [2, 3, 6, 7]], [T1, T3, [0, 1, 4, 5]], [T1, T3, [2, 3, 6, 7]]];
  for (const [a, b, l] of cols) c.push(...op.get(D), ...op.get(DH), ...op.add, ...op.tee(D), ...shuf(a, b, l), ...v128store(0));
  c.push(...op.get(XB), ...op.i32(4), ...op.add, ...op.set(XB), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(YB), ...op.i32(4), ...op.add, ...op.set(YB), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(X0), ...op.i32(64), ...op.add, ...op.set(X0), ...op.br(0), ...op.end, ...op.end);
  return body(locals, c);
}

/**
 * merge(best, bestK, bTr, bKT, nz, z, kOut, W, H): the better of the two orientation sets per pixel, as
 * lines.ts `mergeSets` (bTr: the transposed set's best responses back in rows; bKT: its orientations, still
 * transposed): win = t > b; z = float32(double(win ? t : b) / double(nz)); kOut = win ? bKT[x·H + y] : bestK.
 * Four pixels per step in f32x4 (a float32 quotient rounded once is the double quotient of the same floats
 * rounded to float32: double carries more than 2·24 + 2 bits, so the double rounding is innocuous), the four
 * transposed orientation bytes gathered into lanes; the row's last W mod 4 pixels scalar, with selects.
 */
function mergeFunction(): Bytes {
  const [PB, PK, PT, KT0, PN, PZ, PO, W, H] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [Y, X, KT, WIN] = [9, 10, 11, 12];
  const [T, B] = [13, 14];
  const [VT, VB, VW, VK] = [15, 16, 17, 18];
  const locals = [I32, I32, I32, I32, F32, F32, V128, V128, V128, V128];
  const f32gt = [0x5e];
  const f64div = [0xa3];
  const promoteF32 = [0xbb];
  const demoteF64 = [0xb6];
  const load8u = [0x2d, 0, 0];
  const store8 = [0x3a, 0, 0];
  const f32x4gt = op.simd(0x44);
  const f32x4div = op.simd(0xe7);
  const load8lane = (lane: number) => op.simd(0x54, 0, 0, lane);
  /** bytes 0 … 3 ← bytes 0, 4, 8, 12 (a 32-bit lane mask as byte masks) */
  const maskBytes = op.simd(0x0d, 0, 4, 8, 12, ...Array(12).fill(0));
  const adv = (p: number, k: number) => [...op.get(p), ...op.i32(k), ...op.add, ...op.set(p)];
  const c: Bytes = [...op.i32(0), ...op.set(Y)];
  c.push(...op.block, ...op.loop, ...op.get(Y), ...op.get(H), ...op.geU, ...op.brIf(1));
  c.push(...op.get(KT0), ...op.get(Y), ...op.add, ...op.set(KT), ...op.i32(0), ...op.set(X));
  // four pixels per step while x + 4 ≤ W
  c.push(...op.block, ...op.loop, ...op.get(X), ...op.i32(4), ...op.add, ...op.get(W), ...op.gtS, ...op.brIf(1));
  c.push(...op.get(PT), ...v128load(0), ...op.set(VT), ...op.get(PB), ...v128load(0), ...op.set(VB));
  c.push(...op.get(VT), ...op.get(VB), ...f32x4gt, ...op.set(VW));
  c.push(...op.get(PZ), ...op.get(VT), ...op.get(VB), ...op.get(VW), ...bitselect, ...op.get(PN), ...v128load(0), ...f32x4div, ...v128store(0));
  c.push(...op.get(KT), ...v128zero, ...load8lane(0), ...op.set(VK));
  for (let l = 1; l < 4; l++) c.push(...op.get(KT), ...op.get(H), ...op.i32(l), ...op.mul, ...op.add, ...op.get(VK), ...load8lane(l), ...op.set(VK));
  c.push(...op.get(PO), ...op.get(VK), ...op.get(PK), ...load32zero(0), ...op.get(VW), ...op.get(VW), ...maskBytes, ...bitselect, ...store32lane0(0));
  c.push(...adv(PB, 16), ...adv(PT, 16), ...adv(PN, 16), ...adv(PZ, 16), ...adv(PK, 4), ...adv(PO, 4));
  c.push(...op.get(KT), ...op.get(H), ...op.i32(4), ...op.mul, ...op.add, ...op.set(KT), ...adv(X, 4), ...op.br(0), ...op.end, ...op.end);
  // the rest one by one
  c.push(...op.block, ...op.loop, ...op.get(X), ...op.get(W), ...op.geU, ...op.brIf(1));
  c.push(...op.get(PT), ...op.f32load(0), ...op.set(T), ...op.get(PB), ...op.f32load(0), ...op.set(B));
  c.push(...op.get(T), ...op.get(B), ...f32gt, ...op.set(WIN));
  c.push(...op.get(PZ), ...op.get(T), ...op.get(B), ...op.get(WIN), ...op.select, ...promoteF32, ...op.get(PN), ...op.f32load(0), ...promoteF32, ...f64div, ...demoteF64, ...op.f32store(0));
  c.push(...op.get(PO), ...op.get(KT), ...load8u, ...op.get(PK), ...load8u, ...op.get(WIN), ...op.select, ...store8);
  c.push(...adv(PB, 4), ...adv(PT, 4), ...adv(PN, 4), ...adv(PZ, 4), ...adv(PK, 1), ...adv(PO, 1));
  c.push(...op.get(KT), ...op.get(H), ...op.add, ...op.set(KT), ...adv(X, 1), ...op.br(0), ...op.end, ...op.end);
  c.push(...adv(Y, 1), ...op.br(0), ...op.end, ...op.end);
  return body(locals, c);
}

/**
 * hessian(pu, pc, pd, xx, yy, xy, n): one row of lines.ts `hessianPlanes` (n interior pixels): pc points at the
 * pixel left of the first one, pu / pd at the same column one row up / down; per pixel, in doubles:
 * xx = s[i+1] − 2·c + s[i−1], yy = s[i+W] − 2·c + s[i−W], xy = 0.25·(s[i+W+1] − s[i+W−1] − s[i−W+1] + s[i−W−1]),
 * stored as float32.
 */
function hessianFunction(): Bytes {
  const [PU, PC, PD, XX, YY, XY, N] = [0, 1, 2, 3, 4, 5, 6];
  const [C2, Q, C] = [7, 8, 9];
  const locals = [V128, V128, V128];
  const c: Bytes = [...f64const(2), ...f64x2splat, ...op.set(C2), ...f64const(0.25), ...f64x2splat, ...op.set(Q)];
  const step = (m: Access): Bytes => {
    const ld = (p: number, off: number) => [...op.get(p), ...(m.n === 2 ? load64zero(off) : load32zero(off)), ...promote];
    const s: Bytes = [];
    s.push(...op.get(C2), ...ld(PC, 4), ...f64x2mul, ...op.set(C));
    s.push(...m.f32store(XX, [...ld(PC, 8), ...op.get(C), ...f64x2sub, ...ld(PC, 0), ...f64x2add]));
    s.push(...m.f32store(YY, [...ld(PD, 4), ...op.get(C), ...f64x2sub, ...ld(PU, 4), ...f64x2add]));
    s.push(...m.f32store(XY, [...op.get(Q), ...ld(PD, 8), ...ld(PD, 0), ...f64x2sub, ...ld(PU, 8), ...f64x2sub, ...ld(PU, 0), ...f64x2add, ...f64x2mul]));
    return s;
  };
  c.push(...pixelLoop(N, [[PU, 4], [PC, 4], [PD, 4], [XX, 4], [YY, 4], [XY, 4]], step));
  return body(locals, c);
}

/**
 * blobs(xx, yy, xy, u, nz, n, list, g1, blobZ) → count: lines.ts `blobNoise`'s first loop: u = g1·nz (double,
 * stored as float32) and the blob test in doubles, m = 0.5·(xx + yy), q = −m − blobZ·u, hd = 0.5·(xx − yy),
 * blob where q > 0 and hd·hd + xy·xy < q·q; the blob pixels' indices listed in order (branch-free: every index
 * is written at the list's end, which advances only at blobs, so the list needs room for n).
 */
function blobsFunction(): Bytes {
  const [XX, YY, XY, U, NZ, N, LIST, G1, BZ] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [I, CNT, P, UI, XXI, YYI, Q, HD, XYI] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
  const locals = [I32, I32, I32, F64, F64, F64, F64, F64, F64];
  const [f64add, f64sub, f64mul, f64neg, f64gt, f64lt, promoteF32, demoteF64, i32and] = [[0xa0], [0xa1], [0xa2], [0x9a], [0x64], [0x63], [0xbb], [0xb6], [0x71]];
  const i32store = [0x36, 2, 0];
  const ld = (base: number) => [...op.get(base), ...op.get(P), ...op.add, ...op.f32load(0), ...promoteF32];
  const half = (a: number, b: number, o: Bytes) => [...f64const(0.5), ...op.get(a), ...op.get(b), ...o, ...f64mul];
  const c: Bytes = [...op.block, ...op.loop, ...op.get(I), ...op.get(N), ...op.geU, ...op.brIf(1)];
  c.push(...op.get(I), ...op.i32(4), ...op.mul, ...op.set(P));
  c.push(...op.get(G1), ...ld(NZ), ...f64mul, ...op.set(UI));
  c.push(...op.get(U), ...op.get(P), ...op.add, ...op.get(UI), ...demoteF64, ...op.f32store(0));
  c.push(...ld(XX), ...op.set(XXI), ...ld(YY), ...op.set(YYI), ...ld(XY), ...op.set(XYI));
  c.push(...half(XXI, YYI, f64add), ...f64neg, ...op.get(BZ), ...op.get(UI), ...f64mul, ...f64sub, ...op.set(Q));
  c.push(...half(XXI, YYI, f64sub), ...op.set(HD));
  c.push(...op.get(LIST), ...op.get(CNT), ...op.i32(4), ...op.mul, ...op.add, ...op.get(I), ...i32store);
  c.push(...op.get(CNT), ...op.get(Q), ...f64const(0), ...f64gt);
  c.push(...op.get(HD), ...op.get(HD), ...f64mul, ...op.get(XYI), ...op.get(XYI), ...f64mul, ...f64add, ...op.get(Q), ...op.get(Q), ...f64mul, ...f64lt);
  c.push(...i32and, ...op.add, ...op.set(CNT));
  c.push(...op.get(I), ...op.i32(1), ...op.add, ...op.set(I), ...op.br(0), ...op.end, ...op.end, ...op.get(CNT));
  return body(locals, c);
}

/**
 * resampleRow(r0, r1, x0s, x1s, fxs, out, n, fy): one row of lines.ts `resampleGrid`'s bilinear samples: for
 * each X < n, with x0, x1 (int32) and fx (double) from the tables, in doubles a = r0[x0] + fx·(r0[x1] − r0[x0]),
 * b likewise on row r1, out[X] = float32(a + fy·(b − a)).
 */
function resampleFunction(): Bytes {
  const [R0, R1, X0S, X1S, FXS, OUT, N, FY] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [X, O0, O1, FX, A0, A, B0, B] = [8, 9, 10, 11, 12, 13, 14, 15];
  const locals = [I32, I32, I32, F64, F64, F64, F64, F64];
  const [f64add, f64sub, f64mul, promoteF32, demoteF64] = [[0xa0], [0xa1], [0xa2], [0xbb], [0xb6]];
  const i32load = [0x28, 2, 0];
  const ld = (row: number, o: number) => [...op.get(row), ...op.get(o), ...op.add, ...op.f32load(0), ...promoteF32];
  const c: Bytes = [...op.block, ...op.loop, ...op.get(X), ...op.get(N), ...op.geU, ...op.brIf(1)];
  c.push(...op.get(X0S), ...op.get(X), ...op.i32(4), ...op.mul, ...op.add, ...i32load, ...op.i32(4), ...op.mul, ...op.set(O0));
  c.push(...op.get(X1S), ...op.get(X), ...op.i32(4), ...op.mul, ...op.add, ...i32load, ...op.i32(4), ...op.mul, ...op.set(O1));
  c.push(...op.get(FXS), ...op.get(X), ...op.i32(8), ...op.mul, ...op.add, ...op.f64load(0), ...op.set(FX));
  c.push(...ld(R0, O0), ...op.tee(A0), ...op.get(FX), ...ld(R0, O1), ...op.get(A0), ...f64sub, ...f64mul, ...f64add, ...op.set(A));
  c.push(...ld(R1, O0), ...op.tee(B0), ...op.get(FX), ...ld(R1, O1), ...op.get(B0), ...f64sub, ...f64mul, ...f64add, ...op.set(B));
  c.push(...op.get(OUT), ...op.get(X), ...op.i32(4), ...op.mul, ...op.add, ...op.get(A), ...op.get(FY), ...op.get(B), ...op.get(A), ...f64sub, ...f64mul, ...f64add, ...demoteF64, ...op.f32store(0));
  c.push(...op.get(X), ...op.i32(1), ...op.add, ...op.set(X), ...op.br(0), ...op.end, ...op.end);
  return body(locals, c);
}

export interface LinePasses {
  memory: WebAssembly.Memory;
  accumulatePair: (xx: number, yy: number, xy: number, u: number, n: number, r1: number, r2: number, q1: number, q2: number, a: number, b: number, d: number, clip: number, nb: number) => void;
  accumulate: (xx: number, yy: number, xy: number, u: number, n: number, r: number, q: number, a: number, b: number, d: number, clip: number, nb: number) => void;
  windowPair: (hi1: number, lo1: number, hi2: number, lo2: number, best: number, bestK: number, n: number, g1: number, g2: number, k1: number, k2: number) => void;
  window: (hi: number, lo: number, best: number, bestK: number, n: number, g: number, k: number) => void;
  /** windowPair / window over rows not yet written (as if zeroed) */
  windowPairInit: (hi1: number, lo1: number, hi2: number, lo2: number, best: number, bestK: number, n: number, g1: number, g2: number, k1: number, k2: number) => void;
  windowInit: (hi: number, lo: number, best: number, bestK: number, n: number, g: number, k: number) => void;
  nonFinite: (ptr: number, end: number) => number;
  transpose: (src: number, dst: number, W: number, H: number, W4: number, H4: number) => void;
  blobs: (xx: number, yy: number, xy: number, u: number, nz: number, n: number, list: number, g1: number, blobZ: number) => number;
  resampleRow: (r0: number, r1: number, x0s: number, x1s: number, fxs: number, out: number, n: number, fy: number) => void;
  hessian: (pu: number, pc: number, pd: number, xx: number, yy: number, xy: number, n: number) => void;
  merge: (best: number, bestK: number, bTr: number, bKT: number, nz: number, z: number, kOut: number, W: number, H: number) => void;
}

let instance: LinePasses | null | undefined;

/** The passes with their memory grown to `bytes`, or null without WebAssembly SIMD (or while the memory is borrowed). */
export function linePasses(bytes: number): LinePasses | null {
  if (instance === undefined) {
    instance = null;
    try {
      if (typeof WebAssembly === "object") {
        const i32s = (n: number) => Array.from({ length: n }, () => [I32]);
        const f64s = (n: number) => Array.from({ length: n }, () => [F64]);
        const types = [
          [0x60, ...vec([...i32s(9), ...f64s(5)]), 0x00], // accumulatePair
          [0x60, ...vec([...i32s(7), ...f64s(5)]), 0x00], // accumulate
          [0x60, ...vec([...i32s(7), ...f64s(2), ...i32s(2)]), 0x00], // windowPair
          [0x60, ...vec([...i32s(5), ...f64s(1), ...i32s(1)]), 0x00], // window
          [0x60, ...vec([[I32], [I32]]), ...vec([[I32]])], // nonFinite
          [0x60, ...vec(i32s(6)), 0x00], // transpose
          [0x60, ...vec(i32s(9)), 0x00], // merge
          [0x60, ...vec(i32s(7)), 0x00], // hessian
          [0x60, ...vec([...i32s(7), ...f64s(2)]), ...vec([[I32]])], // blobs
          [0x60, ...vec([...i32s(7), ...f64s(1)]), 0x00], // resampleRow
        ];
        const bytesOf = moduleBytes(
          types,
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3],
          [["accumulatePair", 0], ["accumulate", 1], ["windowPair", 2], ["window", 3], ["nonFinite", 4], ["transpose", 5], ["merge", 6], ["hessian", 7], ["blobs", 8], ["resampleRow", 9], ["windowPairInit", 10], ["windowInit", 11]],
          [accumulate32Function(true), accumulate32Function(false), window32Function(true), window32Function(false), nonFiniteFunction(), transposeFunction(), mergeFunction(), hessianFunction(), blobsFunction(), resampleFunction(), window32Function(true, true), window32Function(false, true)],
        );
        if (WebAssembly.validate(bytesOf)) {
          // the pipeline's shared stage scratch (stagescratch.ts): other stages borrow it between line filter calls
          const memory = stageMemory() as WebAssembly.Memory;
          const ex = new WebAssembly.Instance(new WebAssembly.Module(bytesOf), { m: { mem: memory } }).exports as unknown as Omit<LinePasses, "memory">;
          instance = { memory, ...ex };
        }
      }
    } catch {
      instance = null;
    }
  }
  // (while another stage has borrowed the memory its views must stay intact: the JavaScript loops instead)
  if (!instance || stageScratchBorrowed()) return null;
  const have = instance.memory.buffer.byteLength;
  if (have < bytes) instance.memory.grow(Math.ceil((bytes - have) / 65536));
  return instance;
}
