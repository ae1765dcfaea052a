/**
 * The circular convolutions of the learned arm reader (`armnet.ts`) in WebAssembly SIMD, four directions per f32x4
 * vector, bit-identical to the JavaScript loop there: each output starts at its bias and adds, input channel by
 * input channel and tap by tap, the float32 product of weight and input (each product and each sum rounded to
 * float32, as `Math.fround` does in the JavaScript), then the ReLU (`acc < 0 ? 0 : acc`).
 *
 * Layout (bytes, in this module's own memory): activations as rows of `stride` floats per channel, the directions
 * starting `pad` floats in (the halos either side are filled by the caller: the circle wraps around); weights
 * pre-splatted, one 16-byte vector per weight, in the order cout × cin × k; biases as floats.
 */
import { body, F32, f32x4add, f32x4mul, f32x4splat, I32, moduleBytes, op, uleb, V128, v128load, vec } from "./fastwasm.ts";

const v128store = (off: number) => op.simd(0x0b, 4, ...uleb(off));
const f32x4pmax = op.simd(0xeb); // a < b ? b : a
const v128zero = op.simd(0x0c, ...Array(16).fill(0));

/**
 * conv(src, dst, w, b, cin, cout, strideBytes, pairs, relu) for a kernel of k taps at dilation dil (unrolled, the
 * taps' offsets as immediates): for o < cout, for each pair of vectors (eight directions, two accumulators sharing
 * each weight load): acc = b[o]; for i < cin, for t < k: acc += w[o,i,t] · src[i·stride + 16v + 4·t·dil] (src points
 * at tap 0 of direction 0); dst[o·stride + 16v] = relu ? max(acc, 0) : acc.
 */
function convFunction(k: number, dil: number): number[] {
  const [SRC, DST, W, B, CIN, COUT, STRIDE, PAIRS, RELU] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [O, V, I, WP, XR, ACC0, ACC1, WV] = [9, 10, 11, 12, 13, 14, 15, 16];
  const c: number[] = [];
  c.push(...op.i32(0), ...op.set(O));
  c.push(...op.loop); // over outputs
  {
    c.push(...op.i32(0), ...op.set(V));
    c.push(...op.loop); // over pairs of vectors of directions
    {
      c.push(...op.get(B), ...op.get(O), ...op.i32(2), ...op.shl, ...op.add, ...op.f32load(0), ...f32x4splat, ...op.tee(ACC0), ...op.set(ACC1));
      // wp = w + 16 · o · cin · k
      c.push(...op.get(W), ...op.get(O), ...op.get(CIN), ...op.mul, ...op.i32(16 * k), ...op.mul, ...op.add, ...op.set(WP));
      // xr = src + 32 v
      c.push(...op.get(SRC), ...op.get(V), ...op.i32(5), ...op.shl, ...op.add, ...op.set(XR));
      c.push(...op.i32(0), ...op.set(I));
      c.push(...op.loop); // over input channels
      for (let t = 0; t < k; t++) {
        c.push(...op.get(WP), ...v128load(16 * t), ...op.set(WV));
        c.push(...op.get(ACC0), ...op.get(WV), ...op.get(XR), ...v128load(4 * t * dil), ...f32x4mul, ...f32x4add, ...op.set(ACC0));
        c.push(...op.get(ACC1), ...op.get(WV), ...op.get(XR), ...v128load(4 * t * dil + 16), ...f32x4mul, ...f32x4add, ...op.set(ACC1));
      }
      c.push(...op.get(WP), ...op.i32(16 * k), ...op.add, ...op.set(WP));
      c.push(...op.get(XR), ...op.get(STRIDE), ...op.add, ...op.set(XR));
      c.push(...op.get(I), ...op.i32(1), ...op.add, ...op.tee(I), ...op.get(CIN), ...op.ltS, ...op.brIf(0), ...op.end);
      c.push(...op.get(RELU), ...op.if);
      c.push(...op.get(ACC0), ...v128zero, ...f32x4pmax, ...op.set(ACC0), ...op.get(ACC1), ...v128zero, ...f32x4pmax, ...op.set(ACC1), ...op.end);
      // dst[o · stride + 32 v] = acc0, acc1
      c.push(...op.get(DST), ...op.get(O), ...op.get(STRIDE), ...op.mul, ...op.add, ...op.get(V), ...op.i32(5), ...op.shl, ...op.add, ...op.tee(XR));
      c.push(...op.get(ACC0), ...v128store(0), ...op.get(XR), ...op.get(ACC1), ...v128store(16));
      c.push(...op.get(V), ...op.i32(1), ...op.add, ...op.tee(V), ...op.get(PAIRS), ...op.ltS, ...op.brIf(0), ...op.end);
    }
    c.push(...op.get(O), ...op.i32(1), ...op.add, ...op.tee(O), ...op.get(COUT), ...op.ltS, ...op.brIf(0), ...op.end);
  }
  return body([I32, I32, I32, I32, I32, V128, V128, V128], c);
}

/** The module with one convolution per (taps, dilation) shape, or null without WebAssembly SIMD. */
function convModule(shapes: [number, number][]): WebAssembly.Module | null {
  try {
    if (typeof WebAssembly !== "object") return null;
    const types = [[0x60, ...vec(Array.from({ length: 9 }, () => [I32])), 0x00]];
    const bytes = moduleBytes(types, shapes.map(() => 0), shapes.map(([k, d], i) => [`conv${k}_${d}`, i] as [string, number]), shapes.map(([k, d]) => convFunction(k, d)));
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

export type ConvFn = (src: number, dst: number, w: number, b: number, cin: number, cout: number, strideBytes: number, pairs: number, relu: number) => void;

/** A network laid out in a WebAssembly memory: `conv(k, dil)` is the convolution of that shape. */
export interface ArmNetKernel {
  memory: WebAssembly.Memory;
  conv: (k: number, dil: number) => ConvFn;
}

/** A kernel for the given (taps, dilation) shapes with a memory of at least `bytes`, or null without WebAssembly SIMD. */
export function armNetKernel(bytes: number, shapes: [number, number][]): ArmNetKernel | null {
  const mod = convModule(shapes);
  if (!mod) return null;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const ex = new WebAssembly.Instance(mod, { m: { mem: memory } }).exports as unknown as Record<string, ConvFn>;
  return {
    memory,
    conv: (k, d) => {
      const f = ex[`conv${k}_${d}`];
      if (!f) throw new Error(`armnet: no convolution of ${k} taps at dilation ${d}`);
      return f;
    },
  };
}
