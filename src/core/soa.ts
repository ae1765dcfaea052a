/**
 * Growable structure-of-arrays storage. Each entity kind (cells, adhesions, fiber vertices,
 * migrasomes, …) is a table of typed-array columns indexed by entity id. Rows are appended;
 * capacity doubles when full. The whole table serialises to plain JSON (for checkpoints).
 */
export type ColumnKind = "f64" | "f32" | "i32" | "u8";

type ArrayOf<K extends ColumnKind> = K extends "f64"
  ? Float64Array
  : K extends "f32"
    ? Float32Array
    : K extends "i32"
      ? Int32Array
      : Uint8Array;

export type Schema = Record<string, ColumnKind>;
export type Columns<S extends Schema> = { [K in keyof S]: ArrayOf<S[K]> };

function alloc(kind: ColumnKind, n: number): Float64Array | Float32Array | Int32Array | Uint8Array {
  switch (kind) {
    case "f64":
      return new Float64Array(n);
    case "f32":
      return new Float32Array(n);
    case "i32":
      return new Int32Array(n);
    case "u8":
      return new Uint8Array(n);
  }
}

export interface TableState {
  n: number;
  cols: Record<string, { kind: ColumnKind; data: string }>;
}

export class Table<S extends Schema> {
  n = 0;
  cap: number;
  c: Columns<S>;
  constructor(
    readonly schema: S,
    initialCapacity = 64,
  ) {
    this.cap = Math.max(1, initialCapacity);
    const c: Record<string, unknown> = {};
    for (const k of Object.keys(schema)) c[k] = alloc(schema[k], this.cap);
    this.c = c as Columns<S>;
  }

  /** Append one zero-filled row and return its index. */
  push(): number {
    if (this.n === this.cap) this.grow(this.cap * 2);
    return this.n++;
  }

  grow(newCap: number): void {
    const c = this.c as Record<string, Float64Array | Float32Array | Int32Array | Uint8Array>;
    for (const k of Object.keys(this.schema)) {
      const a = alloc(this.schema[k], newCap);
      a.set(c[k].subarray(0, this.n) as never);
      c[k] = a;
    }
    this.cap = newCap;
  }

  /** Bytes used by the allocated columns. */
  bytes(): number {
    let b = 0;
    for (const k of Object.keys(this.schema)) b += (this.c[k] as { byteLength: number }).byteLength;
    return b;
  }

  toState(): TableState {
    const cols: TableState["cols"] = {};
    for (const k of Object.keys(this.schema)) {
      const a = this.c[k] as Float64Array;
      const view = new Uint8Array(a.buffer, a.byteOffset, this.n * a.BYTES_PER_ELEMENT);
      cols[k] = { kind: this.schema[k], data: Buffer.from(view).toString("base64") };
    }
    return { n: this.n, cols };
  }

  static fromState<S extends Schema>(schema: S, st: TableState): Table<S> {
    const t = new Table(schema, Math.max(64, st.n));
    for (const k of Object.keys(schema)) {
      const col = st.cols[k];
      if (!col) throw new Error(`checkpoint is missing column ${k}`);
      const buf = Buffer.from(col.data, "base64");
      const a = t.c[k] as Float64Array;
      new Uint8Array(a.buffer, a.byteOffset, buf.length).set(buf);
    }
    t.n = st.n;
    return t;
  }
}

/** A growable list of int32 (e.g. active ids), with swap-free stable compaction. */
export class IntList {
  data: Int32Array;
  n = 0;
  constructor(cap = 64) {
    this.data = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.n === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.n++] = v;
  }
  /** Keep only the values for which keep(v) is true, preserving order. */
  filter(keep: (v: number) => boolean): void {
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const v = this.data[r];
      if (keep(v)) this.data[w++] = v;
    }
    this.n = w;
  }
  toArray(): number[] {
    return Array.from(this.data.subarray(0, this.n));
  }
  static from(arr: number[]): IntList {
    const l = new IntList(Math.max(64, arr.length));
    for (const v of arr) l.push(v);
    return l;
  }
}
