import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule, ScenarioRuntime } from "../core/process.ts";
import { Table } from "../core/soa.ts";
import { FATE_ATTACHED, FATE_PERSISTING, FATE_RUPTURED, FATE_UPTAKEN, SITE_ALONG, type World } from "../core/world.ts";
import type { Field } from "../fields/field.ts";
import type { BolusSpec, CargoSpec } from "../scenarios/schema.ts";

/**
 * Cargo as a conserved quantity (issue 4): donor cells produce each declared species; a forming
 * migrasome loads a fraction of its donor's pool (with a per-migrasome carrying probability, e.g.
 * ~30% RNA+ in L929: Zhu et al. 2021 Cell Res); small molecules leak before rupture; rupture
 * empties a migrasome into the species' field (or the medium); uptake delivers it to the cell
 * that took it up; retractosomes carry a share of the donor pool into the field. Species with
 * route "secrete" go straight from donors into the field instead (the no-migrasome comparison).
 *
 * Ledger per species (amounts, to round-off): produced = donorPool + degradedInDonor + secreted +
 * loaded + retractosomal; loaded = released (rupture + leak) + delivered + held.
 */
export const LEDGER_KEYS = [
  "produced",
  "degradedInDonor",
  "secreted",
  "loaded",
  "retractosomal",
  "releasedRupture",
  "releasedLeak",
  "delivered",
] as const;
export type LedgerKey = (typeof LEDGER_KEYS)[number];
const L = Object.fromEntries(LEDGER_KEYS.map((k, i) => [k, i])) as Record<LedgerKey, number>;
const NL = LEDGER_KEYS.length;

export const ROUTE_NAMES = ["rupture", "uptake", "leak", "retractosome"] as const;
export const ROUTE_RUPTURE = 0;
export const ROUTE_UPTAKE = 1;
export const ROUTE_RETRACTOSOME = 3;

export const transferSchema = {
  timeMin: "f64",
  donor: "i32",
  migrasome: "i32", // swelling id (-1 for retractosomes)
  recipient: "i32", // cell id, -1 = field/medium
  species: "i32",
  amount: "f64",
  route: "u8",
} as const;

export const cargoParams: ParamSpec[] = [];

/** Names of the per-process arrays (in World.arrays). */
export const CARGO = {
  pool: "cargo.pool", // [cell * nS + k]
  load: "cargo.load", // [swelling * nS + k]
  leaked: "cargo.leaked", // [swelling * nS + k], cumulative
  inbox: "cargo.inbox", // [cell * nS + k], delivered this step (consumed by the response process)
  delivered: "cargo.delivered", // [cell * nS + k], cumulative
  ledger: "cargo.ledger", // [k * NL + key]
};

export class Cargo implements Process {
  readonly name = "cargo";
  readonly nS: number;
  private fields: (Field | undefined)[] = [];

  constructor(
    readonly species: CargoSpec[],
    private bolus: BolusSpec | undefined,
  ) {
    this.nS = species.length;
  }

  ledger(w: World): Float64Array {
    return w.array(CARGO.ledger, this.nS * NL);
  }

  init(w: World): void {
    const nS = this.nS;
    w.array(CARGO.pool, w.cells.n * nS);
    w.array(CARGO.ledger, nS * NL);
    if (!this.bolus || this.bolus.count === 0) return;
    const b = this.bolus;
    const rng = w.rng("cargo.bolus");
    const [x0, y0, x1, y1] = b.regionUm ?? [0, 0, w.widthUm, w.heightUm];
    const ledger = this.ledger(w);
    const c = w.swellings.c;
    for (let m = 0; m < b.count; m++) {
      const s = w.swellings.push();
      c.x[s] = rng.range(x0, x1);
      c.y[s] = rng.range(y0, y1);
      c.site[s] = SITE_ALONG;
      c.cell[s] = -1; // purified, no donor cell in the dish
      c.fiber[s] = -1;
      c.vertex[s] = -1;
      c.bornMin[s] = 0;
      c.stabiliseAtMin[s] = 0;
      c.decayAtMin[s] = -1;
      c.stabilisedMin[s] = 0;
      c.detachedMin[s] = 0;
      c.endMin[s] = -1;
      c.fate[s] = FATE_PERSISTING;
      c.targetDiameterUm[s] = b.diameterUm;
      c.diameterUm[s] = b.diameterUm;
      c.growthTauMin[s] = 1;
      c.recipient[s] = -1;
      w.activeSwellings.push(s);
    }
    const load = w.array(CARGO.load, w.swellings.n * nS);
    for (let k = 0; k < nS; k++) {
      const amount = b.loads[this.species[k].name] ?? 0;
      if (amount <= 0) continue;
      for (let s = w.swellings.n - b.count; s < w.swellings.n; s++) load[s * nS + k] = amount;
      ledger[k * NL + L.produced] += amount * b.count;
      ledger[k * NL + L.loaded] += amount * b.count;
    }
  }

  step(w: World, dt: number): void {
    const nS = this.nS;
    if (nS === 0) return;
    if (this.fields.length !== nS) this.fields = this.species.map((sp) => (sp.field ? w.field(sp.field) : undefined));
    const cells = w.cells.c;
    const nC = w.cells.n;
    const pool = w.array(CARGO.pool, nC * nS);
    const ledger = this.ledger(w);
    const rng = w.rng("cargo");
    // 1. production (donors), degradation in the donor, or direct secretion
    for (let k = 0; k < nS; k++) {
      const sp = this.species[k];
      const prod = sp.productionPerCellPerMin * dt;
      const keep = Math.exp(-sp.donorDegradationPerMin * dt);
      const f = this.fields[k];
      for (let i = 0; i < nC; i++) {
        if (cells.group[i] !== 0) continue;
        if (sp.route === "secrete") {
          if (prod > 0) {
            if (f) f.add(cells.x[i], cells.y[i], prod);
            ledger[k * NL + L.produced] += prod;
            ledger[k * NL + L.secreted] += prod;
          }
          continue;
        }
        const j = i * nS + k;
        const lost = pool[j] * (1 - keep);
        pool[j] = pool[j] - lost + prod;
        ledger[k * NL + L.degradedInDonor] += lost;
        ledger[k * NL + L.produced] += prod;
      }
    }
    // 2. loading into migrasomes stabilised this step
    const sw = w.swellings.c;
    let load = w.array(CARGO.load, w.swellings.n * nS);
    const stab = w.events.stabilised;
    for (let e = 0; e < stab.n; e++) {
      const s = stab.data[e];
      const donor = sw.cell[s];
      if (donor < 0 || cells.group[donor] !== 0) continue;
      for (let k = 0; k < nS; k++) {
        const sp = this.species[k];
        if (sp.route !== "migrasome" || sp.loadFraction === 0) continue;
        if (sp.loadProbability < 1 && rng.uniform() >= sp.loadProbability) continue;
        const j = donor * nS + k;
        const amount = pool[j] * sp.loadFraction;
        pool[j] -= amount;
        load[s * nS + k] += amount;
        ledger[k * NL + L.loaded] += amount;
      }
    }
    // 3. retractosomes carry a share of the donor pool into the field
    const rc = w.events.retractosomeCell;
    const rn = w.events.retractosomeCount;
    for (let e = 0; e < rc.n; e++) {
      const i = rc.data[e];
      if (cells.group[i] !== 0) continue;
      for (let k = 0; k < nS; k++) {
        const frac = this.species[k].retractosomeFraction;
        if (frac === 0) continue;
        const j = i * nS + k;
        const amount = pool[j] * (1 - (1 - frac) ** rn.data[e]);
        if (amount <= 0) continue;
        pool[j] -= amount;
        this.fields[k]?.add(cells.x[i], cells.y[i], amount);
        ledger[k * NL + L.retractosomal] += amount;
        this.record(w, i, -1, -1, k, amount, ROUTE_RETRACTOSOME);
      }
    }
    // 4. leakage from intact migrasomes
    load = w.array(CARGO.load, w.swellings.n * nS);
    const leaked = w.array(CARGO.leaked, w.swellings.n * nS);
    const act = w.activeSwellings;
    for (let k = 0; k < nS; k++) {
      const rate = this.species[k].leakPerMin;
      if (rate === 0) continue;
      const frac = 1 - Math.exp(-rate * dt);
      const f = this.fields[k];
      for (let a = 0; a < act.n; a++) {
        const s = act.data[a];
        const fate = sw.fate[s];
        if (fate !== FATE_ATTACHED && fate !== FATE_PERSISTING) continue;
        const j = s * nS + k;
        const amount = load[j] * frac;
        if (amount <= 0) continue;
        load[j] -= amount;
        leaked[j] += amount;
        f?.add(sw.x[s], sw.y[s], amount);
        ledger[k * NL + L.releasedLeak] += amount;
      }
    }
    // 5. rupture → field; uptake → recipient
    const inbox = w.array(CARGO.inbox, nC * nS);
    const delivered = w.array(CARGO.delivered, nC * nS);
    const ended = w.events.ended;
    for (let e = 0; e < ended.n; e++) {
      const s = ended.data[e];
      for (let k = 0; k < nS; k++) {
        const j = s * nS + k;
        const amount = load[j];
        if (amount <= 0) continue;
        load[j] = 0;
        if (sw.fate[s] === FATE_RUPTURED) {
          this.fields[k]?.add(sw.x[s], sw.y[s], amount);
          ledger[k * NL + L.releasedRupture] += amount;
          this.record(w, sw.cell[s], s, -1, k, amount, ROUTE_RUPTURE);
        } else if (sw.fate[s] === FATE_UPTAKEN) {
          const r = sw.recipient[s];
          inbox[r * nS + k] += amount;
          delivered[r * nS + k] += amount;
          ledger[k * NL + L.delivered] += amount;
          this.record(w, sw.cell[s], s, r, k, amount, ROUTE_UPTAKE);
        }
      }
    }
  }

  private record(w: World, donor: number, migrasome: number, recipient: number, species: number, amount: number, route: number): void {
    const T = transfersTable(w);
    const r = T.push();
    T.c.timeMin[r] = w.timeMin;
    T.c.donor[r] = donor;
    T.c.migrasome[r] = migrasome;
    T.c.recipient[r] = recipient;
    T.c.species[r] = species;
    T.c.amount[r] = amount;
    T.c.route[r] = route;
  }
}



/** The provenance table (donor → migrasome → recipient or field), kept in the world. */
export function transfersTable(w: World): Table<typeof transferSchema> {
  return w.table("cargo.transfers", transferSchema);
}

export interface CargoTotals {
  produced: number;
  degradedInDonor: number;
  secreted: number;
  loaded: number;
  retractosomal: number;
  released: number;
  releasedRupture: number;
  releasedLeak: number;
  delivered: number;
  held: number;
  donorPool: number;
}

/** The ledger of one species, with the amounts still held in migrasomes and donor pools. */
export function cargoTotals(w: World, species: CargoSpec[], k: number): CargoTotals {
  const nS = species.length;
  const led = w.array(CARGO.ledger, nS * NL);
  const load = w.array(CARGO.load, w.swellings.n * nS);
  const pool = w.array(CARGO.pool, w.cells.n * nS);
  let held = 0;
  for (let s = 0; s < w.swellings.n; s++) held += load[s * nS + k];
  let donorPool = 0;
  for (let i = 0; i < w.cells.n; i++) donorPool += pool[i * nS + k];
  const g = (key: LedgerKey) => led[k * NL + L[key]];
  return {
    produced: g("produced"),
    degradedInDonor: g("degradedInDonor"),
    secreted: g("secreted"),
    loaded: g("loaded"),
    retractosomal: g("retractosomal"),
    released: g("releasedRupture") + g("releasedLeak"),
    releasedRupture: g("releasedRupture"),
    releasedLeak: g("releasedLeak"),
    delivered: g("delivered"),
    held,
    donorPool,
  };
}

export const cargoModule: ProcessModule = {
  name: "cargo",
  params: cargoParams,
  create: (_p: Params, s: ScenarioRuntime) => (s.cargo && s.cargo.length ? new Cargo(s.cargo, s.bolus) : null),
};
