/**
 * Basic filters on Float32Array images: separable Gaussian blur, Hessian, pyramids,
 * background and noise maps. All loops are flat; no per-pixel objects.
 */
import { convolveSeparableWasm } from "./fastblur.ts";
import { quarterSelect } from "./fastfilter.ts";
import type { Plane } from "./types.ts";

/** A normalised 1-D Gaussian kernel (radius ceil(3σ), at least 1). */
export function gaussianKernel(sigmaPx: number): Float32Array {
  const r = Math.max(1, Math.ceil(3 * sigmaPx));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) {
    const v = sigmaPx > 0 ? Math.exp(-(i * i) / (2 * sigmaPx * sigmaPx)) : i === 0 ? 1 : 0;
    k[i + r] = v;
    s += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/** row-pass buffer of the JavaScript passes, reused between calls (fully overwritten) */
let scratch = new Float32Array(0);

type Pass = (src: Float32Array, dst: Float32Array, w: number, h: number, k: Float32Array, line: Float32Array) => void;
const passes = new Map<number, { rows: Pass; cols: Pass }>();

/**
 * Row and column passes with the taps of a radius-r kernel unrolled (generated once per r), two
 * outputs per step sharing their loads (two pixels of a row; two rows of the column pass, all
 * columns at once). The sums are the same, in the same order, as a tap loop (row pass in double
 * precision, column pass rounded to float32 after every tap, as a Float32Array accumulator row
 * would), so results are bit-identical to the plain loops.
 */
function unrolledPasses(r: number): { rows: Pass; cols: Pass } {
  let p = passes.get(r);
  if (p) return p;
  const kv = ["const kc = k[" + r + "];"];
  for (let j = 0; j < r; j++) kv.push(`const k${j} = k[${j}];`);
  const loads: string[] = [];
  for (let t = 0; t <= 2 * r + 1; t++) loads.push(`const v${t} = line[x + ${t}];`);
  let s0 = `kc * v${r}`;
  let s1 = `kc * v${r + 1}`;
  let s = `kc * line[x + ${r}]`;
  for (let j = 0; j < r; j++) {
    s0 += ` + k${j} * (v${j} + v${2 * r - j})`;
    s1 += ` + k${j} * (v${j + 1} + v${2 * r - j + 1})`;
    s += ` + k${j} * (line[x + ${j}] + line[x + ${2 * r - j}])`;
  }
  const rows = new Function(
    "src",
    "dst",
    "w",
    "h",
    "k",
    "line",
    `${kv.join("\n")}
    for (let y = 0; y < h; y++) {
      const o = y * w;
      const first = src[o];
      const last = src[o + w - 1];
      for (let i = 0; i < ${r}; i++) { line[i] = first; line[w + ${r} + i] = last; }
      for (let x = 0; x < w; x++) line[x + ${r}] = src[o + x];
      let x = 0;
      for (; x + 1 < w; x += 2) { ${loads.join(" ")} dst[o + x] = ${s0}; dst[o + x + 1] = ${s1}; }
      for (; x < w; x++) dst[o + x] = ${s};
    }`,
  ) as Pass;
  // column pass: output rows y and y + 1 from source rows y − r … y + 1 + r (clamped)
  const offs: string[] = [];
  const cl: string[] = [];
  for (let t = 0; t <= 2 * r + 1; t++) {
    offs.push(`const o${t} = Math.min(h - 1, Math.max(0, y + ${t - r})) * w;`);
    cl.push(`const v${t} = src[o${t} + x];`);
  }
  let c0 = `let s = Math.fround(kc * v${r});`;
  let c1 = `let u = Math.fround(kc * v${r + 1});`;
  for (let j = 0; j < r; j++) {
    c0 += ` s = Math.fround(s + k${j} * (v${j} + v${2 * r - j}));`;
    c1 += ` u = Math.fround(u + k${j} * (v${j + 1} + v${2 * r - j + 1}));`;
  }
  const cols = new Function(
    "src",
    "dst",
    "w",
    "h",
    "k",
    "line",
    `${kv.join("\n")}
    let y = 0;
    for (; y + 1 < h; y += 2) {
      ${offs.join("\n")}
      const d0 = y * w;
      const d1 = d0 + w;
      for (let x = 0; x < w; x++) { ${cl.join(" ")} ${c0} ${c1} dst[d0 + x] = s; dst[d1 + x] = u; }
    }
    for (; y < h; y++) {
      ${offs.slice(0, 2 * r + 1).join("\n")}
      const d0 = y * w;
      for (let x = 0; x < w; x++) { ${cl.slice(0, 2 * r + 1).join(" ")} ${c0} dst[d0 + x] = s; }
    }`,
  ) as Pass;
  p = { rows, cols };
  passes.set(r, p);
  return p;
}

/**
 * Convolve rows then columns with a symmetric kernel (edges clamped): by the WebAssembly SIMD
 * passes (fastblur.ts, the same bits, ~2× faster) where they run, else by the JavaScript passes.
 */
export function convolveSeparable(
  src: Float32Array,
  w: number,
  h: number,
  k: Float32Array,
  out?: Float32Array,
  /** `sameInput`: src is unchanged since it was last passed here; `view`: the result may be a view valid only until the next call (see `convolveSeparableWasm`) */
  opts?: { sameInput?: boolean; view?: boolean },
): Float32Array {
  return convolveSeparableWasm(src, w, h, k, out, opts) ?? convolveSeparableScalar(src, w, h, k, out);
}

/** The JavaScript passes (unrolled taps, see `unrolledPasses`). */
export function convolveSeparableScalar(src: Float32Array, w: number, h: number, k: Float32Array, out?: Float32Array): Float32Array {
  const r = (k.length - 1) >> 1;
  // the row-pass buffer is reused between calls (fully overwritten; no allocation or GC per blur)
  if (scratch.length < w * h) scratch = new Float32Array(w * h);
  const tmp = scratch;
  const dst = out ?? new Float32Array(w * h);
  const line = new Float32Array(w + 2 * r);
  const { rows, cols } = unrolledPasses(r);
  rows(src, tmp, w, h, k, line);
  // columns, row by row (cache friendly): dst row y = Σ_j k[j]·tmp row clamp(y + j − r)
  cols(tmp, dst, w, h, k, line);
  return dst;
}

export function gaussianBlur(src: Float32Array, w: number, h: number, sigmaPx: number): Float32Array {
  if (sigmaPx <= 0.05) return Float32Array.from(src);
  return convolveSeparable(src, w, h, gaussianKernel(sigmaPx));
}

/** Second derivatives by central differences (image already smoothed). */
export function hessian(s: Float32Array, w: number, h: number): { xx: Float32Array; yy: Float32Array; xy: Float32Array } {
  const xx = new Float32Array(w * h);
  const yy = new Float32Array(w * h);
  const xy = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const ym = y > 0 ? y - 1 : 0;
    const yp = y < h - 1 ? y + 1 : h - 1;
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : 0;
      const xp = x < w - 1 ? x + 1 : w - 1;
      const i = y * w + x;
      const c = s[i];
      xx[i] = s[y * w + xp] - 2 * c + s[y * w + xm];
      yy[i] = s[yp * w + x] - 2 * c + s[ym * w + x];
      xy[i] = 0.25 * (s[yp * w + xp] - s[yp * w + xm] - s[ym * w + xp] + s[ym * w + xm]);
    }
  }
  return { xx, yy, xy };
}

/**
 * Halve the resolution by 2×2 averaging (odd edges clamped). With `scale` each float32 mean is then multiplied by it
 * (1: the mean as stored; 0.5, exact in double: the mean halved, as a noise pyramid's level needs it).
 */
export function downsample2(src: Float32Array, w: number, h: number, into?: Float32Array, scale = 1): Plane {
  const W = Math.ceil(w / 2);
  const H = Math.ceil(h / 2);
  // (`into`: ⌈w/2⌉·⌈h/2⌉ elements, every one written below)
  const out = into ?? new Float32Array(W * H);
  // (the columns whose pair is complete without the clamp, then the clamped last one of an odd width: the same sums)
  const W2 = w >> 1;
  for (let Y = 0; Y < H; Y++) {
    const y0 = 2 * Y;
    const y1 = Math.min(h - 1, y0 + 1);
    const r0 = y0 * w;
    const r1 = y1 * w;
    const o = Y * W;
    for (let X = 0; X < W2; X++) {
      const x0 = 2 * X;
      out[o + X] = Math.fround(0.25 * (src[r0 + x0] + src[r0 + x0 + 1] + src[r1 + x0] + src[r1 + x0 + 1])) * scale;
    }
    for (let X = W2; X < W; X++) {
      const x0 = 2 * X;
      const x1 = Math.min(w - 1, x0 + 1);
      out[o + X] = Math.fround(0.25 * (src[r0 + x0] + src[r0 + x1] + src[r1 + x0] + src[r1 + x1])) * scale;
    }
  }
  return { width: W, height: H, data: out };
}

/** Bilinear sample with clamping; (x, y) in pixel coordinates (pixel centres at integers). */
export function sampleBilinear(d: Float32Array, w: number, h: number, x: number, y: number): number {
  if (x < 0) x = 0;
  else if (x > w - 1) x = w - 1;
  if (y < 0) y = 0;
  else if (y > h - 1) y = h - 1;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = x0 < w - 1 ? x0 + 1 : x0;
  const y1 = y0 < h - 1 ? y0 + 1 : y0;
  const fx = x - x0;
  const fy = y - y0;
  const a = d[y0 * w + x0];
  const b = d[y0 * w + x1];
  const c = d[y1 * w + x0];
  const e = d[y1 * w + x1];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + e * fx) * fy;
}

/** Quantile of an array (copies and sorts; q in [0, 1]). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const a = Float32Array.from(values as ArrayLike<number>);
  const n = a.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  let nan = false;
  for (let j = 0; j < n; j++)
    if (a[j] !== a[j]) {
      nan = true;
      break;
    }
  if (nan || !(i >= 0 && i < n)) {
    // NaN sorts last in a typed-array sort; keep that exact behaviour
    a.sort();
    return i + 1 < n ? a[i] * (1 - f) + a[i + 1] * f : a[i];
  }
  // the same order statistics as a full sort, by quickselect (elements after k are ≥ the k-th)
  const ai = selectK(a, n, i);
  if (i + 1 >= n) return ai;
  let next = Infinity;
  for (let j = i + 1; j < n; j++) if (a[j] < next) next = a[j];
  return ai * (1 - f) + next * f;
}

type BlockStat = (buf: Float32Array, n: number) => number;
type BlockGrid = { grid: Float32Array; gw: number; gh: number; b: number };

/** Block statistics on a grid of b × b blocks (b = max(4, round(blockPx))), without the full map. */
export function blockGrid(src: Float32Array, w: number, h: number, blockPx: number, stat: BlockStat): BlockGrid {
  return gatherBlocks(src, w, h, blockPx, stat, false);
}

/**
 * A coarse grid of block statistics, upsampled bilinearly to a full map.
 * `stat` gets the block's values (a reused buffer) and its length.
 */
export function blockMap(src: Float32Array, w: number, h: number, blockPx: number, stat: BlockStat): { map: Float32Array; grid: Float32Array; gw: number; gh: number } {
  return withMap(blockGrid(src, w, h, blockPx, stat), w, h);
}

/**
 * `blockMap` of the high-pass |x − ¼(left + right + up + down)| (0 on the image border), with each
 * block's values computed as they are gathered instead of from a full high-pass image: the same
 * float32 values in the same order (so the same statistics), without a 4-Mpixel pass and buffer.
 */
export function highPassBlockMap(src: Float32Array, w: number, h: number, blockPx: number, stat: BlockStat): { map: Float32Array; grid: Float32Array; gw: number; gh: number } {
  return withMap(highPassBlockGrid(src, w, h, blockPx, stat), w, h);
}

/** The grid of `highPassBlockMap`, without the full map. */
function highPassBlockGrid(src: Float32Array, w: number, h: number, blockPx: number, stat: BlockStat): BlockGrid {
  return gatherBlocks(src, w, h, blockPx, stat, true);
}

function withMap(g: BlockGrid, w: number, h: number): { map: Float32Array; grid: Float32Array; gw: number; gh: number } {
  return { map: upsampleGrid(g.grid, g.gw, g.gh, w, h, g.b), grid: g.grid, gw: g.gw, gh: g.gh };
}

/** Each block's values (the pixels, or with `highPass` the high-pass of `highPassBlockMap`) gathered into a reused buffer and reduced by `stat`. */
function gatherBlocks(src: Float32Array, w: number, h: number, blockPx: number, stat: BlockStat, highPass: boolean): BlockGrid {
  const b = Math.max(4, Math.round(blockPx));
  const gw = Math.max(1, Math.ceil(w / b));
  const gh = Math.max(1, Math.ceil(h / b));
  const grid = new Float32Array(gw * gh);
  const buf = new Float32Array(b * b);
  const step = b * b > 4096 ? 2 : 1; // subsample big blocks
  for (let gy = 0; gy < gh; gy++)
    for (let gx = 0; gx < gw; gx++) {
      let n = 0;
      const ye = Math.min(h, (gy + 1) * b);
      const xe = Math.min(w, (gx + 1) * b);
      for (let y = gy * b; y < ye; y += step) {
        if (!highPass) {
          for (let x = gx * b; x < xe; x += step) buf[n++] = src[y * w + x];
          continue;
        }
        const edgeRow = y === 0 || y === h - 1;
        for (let x = gx * b; x < xe; x += step) {
          const i = y * w + x;
          buf[n++] = edgeRow || x === 0 || x === w - 1 ? 0 : Math.abs(src[i] - 0.25 * (src[i - 1] + src[i + 1] + src[i - w] + src[i + w]));
        }
      }
      grid[gy * gw + gx] = stat(buf, n);
    }
  return { grid, gw, gh, b };
}

/** Bilinear upsampling of a grid whose cell centres are at (i + 0.5)·b pixels. */
export function upsampleGrid(grid: Float32Array, gw: number, gh: number, w: number, h: number, b: number): Float32Array {
  return upsampleInto(grid, gw, gh, w, h, b, null, new Float32Array(w * h));
}

/**
 * `upsampleGrid` into `out`; with `minus`, out = minus − map (the map value rounded to float32 first, as
 * a stored map would be), so that a background-subtracted image needs no map of its own.
 */
function upsampleInto(grid: Float32Array, gw: number, gh: number, w: number, h: number, b: number, minus: Float32Array | null, out: Float32Array): Float32Array {
  // per-column grid indices and weights (the same for every row)
  const cx0 = new Int32Array(w);
  const cx1 = new Int32Array(w);
  const cfx = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    const gxf = Math.min(gw - 1, Math.max(0, (x + 0.5) / b - 0.5));
    const gx0 = Math.floor(gxf);
    cx0[x] = gx0;
    cx1[x] = Math.min(gw - 1, gx0 + 1);
    cfx[x] = gxf - gx0;
  }
  // every grid row interpolated along x once (doubles: the same values a per-pixel interpolation gives)
  const hrow = new Float64Array(gh * w);
  for (let g = 0; g < gh; g++)
    for (let x = 0; x < w; x++) {
      const fx = cfx[x];
      hrow[g * w + x] = grid[g * gw + cx0[x]] * (1 - fx) + grid[g * gw + cx1[x]] * fx;
    }
  for (let y = 0; y < h; y++) {
    const gyf = Math.min(gh - 1, Math.max(0, (y + 0.5) / b - 0.5));
    const gy0 = Math.floor(gyf);
    const gy1 = Math.min(gh - 1, gy0 + 1);
    const fy = gyf - gy0;
    const ha = gy0 * w;
    const hc = gy1 * w;
    const o = y * w;
    const gf = 1 - fy;
    if (minus) for (let x = 0; x < w; x++) out[o + x] = minus[o + x] - Math.fround(hrow[ha + x] * gf + hrow[hc + x] * fy);
    else for (let x = 0; x < w; x++) out[o + x] = hrow[ha + x] * gf + hrow[hc + x] * fy;
  }
  return out;
}

/**
 * Sort the first n values of a ascending in place by insertion (for short lists: no comparator calls, no
 * subarray). Only for values without NaN whose equal values need no order among them (ties keep their order).
 */
export function insertionSortAsc(a: { [i: number]: number }, n: number): void {
  for (let j = 1; j < n; j++) {
    const x = a[j];
    let k = j - 1;
    while (k >= 0 && a[k] > x) {
      a[k + 1] = a[k];
      k--;
    }
    a[k + 1] = x;
  }
}

/** k-th smallest of buf[0..n) (in place, quickselect). */
export function selectK(buf: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = buf[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (buf[i] < pivot) i++;
      while (buf[j] > pivot) j--;
      if (i <= j) {
        const t = buf[i];
        buf[i] = buf[j];
        buf[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return buf[k];
}

/** Scratch of `selectQuarterSteps`: the values as integers (4·v) and a histogram; passed, not global. */
export interface SelectScratch {
  ints: Int32Array;
  hist: Int32Array;
}

/** Scratch for blocks of up to n values. */
export function selectScratch(n: number): SelectScratch {
  return { ints: new Int32Array(n), hist: new Int32Array(1 << 15) };
}

/**
 * k-th smallest of buf[0..n), the same value `selectK` returns, by counting instead of partitioning
 * when every value is a multiple of ¼ (camera counts are integers, and their 4-neighbour high-pass
 * |x − ¼Σ| is a multiple of ¼): a histogram of 4·v over at most 1024 coarse bins finds the bin of
 * the k-th value, a second one within that bin gives the value. No data-dependent branches, two or
 * three passes, and buf is left untouched. Any other input (fractions, NaN, ±∞, huge values, or a
 * zero result when −0 is present, where quickselect may return either sign) falls back to `selectK`
 * on the unchanged buffer, so the result is always the one `selectK` gives.
 */
export function selectQuarterSteps(buf: Float32Array, n: number, k: number, scratch: SelectScratch): number {
  if (n === 0 || k < 0 || k >= n || n > scratch.ints.length) return selectK(buf, n, k);
  // the same passes in WebAssembly where available (fastfilter.ts); NaN (a fallback) and zero (its sign)
  // are left to the code below
  const q = quarterSelect(buf, n, k);
  if (q !== null && q === q && q !== 0) return q / 4;
  const ints = scratch.ints;
  const hist = scratch.hist;
  let lo = 2147483647;
  let hi = -2147483648;
  for (let i = 0; i < n; i++) {
    const t = buf[i] * 4;
    const ti = t | 0;
    if (ti !== t) return selectK(buf, n, k);
    ints[i] = ti;
    if (ti < lo) lo = ti;
    if (ti > hi) hi = ti;
  }
  const range = hi - lo;
  if (range > 1 << 24) return selectK(buf, n, k);
  let shift = 0;
  while (range >> shift >= 1024) shift++;
  // coarse pass: the bin holding the k-th value and the rank within it
  const nb = (range >> shift) + 1;
  hist.fill(0, 0, nb);
  for (let i = 0; i < n; i++) hist[(ints[i] - lo) >> shift]++;
  let b = 0;
  let rank = k;
  while (rank >= hist[b]) rank -= hist[b++];
  let t = lo + (b << shift);
  if (shift > 0) {
    // fine pass within that bin (2^shift ≤ 2^15 values wide)
    const nf = 1 << shift;
    const mask = nf - 1;
    hist.fill(0, 0, nf);
    for (let i = 0; i < n; i++) {
      const d = ints[i] - lo;
      if (d >> shift === b) hist[d & mask]++;
    }
    let f = 0;
    while (rank >= hist[f]) rank -= hist[f++];
    t += f;
  }
  const v = t / 4;
  if (v === 0) for (let i = 0; i < n; i++) if (buf[i] === 0 && 1 / buf[i] < 0) return selectK(buf, n, k);
  return v;
}

export interface BackgroundModel {
  /** smooth background level per pixel */
  background: Float32Array;
  /** noise standard deviation per pixel (same units as the image) */
  noise: Float32Array;
  /** median noise */
  noiseMedian: number;
}

/**
 * Background = per-block lower quantile (objects are sparse), noise = per-block MAD of the
 * pixel-to-neighbour difference (insensitive to smooth structure), both bilinear maps.
 */
export function estimateBackground(src: Float32Array, w: number, h: number, blockPx: number, q = 0.3): BackgroundModel {
  const g = backgroundGrid(src, w, h, blockPx, q);
  const { noise, noiseMedian } = noiseModel(src, w, h, blockPx, g.scr);
  return { background: upsampleGrid(g.grid, g.gw, g.gh, w, h, g.b), noise, noiseMedian };
}

/**
 * `estimateBackground` for a background-subtracted image: sub = src − background (the same float32
 * values as subtracting its map), without the background map.
 */
export function subtractBackground(
  src: Float32Array,
  w: number,
  h: number,
  blockPx: number,
  q = 0.3,
  /** arrays of w·h values to write the image and the noise map into (every value is written) */
  into?: { sub: Float32Array; noise: Float32Array },
): { sub: Float32Array; noise: Float32Array; noiseMedian: number } {
  // both grids from one pass over the blocks (each block's pixels and their high-pass gathered together): the same
  // values and statistics as `backgroundGrid` and `noiseModel`'s grid, one read of the image fewer
  const b = Math.max(4, Math.round(blockPx));
  const scr = selectScratch(b * b);
  const scale = 1.4826 / Math.sqrt(1.25);
  const gb = gatherBlockPairs(src, w, h, blockPx, q, scale, scr);
  const { noise, noiseMedian } = noiseFromGrid(gb.noiseGrid, gb.gw, gb.gh, gb.b, w, h, into?.noise);
  return { sub: upsampleInto(gb.grid, gb.gw, gb.gh, w, h, gb.b, src, into?.sub ?? new Float32Array(w * h)), noise, noiseMedian };
}

/**
 * `gatherBlocks` of the pixels (reduced by the q-quantile `selectQuarterSteps` rank, as `backgroundGrid`) and of the
 * high-pass (reduced by scale × its median, as `noiseModel`) in one pass over each block.
 */
/**
 * One row's part (pixels x0 … xe − 1 of the row starting at o, not the image's first or last row) of a block in
 * `gatherBlockPairs`, every pixel: the values into buf and the high-pass |c − ¼(l + r + u + d)| (0 in the first and
 * last column) into hbuf from slot n on; returns the next slot. The row's values are carried along in registers
 * (the same doubles, summed in the same order, as reading them per pixel).
 */
function gatherRowPairs(src: Float32Array, w: number, o: number, x0: number, xe: number, buf: Float32Array, hbuf: Float32Array, n: number): number {
  let x = x0;
  if (x === 0 && x < xe) {
    buf[n] = src[o];
    hbuf[n++] = 0;
    x++;
  }
  const xm = Math.min(xe, w - 1);
  if (x < xm) {
    let l = src[o + x - 1];
    let c = src[o + x];
    for (; x < xm; x++) {
      const i = o + x;
      const r = src[i + 1];
      buf[n] = c;
      hbuf[n++] = Math.abs(c - 0.25 * (l + r + src[i - w] + src[i + w]));
      l = c;
      c = r;
    }
  }
  for (; x < xe; x++) {
    buf[n] = src[o + x];
    hbuf[n++] = 0;
  }
  return n;
}

function gatherBlockPairs(src: Float32Array, w: number, h: number, blockPx: number, q: number, scale: number, scr: SelectScratch): { grid: Float32Array; noiseGrid: Float32Array; gw: number; gh: number; b: number } {
  const b = Math.max(4, Math.round(blockPx));
  const gw = Math.max(1, Math.ceil(w / b));
  const gh = Math.max(1, Math.ceil(h / b));
  const grid = new Float32Array(gw * gh);
  const noiseGrid = new Float32Array(gw * gh);
  const buf = new Float32Array(b * b);
  const hbuf = new Float32Array(b * b);
  const step = b * b > 4096 ? 2 : 1; // subsample big blocks
  for (let gy = 0; gy < gh; gy++)
    for (let gx = 0; gx < gw; gx++) {
      let n = 0;
      const ye = Math.min(h, (gy + 1) * b);
      const xe = Math.min(w, (gx + 1) * b);
      for (let y = gy * b; y < ye; y += step) {
        const edgeRow = y === 0 || y === h - 1;
        if (step === 1 && !edgeRow) {
          n = gatherRowPairs(src, w, y * w, gx * b, xe, buf, hbuf, n);
          continue;
        }
        for (let x = gx * b; x < xe; x += step) {
          const i = y * w + x;
          buf[n] = src[i];
          hbuf[n++] = edgeRow || x === 0 || x === w - 1 ? 0 : Math.abs(src[i] - 0.25 * (src[i - 1] + src[i + 1] + src[i - w] + src[i + w]));
        }
      }
      grid[gy * gw + gx] = selectQuarterSteps(buf, n, Math.floor(q * (n - 1)), scr);
      noiseGrid[gy * gw + gx] = scale * selectQuarterSteps(hbuf, n, Math.floor(0.5 * (n - 1)), scr);
    }
  return { grid, noiseGrid, gw, gh, b };
}

function backgroundGrid(src: Float32Array, w: number, h: number, blockPx: number, q: number) {
  const b = Math.max(4, Math.round(blockPx));
  const scr = selectScratch(b * b);
  return { ...blockGrid(src, w, h, blockPx, (buf, n) => selectQuarterSteps(buf, n, Math.floor(q * (n - 1)), scr)), scr };
}

function noiseModel(src: Float32Array, w: number, h: number, blockPx: number, scr: SelectScratch, into?: Float32Array): { noise: Float32Array; noiseMedian: number } {
  // high-pass: x − mean of 4-neighbours; for white noise σ_hp = σ·√(1 + 1/4)
  const scale = 1.4826 / Math.sqrt(1.25);
  const { grid, gw, gh, b } = highPassBlockGrid(src, w, h, blockPx, (buf, n) => scale * selectQuarterSteps(buf, n, Math.floor(0.5 * (n - 1)), scr));
  return noiseFromGrid(grid, gw, gh, b, w, h, into);
}

/** The noise map and its median from the noise grid (`noiseModel`). */
function noiseFromGrid(grid: Float32Array, gw: number, gh: number, b: number, w: number, h: number, into?: Float32Array): { noise: Float32Array; noiseMedian: number } {
  const noise = upsampleInto(grid, gw, gh, w, h, b, null, into ?? new Float32Array(w * h));
  let noiseMedian = quantile(grid, 0.5);
  if (!(noiseMedian > 0)) noiseMedian = 1e-6;
  // the map interpolates the grid (convex weights): where every grid value is finite and above 2e-6, no map
  // value can be ≤ 1e-6 (or NaN), and the pass below would change nothing
  let low = false;
  for (let i = 0; i < grid.length; i++) if (!(grid[i] > 2e-6 && grid[i] < Infinity)) low = true;
  if (low) for (let i = 0; i < noise.length; i++) if (!(noise[i] > 1e-6)) noise[i] = noiseMedian;
  return { noise, noiseMedian };
}

/** √(Σ k²) of a separable 2-D kernel made of the given 1-D kernels: noise gain for white noise. */
export function kernelNoiseGain(kx: Float32Array, ky: Float32Array): number {
  let a = 0;
  let b = 0;
  for (const v of kx) a += v * v;
  for (const v of ky) b += v * v;
  return Math.sqrt(a * b);
}

/** Noise gain of the discrete second derivative of a Gaussian-smoothed white-noise image. */
export function secondDerivativeGain(sigmaPx: number): number {
  const g = gaussianKernel(sigmaPx);
  const d2 = new Float32Array(g.length + 2);
  for (let i = 0; i < g.length; i++) {
    d2[i] += g[i];
    d2[i + 1] -= 2 * g[i];
    d2[i + 2] += g[i];
  }
  return kernelNoiseGain(d2, g);
}

/** Bin q of a circular profile `a` (a peak) refined between bins by a parabola through it and its two neighbours,
 * within ± 0.5 bin (q itself where the three are not concave). */
export function circularParabolaPeak(a: Float32Array, q: number): number {
  const n = a.length;
  const l = a[(q + n - 1) % n];
  const c = a[q];
  const r = a[(q + 1) % n];
  const d = l - 2 * c + r;
  return d < 0 ? q + Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / d)) : q;
}
