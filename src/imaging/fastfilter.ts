/**
 * Row pre-tests of the pixel-wise Hessian tests in ridges.ts (`ridgeScale`) and migrasomes.ts
 * (`blobMaximaSparse`) in WebAssembly SIMD: two pixels per f64x2 vector compute the scalar code's
 * double operations in its order (second differences of the float32 rows, then its skip test) and list
 * the columns that are not skipped, in ascending order. Most pixels are skipped; the JavaScript code
 * then runs only on the listed ones, with the same tests and the same arithmetic, so the same pixels
 * pass in the same order. The decision is a comparison, the same in both engines for any input
 * (NaN included).
 *
 * The module works in its own small memory: three image rows (above, at, below), the noise row and the
 * list of columns, all rewritten for every row.
 */

import { body, type Bytes, F32, f32x4add, f32x4ge, f32x4lt, f32x4mul, f32x4sub, F64, f64x2add, f64x2mul, f64x2splat, f64x2sub, I32, load64zero, moduleBytes, op, promote, uleb, V128, v128or, vec, load32zero, f64x2abs, f64x2lt, f64x2ge } from "./fastwasm.ts";

const f64x2neg = op.simd(0xed);
const f64x2le = op.simd(0x4b);
const i64x2bitmask = op.simd(0xc4);
const i32store = (off: number) => [0x36, 2, ...uleb(off)];
const i32and = [0x71];
const i32shrU = [0x76];
const f64const = (v: number): Bytes => [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];

/**
 * row(up, cur, down, nz, w, gain, lim, list) → count: the columns x = 1 … w − 2 not skipped, at list.
 * ridge: skip when c ≤ 0 or hd + axy − m + 1e-9·(hd + axy + |m|) < lim·ng·(1 − 1e-9), with xx, yy, xy,
 *   m = ½(xx + yy), hd = ½|xx − yy|, axy = |xy|, ng = nz·gain (lim: the low threshold);
 * blob: skip when −m < lim·g or m ≥ 0, with g = nz·gain (lim: minZ·(1 − 1e-6)).
 */
function rowFunction(kind: "ridge" | "blob"): Bytes {
  const [UP, CUR, DOWN, NZ, W, GAIN, LIM, LIST] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [X, N, BITS] = [8, 9, 10];
  const [GV, LV, C, XX, YY, M, SKIP, T1] = [11, 12, 13, 14, 15, 16, 17, 18];
  const locals = [I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128];
  /** promoted float32 pair at row r, column x + dx (lanes: x, x + 1; `single`: lane 0 only) */
  const at = (row: number, dx: number, single: boolean) => [
    // from row + 4·(x − 1) (x ≥ 1), so that the (unsigned) load offset 4·(dx + 1) reaches column x + dx
    ...op.get(row), ...op.get(X), ...op.i32(2), ...op.shl, ...op.add, ...op.i32(4), ...op.sub,
    ...(single ? load32zero(4 * (dx + 1)) : load64zero(4 * (dx + 1))), ...promote,
  ];
  const step = (single: boolean): Bytes => {
    const a = (row: number, dx: number) => at(row, dx, single);
    const s: Bytes = [];
    s.push(...a(CUR, 0), ...op.set(C));
    // xx = s[i + 1] − 2c + s[i − 1]; yy = s[i + w] − 2c + s[i − w]
    s.push(...a(CUR, 1), ...f64const(2), ...f64x2splat, ...op.get(C), ...f64x2mul, ...f64x2sub, ...a(CUR, -1), ...f64x2add, ...op.set(XX));
    s.push(...a(DOWN, 0), ...f64const(2), ...f64x2splat, ...op.get(C), ...f64x2mul, ...f64x2sub, ...a(UP, 0), ...f64x2add, ...op.set(YY));
    // m = 0.5·(xx + yy)
    s.push(...f64const(0.5), ...f64x2splat, ...op.get(XX), ...op.get(YY), ...f64x2add, ...f64x2mul, ...op.set(M));
    // g = nz·gain
    const g = [...a(NZ, 0), ...op.get(GV), ...f64x2mul];
    if (kind === "ridge") {
      // xy = 0.25·(s[i + w + 1] − s[i + w − 1] − s[i − w + 1] + s[i − w − 1])
      const xy = [...f64const(0.25), ...f64x2splat, ...a(DOWN, 1), ...a(DOWN, -1), ...f64x2sub, ...a(UP, 1), ...f64x2sub, ...a(UP, -1), ...f64x2add, ...f64x2mul];
      // T1 = hd + axy, hd = 0.5·|xx − yy|
      s.push(...f64const(0.5), ...f64x2splat, ...op.get(XX), ...op.get(YY), ...f64x2sub, ...f64x2abs, ...f64x2mul, ...xy, ...f64x2abs, ...f64x2add, ...op.set(T1));
      // lhs = T1 − m + 1e-9·(T1 + |m|); rhs = lim·ng·(1 − 1e-9)
      s.push(...op.get(T1), ...op.get(M), ...f64x2sub, ...f64const(1e-9), ...f64x2splat, ...op.get(T1), ...op.get(M), ...f64x2abs, ...f64x2add, ...f64x2mul, ...f64x2add);
      s.push(...op.get(LV), ...g, ...f64x2mul, ...f64const(1 - 1e-9), ...f64x2splat, ...f64x2mul, ...f64x2lt);
      // or c ≤ 0
      s.push(...op.get(C), ...f64const(0), ...f64x2splat, ...f64x2le, ...v128or, ...op.set(SKIP));
    } else {
      // −m < lim·g, or m ≥ 0
      s.push(...op.get(M), ...f64x2neg, ...op.get(LV), ...g, ...f64x2mul, ...f64x2lt);
      s.push(...op.get(M), ...f64const(0), ...f64x2splat, ...f64x2ge, ...v128or, ...op.set(SKIP));
    }
    // list the lanes not skipped (branch-free: write, then advance by the lane's bit)
    s.push(...op.i32(3), ...op.get(SKIP), ...i64x2bitmask, ...op.sub, ...op.set(BITS)); // bits of the kept lanes
    s.push(...op.get(LIST), ...op.get(N), ...op.i32(2), ...op.shl, ...op.add, ...op.get(X), ...i32store(0));
    s.push(...op.get(N), ...op.get(BITS), ...op.i32(1), ...i32and, ...op.add, ...op.set(N));
    if (!single) {
      s.push(...op.get(LIST), ...op.get(N), ...op.i32(2), ...op.shl, ...op.add, ...op.get(X), ...op.i32(1), ...op.add, ...i32store(0));
      s.push(...op.get(N), ...op.get(BITS), ...op.i32(1), ...i32shrU, ...op.add, ...op.set(N));
    }
    return s;
  };
  const c: Bytes = [];
  c.push(...op.get(GAIN), ...f64x2splat, ...op.set(GV), ...op.get(LIM), ...f64x2splat, ...op.set(LV));
  // x = 1 … w − 2, two at a time; the row pointers are taken as row + 4·(x − 1) by `at`
  c.push(...op.i32(1), ...op.set(X), ...op.i32(0), ...op.set(N));
  c.push(...op.block, ...op.loop);
  c.push(...op.get(X), ...op.i32(1), ...op.add, ...op.get(W), ...op.i32(1), ...op.sub, ...op.ltS, ...op.eqz, ...op.brIf(1));
  c.push(...step(false), ...op.get(X), ...op.i32(2), ...op.add, ...op.set(X), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(X), ...op.get(W), ...op.i32(1), ...op.sub, ...op.ltS, ...op.if, ...step(true), ...op.end);
  c.push(...op.get(N));
  return body(locals, c);
}

/**
 * blob4(up, cur, down, nz, w, gain, lim, list) → count: a superset of the columns x = 1 … w − 2 that the blob test
 * keeps (see `rowFunction`), four per float32x4 vector: a column is skipped only when the float32 arithmetic
 * proves the double test would skip it. The float32 m = ½((s[x+1] − 2c + s[x−1]) + (s[x+w] − 2c + s[x−w])) is
 * within E = M·2⁻¹⁸ + 1e−37 of the double one (M the largest |value| of the three rows; ~11 roundings of at most
 * M·2⁻²⁴ each), and lim·(nz·gain) in float32 within |·|·2⁻¹⁸ of the double product; so "E − m < b − |b|·2⁻¹⁸"
 * implies −m < lim·g and "m ≥ E" implies m > 0. NaN or ±∞ anywhere, or M ≥ 1e37 (float32 overflow), makes E or
 * the comparisons fail: kept. The
 * last w − 2 mod 4 columns are always listed. The caller tests every listed column exactly.
 */
function blob4Function(): Bytes {
  const [UP, CUR, DOWN, NZ, W, GAIN, LIM, LIST] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [X, N, BITS, XB] = [8, 9, 10, 11];
  const [GV, LV, C, M, EV, B, SKIP, MX, DV, ONEV] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
  const locals = [I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128];
  const f32x4splat = op.simd(0x13);
  const f32x4abs = op.simd(0xe0);
  const f32x4max = op.simd(0xeb); // pmax (b > a ? b : a): a NaN may be dropped, but a NaN pixel fails its own comparisons
  const i32x4bitmask = op.simd(0xa4);
  const f32lane = (l: number) => op.simd(0x1f, l);
  const v128load = (off: number) => op.simd(0x00, 2, ...uleb(off));
  const f32const = (v: number): Bytes => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];
  const f32demote = [0xb6];
  const f32max = [0x97];
  const f32mul = [0x94];
  const f32add = [0x92];
  const f32abs = [0x8b];
  const f32load = (off: number) => [0x2a, 2, ...uleb(off)];
  const i32geU = [0x4f];
  const f32lt = [0x5d];
  /** the four float32 of row at column x + dx */
  const at = (row: number, dx: number) => [...op.get(row), ...op.get(XB), ...op.add, ...v128load(4 * (dx + 1))];
  const c: Bytes = [];
  // M: the largest |value| of the three rows (NaN if any is NaN); E = M·2^-18 + 1e-37
  c.push(...f32x4const0(), ...op.set(MX));
  c.push(...op.i32(0), ...op.set(X));
  c.push(...op.block, ...op.loop, ...op.get(X), ...op.i32(3), ...op.add, ...op.get(W), ...op.ltS, ...op.eqz, ...op.brIf(1));
  for (const row of [UP, CUR, DOWN])
    c.push(...op.get(MX), ...op.get(row), ...op.get(X), ...op.i32(2), ...op.shl, ...op.add, ...v128load(0), ...f32x4abs, ...f32x4max, ...op.set(MX));
  c.push(...op.get(X), ...op.i32(4), ...op.add, ...op.set(X), ...op.br(0), ...op.end, ...op.end);
  // (the lanes, then the remaining columns one by one, into lane 0 of DV as a scalar)
  const mScalar: Bytes = [...op.get(MX), ...f32lane(0), ...op.get(MX), ...f32lane(1), ...f32max, ...op.get(MX), ...f32lane(2), ...f32max, ...op.get(MX), ...f32lane(3), ...f32max];
  c.push(...mScalar, ...f32x4splat, ...op.set(MX));
  c.push(...op.block, ...op.loop, ...op.get(X), ...op.get(W), ...op.ltS, ...op.eqz, ...op.brIf(1));
  for (const row of [UP, CUR, DOWN])
    c.push(...op.get(MX), ...f32lane(0), ...op.get(row), ...op.get(X), ...op.i32(2), ...op.shl, ...op.add, ...f32load(0), ...f32abs, ...f32max, ...f32x4splat, ...op.set(MX));
  c.push(...op.get(X), ...op.i32(1), ...op.add, ...op.set(X), ...op.br(0), ...op.end, ...op.end);
  // (M ≥ 1e37, where float32 sums of the rows could overflow, or NaN: E = NaN, so that no column is skipped)
  c.push(...op.get(MX), ...f32lane(0), ...f32const(2 ** -18), ...f32mul, ...f32const(1e-37), ...f32add, ...f32const(NaN));
  c.push(...op.get(MX), ...f32lane(0), ...f32const(1e37), ...f32lt, ...op.select, ...f32x4splat, ...op.set(EV));
  c.push(...f32const(2 ** -18), ...f32x4splat, ...op.set(DV), ...f32const(0.5), ...f32x4splat, ...op.set(ONEV));
  c.push(...op.get(GAIN), ...f32demote, ...f32x4splat, ...op.set(GV), ...op.get(LIM), ...f32demote, ...f32x4splat, ...op.set(LV));
  // x = 1, 5, … while x + 3 ≤ w − 2; XB = 4·(x − 1)
  c.push(...op.i32(1), ...op.set(X), ...op.i32(0), ...op.set(N));
  c.push(...op.block, ...op.loop);
  c.push(...op.get(X), ...op.i32(4), ...op.add, ...op.get(W), ...op.ltS, ...op.eqz, ...op.brIf(1));
  c.push(...op.get(X), ...op.i32(1), ...op.sub, ...op.i32(2), ...op.shl, ...op.set(XB));
  c.push(...at(CUR, 0), ...op.set(C));
  // m = 0.5·((s[x+1] − (c + c)) + s[x−1] + ((s[x+w] − (c + c)) + s[x−w]))
  c.push(...op.get(ONEV));
  c.push(...at(CUR, 1), ...op.get(C), ...op.get(C), ...f32x4add, ...f32x4sub, ...at(CUR, -1), ...f32x4add);
  c.push(...at(DOWN, 0), ...op.get(C), ...op.get(C), ...f32x4add, ...f32x4sub, ...at(UP, 0), ...f32x4add);
  c.push(...f32x4add, ...f32x4mul, ...op.set(M));
  // b = lim·(nz·gain); skip if E − m < b − |b|·2^-18, or m ≥ E
  c.push(...op.get(LV), ...at(NZ, 0), ...op.get(GV), ...f32x4mul, ...f32x4mul, ...op.set(B));
  c.push(...op.get(EV), ...op.get(M), ...f32x4sub, ...op.get(B), ...op.get(B), ...f32x4abs, ...op.get(DV), ...f32x4mul, ...f32x4sub, ...f32x4lt);
  c.push(...op.get(M), ...op.get(EV), ...f32x4ge, ...v128or, ...op.set(SKIP));
  // list the kept lanes (branch-free: write, then advance by the lane's bit)
  c.push(...op.i32(15), ...op.get(SKIP), ...i32x4bitmask, ...op.sub, ...op.set(BITS));
  for (let l = 0; l < 4; l++) {
    c.push(...op.get(LIST), ...op.get(N), ...op.i32(2), ...op.shl, ...op.add, ...op.get(X), ...(l ? [...op.i32(l), ...op.add] : []), ...i32store(0));
    c.push(...op.get(N), ...op.get(BITS), ...(l ? [...op.i32(l), ...i32shrU] : []), ...op.i32(1), ...i32and, ...op.add, ...op.set(N));
  }
  c.push(...op.get(X), ...op.i32(4), ...op.add, ...op.set(X), ...op.br(0), ...op.end, ...op.end);
  // the remaining columns ≤ w − 2: listed
  c.push(...op.block, ...op.loop, ...op.get(X), ...op.get(W), ...op.i32(1), ...op.sub, ...i32geU, ...op.brIf(1));
  c.push(...op.get(LIST), ...op.get(N), ...op.i32(2), ...op.shl, ...op.add, ...op.get(X), ...i32store(0));
  c.push(...op.get(N), ...op.i32(1), ...op.add, ...op.set(N), ...op.get(X), ...op.i32(1), ...op.add, ...op.set(X), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(N));
  return body(locals, c);
}
const f32x4const0 = (): Bytes => op.simd(0x0c, ...new Array(16).fill(0));

type RowFn = Exports["ridge"];

interface Exports {
  ridge: (up: number, cur: number, down: number, nz: number, w: number, gain: number, lim: number, list: number) => number;
  blob: (up: number, cur: number, down: number, nz: number, w: number, gain: number, lim: number, list: number) => number;
}

let instance: { memory: WebAssembly.Memory; ex: Exports } | null | undefined;

function module(): { memory: WebAssembly.Memory; ex: Exports } | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    if (typeof WebAssembly === "object") {
      const sig = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [F64], [F64], [I32]]), ...vec([[I32]])];
      const bytes = moduleBytes([sig], [0, 0], [["ridge", 0], ["blob", 1]], [rowFunction("ridge"), blob4Function()]);
      if (WebAssembly.validate(bytes)) {
        const memory = new WebAssembly.Memory({ initial: 1 });
        instance = { memory, ex: new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } }).exports as unknown as Exports };
      }
    }
  } catch {
    instance = null;
  }
  return instance;
}

/** Lists, row by row, the columns of a w × h image that a pixel test does not skip (see `rowFunction`). */
export interface RowPass {
  /** the columns listed by the last `row` call */
  list: Int32Array;
  /** list the columns 1 … w − 2 of row y (1 ≤ y ≤ h − 2) not skipped; returns how many */
  row(y: number): number;
}

/**
 * A row pass over image s with noise map nz (w × h) for the ridge or blob test (see `rowFunction`);
 * null without WebAssembly SIMD (then every column is tested in JavaScript). Rows may be asked for in
 * any order (each call copies the image rows and the noise row it reads; going down by one row, only the
 * new lower row).
 */
export function rowPass(kind: "ridge" | "blob", s: Float32Array, nz: Float32Array, w: number, h: number, gain: number, lim: number): RowPass | null {
  const m = module();
  if (!m || w < 3 || h < 3 || s.length < w * h || nz.length < w * h) return null;
  const rb = (4 * w + 15) & ~15;
  const bytes = 5 * rb + 64;
  const have = m.memory.buffer.byteLength;
  if (have < bytes) m.memory.grow(Math.ceil((bytes - have) / 65536));
  const buf = m.memory.buffer;
  // three slots for image rows (a ring: going down one row copies only the new lower row), the noise row
  // and the list
  const slots = [0, 1, 2].map((k) => new Float32Array(buf, k * rb, w));
  const noiseRow = new Float32Array(buf, 3 * rb, w);
  const list = new Int32Array(buf, 4 * rb, w);
  return new WasmRowPass(kind === "ridge" ? m.ex.ridge : m.ex.blob, s, nz, w, gain, lim, rb, slots, noiseRow, list);
}

/**
 * The row pass of `rowPass` as a class (prototype methods), so that V8 does not specialise the code calling `row`
 * on one image's closure (and discard it when the closure dies).
 */
class WasmRowPass implements RowPass {
  /** the row whose neighbourhood the slots hold */
  private last = -2;
  /** the slot of its upper row */
  private top = 0;
  constructor(
    private readonly fn: RowFn,
    private readonly s: Float32Array,
    private readonly nz: Float32Array,
    private readonly w: number,
    private readonly gain: number,
    private readonly lim: number,
    private readonly rb: number,
    private readonly slots: Float32Array[],
    private readonly noiseRow: Float32Array,
    readonly list: Int32Array,
  ) {}
  row(y: number): number {
    const { s, w, rb, slots } = this;
    let top = this.top;
    if (y === this.last + 1) {
      top = (top + 1) % 3;
      slots[(top + 2) % 3].set(s.subarray((y + 1) * w, (y + 2) * w));
    } else {
      top = 0;
      for (let k = 0; k < 3; k++) slots[k].set(s.subarray((y - 1 + k) * w, (y + k) * w));
    }
    this.top = top;
    this.last = y;
    this.noiseRow.set(this.nz.subarray(y * w, (y + 1) * w));
    return this.fn(top * rb, ((top + 1) % 3) * rb, ((top + 2) % 3) * rb, 3 * rb, w, this.gain, this.lim, 4 * rb);
  }
}

/**
 * quarter(p, n, k, ints, hist) → f64: `selectQuarterSteps` (filters.ts) of the n float32 at p: 4·t for the
 * k-th smallest t, or NaN where that function would fall back to quickselect (a value that is not a
 * multiple of ¼ in int32 range, NaN, ±∞, or a range above 2^24). The first pass is SIMD (4·v, its
 * truncation, the test that it is whole, min and max); the counting passes are scalar, without the
 * bounds checks and conversions of JavaScript. The same counts, so the same order statistic.
 */
function quarterFunction(): Bytes {
  const [P, N, K, INTS, HIST] = [0, 1, 2, 3, 4];
  const [I, E4, LO, HI, RANGE, SHIFT, NB, B, RANK, T, D, S] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const [V, TV, TI, BAD, MN, MX] = [17, 18, 19, 20, 21, 22];
  const SF = 23; // scalar f32
  const locals = [...Array(12).fill(I32), ...Array(6).fill(V128), F32];
  const f32x4splat = op.simd(0x13);
  const f32x4ne = op.simd(0x42);
  const truncSatF32 = op.simd(0xf8); // i32x4.trunc_sat_f32x4_s
  const convertI32 = op.simd(0xfa); // f32x4.convert_i32x4_s
  const i32x4min = op.simd(0xb6);
  const i32x4max = op.simd(0xb8);
  const i32x4lane = (l: number) => op.simd(0x1b, l);
  const i32x4splat = op.simd(0x11);
  const anyTrue = op.simd(0x53);
  const v128load = (off: number) => op.simd(0x00, 4, ...uleb(off));
  const v128store = (off: number) => op.simd(0x0b, 4, ...uleb(off));
  const f32load = [0x2a, 2, 0];
  const i32load = [0x28, 2, 0];
  const i32storeAt = [0x36, 2, 0];
  const truncSatScalar = [0xfc, 0x00]; // i32.trunc_sat_f32_s
  const f32convertI32 = [0xb2];
  const f32const4 = [0x43, ...new Uint8Array(new Float32Array([4]).buffer)];
  const [f32mul, f32ne, i32ltS, i32gtS, i32geU, i32gtU, i32eq, i32shrS, i32shl] = [[0x94], [0x5c], [0x48], [0x4a], [0x4f], [0x4b], [0x46], [0x75], [0x74]];
  const f64convertI32 = [0xb7];
  const ret = [0x0f];
  const addr = (base: number, idx: number) => [...op.get(base), ...op.get(idx), ...op.i32(2), ...i32shl, ...op.add];
  const c: Bytes = [];
  // pass 1, four at a time: t = 4·v, ti = trunc(t) (saturating), bad if ti ≠ t; min and max of ti
  c.push(...op.get(N), ...op.i32(-4), ...i32and, ...op.set(E4));
  c.push(...op.i32(0x7fffffff), ...i32x4splat, ...op.set(MN), ...op.i32(-0x80000000), ...i32x4splat, ...op.set(MX));
  c.push(...op.i32(0), ...op.set(I));
  c.push(...op.block, ...op.loop, ...op.get(I), ...op.get(E4), ...i32geU, ...op.brIf(1));
  c.push(...addr(P, I), ...v128load(0), ...f32const4, ...f32x4splat, ...f32x4mul, ...op.set(TV));
  c.push(...op.get(TV), ...truncSatF32, ...op.set(TI));
  c.push(...op.get(BAD), ...op.get(TI), ...convertI32, ...op.get(TV), ...f32x4ne, ...v128or, ...op.set(BAD));
  c.push(...op.get(MN), ...op.get(TI), ...i32x4min, ...op.set(MN), ...op.get(MX), ...op.get(TI), ...i32x4max, ...op.set(MX));
  c.push(...addr(INTS, I), ...op.get(TI), ...v128store(0));
  c.push(...op.get(I), ...op.i32(4), ...op.add, ...op.set(I), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(BAD), ...anyTrue, ...op.if, ...f64const(NaN), ...ret, ...op.end);
  c.push(...op.get(MN), ...i32x4lane(0), ...op.set(LO), ...op.get(MX), ...i32x4lane(0), ...op.set(HI));
  for (let l = 1; l < 4; l++) {
    c.push(...op.get(MN), ...i32x4lane(l), ...op.get(LO), ...op.get(MN), ...i32x4lane(l), ...op.get(LO), ...i32ltS, ...op.select, ...op.set(LO));
    c.push(...op.get(MX), ...i32x4lane(l), ...op.get(HI), ...op.get(MX), ...i32x4lane(l), ...op.get(HI), ...i32gtS, ...op.select, ...op.set(HI));
  }
  // the remaining values one at a time
  c.push(...op.block, ...op.loop, ...op.get(I), ...op.get(N), ...i32geU, ...op.brIf(1));
  c.push(...addr(P, I), ...f32load, ...f32const4, ...f32mul, ...op.set(SF));
  c.push(...op.get(SF), ...truncSatScalar, ...op.set(T));
  c.push(...op.get(T), ...f32convertI32, ...op.get(SF), ...f32ne, ...op.if, ...f64const(NaN), ...ret, ...op.end);
  c.push(...addr(INTS, I), ...op.get(T), ...i32storeAt);
  c.push(...op.get(T), ...op.get(LO), ...op.get(T), ...op.get(LO), ...i32ltS, ...op.select, ...op.set(LO));
  c.push(...op.get(T), ...op.get(HI), ...op.get(T), ...op.get(HI), ...i32gtS, ...op.select, ...op.set(HI));
  c.push(...op.get(I), ...op.i32(1), ...op.add, ...op.set(I), ...op.br(0), ...op.end, ...op.end);
  // range (as unsigned: hi ≥ lo) above 2^24: quickselect
  c.push(...op.get(HI), ...op.get(LO), ...op.sub, ...op.set(RANGE));
  c.push(...op.get(RANGE), ...op.i32(1 << 24), ...i32gtU, ...op.if, ...f64const(NaN), ...ret, ...op.end);
  // shift: the coarse histogram has at most 1024 bins
  c.push(...op.i32(0), ...op.set(SHIFT));
  c.push(...op.block, ...op.loop, ...op.get(RANGE), ...op.get(SHIFT), ...i32shrS, ...op.i32(1024), ...i32ltS, ...op.brIf(1));
  c.push(...op.get(SHIFT), ...op.i32(1), ...op.add, ...op.set(SHIFT), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(RANGE), ...op.get(SHIFT), ...i32shrS, ...op.i32(1), ...op.add, ...op.set(NB));
  /** hist[0 … m) = 0 */
  const zero = (m: number) => [
    ...op.i32(0), ...op.set(I), ...op.block, ...op.loop, ...op.get(I), ...op.get(m), ...i32geU, ...op.brIf(1),
    ...addr(HIST, I), ...op.i32(0), ...i32storeAt, ...op.get(I), ...op.i32(1), ...op.add, ...op.set(I), ...op.br(0), ...op.end, ...op.end,
  ];
  /** b = first bin where rank < hist[b], rank reduced by the bins before it */
  const scan = [
    ...op.i32(0), ...op.set(B), ...op.block, ...op.loop,
    ...addr(HIST, B), ...i32load, ...op.set(S), ...op.get(RANK), ...op.get(S), ...i32ltS, ...op.brIf(1),
    ...op.get(RANK), ...op.get(S), ...op.sub, ...op.set(RANK), ...op.get(B), ...op.i32(1), ...op.add, ...op.set(B), ...op.br(0), ...op.end, ...op.end,
  ];
  c.push(...zero(NB));
  // coarse histogram of (ti − lo) >> shift
  c.push(...op.i32(0), ...op.set(I), ...op.block, ...op.loop, ...op.get(I), ...op.get(N), ...i32geU, ...op.brIf(1));
  c.push(...op.get(HIST), ...addr(INTS, I), ...i32load, ...op.get(LO), ...op.sub, ...op.get(SHIFT), ...i32shrS, ...op.i32(2), ...i32shl, ...op.add, ...op.set(D));
  c.push(...op.get(D), ...op.get(D), ...i32load, ...op.i32(1), ...op.add, ...i32storeAt);
  c.push(...op.get(I), ...op.i32(1), ...op.add, ...op.set(I), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(K), ...op.set(RANK), ...scan);
  c.push(...op.get(LO), ...op.get(B), ...op.get(SHIFT), ...i32shl, ...op.add, ...op.set(T));
  // fine histogram within bin b (2^shift values wide): counts of (d & mask) where d >> shift = b
  c.push(...op.get(SHIFT), ...op.if);
  c.push(...op.i32(1), ...op.get(SHIFT), ...i32shl, ...op.set(NB), ...zero(NB));
  c.push(...op.i32(0), ...op.set(I), ...op.block, ...op.loop, ...op.get(I), ...op.get(N), ...i32geU, ...op.brIf(1));
  c.push(...addr(INTS, I), ...i32load, ...op.get(LO), ...op.sub, ...op.set(D));
  c.push(...op.get(HIST), ...op.get(D), ...op.get(NB), ...op.i32(1), ...op.sub, ...i32and, ...op.i32(2), ...i32shl, ...op.add, ...op.set(S));
  c.push(...op.get(S), ...op.get(S), ...i32load, ...op.get(D), ...op.get(SHIFT), ...i32shrS, ...op.get(B), ...i32eq, ...op.add, ...i32storeAt);
  c.push(...op.get(I), ...op.i32(1), ...op.add, ...op.set(I), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(T), ...scan, ...op.get(B), ...op.add, ...op.set(T));
  c.push(...op.end);
  c.push(...op.get(T), ...f64convertI32);
  return body(locals, c);
}

let quarterInstance: { memory: WebAssembly.Memory; quarter: (p: number, n: number, k: number, ints: number, hist: number) => number } | null | undefined;

/**
 * `selectQuarterSteps`'s answer for buf[0 … n) (4·t of the k-th smallest t), or NaN where it would fall
 * back to quickselect (see `quarterFunction`); null without WebAssembly SIMD.
 */
export function quarterSelect(buf: Float32Array, n: number, k: number): number | null {
  if (quarterInstance === undefined) {
    quarterInstance = null;
    try {
      if (typeof WebAssembly === "object") {
        const sig = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([[F64]])];
        const bytes = moduleBytes([sig], [0], [["quarter", 0]], [quarterFunction()]);
        if (WebAssembly.validate(bytes)) {
          const memory = new WebAssembly.Memory({ initial: 1 });
          const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } }).exports as { quarter: (p: number, n: number, k: number, ints: number, hist: number) => number };
          quarterInstance = { memory, quarter: ex.quarter };
        }
      }
    } catch {
      quarterInstance = null;
    }
  }
  if (!quarterInstance) return null;
  // layout: histogram (2^15 int32) | values (n float32) | their integers (n int32)
  const hist = 0;
  const vals = 4 << 15;
  const ints = vals + ((4 * n + 15) & ~15);
  const end = ints + ((4 * n + 15) & ~15);
  const mem = quarterInstance.memory;
  if (mem.buffer.byteLength < end) mem.grow(Math.ceil((end - mem.buffer.byteLength) / 65536));
  new Float32Array(mem.buffer, vals, n).set(buf.subarray(0, n));
  return quarterInstance.quarter(vals, n, k, ints, hist);
}
