/**
 * Training of the learned arm reader (`armnet.ts`): the same circular convolutions in float32 with their gradients,
 * a weighted logistic loss per direction and Adam. Used by `scripts/train-armnet.ts`; deterministic for a seed
 * (the order of the examples and the initial weights come from a seeded generator).
 */
import { floatsToBase64, type ArmNetLayer } from "./armnet.ts";

/** A layer being trained: its shape, weights, gradients and Adam moments. */
export interface TrainLayer extends Omit<ArmNetLayer, "W" | "b"> {
  W: Float32Array;
  b: Float32Array;
  gW: Float32Array;
  gb: Float32Array;
  mW: Float32Array;
  vW: Float32Array;
  mb: Float32Array;
  vb: Float32Array;
}

/** A small seeded generator (LCG; numbers in [0, 1)). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 1) / 0x80000000;
  };
}

/** The layers of the reader: [taps, dilation, opposite] per hidden layer, `hidden` channels each, then one output. */
export function makeLayers(cin: number, hidden: number, shape: [number, number, boolean][], rnd: () => number): TrainLayer[] {
  const layers: TrainLayer[] = [];
  let c = cin;
  const add = (cout: number, k: number, dil: number, relu: boolean, opposite: boolean) => {
    const ci = opposite ? 2 * c : c;
    const W = new Float32Array(cout * ci * k);
    // He-style uniform initialisation
    const sc = Math.sqrt(2 / (ci * k)) * Math.sqrt(3) * 0.7;
    for (let i = 0; i < W.length; i++) W[i] = (rnd() * 2 - 1) * sc;
    const z = (n: number) => new Float32Array(n);
    layers.push({ cin: ci, cout, k, dil, relu, opposite, W, b: z(cout), gW: z(W.length), gb: z(cout), mW: z(W.length), vW: z(W.length), mb: z(cout), vb: z(cout) });
    c = cout;
  };
  for (const [k, dil, opp] of shape) add(hidden, k, dil, true, opp);
  add(1, 1, 1, false, false);
  return layers;
}

/** Activations of one example: per layer its input (with the turned copy when `opposite`) and output. */
export interface TrainActs {
  inputs: Float32Array[];
  outputs: Float32Array[];
  dIn: Float32Array[];
  dOut: Float32Array[];
}

export function trainActs(layers: TrainLayer[], bins: number): TrainActs {
  return {
    inputs: layers.map((L) => new Float32Array(L.cin * bins)),
    outputs: layers.map((L) => new Float32Array(L.cout * bins)),
    dIn: layers.map((L) => new Float32Array(L.cin * bins)),
    dOut: layers.map((L) => new Float32Array(L.cout * bins)),
  };
}

function convForward(L: TrainLayer, x: Float32Array, y: Float32Array, NB: number): void {
  const h = (L.k - 1) >> 1;
  for (let o = 0; o < L.cout; o++) {
    const yo = o * NB;
    y.fill(L.b[o], yo, yo + NB);
    for (let i = 0; i < L.cin; i++) {
      const xi = i * NB;
      for (let t = 0; t < L.k; t++) {
        const wv = L.W[(o * L.cin + i) * L.k + t];
        const sh = ((((t - h) * L.dil) % NB) + NB) % NB;
        const n1 = NB - sh;
        for (let q = 0; q < n1; q++) y[yo + q] += wv * x[xi + q + sh];
        for (let q = n1; q < NB; q++) y[yo + q] += wv * x[xi + q + sh - NB];
      }
    }
    if (L.relu) for (let q = 0; q < NB; q++) if (y[yo + q] < 0) y[yo + q] = 0;
  }
}

function convBackward(L: TrainLayer, x: Float32Array, dy: Float32Array, dx: Float32Array, NB: number): void {
  const h = (L.k - 1) >> 1;
  dx.fill(0);
  for (let o = 0; o < L.cout; o++) {
    const yo = o * NB;
    let s = 0;
    for (let q = 0; q < NB; q++) s += dy[yo + q];
    L.gb[o] += s;
    for (let i = 0; i < L.cin; i++) {
      const xi = i * NB;
      for (let t = 0; t < L.k; t++) {
        const wi = (o * L.cin + i) * L.k + t;
        const sh = ((((t - h) * L.dil) % NB) + NB) % NB;
        const n1 = NB - sh;
        let g = 0;
        for (let q = 0; q < n1; q++) g += dy[yo + q] * x[xi + q + sh];
        for (let q = n1; q < NB; q++) g += dy[yo + q] * x[xi + q + sh - NB];
        L.gW[wi] += g;
        const wv = L.W[wi];
        for (let q = 0; q < n1; q++) dx[xi + q + sh] += wv * dy[yo + q];
        for (let q = n1; q < NB; q++) dx[xi + q + sh - NB] += wv * dy[yo + q];
      }
    }
  }
}

/** The network's output (log-odds per direction) for input x (channels × bins); fills the activations. */
export function trainForward(layers: TrainLayer[], x: Float32Array, A: TrainActs, NB: number): Float32Array {
  let prev = x;
  let c = layers[0].opposite ? layers[0].cin / 2 : layers[0].cin;
  layers.forEach((L, l) => {
    const inp = A.inputs[l];
    inp.set(prev.subarray(0, c * NB));
    if (L.opposite) {
      const half = NB >> 1;
      for (let i = 0; i < c; i++) for (let q = 0; q < NB; q++) inp[(c + i) * NB + q] = prev[i * NB + ((q + half) % NB)];
    }
    convForward(L, inp, A.outputs[l], NB);
    prev = A.outputs[l];
    c = L.cout;
  });
  return prev;
}

/** Gradients (accumulated into gW, gb) for the output gradient `dOut` (per direction), after `trainForward`. */
export function trainBackward(layers: TrainLayer[], dOut: Float32Array, A: TrainActs, NB: number): void {
  A.dOut[layers.length - 1].set(dOut);
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l];
    const dy = A.dOut[l];
    if (L.relu) {
      const y = A.outputs[l];
      for (let i = 0; i < dy.length; i++) if (y[i] <= 0) dy[i] = 0;
    }
    convBackward(L, A.inputs[l], dy, A.dIn[l], NB);
    if (l === 0) break;
    const dPrev = A.dOut[l - 1];
    const c = layers[l - 1].cout;
    const dIn = A.dIn[l];
    dPrev.set(dIn.subarray(0, c * NB));
    if (L.opposite) {
      const half = NB >> 1;
      for (let i = 0; i < c; i++) for (let q = 0; q < NB; q++) dPrev[i * NB + ((q + half) % NB)] += dIn[(c + i) * NB + q];
    }
  }
}

/** One Adam step over the gradients accumulated from `batch` examples (then cleared); L2 decay on the weights. */
export function adamStep(layers: TrainLayer[], lr: number, step: number, batch: number, decay = 1e-4): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-8;
  const c1 = 1 - b1 ** step;
  const c2 = 1 - b2 ** step;
  const upd = (P: Float32Array, G: Float32Array, M: Float32Array, V: Float32Array, d: number) => {
    for (let i = 0; i < P.length; i++) {
      const g = G[i] / batch + d * P[i];
      M[i] = b1 * M[i] + (1 - b1) * g;
      V[i] = b2 * V[i] + (1 - b2) * g * g;
      P[i] -= (lr * (M[i] / c1)) / (Math.sqrt(V[i] / c2) + eps);
      G[i] = 0;
    }
  };
  for (const L of layers) {
    upd(L.W, L.gW, L.mW, L.vW, decay);
    upd(L.b, L.gb, L.mb, L.vb, 0);
  }
}

/** The trained layers in the weights file's form. */
export function exportLayers(layers: TrainLayer[]): ArmNetLayer[] {
  return layers.map((L) => ({ cin: L.cin, cout: L.cout, k: L.k, dil: L.dil, relu: L.relu, opposite: L.opposite, W: floatsToBase64(L.W), b: floatsToBase64(L.b) }));
}
