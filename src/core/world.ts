import { Rng, type RngState } from "../util/rng.ts";
import type { Field, FieldState } from "../fields/field.ts";
import { IntList, Table, type Schema, type TableState } from "./soa.ts";
import type { Params } from "./params.ts";

/** Site kinds of a migrasome (where it nucleated). */
export const SITE_TIP = 0;
export const SITE_JUNCTION = 1;
export const SITE_ALONG = 2;
export const SITE_NAMES = ["tip", "junction", "along"] as const;

/** Fates of a swelling / migrasome. */
export const FATE_SWELLING = 0; // nucleated, not yet stabilised or decayed
export const FATE_DECAYED = 1; // unstabilised swelling that disappeared
export const FATE_ATTACHED = 2; // stable migrasome on an intact fiber
export const FATE_PERSISTING = 3; // detached, intact, free on the substrate
export const FATE_RUPTURED = 4;
export const FATE_UPTAKEN = 5;
export const FATE_NAMES = ["swelling", "decayed", "attached", "persisting", "ruptured", "uptaken"] as const;

export const cellSchema = {
  x: "f64", // µm
  y: "f64",
  theta: "f64", // heading, rad
  polX: "f64", // front–rear polarity axis (unit vector, smoothed direction of motion)
  polY: "f64",
  radiusUm: "f64",
  speedUmPerMin: "f64", // this cell's current speed
  baseSpeedUmPerMin: "f64", // its intrinsic speed (responses may modulate the current one)
  pathUm: "f64", // distance travelled
  fx: "f64", // scratch: displacement this step
  fy: "f64",
  uptaken: "i32", // migrasomes taken up
  group: "u8", // 0 = donor (makes cargo), 1 = recipient
} as const;

export const adhesionSchema = {
  x: "f64",
  y: "f64",
  cell: "i32",
  bornMin: "f64",
  expireMin: "f64",
} as const;

export const fiberSchema = {
  cell: "i32",
  parent: "i32", // parent fiber for branches, -1 otherwise
  firstVertex: "i32", // distal tip (anchor)
  headVertex: "i32", // proximal end (at the cell while attached)
  oldestIntact: "i32", // oldest vertex not yet broken (-1 when fully broken)
  attached: "u8", // 1 while pulled by the cell (under tension)
  alphaRad: "f64", // attachment angle at the rear, relative to the rear direction
  bornMin: "f64",
  releasedMin: "f64",
  brokenMin: "f64", // time the last section broke (-1 while any section is intact)
  breakAgeMin: "f64", // sections older than this break
  releaseAtMin: "f64", // time at which the cell lets go of the fiber
  lengthUm: "f64", // pulled length (all sections, including broken ones)
} as const;

export const vertexSchema = {
  x: "f32",
  y: "f32",
  fiber: "i32",
  prev: "i32", // towards the tip
  next: "i32", // towards the cell
  bornMin: "f32",
  brokenMin: "f32", // -1 while intact
  mark: "u8", // 1 = pre-marked formation site (SMS2/PIP5K1A–Rab35/ITGA5 focus)
  migrasome: "i32", // swelling id sitting on this vertex, -1 if none
} as const;

export const junctionSchema = {
  x: "f64",
  y: "f64",
  fiberA: "i32",
  vertexA: "i32",
  fiberB: "i32",
  vertexB: "i32",
  bornMin: "f64",
  kind: "u8", // 0 branch point, 1 crossing
} as const;

export const siteSchema = {
  kind: "u8", // SITE_*
  x: "f64", // µm (for crossings: the intersection point)
  y: "f64",
  vertex: "i32", // vertex carrying the site
  fiber: "i32",
  otherFiber: "i32", // for junctions: the second fiber (-1 otherwise)
  used: "u8",
} as const;

export const swellingSchema = {
  x: "f64",
  y: "f64",
  site: "u8",
  cell: "i32",
  fiber: "i32",
  vertex: "i32",
  bornMin: "f64",
  stabiliseAtMin: "f64", // scheduled stabilisation (-1 if it will decay)
  decayAtMin: "f64", // scheduled decay (-1 if it will stabilise)
  stabilisedMin: "f64",
  detachedMin: "f64",
  endMin: "f64",
  fate: "u8",
  targetDiameterUm: "f64",
  diameterUm: "f64",
  growthTauMin: "f64",
  recipient: "i32", // cell that took it up (-1 if none)
} as const;

export type CellTable = Table<typeof cellSchema>;
export type FiberTable = Table<typeof fiberSchema>;
export type VertexTable = Table<typeof vertexSchema>;

export interface Counters {
  retractosomes: number;
  brokenFiberUm: number;
  swellingsDecayed: number;
  fibersCreated: number;
  adhesionsReleased: number;
  crossings: number;
  branches: number;
}

/** The complete simulation state. Processes read and write it; the engine owns it and the clock. */
export class World {
  timeMin = 0;
  stepIndex = 0;
  cells: CellTable;
  adhesions = new Table(adhesionSchema, 256);
  fibers = new Table(fiberSchema, 256);
  vertices = new Table(vertexSchema, 4096);
  junctions = new Table(junctionSchema, 256);
  sites = new Table(siteSchema, 1024);
  swellings = new Table(swellingSchema, 1024);
  /** Ids of fibers with at least one intact section. */
  liveFibers = new IntList(256);
  /** Ids of fibers still pulled by their cell (a subset of liveFibers). */
  attachedFibers = new IntList(256);
  /** Ids of candidate sites not yet used. */
  openSites = new IntList(1024);
  /** Ids of swellings/migrasomes whose fate is still open (swelling, attached, persisting). */
  activeSwellings = new IntList(1024);
  counters: Counters = {
    retractosomes: 0,
    brokenFiberUm: 0,
    swellingsDecayed: 0,
    fibersCreated: 0,
    adhesionsReleased: 0,
    crossings: 0,
    branches: 0,
  };
  fields: Field[] = [];
  /** Track samples: cell, time, x, y. */
  tracks = new Table({ cell: "i32", timeMin: "f64", x: "f64", y: "f64" } as const, 4096);
  private rngs = new Map<string, Rng>();
  /**
   * Per-process numeric state that is not a table (e.g. cargo pools, mitochondria), by name.
   * Serialised with the world; processes create and grow their own arrays.
   */
  arrays = new Map<string, Float64Array>();
  /** Events of the current step, cleared by the engine before each step (not serialised). */
  readonly events = {
    stabilised: new IntList(64),
    ended: new IntList(64), // ruptured or taken up
    retractosomeCell: new IntList(64),
    retractosomeCount: new IntList(64),
  };
  /** Derived, non-serialised helpers (spatial indexes), rebuilt from the tables on demand. */
  readonly derived = new Map<string, unknown>();

  constructor(
    readonly params: Params,
    readonly seed: number,
  ) {
    this.cells = new Table(cellSchema, Math.max(1, params.num("cells.count")));
  }

  get widthUm(): number {
    return this.params.num("world.widthUm");
  }
  get heightUm(): number {
    return this.params.num("world.heightUm");
  }

  /** The random stream of one process: independent of every other process's use. */
  rng(name: string): Rng {
    let r = this.rngs.get(name);
    if (!r) {
      r = new Rng(`${this.seed}/${name}`);
      this.rngs.set(name, r);
    }
    return r;
  }

  clearEvents(): void {
    this.events.stabilised.n = 0;
    this.events.ended.n = 0;
    this.events.retractosomeCell.n = 0;
    this.events.retractosomeCount.n = 0;
  }

  /** Extra tables owned by processes (e.g. cargo transfers), by name; serialised with the world. */
  tables = new Map<string, Table<Schema>>();

  table<S extends Schema>(name: string, schema: S): Table<S> {
    let t = this.tables.get(name);
    if (!t) {
      t = new Table(schema, 256) as unknown as Table<Schema>;
      this.tables.set(name, t);
    }
    return t as unknown as Table<S>;
  }

  /** A named per-process array of at least `length` (zero-filled when created or grown). */
  array(name: string, length: number): Float64Array {
    let a = this.arrays.get(name);
    if (!a || a.length < length) {
      const b = new Float64Array(Math.max(length, a ? a.length * 2 : 0));
      if (a) b.set(a);
      this.arrays.set(name, b);
      a = b;
    }
    return a;
  }

  field(name: string): Field | undefined {
    return this.fields.find((f) => f.name === name);
  }

  toState(): WorldState {
    const rngs: Record<string, RngState> = {};
    for (const [k, r] of [...this.rngs.entries()].sort()) rngs[k] = r.getState();
    return {
      timeMin: this.timeMin,
      stepIndex: this.stepIndex,
      seed: this.seed,
      tables: {
        cells: this.cells.toState(),
        adhesions: this.adhesions.toState(),
        fibers: this.fibers.toState(),
        vertices: this.vertices.toState(),
        junctions: this.junctions.toState(),
        sites: this.sites.toState(),
        swellings: this.swellings.toState(),
        tracks: this.tracks.toState(),
      },
      lists: {
        liveFibers: this.liveFibers.toArray(),
        attachedFibers: this.attachedFibers.toArray(),
        openSites: this.openSites.toArray(),
        activeSwellings: this.activeSwellings.toArray(),
      },
      counters: { ...this.counters },
      fields: this.fields.map((f) => f.toState()),
      extraTables: Object.fromEntries([...this.tables.entries()].sort().map(([k, t]) => [k, { schema: t.schema, state: t.toState() }])),
      arrays: Object.fromEntries(
        [...this.arrays.entries()].sort().map(([k, a]) => [k, Buffer.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).toString("base64")]),
      ),
      rngs,
    };
  }

  /** Restore tables, lists, counters, fields and RNG streams from a checkpoint. */
  loadState(st: WorldState): void {
    this.timeMin = st.timeMin;
    this.stepIndex = st.stepIndex;
    this.cells = Table.fromState(cellSchema, st.tables.cells);
    this.adhesions = Table.fromState(adhesionSchema, st.tables.adhesions);
    this.fibers = Table.fromState(fiberSchema, st.tables.fibers);
    this.vertices = Table.fromState(vertexSchema, st.tables.vertices);
    this.junctions = Table.fromState(junctionSchema, st.tables.junctions);
    this.sites = Table.fromState(siteSchema, st.tables.sites);
    this.swellings = Table.fromState(swellingSchema, st.tables.swellings);
    this.tracks = Table.fromState(this.tracks.schema, st.tables.tracks);
    this.liveFibers = IntList.from(st.lists.liveFibers);
    this.attachedFibers = IntList.from(st.lists.attachedFibers);
    this.openSites = IntList.from(st.lists.openSites);
    this.activeSwellings = IntList.from(st.lists.activeSwellings);
    this.counters = { ...st.counters };
    for (let i = 0; i < this.fields.length; i++) this.fields[i].loadState(st.fields[i]);
    this.derived.clear();
    this.arrays.clear();
    this.tables.clear();
    for (const [k, t] of Object.entries(st.extraTables)) this.tables.set(k, Table.fromState(t.schema, t.state));
    for (const [k, b64] of Object.entries(st.arrays)) {
      const buf = Buffer.from(b64, "base64");
      const a = new Float64Array(buf.length / 8);
      new Uint8Array(a.buffer).set(buf);
      this.arrays.set(k, a);
    }
    this.rngs.clear();
    for (const [k, s] of Object.entries(st.rngs)) this.rngs.set(k, Rng.fromState(s));
  }
}

export interface WorldState {
  timeMin: number;
  stepIndex: number;
  seed: number;
  tables: Record<string, TableState>;
  lists: { liveFibers: number[]; attachedFibers: number[]; openSites: number[]; activeSwellings: number[] };
  counters: Counters;
  fields: FieldState[];
  arrays: Record<string, string>;
  extraTables: Record<string, { schema: Schema; state: TableState }>;
  rngs: Record<string, RngState>;
}
