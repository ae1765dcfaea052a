import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule, ScenarioRuntime } from "../core/process.ts";
import type { World } from "../core/world.ts";
import { CARGO } from "../cargo/cargo.ts";
import type { CargoSpec } from "../scenarios/schema.ts";

/**
 * The recipient's response to delivered cargo. Delivered protein acts at once and is degraded
 * (effect early and transient); delivered mRNA first escapes the endosome, then is translated, so
 * its protein appears late (Zhu et al. 2021 Cell Res: PTEN from migrasome protein at 6 h and gone
 * by 36 h; from migrasome mRNA clear at 36 h). Species with `effect: pten` add to the cell's PTEN,
 * which lowers pAKT: pAKT = 1 / (1 + PTEN / K). Kinetic constants are modelling assumptions
 * calibrated to those windows.
 */
export const responseParams: ParamSpec[] = [
  { path: "response.proteinHalfLifeMin", unit: "min", default: 480, min: 1, max: 1e6, description: "half-life of delivered (or translated) protein in the recipient", source: "modelling assumption calibrated to 'PTEN at 6 h, little left at 36 h' with protein-only cargo (Zhu et al. 2021 Cell Res)" },
  { path: "response.mrnaEscapeMin", unit: "min", default: 1440, min: 1, max: 1e6, description: "mean time for delivered mRNA to leave the endosome and become translatable (Erlang-distributed)", source: "modelling assumption calibrated to 'little PTEN at 12 h, clear at 36 h' with mRNA-only cargo (Zhu et al. 2021 Cell Res)" },
  { path: "response.mrnaEscapeStages", unit: "1", default: 4, min: 1, max: 20, integer: true, description: "number of stages of the endosomal escape (shape of the delay)", source: "modelling assumption" },
  { path: "response.mrnaHalfLifeMin", unit: "min", default: 600, min: 1, max: 1e6, description: "half-life of cytosolic mRNA in the recipient", source: "modelling assumption" },
  { path: "response.translationPerMin", unit: "protein/mRNA/min", default: 0.01, min: 0, max: 1e6, description: "protein made per unit of cytosolic mRNA per minute", source: "modelling assumption" },
  { path: "response.motilityGain", unit: "1", default: 1, min: 0, max: 100, description: "maximal relative speed increase of a recipient from cargo with effect 'motility' (e.g. pro-migratory factors)", source: "modelling assumption (migrasomes raise RPE migration: PVR study, J Nanobiotechnology 2022)" },
  { path: "response.motilityHalf", unit: "amount", default: 1, min: 1e-9, max: 1e9, description: "motility-cargo protein level at half-maximal speed-up", source: "modelling assumption" },
  { path: "response.ptenHalfPakt", unit: "amount", default: 1, min: 1e-9, max: 1e9, description: "PTEN level that halves pAKT", source: "modelling assumption" },
];

export const RESPONSE = {
  protein: "response.protein", // [cell * nS + k]
  endo: "response.endo", // + stage index
  mrna: "response.mrna",
};

export class Response implements Process {
  readonly name = "response";
  private kProt: number;
  private kEsc: number;
  private stages: number;
  private motGain: number;
  private motHalf: number;
  private kM: number;
  private ktl: number;
  constructor(
    params: Params,
    private species: CargoSpec[],
  ) {
    this.kProt = Math.LN2 / params.num("response.proteinHalfLifeMin");
    this.stages = params.num("response.mrnaEscapeStages");
    this.motGain = params.num("response.motilityGain");
    this.motHalf = params.num("response.motilityHalf");
    this.kEsc = this.stages / params.num("response.mrnaEscapeMin");
    this.kM = Math.LN2 / params.num("response.mrnaHalfLifeMin");
    this.ktl = params.num("response.translationPerMin");
  }

  step(w: World, dt: number): void {
    const nS = this.species.length;
    const nC = w.cells.n;
    const inbox = w.array(CARGO.inbox, nC * nS);
    const P = w.array(RESPONSE.protein, nC * nS);
    const E: Float64Array[] = [];
    for (let g = 0; g < this.stages; g++) E.push(w.array(`${RESPONSE.endo}${g}`, nC * nS));
    const M = w.array(RESPONSE.mrna, nC * nS);
    const pDeg = Math.exp(-this.kProt * dt);
    const eOut = 1 - Math.exp(-this.kEsc * dt);
    const mKeep = Math.exp(-this.kM * dt);
    for (let k = 0; k < nS; k++) {
      const kind = this.species[k].kind;
      for (let i = 0; i < nC; i++) {
        const j = i * nS + k;
        const d = inbox[j];
        inbox[j] = 0;
        if (kind === "mrna") {
          // endosomal escape as a chain of stages (an Erlang-distributed delay), then translation
          let carry = d;
          for (let g = 0; g < this.stages; g++) {
            const out = E[g][j] * eOut;
            E[g][j] += carry - out;
            carry = out;
          }
          M[j] = M[j] * mKeep + carry;
          P[j] = P[j] * pDeg + this.ktl * M[j] * dt;
        } else P[j] = P[j] * pDeg + d;
      }
    }
    // behaviour: cargo with effect 'motility' speeds the recipient up (saturating)
    if (this.species.some((sp) => sp.effect === "motility")) {
      const cells = w.cells.c;
      for (let i = 0; i < nC; i++) {
        let e = 0;
        for (let k = 0; k < nS; k++) if (this.species[k].effect === "motility") e += P[i * nS + k];
        cells.speedUmPerMin[i] = cells.baseSpeedUmPerMin[i] * (1 + (this.motGain * e) / (e + this.motHalf));
      }
    }
  }
}

/** Per-cell PTEN (sum over species with effect pten) and pAKT. */
export function ptenOf(w: World, species: CargoSpec[], cell: number): number {
  const nS = species.length;
  const P = w.array(RESPONSE.protein, w.cells.n * nS);
  let s = 0;
  for (let k = 0; k < nS; k++) if (species[k].effect === "pten") s += P[cell * nS + k];
  return s;
}

export const responseModule: ProcessModule = {
  name: "response",
  params: responseParams,
  create: (p: Params, s: ScenarioRuntime) => (s.cargo && s.cargo.length ? new Response(p, s.cargo) : null),
};
