/**
 * Points along polylines and a grid for "any point within r" queries: shared by the diagnosis (`diagnose.ts`: traced
 * against true fiber length) and the fiber-length ceiling (`ceiling.ts`: fibers closer than the optics resolve).
 */

/**
 * Points every `step` µm along a polyline (segment midpoints of equal pieces), with each piece's length and its
 * segment's direction (radians).
 */
export function polylineSamples(points: [number, number][], step: number, cb: (x: number, y: number, dl: number, dirRad: number) => void): void {
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1];
    const [x1, y1] = points[i];
    const l = Math.hypot(x1 - x0, y1 - y0);
    if (l === 0) continue;
    const th = Math.atan2(y1 - y0, x1 - x0);
    const n = Math.max(1, Math.ceil(l / step));
    for (let k = 0; k < n; k++) {
      const t = (k + 0.5) / n;
      cb(x0 + t * (x1 - x0), y0 + t * (y1 - y0), l / n, th);
    }
  }
}

/** A point set on a square grid of `cell` µm, for "any point within r" queries (r ≤ cell); points are numbered in the order added. */
export class PointGrid {
  private readonly map = new Map<number, number[]>();
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  constructor(private readonly cell: number) {}
  private key(gx: number, gy: number): number {
    return (gy + 1) * 1_000_003 + gx + 1;
  }
  add(x: number, y: number): void {
    const k = this.key(Math.floor(x / this.cell), Math.floor(y / this.cell));
    const l = this.map.get(k);
    if (l) l.push(this.xs.length);
    else this.map.set(k, [this.xs.length]);
    this.xs.push(x);
    this.ys.push(y);
  }
  /** indices of the points within r of (x, y) */
  near(x: number, y: number, r: number): number[] {
    const out: number[] = [];
    const gx = Math.floor(x / this.cell);
    const gy = Math.floor(y / this.cell);
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const l = this.map.get(this.key(gx + dx, gy + dy));
        if (l) for (const i of l) if (Math.hypot(this.xs[i] - x, this.ys[i] - y) <= r) out.push(i);
      }
    return out;
  }
}
