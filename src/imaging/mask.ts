/**
 * Binary masks of fiber centre lines: the set pixels of a mask, Zhang–Suen thinning to one-pixel
 * lines, and removal of staircase corners (so that a diagonal line is not traced as a chain of
 * junctions). Used by the ridge detector, the line filter and the tracer.
 */

/**
 * Zhang–Suen deletion tables: bit k of the code is neighbour p(k + 2) of the scheme (p2 = north,
 * then clockwise: p3 = north-east … p9 = north-west); entry 1 when the pixel is deleted in that pass.
 */
function zhangSuenTables(): [Uint8Array, Uint8Array] {
  const t0 = new Uint8Array(256);
  const t1 = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    const p = (k: number) => (c >> (k - 2)) & 1; // p(2) … p(9)
    const B = p(2) + p(3) + p(4) + p(5) + p(6) + p(7) + p(8) + p(9);
    if (B < 2 || B > 6) continue;
    let A = 0;
    for (let k = 2; k <= 9; k++) if (!p(k) && p(k === 9 ? 2 : k + 1)) A++;
    if (A !== 1) continue;
    if (p(2) * p(4) * p(6) === 0 && p(4) * p(6) * p(8) === 0) t0[c] = 1;
    if (p(2) * p(4) * p(8) === 0 && p(2) * p(6) * p(8) === 0) t1[c] = 1;
  }
  return [t0, t1];
}

/**
 * Indices (ascending) of the set pixels of a mask. Empty stretches are skipped four bytes at a time
 * (fiber masks are sparse).
 */
export function setPixels(mask: Uint8Array): number[] {
  const out: number[] = [];
  const n = mask.length;
  const aligned = mask.byteOffset % 4 === 0;
  const nw = aligned ? n >> 2 : 0;
  const words = new Uint32Array(mask.buffer, mask.byteOffset, nw);
  for (let k = 0; k < nw; k++) {
    if (words[k] === 0) continue;
    const i = k << 2;
    if (mask[i]) out.push(i);
    if (mask[i + 1]) out.push(i + 1);
    if (mask[i + 2]) out.push(i + 2);
    if (mask[i + 3]) out.push(i + 3);
  }
  for (let i = nw << 2; i < n; i++) if (mask[i]) out.push(i);
  return out;
}

/**
 * Zhang–Suen thinning of a binary mask in place (8-connected one-pixel lines). `pixels`, when given,
 * lists the set pixels in ascending order (saves a scan). Returns the set pixels afterwards, ascending.
 */
export function thin(mask: Uint8Array, w: number, h: number, pixels?: number[]): number[] {
  const src = pixels ?? setPixels(mask);
  const pts = new Int32Array(src.length);
  let n = thinInto(mask, w, h, src, src.length, pts);
  // keep the pixels still set, in order
  let m = 0;
  for (let k = 0; k < n; k++) if (mask[pts[k]]) pts[m++] = pts[k];
  n = m;
  // (an index copy: Array.from iterates, one result object per pixel)
  const out: number[] = new Array(n);
  for (let k = 0; k < n; k++) out[k] = pts[k];
  return out;
}

/**
 * Zhang–Suen thinning of the set pixels src[0 … ns) (ascending) in place; the pixels not on the border are listed in
 * pts[0 … n) (ascending; n returned), some of them deleted since (unset in the mask).
 */
function thinInto(mask: Uint8Array, w: number, h: number, src: ArrayLike<number>, ns: number, pts: Int32Array): number {
  const tables = zhangSuenTables();
  // the candidate pixels and each sub-pass's deletions in typed arrays with index loops: the array iterators,
  // `filter` copies and pushes of the plain-array version were about 30 MB of garbage per 2048² frame
  let n = 0;
  for (let k = 0; k < ns; k++) {
    const i = src[k];
    const x = i % w;
    const y = (i - x) / w;
    if (x === 0 || y === 0 || x === w - 1 || y === h - 1) mask[i] = 0;
    else pts[n++] = i;
  }
  // after both sub-passes have tested every pixel once, a pixel's test can only change where a neighbour was deleted
  // since its last test in the same sub-pass (the deletions of the last two sub-passes): later sub-passes test only
  // those (the same deletions as testing every pixel, and it stops when two sub-passes in a row delete nothing)
  let del = new Int32Array(0);
  let prevDel = new Int32Array(0);
  let nPrev = 0;
  let idle = 0;
  let cand: Int32Array = pts;
  let nc = n;
  const off = [-w - 1, -w, -w + 1, -1, 1, w - 1, w, w + 1];
  for (let sub = 0; idle < 2; sub++) {
    const t = tables[sub & 1];
    if (sub >= 2 && 8 * (nPrev + del.length) >= n) {
      // many deletions: every pixel still set (testing more pixels than needed gives the same deletions)
      let m = 0;
      for (let k = 0; k < n; k++) if (mask[pts[k]]) pts[m++] = pts[k];
      n = m;
      cand = pts;
      nc = n;
    } else if (sub >= 2) {
      // candidates: the set neighbours of the deletions of the last two sub-passes, ascending, once each
      const c = new Int32Array(8 * (nPrev + del.length));
      let m = 0;
      for (const d of [prevDel.subarray(0, nPrev), del]) for (let k = 0; k < d.length; k++) for (let q = 0; q < 8; q++) c[m++] = d[k] + off[q];
      c.subarray(0, m).sort();
      nc = 0;
      for (let k = 0; k < m; k++) if ((k === 0 || c[k] !== c[k - 1]) && mask[c[k]]) c[nc++] = c[k];
      cand = c;
    }
    const cur = new Int32Array(nc);
    let nd = 0;
    for (let k = 0; k < nc; k++) {
      const i = cand[k];
      if (!mask[i]) continue;
      const c =
        mask[i - w] |
        (mask[i - w + 1] << 1) |
        (mask[i + 1] << 2) |
        (mask[i + w + 1] << 3) |
        (mask[i + w] << 4) |
        (mask[i + w - 1] << 5) |
        (mask[i - 1] << 6) |
        (mask[i - w - 1] << 7);
      if (t[c]) cur[nd++] = i;
    }
    for (let k = 0; k < nd; k++) mask[cur[k]] = 0;
    idle = nd ? 0 : idle + 1;
    prevDel = del;
    nPrev = sub === 0 ? 0 : prevDel.length;
    del = cur.subarray(0, nd);
  }
  return n;
}

/** removeCorners' rule for a 0/1 ring (bit k: ring neighbour k, N, NE, E, SE, S, SW, W, NW, set): 1 = remove the pixel */
const CORNER_LUT = ((): Uint8Array => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) {
    let cnt = 0;
    for (let k = 0; k < 8; k++) cnt += (c >> k) & 1;
    if (cnt < 2) continue;
    let groups = 0;
    for (let k = 0; k < 8; k++) {
      if (!((c >> k) & 1)) continue;
      const prev = (k + 7) & 7;
      const prev2 = (k + 6) & 7;
      const joined = (c >> prev) & 1 || (k % 2 === 0 && (c >> prev2) & 1);
      if (!joined) groups++;
    }
    if (groups === 0) groups = 1;
    if (groups === 1) t[c] = 1;
  }
  return t;
})();

/**
 * Remove redundant pixels from a thinned (8-connected) mask in place: a pixel with two or more
 * neighbours that stay 8-connected among themselves without it (a staircase corner, a pixel beside a
 * diagonal step) carries nothing, and left in place it makes a three-way "junction" of a plain line.
 * Pixels are visited in raster order (`pixels`, when given, lists the set pixels ascending); border
 * pixels are left alone. Returns the set pixels afterwards, ascending.
 */
export function removeCorners(mask: Uint8Array, w: number, h: number, pixels?: number[]): number[] {
  const list = pixels ?? setPixels(mask);
  const kept = Int32Array.from(list);
  const n = removeCornersInPlace(mask, w, h, kept, kept.length);
  const out: number[] = new Array(n);
  for (let k = 0; k < n; k++) out[k] = kept[k];
  return out;
}

/** `removeCorners` of the pixels list[0 … nl) (ascending; unset ones skipped): the pixels still set are written to list[0 … n), n returned. */
function removeCornersInPlace(mask: Uint8Array, w: number, h: number, list: Int32Array, nl: number): number {
  // ring N, NE, E, SE, S, SW, W, NW
  const off = [-w, -w + 1, 1, w + 1, w, w - 1, -1, -w - 1];
  const on = new Uint8Array(8);
  let nk = 0;
  for (let q = 0; q < nl; q++) {
    const i = list[q];
    if (!mask[i]) continue;
    const x = i % w;
    const y = (i - x) / w;
    // (kept unless removed below; nk ≤ q, so the list is compacted in place)
    list[nk++] = i;
    if (x === 0 || y === 0 || x === w - 1 || y === h - 1) continue;
    // (a 0/1 ring: the decision below from a table of the 256 patterns, made by the same rule)
    const v0 = mask[i - w];
    const v1 = mask[i - w + 1];
    const v2 = mask[i + 1];
    const v3 = mask[i + w + 1];
    const v4 = mask[i + w];
    const v5 = mask[i + w - 1];
    const v6 = mask[i - 1];
    const v7 = mask[i - w - 1];
    if ((v0 | v1 | v2 | v3 | v4 | v5 | v6 | v7) <= 1) {
      if (CORNER_LUT[v0 | (v1 << 1) | (v2 << 2) | (v3 << 3) | (v4 << 4) | (v5 << 5) | (v6 << 6) | (v7 << 7)] === 1) {
        mask[i] = 0;
        nk--;
      }
      continue;
    }
    let cnt = 0;
    for (let k = 0; k < 8; k++) cnt += on[k] = mask[i + off[k]];
    if (cnt < 2) continue;
    // 8-connected groups among the ring: neighbours on the ring are adjacent, and so are two
    // 4-neighbours one step apart (N and E touch diagonally)
    let groups = 0;
    for (let k = 0; k < 8; k++) {
      if (!on[k]) continue;
      const prev = (k + 7) & 7;
      const prev2 = (k + 6) & 7;
      const joined = on[prev] || (k % 2 === 0 && on[prev2]);
      if (!joined) groups++;
    }
    // a full circle of joins counts as no start: at least one group
    if (groups === 0) groups = 1;
    if (groups === 1) {
      mask[i] = 0;
      nk--;
    }
  }
  return nk;
}

/**
 * The 8-neighbours of the pixels L[0 … n) (raster indices of a w-wide raster, ascending, none on the raster's border)
 * among themselves: entry 8q + k is the list index of neighbour k of pixel q, in the order E, SE, S, SW, W, NW, N, NE
 * (dx, dy = (1, 0), (1, 1), (0, 1), (−1, 1), (−1, 0), (−1, −1), (0, −1), (1, −1)), or n (a sentinel) where that
 * neighbour is not listed. By one pass with a pointer in each neighbouring row: no raster.
 */
export function neighbourTable(L: Int32Array, n: number, w: number): Int32Array {
  const nb = new Int32Array(8 * n);
  let pa = 0;
  let pb = 0;
  for (let q = 0; q < n; q++) {
    const i = L[q];
    const b = 8 * q;
    nb[b] = q + 1 < n && L[q + 1] === i + 1 ? q + 1 : n;
    nb[b + 4] = q > 0 && L[q - 1] === i - 1 ? q - 1 : n;
    // the row above: i − w − 1, i − w, i + 1 − w
    const ta = i - w - 1;
    while (pa < n && L[pa] < ta) pa++;
    let j = pa;
    let NW = n;
    let N = n;
    let NE = n;
    if (j < n && L[j] === ta) NW = j++;
    if (j < n && L[j] === ta + 1) N = j++;
    if (j < n && L[j] === ta + 2) NE = j;
    nb[b + 5] = NW;
    nb[b + 6] = N;
    nb[b + 7] = NE;
    // the row below: i + w − 1, i + w, i + w + 1
    const tb = i + w - 1;
    while (pb < n && L[pb] < tb) pb++;
    j = pb;
    let SW = n;
    let S = n;
    let SE = n;
    if (j < n && L[j] === tb) SW = j++;
    if (j < n && L[j] === tb + 1) S = j++;
    if (j < n && L[j] === tb + 2) SE = j;
    nb[b + 3] = SW;
    nb[b + 2] = S;
    nb[b + 1] = SE;
  }
  return nb;
}

/**
 * `thin` followed by `removeCorners` on a pixel list with its neighbour table (`neighbourTable`; no pixel on the
 * raster's border): alive[q] (0/1, n + 1 entries, alive[n] = 0 for the sentinel) is the mask at pixel q, cleared
 * where a pixel is deleted. The same deletions as the raster functions on the mask of these pixels: the same tests on
 * the same neighbourhoods, candidates in the same (ascending) order.
 */
export function thinRemoveCornersList(nb: Int32Array, n0: number, alive: Uint8Array): void {
  const tables = zhangSuenTables();
  const pts = new Int32Array(n0);
  for (let q = 0; q < n0; q++) pts[q] = q;
  let n = n0;
  let del = new Int32Array(0);
  let prevDel = new Int32Array(0);
  let nPrev = 0;
  let idle = 0;
  let cand: Int32Array = pts;
  let nc = n;
  for (let sub = 0; idle < 2; sub++) {
    const t = tables[sub & 1];
    if (sub >= 2 && 8 * (nPrev + del.length) >= n) {
      let m = 0;
      for (let k = 0; k < n; k++) if (alive[pts[k]]) pts[m++] = pts[k];
      n = m;
      cand = pts;
      nc = n;
    } else if (sub >= 2) {
      // the listed neighbours of the deletions of the last two sub-passes, ascending, once each (unlisted ones are
      // the sentinel n, never alive)
      const c = new Int32Array(8 * (nPrev + del.length));
      let m = 0;
      for (let k = 0; k < nPrev; k++) for (let q = 0; q < 8; q++) c[m++] = nb[8 * prevDel[k] + q];
      for (let k = 0; k < del.length; k++) for (let q = 0; q < 8; q++) c[m++] = nb[8 * del[k] + q];
      c.subarray(0, m).sort();
      nc = 0;
      for (let k = 0; k < m; k++) if ((k === 0 || c[k] !== c[k - 1]) && alive[c[k]]) c[nc++] = c[k];
      cand = c;
    }
    const cur = new Int32Array(nc);
    let nd = 0;
    for (let k = 0; k < nc; k++) {
      const i = cand[k];
      if (!alive[i]) continue;
      const b = 8 * i;
      const c =
        alive[nb[b + 6]] |
        (alive[nb[b + 7]] << 1) |
        (alive[nb[b]] << 2) |
        (alive[nb[b + 1]] << 3) |
        (alive[nb[b + 2]] << 4) |
        (alive[nb[b + 3]] << 5) |
        (alive[nb[b + 4]] << 6) |
        (alive[nb[b + 5]] << 7);
      if (t[c]) cur[nd++] = i;
    }
    for (let k = 0; k < nd; k++) alive[cur[k]] = 0;
    idle = nd ? 0 : idle + 1;
    prevDel = del;
    nPrev = sub === 0 ? 0 : prevDel.length;
    del = cur.subarray(0, nd);
  }
  // corners, in ascending order (each removal seen by the pixels after it), from the 0/1 ring's table
  for (let q = 0; q < n0; q++) {
    if (!alive[q]) continue;
    const b = 8 * q;
    const c =
      alive[nb[b + 6]] |
      (alive[nb[b + 7]] << 1) |
      (alive[nb[b]] << 2) |
      (alive[nb[b + 1]] << 3) |
      (alive[nb[b + 2]] << 4) |
      (alive[nb[b + 3]] << 5) |
      (alive[nb[b + 4]] << 6) |
      (alive[nb[b + 5]] << 7);
    if (CORNER_LUT[c] === 1) alive[q] = 0;
  }
}
