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

import { body, type Bytes, F64, f64x2add, f64x2mul, f64x2splat, I32, load64zero, moduleBytes, op, promote, uleb, V128, vec } from "./fastwasm.ts";

const f64x2sub = op.simd(0xf1);
const f64x2abs = op.simd(0xec);
const f64x2neg = op.simd(0xed);
const f64x2lt = op.simd(0x49);
const f64x2le = op.simd(0x4b);
const f64x2ge = op.simd(0x4c);
const v128or = op.simd(0x50);
const i64x2bitmask = op.simd(0xc4);
const load32zero = (off: number) => op.simd(0x5c, 2, ...uleb(off));
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
      const bytes = moduleBytes([sig], [0, 0], [["ridge", 0], ["blob", 1]], [rowFunction("ridge"), rowFunction("blob")]);
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
  const fn = kind === "ridge" ? m.ex.ridge : m.ex.blob;
  let last = -2; // the row whose neighbourhood the slots hold
  let top = 0; // the slot of its upper row
  return {
    list,
    row(y: number): number {
      if (y === last + 1) {
        top = (top + 1) % 3;
        slots[(top + 2) % 3].set(s.subarray((y + 1) * w, (y + 2) * w));
      } else {
        top = 0;
        for (let k = 0; k < 3; k++) slots[k].set(s.subarray((y - 1 + k) * w, (y + k) * w));
      }
      last = y;
      noiseRow.set(nz.subarray(y * w, (y + 1) * w));
      return fn(top * rb, ((top + 1) % 3) * rb, ((top + 2) % 3) * rb, 3 * rb, w, gain, lim, 4 * rb);
    },
  };
}
