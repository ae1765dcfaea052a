import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule, ScenarioRuntime } from "../core/process.ts";
import { FATE_ATTACHED, FATE_PERSISTING, type World } from "../core/world.ts";
import { cargoTotals } from "../cargo/cargo.ts";
import { MITO, mitoSummary } from "../mitochondria/mitocytosis.ts";
import { RESPONSE, ptenOf } from "../recipients/response.ts";
import type { CargoSpec } from "../scenarios/schema.ts";

/**
 * The data collector (Mesa's DataCollector): samples time series of the run every
 * `output.timeseriesIntervalMin` into a long table (time, key, value), and keeps field snapshots
 * every `output.fieldSnapshotMin`. Kept in the world, so checkpoints include them.
 */
export const collectorParams: ParamSpec[] = [
  { path: "output.timeseriesIntervalMin", unit: "min", default: 30, min: 0.01, max: 1e6, description: "sampling interval of timeseries.csv", source: "modelling assumption" },
  { path: "output.fieldSnapshotMin", unit: "min", default: 360, min: 0.01, max: 1e6, description: "interval of field snapshots (fields/<name>_<minute>.png and .f32)", source: "modelling assumption" },
];

export const tsSchema = { timeMin: "f64", key: "i32", value: "f64" } as const;

export class Collector implements Process {
  readonly name = "collector";
  readonly keys: string[] = [];
  private every: number;
  private snapEvery: number;
  private cargo: CargoSpec[];
  private mito: boolean;
  constructor(params: Params, scenario: ScenarioRuntime) {
    this.every = params.num("output.timeseriesIntervalMin");
    this.snapEvery = params.num("output.fieldSnapshotMin");
    this.cargo = scenario.cargo ?? [];
    this.mito = params.bool("mito.enabled");
    this.keys.push("migrasomesPresent", "migrasomesFormed");
    for (const sp of this.cargo)
      for (const k of ["donorPool", "held", "released", "delivered", "inField", "recipientProteinMean"]) this.keys.push(`${sp.name}.${k}`);
    if (this.cargo.some((c) => c.effect === "pten")) this.keys.push("recipients.ptenMean", "recipients.pAktMean");
    if (this.mito) this.keys.push("mito.membranePotentialMean", "mito.viabilityMean", "mito.exportedPerCell", "mito.damagedFraction");
    this.ptenK = params.num("response.ptenHalfPakt");
  }
  private ptenK: number;

  init(w: World): void {
    this.sample(w, 0);
    this.snapshot(w, 0);
  }

  step(w: World, dt: number): void {
    const t1 = w.timeMin + dt;
    const crossed = (every: number) => Math.floor(t1 / every + 1e-9) > Math.floor(w.timeMin / every + 1e-9);
    if (crossed(this.every)) this.sample(w, t1);
    if (w.fields.length && crossed(this.snapEvery)) this.snapshot(w, t1);
  }

  private snapshot(w: World, t: number): void {
    if (!w.fields.length) return;
    const minute = Math.round(t);
    for (const f of w.fields) w.array(`snapshot.${f.name}.${String(minute).padStart(6, "0")}`, f.c.length).set(f.c);
  }

  private sample(w: World, t: number): void {
    const T = w.table("timeseries", tsSchema);
    const put = (key: string, value: number) => {
      const r = T.push();
      T.c.timeMin[r] = t;
      T.c.key[r] = this.keys.indexOf(key);
      T.c.value[r] = value;
    };
    const sw = w.swellings.c;
    let present = 0;
    let formed = 0;
    for (let s = 0; s < w.swellings.n; s++) {
      if (sw.stabilisedMin[s] >= 0) formed++;
      if (sw.fate[s] === FATE_ATTACHED || sw.fate[s] === FATE_PERSISTING) present++;
    }
    put("migrasomesPresent", present);
    put("migrasomesFormed", formed);
    const nS = this.cargo.length;
    const recipients: number[] = [];
    for (let i = 0; i < w.cells.n; i++) if (w.cells.c.group[i] === 1) recipients.push(i);
    const P = nS ? w.array(RESPONSE.protein, w.cells.n * nS) : new Float64Array(0);
    this.cargo.forEach((sp, k) => {
      const tot = cargoTotals(w, this.cargo, k);
      put(`${sp.name}.donorPool`, tot.donorPool);
      put(`${sp.name}.held`, tot.held);
      put(`${sp.name}.released`, tot.released + tot.retractosomal + tot.secreted);
      put(`${sp.name}.delivered`, tot.delivered);
      const f = sp.field ? w.field(sp.field) : undefined;
      put(`${sp.name}.inField`, f ? f.total() : 0);
      let m = 0;
      for (const i of recipients) m += P[i * nS + k];
      put(`${sp.name}.recipientProteinMean`, recipients.length ? m / recipients.length : 0);
    });
    if (this.cargo.some((c) => c.effect === "pten")) {
      let pten = 0;
      let pakt = 0;
      for (const i of recipients) {
        const e = ptenOf(w, this.cargo, i);
        pten += e;
        pakt += 1 / (1 + e / this.ptenK);
      }
      put("recipients.ptenMean", recipients.length ? pten / recipients.length : 0);
      put("recipients.pAktMean", recipients.length ? pakt / recipients.length : 0);
    }
    if (this.mito) {
      w.array(MITO.load, w.swellings.n);
      const m = mitoSummary(w);
      put("mito.membranePotentialMean", m.meanMembranePotential);
      put("mito.viabilityMean", m.meanViability);
      put("mito.exportedPerCell", m.exportedPerCell);
      put("mito.damagedFraction", m.damagedFraction);
    }
  }

  /** Wide form: one row per sample time, one column per key. */
  wide(w: World): { header: string[]; rows: number[][] } {
    const T = w.table("timeseries", tsSchema);
    const rows: number[][] = [];
    let cur: number[] | null = null;
    for (let r = 0; r < T.n; r++) {
      if (!cur || cur[0] !== T.c.timeMin[r]) {
        cur = [T.c.timeMin[r], ...this.keys.map(() => Number.NaN)];
        rows.push(cur);
      }
      cur[1 + T.c.key[r]] = T.c.value[r];
    }
    return { header: ["timeMin", ...this.keys], rows };
  }
}

export const collectorModule: ProcessModule = {
  name: "collector",
  params: collectorParams,
  create: (p: Params, s: ScenarioRuntime) => new Collector(p, s),
};
