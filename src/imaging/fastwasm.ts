/**
 * A minimal WebAssembly binary encoder for the SIMD kernels of fastblur.ts and fastcircle.ts: LEB128,
 * the few instructions they use, function bodies and sections. The kernels are assembled at run
 * time (no build step, no toolchain) and validated before use.
 */

export type Bytes = number[];

/** Unsigned LEB128. */
export function uleb(n: number): Bytes {
  const out: Bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128 (32-bit values). */
export function sleb(n: number): Bytes {
  const out: Bytes = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Instruction encoders (only those used below). */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  shl: [0x74],
  ltS: [0x48],
  gtS: [0x4a],
  geU: [0x4f],
  eqz: [0x45],
  select: [0x1b],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (d: number) => [0x0c, ...uleb(d)],
  brIf: (d: number) => [0x0d, ...uleb(d)],
  f32load: (off: number) => [0x2a, 2, ...uleb(off)],
  f32store: (off: number) => [0x38, 2, ...uleb(off)],
  f64load: (off: number) => [0x2b, 3, ...uleb(off)],
  memcopy: [0xfc, ...uleb(10), 0, 0],
  simd: (code: number, ...imm: number[]) => [0xfd, ...uleb(code), ...imm],
};
export const v128load = (off: number) => op.simd(0x00, 4, ...uleb(off));
export const load64zero = (off: number) => op.simd(0x5d, 3, ...uleb(off));
export const store64lane0 = (off: number) => op.simd(0x5b, 3, ...uleb(off), 0);
export const store32lane0 = (off: number) => op.simd(0x5a, 2, ...uleb(off), 0);
export const f64x2splat = op.simd(0x14);
export const f64x2add = op.simd(0xf0);
export const f64x2mul = op.simd(0xf2);
export const demote = op.simd(0x5e); // f32x4.demote_f64x2_zero
export const promote = op.simd(0x5f); // f64x2.promote_low_f32x4
export const f32x4sub = op.simd(0xe5);
export const f32x4ne = op.simd(0x42);
export const v128or = op.simd(0x50);
export const anyTrue = op.simd(0x53);
export const f64x2sub = op.simd(0xf1);
export const f32x4splat = op.simd(0x13);
export const f32x4lt = op.simd(0x43);
export const f32x4add = op.simd(0xe4);
export const f32x4mul = op.simd(0xe6);
export const f32x4ge = op.simd(0x46);
export const f32x4gt = op.simd(0x44);
export const f32x4pmin = op.simd(0xea); // b < a ? b : a
export const i32x4splat = op.simd(0x11);
export const i32x4add = op.simd(0xae);
export const i32x4mul = op.simd(0xb5);
export const i32x4shl = op.simd(0xab);
export const i32x4lane = (l: number) => op.simd(0x1b, l); // i32x4.extract_lane
export const truncSat = op.simd(0xfc); // i32x4.trunc_sat_f64x2_s_zero
export const convertLow = op.simd(0xfe); // f64x2.convert_low_i32x4_s
export const load32zero = (off: number) => op.simd(0x5c, 2, ...uleb(off)); // v128.load32_zero
export const load32lane1 = (off: number) => op.simd(0x56, 2, ...uleb(off), 1); // v128.load32_lane, lane 1
export const f64x2abs = op.simd(0xec);
export const f64x2lt = op.simd(0x49);
export const f64x2ge = op.simd(0x4c);

/** A function body: local declarations (type per extra local) and code. */
export function body(locals: number[], code: Bytes): Bytes {
  const groups: Bytes = [];
  let n = 0;
  for (let i = 0; i < locals.length; ) {
    let j = i;
    while (j < locals.length && locals[j] === locals[i]) j++;
    groups.push(...uleb(j - i), locals[i]);
    n++;
    i = j;
  }
  const b = [...uleb(n), ...groups, ...code, ...op.end];
  return [...uleb(b.length), ...b];
}

export function section(id: number, content: Bytes): Bytes {
  return [id, ...uleb(content.length), ...content];
}

export function vec(items: Bytes[]): Bytes {
  return [...uleb(items.length), ...items.flat()];
}

export function name(s: string): Bytes {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** A module importing its memory as m.mem, with the given function types, functions (type index) and exports (name → function index). */
export function moduleBytes(types: Bytes[], funcTypes: number[], exports: [string, number][], bodies: Bytes[]): Uint8Array<ArrayBuffer> {
  const imports = vec([[...name("m"), ...name("mem"), 0x02, 0x00, 0x01]]);
  const exps = vec(exports.map(([n, i]) => [...name(n), 0x00, i]));
  const code = [...uleb(bodies.length), ...bodies.flat()];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, vec(funcTypes.map((t) => [t]))),
    ...section(7, exps),
    ...section(10, code),
  ]);
}

/** 1 if any float32 in [ptr, end) (16-byte steps) is NaN or ±∞ (x − x is then NaN). params: ptr, end */
export function nonFiniteFunction(): Bytes {
  const [PTR, END, ACC, V] = [0, 1, 2, 3];
  const c: Bytes = [...op.block, ...op.loop];
  c.push(...op.get(PTR), ...op.get(END), ...op.geU, ...op.brIf(1));
  c.push(...op.get(ACC), ...op.get(PTR), ...v128load(0), ...op.tee(V), ...op.get(V), ...f32x4sub, ...op.tee(V), ...op.get(V), ...f32x4ne, ...v128or, ...op.set(ACC));
  c.push(...op.get(PTR), ...op.i32(16), ...op.add, ...op.set(PTR), ...op.br(0), ...op.end, ...op.end);
  c.push(...op.get(ACC), ...anyTrue);
  return body([V128, V128], c);
}
