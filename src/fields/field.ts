/**
 * A 2-D diffusing, decaying field on a regular grid with no-flux borders.
 *
 * Scheme (documented in docs/model.md): operator splitting per time step Δt:
 *  1. diffusion by locally one-dimensional (LOD) backward-Euler sweeps, first along x then
 *     along y; each sweep solves (I − rL)u' = u with r = DΔt/Δx² and the 1-D Laplacian L with
 *     mirror (no-flux) borders, by the Thomas algorithm. Unconditionally stable and exactly
 *     mass-conserving (each matrix has unit column sums);
 *  2. linear decay by the exact factor exp(−λΔt).
 * Concentrations are amounts per µm² (2-D); `total()` is the amount in the domain.
 */
export class Field {
  readonly c: Float64Array;
  private coefDt = -1;
  private mx = new Float64Array(0);
  private my = new Float64Array(0);
  private rx = 0;
  private ry = 0;
  private decayFactor = 1;

  constructor(
    readonly name: string,
    readonly nx: number,
    readonly ny: number,
    readonly dxUm: number,
    readonly diffusionUm2PerMin: number,
    readonly decayPerMin: number,
  ) {
    if (!(nx >= 1 && ny >= 1 && dxUm > 0)) throw new Error(`field ${name}: bad grid ${nx}x${ny} dx=${dxUm}`);
    if (!(diffusionUm2PerMin >= 0 && decayPerMin >= 0)) throw new Error(`field ${name}: D and decay must be >= 0`);
    this.c = new Float64Array(nx * ny);
  }

  get voxelAreaUm2(): number {
    return this.dxUm * this.dxUm;
  }

  private prepare(dtMin: number): void {
    if (dtMin === this.coefDt) return;
    this.coefDt = dtMin;
    const r = (this.diffusionUm2PerMin * dtMin) / (this.dxUm * this.dxUm);
    this.rx = r;
    this.ry = r;
    this.mx = thomasFactors(this.nx, r);
    this.my = thomasFactors(this.ny, r);
    this.decayFactor = Math.exp(-this.decayPerMin * dtMin);
  }

  /** Advance diffusion and decay by dtMin. */
  step(dtMin: number): void {
    this.prepare(dtMin);
    const { nx, ny, c } = this;
    if (this.diffusionUm2PerMin > 0) {
      // x sweeps: all rows at once, column by column (independent recurrences pipeline well)
      const r = this.rx;
      const m = this.mx;
      if (nx > 1) {
        const m0 = m[0];
        for (let o = 0; o < nx * ny; o += nx) c[o] *= m0;
        for (let i = 1; i < nx; i++) {
          const mi = m[i];
          for (let o = i; o < nx * ny; o += nx) c[o] = (c[o] + r * c[o - 1]) * mi;
        }
        for (let i = nx - 2; i >= 0; i--) {
          const f = r * m[i];
          for (let o = i; o < nx * ny; o += nx) c[o] += f * c[o + 1];
        }
      }
      // y sweeps: all columns at once, row by row (cache friendly)
      const ry = this.ry;
      const my = this.my;
      if (ny > 1) {
        for (let i = 0; i < nx; i++) c[i] *= my[0];
        for (let j = 1; j < ny; j++) {
          const o = j * nx;
          const p = o - nx;
          const mj = my[j];
          for (let i = 0; i < nx; i++) c[o + i] = (c[o + i] + ry * c[p + i]) * mj;
        }
        for (let j = ny - 2; j >= 0; j--) {
          const o = j * nx;
          const q = o + nx;
          const f = ry * my[j];
          for (let i = 0; i < nx; i++) c[o + i] += f * c[q + i];
        }
      }
    }
    if (this.decayFactor !== 1) {
      const d = this.decayFactor;
      for (let k = 0; k < c.length; k++) c[k] *= d;
    }
  }

  /** Voxel index of a point (clamped to the grid). */
  index(xUm: number, yUm: number): number {
    let i = Math.floor(xUm / this.dxUm);
    let j = Math.floor(yUm / this.dxUm);
    if (i < 0) i = 0;
    else if (i >= this.nx) i = this.nx - 1;
    if (j < 0) j = 0;
    else if (j >= this.ny) j = this.ny - 1;
    return j * this.nx + i;
  }

  /** Deposit an amount at a point (into its voxel). */
  add(xUm: number, yUm: number, amount: number): void {
    this.c[this.index(xUm, yUm)] += amount / this.voxelAreaUm2;
  }

  /** Remove up to `fraction` of the local amount in the voxel; returns the amount removed. */
  take(xUm: number, yUm: number, fraction: number): number {
    const k = this.index(xUm, yUm);
    const removed = this.c[k] * fraction;
    this.c[k] -= removed;
    return removed * this.voxelAreaUm2;
  }

  sample(xUm: number, yUm: number): number {
    return this.c[this.index(xUm, yUm)];
  }

  /** Central-difference gradient (per µm) at the voxel containing the point; one-sided at borders. */
  gradient(xUm: number, yUm: number, out: { gx: number; gy: number }): void {
    const k = this.index(xUm, yUm);
    const i = k % this.nx;
    const j = (k - i) / this.nx;
    const { nx, ny, c } = this;
    const il = i > 0 ? k - 1 : k;
    const ir = i < nx - 1 ? k + 1 : k;
    const jd = j > 0 ? k - nx : k;
    const ju = j < ny - 1 ? k + nx : k;
    const wx = (i > 0 ? 1 : 0) + (i < nx - 1 ? 1 : 0);
    const wy = (j > 0 ? 1 : 0) + (j < ny - 1 ? 1 : 0);
    out.gx = wx ? (c[ir] - c[il]) / (wx * this.dxUm) : 0;
    out.gy = wy ? (c[ju] - c[jd]) / (wy * this.dxUm) : 0;
  }

  /** Total amount in the domain. */
  total(): number {
    let s = 0;
    for (let k = 0; k < this.c.length; k++) s += this.c[k];
    return s * this.voxelAreaUm2;
  }

  toState(): FieldState {
    return { name: this.name, data: Buffer.from(new Uint8Array(this.c.buffer, this.c.byteOffset, this.c.byteLength)).toString("base64") };
  }
  loadState(st: FieldState): void {
    const b = Buffer.from(st.data, "base64");
    new Uint8Array(this.c.buffer, this.c.byteOffset, this.c.byteLength).set(b);
  }
}

export interface FieldState {
  name: string;
  data: string;
}

/** Inverse pivots of the Thomas algorithm for the no-flux matrix tridiag(−r, 1+2r, −r). */
function thomasFactors(n: number, r: number): Float64Array<ArrayBuffer> {
  const m = new Float64Array(n);
  if (n === 1) {
    m[0] = 1;
    return m;
  }
  let cpPrev = 0;
  for (let i = 0; i < n; i++) {
    const b = i === 0 || i === n - 1 ? 1 + r : 1 + 2 * r;
    const denom = i === 0 ? b : b + r * cpPrev; // b − a·c'_{i−1} with a = −r, c'_{i−1} = −r·m_{i−1}
    m[i] = 1 / denom;
    cpPrev = -r * m[i];
  }
  return m;
}
