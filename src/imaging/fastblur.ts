/**
 * The separable Gaussian passes of `convolveSeparable` in WebAssembly SIMD, bit-identical to the
 * JavaScript passes. Two neighbouring outputs share one f64x2 vector: every lane does exactly the
 * double-precision operations of the scalar code, in the same order (row pass: the double sum
 * kc·v[r] + k0·(v[0] + v[2r]) + k1·(…) + …, rounded to float32 once; column pass: rounded to
 * float32 after every tap, as `Math.fround` does). IEEE add and multiply are correctly rounded and
 * commutative, so the sums are the same bits. The gain is fewer instructions per tap (no bounds
 * checks, two outputs per arithmetic instruction), which is what limits the scalar passes. The row
 * pass reads its padded row as doubles (each pixel promoted once, not once per tap) and stores its
 * float32-rounded results promoted back to doubles, which the column pass reads without a conversion
 * per tap: the same values, so the same sums.
 *
 * The module is assembled here (a few hundred bytes per kernel radius, taps unrolled) and works
 * in its own memory: [kernel as f64 | input | row-pass result (f64) | output | one padded row (f64)].
 * That memory is scratch, fully rewritten before it is read on every call, so results never depend
 * on earlier calls. Images with a non-finite value (where NaN payloads could differ) and runtimes
 * without SIMD use the JavaScript passes.
 */

import {
  body,
  type Bytes,
  demote,
  F32,
  F64,
  f64x2add,
  f64x2mul,
  f64x2splat,
  I32,
  load64zero,
  moduleBytes,
  nonFiniteFunction,
  op,
  promote,
  store32lane0,
  store64lane0,
  uleb,
  V128,
  v128load,
  vec,
} from "./fastwasm.ts";

/** Kernel splats: v128 locals K[j] = (k[j], k[j]) from f64 memory at address 0 (K[r] is the centre tap). */
function kernelSplats(r: number, firstLocal: number): Bytes {
  const c: Bytes = [];
  for (let j = 0; j <= r; j++) c.push(...op.i32(0), ...op.f64load(8 * j), ...f64x2splat, ...op.set(firstLocal + j));
  return c;
}

const v128store = (off: number) => op.simd(0x0b, 4, ...uleb(off));
const f64store = (off: number) => [0x39, 3, ...uleb(off)];
const f64promoteF32 = [0xbb];
const remU = [0x70];
/** independent chains of the column pass (two columns each; more measured no faster: it is bound by the conversions) */
const NC = 4;
/** bytes between the ring's rows beyond their 8·w (so that the 2r + 1 rows read together do not share cache sets) */
const RING_PAD = 80;

/**
 * Row pass for one row: line = row y of src promoted to double, with r copies of its end pixels on each side,
 * then out[x], out[x+1] = Σ in double (see the file comment), rounded to float32 and stored promoted back to
 * double (the value the column pass reads, without a conversion per tap there).
 * params: src, dst, w, y, line (byte addresses: src the image, dst the output row; w, y counts)
 */
function rowFunction(r: number): Bytes {
  const [SRC, DST, W, Y, LINE, O, X, P, Q, FIRST, LAST, K0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const KC = K0 + r;
  const ACC = KC + 1; // ACC + a: accumulator of chain a
  const locals = [I32, I32, I32, I32, F64, F64, ...Array(r + 1).fill(V128), V128, V128];
  const loadP = (t: number, off: number) => [...op.get(P), ...v128load(8 * t + off)];
  /** the double sums of chains at the given byte offsets from p, interleaved tap by tap, stored at q */
  const chains = (offs: number[], store: (a: number, off: number) => Bytes): Bytes => {
    const c: Bytes = [];
    offs.forEach((off, a) => c.push(...op.get(KC), ...loadP(r, off), ...f64x2mul, ...op.set(ACC + a)));
    for (let j = 0; j < r; j++)
      offs.forEach((off, a) =>
        c.push(...op.get(ACC + a), ...loadP(j, off), ...loadP(2 * r - j, off), ...f64x2add, ...op.get(K0 + j), ...f64x2mul, ...f64x2add, ...op.set(ACC + a)),
      );
    offs.forEach((off, a) => c.push(...op.get(Q), ...op.get(ACC + a), ...demote, ...promote, ...store(a, off)));
    return c;
  };
  const c: Bytes = [...kernelSplats(r, K0)];
  // o = src + 4·y·w; first and last pixel of the row (as doubles)
  c.push(...op.get(SRC), ...op.get(Y), ...op.get(W), ...op.mul, ...op.i32(2), ...op.shl, ...op.add, ...op.set(O));
  c.push(...op.get(O), ...op.f32load(0), ...f64promoteF32, ...op.set(FIRST));
  c.push(...op.get(O), ...op.get(W), ...op.i32(1), ...op.sub, ...op.i32(2), ...op.shl, ...op.add, ...op.f32load(0), ...f64promoteF32, ...op.set(LAST));
  for (let i = 0; i < r; i++) {
    c.push(...op.get(LINE), ...op.get(FIRST), ...f64store(8 * i));
    c.push(...op.get(LINE), ...op.get(W), ...op.i32(3), ...op.shl, ...op.add, ...op.get(LAST), ...f64store(8 * (r + i)));
  }
  // the row promoted into line + 8r: two pixels per step, then the last one
  c.push(...op.i32(0), ...op.set(X), ...op.get(O), ...op.set(P), ...op.get(LINE), ...op.i32(8 * r), ...op.add, ...op.set(Q));
  c.push(...op.block, ...op.loop);
  c.push(...op.get(X), ...op.i32(1), ...op.add, ...op.get(W), ...op.ltS, ...op.eqz, ...op.brIf(1));
  c.push(...op.get(Q), ...op.get(P), ...load64zero(0), ...promote, ...v128store(0));
  c.push(...op.get(X), ...op.i32(2), ...op.add, ...op.set(X), ...op.get(P), ...op.i32(8), ...op.add, ...op.set(P), ...op.get(Q), ...op.i32(16), ...op.add, ...op.set(Q));
  c.push(...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(X), ...op.get(W), ...op.ltS, ...op.if, ...op.get(Q), ...op.get(P), ...op.f32load(0), ...f64promoteF32, ...f64store(0), ...op.end);
  // x = 0, p = line, q = dst
  c.push(...op.i32(0), ...op.set(X), ...op.get(LINE), ...op.set(P), ...op.get(DST), ...op.set(Q));
  const step = (n: number) => [
    ...op.get(X), ...op.i32(n), ...op.add, ...op.set(X),
    ...op.get(P), ...op.i32(8 * n), ...op.add, ...op.set(P),
    ...op.get(Q), ...op.i32(8 * n), ...op.add, ...op.set(Q),
  ];
  // four pixels per step (two chains of two lanes)
  c.push(...op.block, ...op.loop);
  c.push(...op.get(X), ...op.i32(3), ...op.add, ...op.get(W), ...op.ltS, ...op.eqz, ...op.brIf(1));
  c.push(...chains([0, 16], (_a, off) => v128store(off)), ...step(4), ...op.br(0), ...op.end, ...op.end);
  // then two, then one remaining pixel (lane 0; lane 1 reads the line's padding)
  c.push(...op.get(X), ...op.i32(1), ...op.add, ...op.get(W), ...op.ltS, ...op.if);
  c.push(...chains([0], (_a, off) => v128store(off)), ...step(2), ...op.end);
  c.push(...op.get(X), ...op.get(W), ...op.ltS, ...op.if, ...chains([0], (_a, off) => store64lane0(off)), ...op.end);
  return body(locals, c);
}

/**
 * Column pass for one output row y from the row pass's doubles: out = Σ_j over source rows clamp(y + j − r),
 * rounded to float32 after every tap; eight columns per step as four independent f64x2 chains. The source
 * rows are a ring: row t at slot t mod ring.
 * params: src (the ring of rows of w doubles), dst (float32 image), w, h, y, ring
 */
function colFunction(r: number): Bytes {
  const [SRC, DST, W, H, Y, RING, XB, Q, WB, T, XT, TB, A0] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const K0 = A0 + 2 * r + 1;
  const KC = K0 + r;
  const SA = KC + 1; // SA … SA + NC − 1: the chain accumulators
  const locals = [I32, I32, I32, I32, I32, I32, ...Array(2 * r + 1).fill(I32), ...Array(r + 1).fill(V128), ...Array(NC).fill(V128)];
  const accs = Array.from({ length: NC }, (_, a) => SA + a);
  // XB: the column's byte offset in the float32 output (4x); XT: in the doubles (8x)
  const loadP = (t: number, off: number, single = false) => [...op.get(A0 + t), ...op.get(XT), ...op.add, ...(single ? load64zero(off) : v128load(off))];
  const round = [...demote, ...promote];
  /** the tap sums of chains at the given byte offsets, interleaved tap by tap */
  const chains = (offs: number[], acc: number[], single = false): Bytes => {
    const c: Bytes = [];
    offs.forEach((off, a) => c.push(...op.get(KC), ...loadP(r, off, single), ...f64x2mul, ...round, ...op.set(acc[a])));
    for (let j = 0; j < r; j++)
      offs.forEach((off, a) =>
        c.push(...op.get(acc[a]), ...loadP(j, off, single), ...loadP(2 * r - j, off, single), ...f64x2add, ...op.get(K0 + j), ...f64x2mul, ...f64x2add, ...round, ...op.set(acc[a])),
      );
    return c;
  };
  const c: Bytes = [...kernelSplats(r, K0)];
  c.push(...op.get(W), ...op.i32(2), ...op.shl, ...op.set(WB), ...op.get(W), ...op.i32(3), ...op.shl, ...op.i32(RING_PAD), ...op.add, ...op.set(TB));
  for (let t = 0; t <= 2 * r; t++) {
    // a_t = src + 8·w·(clamp(y + t − r, 0, h − 1) mod ring)
    c.push(...op.get(Y), ...op.i32(t - r), ...op.add, ...op.set(T));
    c.push(...op.get(T), ...op.i32(0), ...op.get(T), ...op.i32(0), ...op.gtS, ...op.select, ...op.set(T));
    c.push(...op.get(T), ...op.get(H), ...op.i32(1), ...op.sub, ...op.get(T), ...op.get(H), ...op.i32(1), ...op.sub, ...op.ltS, ...op.select, ...op.set(T));
    c.push(...op.get(SRC), ...op.get(T), ...op.get(RING), ...remU, ...op.get(TB), ...op.mul, ...op.add, ...op.set(A0 + t));
  }
  c.push(...op.get(DST), ...op.get(Y), ...op.get(WB), ...op.mul, ...op.add, ...op.set(Q));
  c.push(...op.i32(0), ...op.set(XB), ...op.i32(0), ...op.set(XT));
  // 2·NC columns per step (independent chains: the float32 rounding after every tap makes each chain latency-bound)
  c.push(...op.block, ...op.loop);
  c.push(...op.get(XB), ...op.i32(8 * NC - 4), ...op.add, ...op.get(WB), ...op.ltS, ...op.eqz, ...op.brIf(1));
  c.push(...chains(accs.map((_, a) => 16 * a), accs));
  for (let a = 0; a < NC; a++) c.push(...op.get(Q), ...op.get(XB), ...op.add, ...op.get(SA + a), ...demote, ...store64lane0(8 * a));
  c.push(...op.get(XB), ...op.i32(8 * NC), ...op.add, ...op.set(XB), ...op.get(XT), ...op.i32(16 * NC), ...op.add, ...op.set(XT), ...op.br(0), ...op.end, ...op.end);
  // then pairs of columns
  c.push(...op.block, ...op.loop);
  c.push(...op.get(XB), ...op.i32(4), ...op.add, ...op.get(WB), ...op.ltS, ...op.eqz, ...op.brIf(1));
  c.push(...chains([0], [SA]), ...op.get(Q), ...op.get(XB), ...op.add, ...op.get(SA), ...demote, ...store64lane0(0));
  c.push(...op.get(XB), ...op.i32(8), ...op.add, ...op.set(XB), ...op.get(XT), ...op.i32(16), ...op.add, ...op.set(XT), ...op.br(0), ...op.end, ...op.end);
  // the last column alone (lane 0)
  c.push(...op.get(XB), ...op.get(WB), ...op.ltS, ...op.if);
  c.push(...chains([0], [SA], true), ...op.get(Q), ...op.get(XB), ...op.add, ...op.get(SA), ...demote, ...store32lane0(0), ...op.end);
  return body(locals, c);
}


/** The module for kernel radius r: exports rows, cols, nonFinite; imports its memory as m.mem. */
function blurModule(r: number): Uint8Array<ArrayBuffer> {
  const types = [
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), 0x00], // (5 × i32) → ()
    [0x60, ...vec([[I32], [I32]]), ...vec([[I32]])], // (i32, i32) → i32
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0x00], // (6 × i32) → ()
  ];
  return moduleBytes(types, [0, 2, 1], [["rows", 0], ["cols", 1], ["nonFinite", 2]], [rowFunction(r), colFunction(r), nonFiniteFunction()]);
}

interface Passes {
  rows: (src: number, dst: number, w: number, y: number, line: number) => void;
  cols: (src: number, dst: number, w: number, h: number, y: number, ring: number) => void;
  nonFinite: (ptr: number, end: number) => number;
}

let memory: WebAssembly.Memory | null = null;
const modules = new Map<number, Passes | null>();

/** The compiled passes for radius r, or null without WebAssembly SIMD. */
function passesFor(r: number): Passes | null {
  if (modules.has(r)) return modules.get(r) ?? null;
  let p: Passes | null = null;
  try {
    if (typeof WebAssembly === "object") {
      memory ??= new WebAssembly.Memory({ initial: 1 });
      const bytes = blurModule(r);
      if (WebAssembly.validate(bytes)) {
        const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { mem: memory } });
        p = inst.exports as unknown as Passes;
      }
    }
  } catch {
    p = null;
  }
  modules.set(r, p);
  return p;
}

const align16 = (n: number) => (n + 15) & ~15;

/**
 * The input last copied into the memory (and found finite there): the same array may skip the copy when its caller
 * states that it has not written to it since (`sameInput`); no other call writes the input region.
 */
let loaded: { src: Float32Array; n: number; at: number } | null = null;

/**
 * Separable convolution with a symmetric kernel (edges clamped), the same bits as the JavaScript
 * passes of `convolveSeparable`; returns null when it cannot run here (no SIMD, non-finite pixels),
 * and the caller then uses those passes. `opts.sameInput`: `src` is unchanged since it was last passed here (its
 * copy in the memory is then reused when still there); `opts.view`: the result is returned as a view of the memory,
 * valid only until the next call (`out` is then not written).
 */
export function convolveSeparableWasm(
  src: Float32Array,
  w: number,
  h: number,
  k: Float32Array,
  out?: Float32Array,
  opts?: { sameInput?: boolean; view?: boolean },
): Float32Array | null {
  const r = (k.length - 1) >> 1;
  if (w < 1 || h < 1 || k.length !== 2 * r + 1) return null;
  const p = passesFor(r);
  if (!p || !memory) return null;
  const n = w * h;
  // the kernel at 0, then input, row-pass result, output and the row line (the input's place does not depend on r
  // below r = 511, so that it can stay for the next call)
  const kAt = 0;
  const imgAt = Math.max(4096, align16(8 * (r + 1)));
  const tmpAt = imgAt + align16(4 * n + 32);
  // the row-pass results as doubles, in a ring of 2r + 1 rows (a row is made just before the column pass first
  // needs it, so the ring stays in the cache), and the padded row line as doubles
  const ring = Math.min(h, 2 * r + 1);
  const rowBytes = 8 * w + RING_PAD;
  const dstAt = tmpAt + align16(rowBytes * ring + 32);
  const lineAt = dstAt + align16(4 * n + 32);
  const end = lineAt + align16(8 * (w + 2 * r + 8));
  if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  const buf = memory.buffer;
  new Float64Array(buf, kAt, r + 1).set(k.subarray(0, r + 1));
  if (!(opts?.sameInput && loaded && loaded.src === src && loaded.n === n && loaded.at === imgAt)) {
    loaded = null;
    const img = new Float32Array(buf, imgAt, n);
    img.set(src);
    // non-finite pixels: NaN payloads are not specified alike in both engines; leave those images to JavaScript
    const n4 = n & ~3;
    if (p.nonFinite(imgAt, imgAt + 4 * n4)) return null;
    for (let i = n4; i < n; i++) if (!Number.isFinite(img[i])) return null;
    loaded = { src, n, at: imgAt };
  }
  // the output in its own region (the input stays for a next call)
  let next = 0;
  for (let y = 0; y < h; y++) {
    for (const last = Math.min(h - 1, y + r); next <= last; next++) p.rows(imgAt, tmpAt + rowBytes * (next % ring), w, next, lineAt);
    p.cols(tmpAt, dstAt, w, h, y, ring);
  }
  const res = new Float32Array(buf, dstAt, n);
  if (opts?.view) return res;
  if (out) {
    out.set(res);
    return out;
  }
  return res.slice();
}
