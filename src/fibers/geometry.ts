/** Plane geometry for fiber polylines. */

export interface Point {
  x: number;
  y: number;
}

/**
 * Proper intersection of segments p1p2 and p3p4. Returns the parameter t along p1p2 (0..1) of the
 * crossing point, or -1 if they do not cross (touching at endpoints and collinear overlaps do not count).
 */
export function segmentIntersection(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  x3: number,
  y3: number,
  x4: number,
  y4: number,
): number {
  const d = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3);
  if (d === 0) return -1;
  const t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / d;
  const u = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / d;
  const eps = 1e-9;
  if (t <= eps || t >= 1 - eps || u <= eps || u >= 1 - eps) return -1;
  return t;
}

/** Length of a polyline given as flat coordinate arrays. */
export function polylineLength(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < xs.length; i++) s += Math.hypot(xs[i] - xs[i - 1], ys[i] - ys[i - 1]);
  return s;
}

/** Distance from point p to segment ab. */
export function pointSegmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  let t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
