/**
 * The circles of the learned arm reader's input (`armNetInput` in armnet.ts) in WebAssembly, bit-identical to the
 * JavaScript there: per circle, the neighbours whose disc it crosses, then per direction the mask test, the
 * bilinear sample of the smoothed image (the same double operations in the same order, rounded to float32), the
 * circle's median (a branch-free quickselect: the same value as `selectK`), and the compression z / (2 + |z| / 4)
 * of z = (sample − median) · (1 / noise), again in doubles rounded to float32; the masked fraction per direction
 * adds 1 / K in doubles and rounds to float32 each time, as `x[i] += 1 / K` does on a Float32Array.
 *
 * With S samples per direction (`superSample`), the circle has NB · S samples (the tables, the row and the median's
 * copy hold NB · S), the masked fraction adds 1 / K / S per masked sample at its direction, and before the
 * compression each direction's S samples are reduced to their largest (NaN, masked, left out; all masked: NaN, a 0).
 *
 * Two cases are left to JavaScript (the kernel returns 1 and writes nothing the caller keeps): a NaN sample (the
 * order `selectK` visits NaN in decides its result) and a zero median (either zero may be the one `selectK` picks;
 * its sign reaches the output).
 *
 * Layout (bytes, in this module's own memory, fixed for a geometry of NB directions, K circles and up to NMAX
 * neighbours, S samples per direction): cos and sin tables (f64 × NB · S each), the neighbours' x, y, grown radius, its square and distance
 * (f64 × NMAX each), the hit list (i32 × NMAX), the radii (f64 × K), one circle's samples and their copy for the
 * median (f32 × NB · S each), the output (f32 × (K + 1) · NB: the K circles, then the masked fraction), then the image.
 */
import { anyTrue, body, demote, load64zero, F32, F64, f64x2add, f64x2mul, f64x2splat, f64x2sub, I32, moduleBytes, op, promote, store64lane0, type Bytes, uleb, V128, v128load, v128or, vec, i32x4splat, i32x4add, i32x4mul, i32x4shl, i32x4lane, truncSat, convertLow, load32zero, load32lane1, f64x2abs, f64x2lt, f64x2ge } from "./fastwasm.ts";

const f64const = (v: number): Bytes => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
const f32const = (v: number): Bytes => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
const f64load = (off: number): Bytes => [0x2b, 3, ...uleb(off)];
const f32load = (off: number): Bytes => [0x2a, 2, ...uleb(off)];
const f32store = (off: number): Bytes => [0x38, 2, ...uleb(off)];
const i32load = (off: number): Bytes => [0x28, 2, ...uleb(off)];
const i32store = (off: number): Bytes => [0x36, 2, ...uleb(off)];
const [f64add, f64sub, f64mul, f64div, f64abs, f64lt, f64ge, f64ne] = [[0xa0], [0xa1], [0xa2], [0xa3], [0x99], [0x63], [0x66], [0x62]];
const [f32eq, f32ne, f32lt, f32gt, f32min, f32max] = [[0x5b], [0x5c], [0x5d], [0x5e], [0x96], [0x97]];
const [i32and, i32or, i32shrU, i32ltU, i32divU] = [[0x71], [0x72], [0x76], [0x49], [0x6e]];
const [truncF64, convertI32, demoteF64, promoteF32] = [[0xaa], [0xb7], [0xb6], [0xbb]];
const ret = [0x0f];
const opElse = [0x05];
const call = (f: number): Bytes => [0x10, ...uleb(f)];
const f64x2div = op.simd(0xf3);
const f64x2eq = op.simd(0x47);
const f64x2ne = op.simd(0x48);
const v128and = op.simd(0x4e);
const v128andnot = op.simd(0x4f); // a & ~b
const bitselect = op.simd(0x52); // (a & c) | (b & ~c)
const i32x4allTrue = op.simd(0xa3);
const v128zero = op.simd(0x0c, ...Array(16).fill(0));

/** The memory layout for a geometry. */
export interface ArmInputLayout {
  NB: number;
  K: number;
  /** samples per direction */
  S: number;
  NMAX: number;
  cos: number;
  sin: number;
  nbX: number;
  nbY: number;
  nbR: number;
  nbR2: number;
  nbD: number;
  hit: number;
  radii: number;
  row: number;
  med: number;
  out: number;
  /** where the touch pass stores what it loaded */
  touch: number;
  image: number;
}

const align16 = (n: number) => (n + 15) & ~15;

export function armInputLayout(NB: number, K: number, NMAX: number, S = 1): ArmInputLayout {
  const NS = NB * S;
  let at = 0;
  const take = (bytes: number) => {
    const a = at;
    at = align16(at + bytes);
    return a;
  };
  return {
    NB,
    K,
    S,
    NMAX,
    cos: take(8 * NS),
    sin: take(8 * NS),
    nbX: take(8 * NMAX),
    nbY: take(8 * NMAX),
    nbR: take(8 * NMAX),
    nbR2: take(8 * NMAX),
    nbD: take(8 * NMAX),
    hit: take(4 * NMAX),
    radii: take(8 * K),
    row: take(4 * NS),
    med: take(4 * NS),
    out: take(4 * (K + 1) * NB),
    touch: take(16),
    image: take(0),
  };
}

/**
 * select(n, k, guess) → f32: the k-th smallest (0-based) of the n (> 0) float32 at L.med (reordered), none NaN.
 * Quickselect: pivot the median of the first, middle and last value (in the first pass the guess, unless NaN: the
 * previous circle's median, usually close, so that the rest is small); move the values below it to the front, then
 * those equal to it after them, by swaps whose step is the comparison's 0 / 1 (no branch on the data). A pass
 * around a guess that is no sample may leave the range as it was; the next pass pivots on a sample, and the guess
 * is returned only when a sample equals it.
 */
function selectFunction(L: ArmInputLayout): Bytes {
  const [N, KK, GUESS] = [0, 1, 2];
  const [LO, HI, F, G, I, A] = [3, 4, 5, 6, 7, 8];
  const [PIV, V, B] = [9, 10, 11];
  const M = L.med;
  const at = (idx: number) => [...op.get(idx), ...op.i32(2), ...op.shl]; // byte offset of index local
  const c: Bytes = [];
  c.push(...op.i32(0), ...op.set(LO), ...op.get(N), ...op.set(HI));
  c.push(...op.block, ...op.loop);
  {
    // while hi − lo > 1
    c.push(...op.get(HI), ...op.get(LO), ...op.sub, ...op.i32(2), ...op.ltS, ...op.brIf(1));
    // pivot = max(min(a, b), min(max(a, b), c))
    c.push(...at(LO), ...f32load(M), ...op.set(PIV));
    c.push(...op.get(LO), ...op.get(HI), ...op.add, ...op.i32(1), ...i32shrU, ...op.set(A), ...at(A), ...f32load(M), ...op.set(B));
    c.push(...op.get(PIV), ...op.get(B), ...f32min);
    c.push(...op.get(PIV), ...op.get(B), ...f32max, ...op.get(HI), ...op.i32(1), ...op.sub, ...op.set(A), ...at(A), ...f32load(M), ...f32min);
    c.push(...f32max, ...op.set(PIV));
    // the first pass around the guess instead, when there is one
    c.push(...op.get(GUESS), ...op.get(PIV), ...op.get(GUESS), ...op.get(GUESS), ...f32eq, ...op.select, ...op.set(PIV), ...f32const(NaN), ...op.set(GUESS));
    // values below the pivot to the front: f
    c.push(...op.get(LO), ...op.tee(F), ...op.set(I));
    c.push(...op.loop);
    c.push(...at(I), ...f32load(M), ...op.set(V));
    c.push(...at(I), ...at(F), ...f32load(M), ...f32store(M));
    c.push(...at(F), ...op.get(V), ...f32store(M));
    c.push(...op.get(F), ...op.get(V), ...op.get(PIV), ...f32lt, ...op.add, ...op.set(F));
    c.push(...op.get(I), ...op.i32(1), ...op.add, ...op.tee(I), ...op.get(HI), ...op.ltS, ...op.brIf(0), ...op.end);
    // k < f: the front
    c.push(...op.get(KK), ...op.get(F), ...op.ltS, ...op.if, ...op.get(F), ...op.set(HI), ...op.br(1), ...op.end);
    // values equal to the pivot next: g
    c.push(...op.get(F), ...op.tee(G), ...op.set(I));
    c.push(...op.loop);
    c.push(...at(I), ...f32load(M), ...op.set(V));
    c.push(...at(I), ...at(G), ...f32load(M), ...f32store(M));
    c.push(...at(G), ...op.get(V), ...f32store(M));
    c.push(...op.get(G), ...op.get(V), ...op.get(PIV), ...f32eq, ...op.add, ...op.set(G));
    c.push(...op.get(I), ...op.i32(1), ...op.add, ...op.tee(I), ...op.get(HI), ...op.ltS, ...op.brIf(0), ...op.end);
    c.push(...op.get(KK), ...op.get(G), ...op.ltS, ...op.if, ...op.get(PIV), ...ret, ...op.end);
    c.push(...op.get(G), ...op.set(LO), ...op.br(0));
  }
  c.push(...op.end, ...op.end);
  c.push(...at(KK), ...f32load(M));
  return body([I32, I32, I32, I32, I32, I32, F32, F32, F32], c);
}

/**
 * inputs(mx, my, pxUm, inv, maskStep, w, h, nN, tx0, tx1, ty0, ty1) → i32: the K circles and the masked fraction of
 * one migrasome at (mx, my) µm into L.out (which the caller zeroed), its neighbours (nN of them) and the radii in
 * their tables; tx0 … tx1 and ty0 … ty1 bound the pixels read (byte offsets within a row and of rows; they only
 * steer the touch pass, never the results). 0: done; 1: left to JavaScript (a NaN sample or a zero median).
 */
function inputsFunction(L: ArmInputLayout): Bytes {
  const [MX, MY, PX, INV, MSTEP, W, H, NN, TX0, TX1, TY0, TY1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const [K, Q, U, T, NHIT, N, P, X0, Y0, MASKED, OK] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const [R, XU, YU, DX, DY, PXF, PYF, FX, FY, V, Z, WM1, HM1, GX, GY] = [23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37];
  const [VF, MED, PREV, ACC, SV] = [38, 39, 71, 72, 73];
  const [QV, P0, P1, W4] = [40, 41, 42, 43];
  const [XU2, YU2, MSK, PXF2, PYF2, OKV, FX2, FY2, GX2, GY2, V2, IDX, D2] = [44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56];
  const [MX2, MY2, R2, PX2, HALF2, ZERO2, WM12, HM12, ONE2, WSPL, INV2, MED2, TWO2, FOUR2] = [57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70];
  const locals = [...Array(11).fill(I32), ...Array(15).fill(F64), F32, F32, ...Array(4).fill(I32), ...Array(27).fill(V128), F32, F32, F32];
  const NB = L.NB;
  const S = L.S;
  const NS = NB * S;
  const c: Bytes = [];
  /** the two lanes' pixels at byte offsets p0, p1 (+ off) of the image as f64x2 */
  const pair = (off: number): Bytes => [...op.get(P1), ...op.get(P0), ...load32zero(L.image + off), ...load32lane1(L.image + off), ...promote];
  /** one sample in scalar code: direction Q */
  const scalarSample = (): Bytes => {
    const c: Bytes = [];
    c.push(...op.get(MX), ...op.get(R), ...op.get(Q), ...op.i32(3), ...op.shl, ...f64load(L.cos), ...f64mul, ...f64add, ...op.set(XU));
    c.push(...op.get(MY), ...op.get(R), ...op.get(Q), ...op.i32(3), ...op.shl, ...f64load(L.sin), ...f64mul, ...f64add, ...op.set(YU));
    // masked by a neighbour crossing this circle
    c.push(...op.i32(0), ...op.set(MASKED), ...op.i32(0), ...op.set(U));
    c.push(...op.block, ...op.loop, ...op.get(U), ...op.get(NHIT), ...op.geU, ...op.brIf(1));
    c.push(...op.get(U), ...op.i32(2), ...op.shl, ...i32load(L.hit), ...op.set(T));
    c.push(...op.get(XU), ...op.get(T), ...f64load(L.nbX), ...f64sub, ...op.tee(DX), ...op.get(DX), ...f64mul);
    c.push(...op.get(YU), ...op.get(T), ...f64load(L.nbY), ...f64sub, ...op.tee(DY), ...op.get(DY), ...f64mul, ...f64add);
    c.push(...op.get(T), ...f64load(L.nbR2), ...f64lt, ...op.if, ...op.i32(1), ...op.set(MASKED), ...op.br(2), ...op.end);
    c.push(...op.get(U), ...op.i32(1), ...op.add, ...op.set(U), ...op.br(0), ...op.end, ...op.end);
    c.push(...op.get(XU), ...op.get(PX), ...f64div, ...f64const(0.5), ...f64sub, ...op.set(PXF));
    c.push(...op.get(YU), ...op.get(PX), ...f64div, ...f64const(0.5), ...f64sub, ...op.set(PYF));
    // inside: px ≥ 0, py ≥ 0, px < w − 1, py < h − 1 (false for NaN, as in JavaScript)
    c.push(...op.get(PXF), ...f64const(0), ...f64ge, ...op.get(PYF), ...f64const(0), ...f64ge, ...i32and);
    c.push(...op.get(PXF), ...op.get(WM1), ...f64lt, ...i32and, ...op.get(PYF), ...op.get(HM1), ...f64lt, ...i32and, ...op.set(OK));
    c.push(...op.get(MASKED), ...op.get(OK), ...op.eqz, ...i32or, ...op.if);
    {
      c.push(...op.get(Q), ...op.i32(2), ...op.shl, ...f32const(NaN), ...f32store(L.row));
      // (the masked fraction of direction Q / S)
      const dir = S === 1 ? op.get(Q) : [...op.get(Q), ...op.i32(S), ...i32divU];
      c.push(...dir, ...op.i32(2), ...op.shl, ...dir, ...op.i32(2), ...op.shl, ...f32load(L.out + 4 * L.K * NB), ...promoteF32);
      c.push(...op.get(MSTEP), ...f64add, ...demoteF64, ...f32store(L.out + 4 * L.K * NB));
    }
    c.push(...opElse);
    {
      c.push(...op.get(PXF), ...truncF64, ...op.set(X0), ...op.get(PYF), ...truncF64, ...op.set(Y0));
      c.push(...op.get(PXF), ...op.get(X0), ...convertI32, ...f64sub, ...op.set(FX));
      c.push(...op.get(PYF), ...op.get(Y0), ...convertI32, ...f64sub, ...op.set(FY));
      c.push(...op.get(Y0), ...op.get(W), ...op.mul, ...op.get(X0), ...op.add, ...op.i32(2), ...op.shl, ...op.set(P));
      c.push(...f64const(1), ...op.get(FX), ...f64sub, ...op.set(GX), ...f64const(1), ...op.get(FY), ...f64sub, ...op.set(GY));
        // (s00·(1 − fx) + s10·fx)·(1 − fy)
      c.push(...pix(0), ...op.get(GX), ...f64mul, ...pix(4), ...op.get(FX), ...f64mul, ...f64add, ...op.get(GY), ...f64mul);
        // + (s01·(1 − fx) + s11·fx)·fy, the row below at p + 4w
      c.push(...op.get(P), ...op.get(W), ...op.i32(2), ...op.shl, ...op.add, ...op.set(P));
      c.push(...pix(0), ...op.get(GX), ...f64mul, ...pix(4), ...op.get(FX), ...f64mul, ...f64add, ...op.get(FY), ...f64mul, ...f64add, ...op.tee(V));
      c.push(...op.get(V), ...f64ne, ...op.if, ...op.i32(1), ...ret, ...op.end);
      c.push(...op.get(V), ...demoteF64, ...op.set(VF));
      c.push(...op.get(Q), ...op.i32(2), ...op.shl, ...op.get(VF), ...f32store(L.row));
      c.push(...op.get(N), ...op.i32(2), ...op.shl, ...op.get(VF), ...f32store(L.med));
      c.push(...op.get(N), ...op.i32(1), ...op.add, ...op.set(N));
    }
    c.push(...op.end);
    return c;
  };
  // touch the patch the circles read, one load per 64-byte line (bytes tx0 … tx1 of the rows at ty0 … ty1, byte
  // offsets in the image): the loads are independent, so their cache misses overlap instead of stalling the
  // sampling one by one (what was loaded is stored at L.touch, and never read)
  c.push(...f32const(0), ...op.set(VF));
  c.push(...op.get(TY0), ...op.set(Y0));
  c.push(...op.block, ...op.loop, ...op.get(Y0), ...op.get(TY1), ...op.gtS, ...op.brIf(1));
  c.push(...op.get(TX0), ...op.set(X0));
  c.push(...op.block, ...op.loop, ...op.get(X0), ...op.get(TX1), ...op.gtS, ...op.brIf(1));
  c.push(...op.get(VF), ...op.get(Y0), ...op.get(X0), ...op.add, ...f32load(L.image), ...f32max, ...op.set(VF));
  c.push(...op.get(X0), ...op.i32(64), ...op.add, ...op.set(X0), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(VF), ...op.get(Y0), ...op.get(TX1), ...op.add, ...f32load(L.image), ...f32max, ...op.set(VF));
  c.push(...op.get(Y0), ...op.get(W), ...op.i32(2), ...op.shl, ...op.add, ...op.set(Y0), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.i32(0), ...op.get(VF), ...f32store(L.touch));
  const pix = (off: number) => [...op.get(P), ...f32load(L.image + off), ...promoteF32];
  c.push(...op.get(W), ...op.i32(1), ...op.sub, ...convertI32, ...op.set(WM1));
  c.push(...op.get(H), ...op.i32(1), ...op.sub, ...convertI32, ...op.set(HM1));
  // the splats of the vector path
  c.push(...op.get(MX), ...f64x2splat, ...op.set(MX2), ...op.get(MY), ...f64x2splat, ...op.set(MY2), ...op.get(PX), ...f64x2splat, ...op.set(PX2));
  c.push(...f64const(0.5), ...f64x2splat, ...op.set(HALF2), ...f64const(0), ...f64x2splat, ...op.set(ZERO2), ...f64const(1), ...f64x2splat, ...op.set(ONE2));
  c.push(...op.get(WM1), ...f64x2splat, ...op.set(WM12), ...op.get(HM1), ...f64x2splat, ...op.set(HM12), ...op.get(W), ...i32x4splat, ...op.set(WSPL));
  c.push(...op.get(INV), ...f64x2splat, ...op.set(INV2), ...f64const(2), ...f64x2splat, ...op.set(TWO2), ...f64const(4), ...f64x2splat, ...op.set(FOUR2));
  c.push(...op.get(W), ...op.i32(2), ...op.shl, ...op.set(W4));
  c.push(...f32const(NaN), ...op.set(PREV));
  c.push(...op.i32(0), ...op.set(K));
  c.push(...op.loop); // circles
  {
    c.push(...op.get(K), ...op.i32(3), ...op.shl, ...f64load(L.radii), ...op.set(R));
    // the neighbours this circle crosses: |d − r| < rr + 1e-6 (byte offsets of their f64 entries)
    c.push(...op.i32(0), ...op.set(NHIT), ...op.i32(0), ...op.set(U));
    c.push(...op.block, ...op.loop, ...op.get(U), ...op.get(NN), ...op.i32(3), ...op.shl, ...op.geU, ...op.brIf(1));
    c.push(...op.get(U), ...f64load(L.nbD), ...op.get(R), ...f64sub, ...f64abs, ...op.get(U), ...f64load(L.nbR), ...f64const(1e-6), ...f64add, ...f64lt, ...op.if);
    c.push(...op.get(NHIT), ...op.i32(2), ...op.shl, ...op.get(U), ...i32store(L.hit), ...op.get(NHIT), ...op.i32(1), ...op.add, ...op.set(NHIT), ...op.end);
    c.push(...op.get(U), ...op.i32(8), ...op.add, ...op.set(U), ...op.br(0), ...op.end, ...op.end);
    // the samples, two directions at a time: the vector path when both are inside and unmasked, else the scalar
    // code for each (the same operations on each lane; the valid samples appended in the order of directions)
    c.push(...op.i32(0), ...op.set(N), ...op.i32(0), ...op.set(QV), ...op.get(R), ...f64x2splat, ...op.set(R2));
    c.push(...op.loop);
    {
      c.push(...op.get(MX2), ...op.get(R2), ...op.get(QV), ...op.i32(3), ...op.shl, ...v128load(L.cos), ...f64x2mul, ...f64x2add, ...op.set(XU2));
      c.push(...op.get(MY2), ...op.get(R2), ...op.get(QV), ...op.i32(3), ...op.shl, ...v128load(L.sin), ...f64x2mul, ...f64x2add, ...op.set(YU2));
      // masked lanes (every crossing neighbour; the scalar code stops at the first, which decides the same)
      c.push(...v128zero, ...op.set(MSK), ...op.i32(0), ...op.set(U));
      c.push(...op.block, ...op.loop, ...op.get(U), ...op.get(NHIT), ...op.geU, ...op.brIf(1));
      c.push(...op.get(U), ...op.i32(2), ...op.shl, ...i32load(L.hit), ...op.set(T));
      c.push(...op.get(XU2), ...op.get(T), ...f64load(L.nbX), ...f64x2splat, ...f64x2sub, ...op.tee(D2), ...op.get(D2), ...f64x2mul);
      c.push(...op.get(YU2), ...op.get(T), ...f64load(L.nbY), ...f64x2splat, ...f64x2sub, ...op.tee(D2), ...op.get(D2), ...f64x2mul, ...f64x2add);
      c.push(...op.get(T), ...f64load(L.nbR2), ...f64x2splat, ...f64x2lt, ...op.get(MSK), ...v128or, ...op.set(MSK));
      c.push(...op.get(U), ...op.i32(1), ...op.add, ...op.set(U), ...op.br(0), ...op.end, ...op.end);
      c.push(...op.get(XU2), ...op.get(PX2), ...f64x2div, ...op.get(HALF2), ...f64x2sub, ...op.set(PXF2));
      c.push(...op.get(YU2), ...op.get(PX2), ...f64x2div, ...op.get(HALF2), ...f64x2sub, ...op.set(PYF2));
      c.push(...op.get(PXF2), ...op.get(ZERO2), ...f64x2ge, ...op.get(PYF2), ...op.get(ZERO2), ...f64x2ge, ...v128and);
      c.push(...op.get(PXF2), ...op.get(WM12), ...f64x2lt, ...v128and, ...op.get(PYF2), ...op.get(HM12), ...f64x2lt, ...v128and);
      c.push(...op.get(MSK), ...v128andnot, ...i32x4allTrue, ...op.if);
      {
        c.push(...op.get(PXF2), ...truncSat, ...op.tee(IDX), ...convertLow, ...op.get(PXF2), ...op.set(FX2), ...op.set(GX2));
        // (fx = px − x0: the converted truncation is on the stack below px)
        c.push(...op.get(FX2), ...op.get(GX2), ...f64x2sub, ...op.set(FX2));
        c.push(...op.get(PYF2), ...truncSat, ...op.tee(D2), ...convertLow, ...op.set(GY2), ...op.get(PYF2), ...op.get(GY2), ...f64x2sub, ...op.set(FY2));
        c.push(...op.get(D2), ...op.get(WSPL), ...i32x4mul, ...op.get(IDX), ...i32x4add, ...op.i32(2), ...i32x4shl, ...op.tee(IDX), ...i32x4lane(0), ...op.set(P0), ...op.get(IDX), ...i32x4lane(1), ...op.set(P1));
        c.push(...op.get(ONE2), ...op.get(FX2), ...f64x2sub, ...op.set(GX2), ...op.get(ONE2), ...op.get(FY2), ...f64x2sub, ...op.set(GY2));
        c.push(...pair(0), ...op.get(GX2), ...f64x2mul, ...pair(4), ...op.get(FX2), ...f64x2mul, ...f64x2add, ...op.get(GY2), ...f64x2mul);
        c.push(...op.get(P0), ...op.get(W4), ...op.add, ...op.set(P0), ...op.get(P1), ...op.get(W4), ...op.add, ...op.set(P1));
        c.push(...pair(0), ...op.get(GX2), ...f64x2mul, ...pair(4), ...op.get(FX2), ...f64x2mul, ...f64x2add, ...op.get(FY2), ...f64x2mul, ...f64x2add, ...op.tee(V2));
        c.push(...op.get(V2), ...f64x2ne, ...anyTrue, ...op.if, ...op.i32(1), ...ret, ...op.end);
        c.push(...op.get(QV), ...op.i32(2), ...op.shl, ...op.get(V2), ...demote, ...store64lane0(L.row));
        c.push(...op.get(N), ...op.i32(2), ...op.shl, ...op.get(V2), ...demote, ...store64lane0(L.med));
        c.push(...op.get(N), ...op.i32(2), ...op.add, ...op.set(N));
      }
      c.push(...opElse);
      for (const lane of [0, 1]) {
        c.push(...op.get(QV), ...op.i32(lane), ...op.add, ...op.set(Q));
        c.push(...scalarSample());
      }
      c.push(...op.end);
      c.push(...op.get(QV), ...op.i32(2), ...op.add, ...op.tee(QV), ...op.i32(NS), ...op.ltS, ...op.brIf(0), ...op.end);
    }
    // the median and the compressed samples (none when every sample is masked)
    c.push(...op.get(N), ...op.if);
    {
      c.push(...op.get(N), ...op.get(N), ...op.i32(1), ...i32shrU, ...op.get(PREV), ...call(0), ...op.tee(MED), ...op.tee(PREV), ...f32const(0), ...f32eq, ...op.if, ...op.i32(1), ...ret, ...op.end);
      if (S > 1) {
        // each direction's largest sample into row[q] (NaN left out; all NaN: NaN): acc = v when v > acc or acc is
        // NaN (row[q] is written after its samples q·S … were read, and before any later direction's)
        c.push(...op.i32(0), ...op.set(Q), ...op.i32(0), ...op.set(T));
        c.push(...op.loop);
        c.push(...f32const(NaN), ...op.set(ACC), ...op.get(T), ...op.i32(S), ...op.add, ...op.set(U));
        c.push(...op.loop);
        c.push(...op.get(T), ...op.i32(2), ...op.shl, ...f32load(L.row), ...op.tee(SV), ...op.get(ACC));
        c.push(...op.get(SV), ...op.get(ACC), ...f32gt, ...op.get(ACC), ...op.get(ACC), ...f32ne, ...i32or, ...op.select, ...op.set(ACC));
        c.push(...op.get(T), ...op.i32(1), ...op.add, ...op.tee(T), ...op.get(U), ...op.ltS, ...op.brIf(0), ...op.end);
        c.push(...op.get(Q), ...op.i32(2), ...op.shl, ...op.get(ACC), ...f32store(L.row));
        c.push(...op.get(Q), ...op.i32(1), ...op.add, ...op.tee(Q), ...op.i32(NB), ...op.ltS, ...op.brIf(0), ...op.end);
      }
      // two directions at a time: z = (v − med) · inv, z / (2 + |z| / 4) (masked lanes, NaN: the zero already there)
      c.push(...op.get(MED), ...promoteF32, ...f64x2splat, ...op.set(MED2));
      c.push(...op.i32(0), ...op.set(QV));
      c.push(...op.loop);
      c.push(...op.get(QV), ...op.i32(2), ...op.shl, ...load64zero(L.row), ...promote, ...op.tee(V2), ...op.get(MED2), ...f64x2sub, ...op.get(INV2), ...f64x2mul, ...op.set(D2));
      // out[k·NB + q …] (address first)
      c.push(...op.get(K), ...op.i32(NB), ...op.mul, ...op.get(QV), ...op.add, ...op.i32(2), ...op.shl);
      c.push(...op.get(D2), ...op.get(TWO2), ...op.get(D2), ...f64x2abs, ...op.get(FOUR2), ...f64x2div, ...f64x2add, ...f64x2div);
      c.push(...op.get(ZERO2), ...op.get(V2), ...op.get(V2), ...f64x2eq, ...bitselect, ...demote, ...store64lane0(L.out));
      c.push(...op.get(QV), ...op.i32(2), ...op.add, ...op.tee(QV), ...op.i32(NB), ...op.ltS, ...op.brIf(0), ...op.end);
    }
    c.push(...op.end);
    c.push(...op.get(K), ...op.i32(1), ...op.add, ...op.tee(K), ...op.i32(L.K), ...op.ltS, ...op.brIf(0), ...op.end);
  }
  c.push(...op.i32(0));
  return body(locals, c);
}

type InputsFn = (mx: number, my: number, pxUm: number, inv: number, maskStep: number, w: number, h: number, nN: number, tx0: number, tx1: number, ty0: number, ty1: number) => number;

/** The kernel of one geometry with its memory. */
export interface ArmInputKernel {
  L: ArmInputLayout;
  memory: WebAssembly.Memory;
  inputs: InputsFn;
  /** for tests: the selection alone (on L.med) */
  select: (n: number, k: number, guess: number) => number;
}

const kernels = new Map<string, ArmInputKernel | null>();

/** The kernel for NB directions (S samples each), K circles and up to NMAX neighbours (cached), or null without
 * WebAssembly. */
export function armInputKernel(NB: number, K: number, NMAX: number, S = 1): ArmInputKernel | null {
  const key = `${NB},${K},${NMAX},${S}`;
  const have = kernels.get(key);
  if (have !== undefined) return have;
  let k: ArmInputKernel | null = null;
  try {
    // (pairs of directions: NB even)
    if (typeof WebAssembly === "object" && NB % 2 === 0) {
      const L = armInputLayout(NB, K, NMAX, S);
      const types = [
        [0x60, ...vec([[I32], [I32], [F32]]), ...vec([[F32]])],
        [0x60, ...vec([[F64], [F64], [F64], [F64], [F64], [I32], [I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([[I32]])],
      ];
      const bytes = moduleBytes(types, [0, 1], [["select", 0], ["inputs", 1]], [selectFunction(L), inputsFunction(L)]);
      if (WebAssembly.validate(bytes)) {
        const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(L.image / 65536)) });
        const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } }).exports as unknown as { select: ArmInputKernel["select"]; inputs: InputsFn };
        k = { L, memory, inputs: ex.inputs, select: ex.select };
      }
    }
  } catch {
    k = null;
  }
  kernels.set(key, k);
  return k;
}

/** Grow the kernel's memory to hold an image of n floats after the tables; the memory's buffer. */
export function armInputMemory(k: ArmInputKernel, n: number): ArrayBuffer {
  const bytes = k.L.image + 4 * n;
  const have = k.memory.buffer.byteLength;
  if (have < bytes) k.memory.grow(Math.ceil((bytes - have) / 65536));
  return k.memory.buffer;
}
