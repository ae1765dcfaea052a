import { encodePng } from "../util/png.ts";

/** Five-stop approximation of the viridis colour map. */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function colour(t: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2]))];
}

/** A heat map PNG of a field (row 0 at the top, as in the world's y-down convention), scaled to its maximum. */
export function fieldPng(c: ArrayLike<number>, nx: number, ny: number, scale = 4): Uint8Array {
  let max = 0;
  for (let k = 0; k < nx * ny; k++) if (c[k] > max) max = c[k];
  const W = nx * scale;
  const H = ny * scale;
  const data = new Uint8Array(W * H * 3);
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const [r, g, b] = colour(max > 0 ? c[j * nx + i] / max : 0);
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const o = ((j * scale + dy) * W + i * scale + dx) * 3;
          data[o] = r;
          data[o + 1] = g;
          data[o + 2] = b;
        }
    }
  return encodePng(W, H, data);
}

/** Raw little-endian float32 array (row-major, nx fastest). */
export function fieldF32(c: ArrayLike<number>): Uint8Array {
  const f = Float32Array.from(c as ArrayLike<number>);
  const out = new Uint8Array(f.length * 4);
  const dv = new DataView(out.buffer);
  for (let k = 0; k < f.length; k++) dv.setFloat32(k * 4, f[k], true);
  return out;
}
