import type { ParamSpec, Params } from "../core/params.ts";
import type { Rng } from "../util/rng.ts";

/**
 * Step 2 of biogenesis: a swelling becomes a migrasome only if tetraspanins are recruited.
 * The "simple" rule: recruitment score S = TSPAN4 · cholesterol · sphingomyelin · Ca²⁺ (levels
 * relative to wild type), probability p = S^h / (K^h + S^h) (Hill switch). Ca²⁺: Syt1 recruitment
 * and tetraspanin stabilisation are Ca²⁺-dependent (Han & Yu 2024 J Cell Biol). Tetraspanin/cholesterol requirement:
 * Huang et al. 2019 Nat Cell Biol; two-step nucleation→stabilisation: Dharan et al. 2023 Nat Commun;
 * sphingomyelin: Liang et al. 2023 Nat Cell Biol.
 */
export const stabilisationParams: ParamSpec[] = [
  { path: "mechanics.mode", unit: "-", default: "simple", choices: ["simple", "solver"], description: "stabilisation rule: 'simple' Hill switch, or 'solver' (membrane-mechanics threshold table)", source: "modelling assumption" },
  { path: "molecular.cholesterolLevel", unit: "1", default: 1, min: 0, max: 10, description: "membrane cholesterol relative to wild type", source: "Huang et al. 2019 Nat Cell Biol; Wang et al. 2022 Cell Res (depletion blocks migrasomes)" },
  { path: "migrasomes.stabilisationK", unit: "1", default: 0.6, min: 0.001, max: 100, description: "recruitment score at half-maximal stabilisation", source: "modelling assumption calibrated to TSPAN4-KO 'strongly reduced, not zero' (Jiang et al. 2019 Nat Cell Biol) and cholesterol depletion ≤ 10% of control (Wang et al. 2022 Cell Res)" },
  { path: "migrasomes.stabilisationHill", unit: "1", default: 4, min: 0.1, max: 50, description: "Hill coefficient of the stabilisation switch", source: "modelling assumption (switch-like requirement)" },
  { path: "migrasomes.stabilisationDelayMin", unit: "min", default: 5, min: 0.01, max: 1e4, description: "mean time from swelling to stabilisation (tetraspanin recruitment)", source: "modelling assumption (integrin α5 puncta become TSPAN4+ within one 8-min frame: Wu et al. 2017 Cell Res)" },
  { path: "migrasomes.swellingDecayMin", unit: "min", default: 3, min: 0.01, max: 1e4, description: "mean survival of a swelling that is not stabilised", source: "Yoshikawa et al. FEBS Lett (unstabilised swellings vanish within a few minutes)" },
];

export interface StabilisationContext {
  tensionPn: number;
  siteKind: number;
}

/** Decides, at nucleation, whether a swelling will stabilise. */
export interface StabilisationRule {
  readonly name: string;
  probability(ctx: StabilisationContext): number;
  decide(ctx: StabilisationContext, rng: Rng): boolean;
}

export function recruitmentScore(p: Params): number {
  return p.num("molecular.tspan4Level") * p.num("molecular.cholesterolLevel") * p.num("molecular.sms2Level") * p.num("molecular.calciumLevel");
}

export class SimpleStabilisation implements StabilisationRule {
  readonly name = "simple";
  private p: number;
  constructor(params: Params) {
    const s = recruitmentScore(params);
    const h = params.num("migrasomes.stabilisationHill");
    const K = params.num("migrasomes.stabilisationK");
    this.p = s > 0 ? s ** h / (K ** h + s ** h) : 0;
  }
  probability(): number {
    return this.p;
  }
  decide(_ctx: StabilisationContext, rng: Rng): boolean {
    return rng.uniform() < this.p;
  }
}
