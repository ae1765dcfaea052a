/**
 * Spatial hash of fiber segments for crossing detection. A segment is identified by the id of its
 * end vertex (the segment runs from vertex.prev to the vertex). Entries are appended to linked
 * lists per bin; segments that broke are skipped and purged at the next rebuild.
 */
export class SegmentGrid {
  readonly nbx: number;
  readonly nby: number;
  head: Int32Array;
  next = new Int32Array(1024);
  seg = new Int32Array(1024);
  n = 0;

  constructor(
    readonly widthUm: number,
    readonly heightUm: number,
    readonly binUm: number,
  ) {
    this.nbx = Math.max(1, Math.ceil(widthUm / binUm));
    this.nby = Math.max(1, Math.ceil(heightUm / binUm));
    this.head = new Int32Array(this.nbx * this.nby).fill(-1);
  }

  clear(): void {
    this.head.fill(-1);
    this.n = 0;
  }

  private clampBx(x: number): number {
    const b = Math.floor(x / this.binUm);
    return b < 0 ? 0 : b >= this.nbx ? this.nbx - 1 : b;
  }
  private clampBy(y: number): number {
    const b = Math.floor(y / this.binUm);
    return b < 0 ? 0 : b >= this.nby ? this.nby - 1 : b;
  }

  insert(segId: number, x1: number, y1: number, x2: number, y2: number): void {
    const bx0 = this.clampBx(Math.min(x1, x2));
    const bx1 = this.clampBx(Math.max(x1, x2));
    const by0 = this.clampBy(Math.min(y1, y2));
    const by1 = this.clampBy(Math.max(y1, y2));
    for (let by = by0; by <= by1; by++)
      for (let bx = bx0; bx <= bx1; bx++) {
        if (this.n === this.next.length) {
          const nn = new Int32Array(this.n * 2);
          nn.set(this.next);
          this.next = nn;
          const ns = new Int32Array(this.n * 2);
          ns.set(this.seg);
          this.seg = ns;
        }
        const b = by * this.nbx + bx;
        this.seg[this.n] = segId;
        this.next[this.n] = this.head[b];
        this.head[b] = this.n++;
      }
  }

  /**
   * Visit candidate segments whose bins overlap the box of (x1,y1)-(x2,y2). A segment spanning
   * several bins may be visited more than once; `stamp` de-duplicates per query.
   */
  query(x1: number, y1: number, x2: number, y2: number, fn: (segId: number) => void): void {
    const bx0 = this.clampBx(Math.min(x1, x2));
    const bx1 = this.clampBx(Math.max(x1, x2));
    const by0 = this.clampBy(Math.min(y1, y2));
    const by1 = this.clampBy(Math.max(y1, y2));
    const single = bx0 === bx1 && by0 === by1;
    const seen = single ? null : new Set<number>();
    for (let by = by0; by <= by1; by++)
      for (let bx = bx0; bx <= bx1; bx++)
        for (let e = this.head[by * this.nbx + bx]; e !== -1; e = this.next[e]) {
          const s = this.seg[e];
          if (seen) {
            if (seen.has(s)) continue;
            seen.add(s);
          }
          fn(s);
        }
  }
}
