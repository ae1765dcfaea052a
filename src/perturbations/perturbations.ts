import { UserError } from "../util/errors.ts";
import type { ParamValues } from "../core/params.ts";

/**
 * Named perturbations, each mapped to parameter changes with its source. `scale` multiplies a
 * parameter, `set` replaces it. Levels are relative to wild type; the exact residual levels are
 * modelling assumptions where the papers report only the direction of the effect.
 */
export interface Perturbation {
  name: string;
  description: string;
  source: string;
  scale?: Record<string, number>;
  set?: ParamValues;
}

export const PERTURBATIONS: Perturbation[] = [
  { name: "tspan4-oe", description: "TSPAN4 overexpression (×3 level)", source: "Wang et al. 2022 Cell Res (L929 Tspan4 OE: RF length ×2.68, more migrasomes); Huang et al. 2019 Nat Cell Biol; level ×3 is a modelling assumption", set: { "molecular.tspan4Level": 3 } },
  { name: "tspan4-ko", description: "TSPAN4 knockout (other tetraspanins leave 35% capacity)", source: "Jiang et al. 2019 Nat Cell Biol (tspan4a mutants: fewer, not abolished); Zhang et al. 2022 Nat Cell Biol; residual 0.35 is a modelling assumption (14 of 33 tetraspanins can drive formation: Huang et al. 2019)", set: { "molecular.tspan4Level": 0.35 } },
  { name: "cholesterol-depletion", description: "cholesterol depletion (delipidated serum + statin / MβCD) to 20% of control", source: "Wang et al. 2022 Cell Res; Huang et al. 2019 Nat Cell Biol; residual level is a modelling assumption", set: { "molecular.cholesterolLevel": 0.2 } },
  { name: "sms2-ko", description: "SMS2 knockout: no SMS2 foci, sphingomyelin supply to 20%", source: "Liang et al. 2023 Nat Cell Biol (SMS2 essential); residual level is a modelling assumption", set: { "molecular.sms2Level": 0.2 } },
  { name: "pip5k1a-kd", description: "PIP5K1A knock-down to 30%: less PI(4,5)P2 at formation sites", source: "Ding et al. 2023 Cell Res; residual level is a modelling assumption", set: { "molecular.pip5k1aLevel": 0.3 } },
  { name: "rab35-kd", description: "Rab35 knock-down to 30%: less integrin α5 at formation sites", source: "Ding et al. 2023 Cell Res; residual level is a modelling assumption", set: { "molecular.rab35Level": 0.3 } },
  { name: "itga5-kd", description: "integrin α5 knock-down to 20%: weaker holding on fibronectin only", source: "Wu et al. 2017 Cell Res; residual level is a modelling assumption", set: { "molecular.itga5Level": 0.2 } },
  { name: "bapta", description: "Ca²⁺ chelation (BAPTA) to 30% free Ca²⁺: less Syt1-driven swelling", source: "Han & Yu 2024 J Cell Biol; residual level is a modelling assumption", set: { "molecular.calciumLevel": 0.3 } },
  { name: "blebbistatin", description: "myosin II inhibition: slower rear retraction (speed ×0.4), lower tension and retractosome shedding (×0.3)", source: "Wang et al. 2022 Cell Res (blebbistatin blocks retractosome formation); magnitudes are modelling assumptions", set: { "molecular.myosinLevel": 0.3 }, scale: { "cells.speedUmPerMin": 0.4 } },
  { name: "vimentin-ko", description: "vimentin knockout: slower migration (speed ×0.6)", source: "Fan et al. 2022 J Cell Biol (vimentin KO slows cells and lowers migrasome number); ×0.6 is a modelling assumption", scale: { "cells.speedUmPerMin": 0.6 } },
];

export function findPerturbation(name: string, where: string): Perturbation {
  const p = PERTURBATIONS.find((q) => q.name === name);
  if (!p) throw new UserError(`${where}: unknown perturbation '${name}'; expected one of ${PERTURBATIONS.map((q) => q.name).join(", ")}`);
  return p;
}

/** Apply perturbations in order to a parameter map (returns a new map). */
export function applyPerturbations(values: ParamValues, names: string[], where: string): ParamValues {
  const out = { ...values };
  for (const n of names) {
    const p = findPerturbation(n, where);
    for (const [k, f] of Object.entries(p.scale ?? {})) out[k] = (out[k] as number) * f;
    for (const [k, v] of Object.entries(p.set ?? {})) out[k] = v;
  }
  return out;
}
