/** A single-channel 2-D image: row-major Float32Array, origin top-left, x right, y down. */
export interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

/** A multi-dimensional image as read from a file: planes indexed by (t, z, c). */
export interface ImageStack {
  /** file name (for messages and tables) */
  name: string;
  width: number;
  height: number;
  channels: number;
  slices: number;
  frames: number;
  /** planes[(t * slices + z) * channels + c] */
  planes: Float32Array[];
  /** µm per pixel, when the file says so */
  pixelSizeUm?: number;
  /** where the pixel size came from */
  pixelSizeSource?: string;
  /** µm per pixel along y, when the file gives it from the same source (non-square pixels are refused) */
  pixelSizeYUm?: number;
  /** minutes between frames, when the file says so */
  frameIntervalMin?: number;
  bitDepth: number;
}

export function makePlane(width: number, height: number, data?: Float32Array): Plane {
  return { width, height, data: data ?? new Float32Array(width * height) };
}

export function stackPlane(s: ImageStack, t: number, z: number, c: number): Plane {
  return { width: s.width, height: s.height, data: s.planes[(t * s.slices + z) * s.channels + c] };
}

/** Maximum-intensity projection over z for one frame and channel. */
export function maxProjection(s: ImageStack, t: number, c: number): Plane {
  if (s.slices === 1) return stackPlane(s, t, 0, c);
  const out = new Float32Array(s.width * s.height);
  out.set(stackPlane(s, t, 0, c).data);
  for (let z = 1; z < s.slices; z++) {
    const d = stackPlane(s, t, z, c).data;
    for (let i = 0; i < out.length; i++) if (d[i] > out[i]) out[i] = d[i];
  }
  return { width: s.width, height: s.height, data: out };
}
