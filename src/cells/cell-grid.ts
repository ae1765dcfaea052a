/**
 * Uniform-grid spatial index over points (counting sort), rebuilt each step in O(N).
 * Deterministic: points in a bin are ordered by index. Neighbour queries visit 3×3 bins.
 */
export class CellGrid {
  binUm = 1;
  nbx = 1;
  nby = 1;
  start = new Int32Array(2);
  items = new Int32Array(0);
  private binOf = new Int32Array(0);

  build(x: Float64Array, y: Float64Array, n: number, binUm: number, widthUm: number, heightUm: number): void {
    this.binUm = binUm;
    this.nbx = Math.max(1, Math.ceil(widthUm / binUm));
    this.nby = Math.max(1, Math.ceil(heightUm / binUm));
    const nb = this.nbx * this.nby;
    if (this.start.length < nb + 1) this.start = new Int32Array(nb + 1);
    else this.start.fill(0, 0, nb + 1);
    if (this.items.length < n) {
      this.items = new Int32Array(n);
      this.binOf = new Int32Array(n);
    }
    const counts = this.start;
    for (let i = 0; i < n; i++) {
      const b = this.bin(x[i], y[i]);
      this.binOf[i] = b;
      counts[b + 1]++;
    }
    for (let b = 0; b < nb; b++) counts[b + 1] += counts[b];
    // fill using a moving cursor per bin (counts[b] is the start of bin b)
    const cursor = new Int32Array(nb);
    for (let i = 0; i < n; i++) {
      const b = this.binOf[i];
      this.items[counts[b] + cursor[b]++] = i;
    }
  }

  bin(xUm: number, yUm: number): number {
    let bx = Math.floor(xUm / this.binUm);
    let by = Math.floor(yUm / this.binUm);
    if (bx < 0) bx = 0;
    else if (bx >= this.nbx) bx = this.nbx - 1;
    if (by < 0) by = 0;
    else if (by >= this.nby) by = this.nby - 1;
    return by * this.nbx + bx;
  }

  /** Call fn(j) for every indexed point in the 3×3 bins around (x, y). */
  forNear(xUm: number, yUm: number, fn: (j: number) => void): void {
    const b = this.bin(xUm, yUm);
    const bx = b % this.nbx;
    const by = (b - bx) / this.nbx;
    for (let yy = Math.max(0, by - 1); yy <= Math.min(this.nby - 1, by + 1); yy++)
      for (let xx = Math.max(0, bx - 1); xx <= Math.min(this.nbx - 1, bx + 1); xx++) {
        const bb = yy * this.nbx + xx;
        for (let k = this.start[bb]; k < this.start[bb + 1]; k++) fn(this.items[k]);
      }
  }
}
