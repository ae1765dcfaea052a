import type { ParamSpec, Params } from "../core/params.ts";
import type { Process, ProcessModule } from "../core/process.ts";
import { FATE_SWELLING, SITE_ALONG, SITE_JUNCTION, SITE_TIP, type World } from "../core/world.ts";
import { fiberTensionPn } from "../fibers/fibers.ts";
import { createStabilisationRule } from "./rules.ts";
import type { StabilisationRule } from "./stabilisation.ts";

/**
 * Step 1 of biogenesis: swellings nucleate at candidate sites (fiber tips, junctions, pre-marked
 * sites along fibers) at a rate proportional to the fiber's tension relative to the tether force
 * (tension-driven swelling: Dharan et al. 2023 Nat Commun; junction preference: Zucker et al. 2025
 * Biophys J). A site is open while its fiber section is intact and under tension; each site
 * nucleates at most once. At nucleation the stabilisation rule decides the swelling's fate.
 */
export const nucleationParams: ParamSpec[] = [
  { path: "migrasomes.nucleationTipPerMin", unit: "1/min", default: 0.012, min: 0, max: 100, description: "nucleation rate at a fiber tip at reference tension", source: "modelling assumption calibrated to tens–~100 migrasomes per cell in 18 h (Wang et al. 2022 Cell Res) and tip/intersection preference (Ma et al. 2015 Cell Res)" },
  { path: "migrasomes.nucleationJunctionPerMin", unit: "1/min", default: 0.002, min: 0, max: 100, description: "nucleation rate at a junction (branch point or crossing) at reference tension", source: "modelling assumption; junctions preferred (Zucker et al. 2025 Biophys J)" },
  { path: "migrasomes.nucleationAlongPerMin", unit: "1/min", default: 0.01, min: 0, max: 100, description: "nucleation rate at a pre-marked site along a fiber at reference tension", source: "modelling assumption" },
  { path: "migrasomes.nucleationTspan4Exponent", unit: "1", default: 1, min: 0, max: 5, description: "exponent of the TSPAN4 level in the nucleation rate (more tetraspanin macrodomains, more formation sites)", source: "Huang et al. 2019 Nat Cell Biol (tetraspanin overexpression induces migrasomes); exponent calibrated to ≥2× migrasomes with TSPAN4 OE (Wang et al. 2022 Cell Res)" },
  { path: "molecular.pip5k1aLevel", unit: "1", default: 1, min: 0, max: 10, description: "PIP5K1A level (PI(4,5)P2 at formation sites)", source: "Ding et al. 2023 Cell Res" },
  { path: "molecular.rab35Level", unit: "1", default: 1, min: 0, max: 10, description: "Rab35 level (integrin α5 recruitment to formation sites)", source: "Ding et al. 2023 Cell Res" },
  { path: "molecular.calciumLevel", unit: "1", default: 1, min: 0, max: 10, description: "free Ca²⁺ relative to wild type (Syt1-dependent swelling and stabilisation)", source: "Han & Yu 2024 J Cell Biol" },
  { path: "migrasomes.diameterMedianUm", unit: "µm", default: 1.6, min: 0.1, max: 10, description: "median final diameter (log-normal, truncated to the range)", source: "modelling assumption within 0.5–3 µm (Ma et al. 2015 Cell Res) and ~2 µm typical (Jiao et al. 2024 Cell Res)" },
  { path: "migrasomes.diameterSigmaLog", unit: "1", default: 0.35, min: 0, max: 3, description: "log-normal σ of the final diameter", source: "modelling assumption" },
  { path: "migrasomes.diameterMinUm", unit: "µm", default: 0.5, min: 0.01, max: 10, description: "smallest migrasome diameter (also the swelling size at stabilisation)", source: "Ma et al. 2015 Cell Res (0.5–3 µm)" },
  { path: "migrasomes.diameterMaxUm", unit: "µm", default: 3, min: 0.01, max: 20, description: "largest migrasome diameter", source: "Ma et al. 2015 Cell Res (0.5–3 µm)" },
  { path: "migrasomes.growthTauMin", unit: "min", default: 10, min: 0.01, max: 1e4, description: "time constant of growth to the final diameter", source: "modelling assumption (growth time not measured; biology.md §9)" },
];

export class Nucleation implements Process {
  readonly name = "nucleation";
  private rate: number[];
  private rule: StabilisationRule;
  private tension: { refPn: number; lengthScaleUm: number; myosin: number };
  private delay: number;
  private decay: number;
  private dMed: number;
  private dSig: number;
  private dMin: number;
  private dMax: number;
  private tau: number;

  constructor(params: Params) {
    const f =
      params.num("molecular.pip5k1aLevel") *
      params.num("molecular.rab35Level") *
      params.num("molecular.calciumLevel") *
      params.num("molecular.tspan4Level") ** params.num("migrasomes.nucleationTspan4Exponent");
    this.rate = [];
    this.rate[SITE_TIP] = params.num("migrasomes.nucleationTipPerMin") * f;
    this.rate[SITE_JUNCTION] = params.num("migrasomes.nucleationJunctionPerMin") * f;
    this.rate[SITE_ALONG] = params.num("migrasomes.nucleationAlongPerMin") * f;
    this.rule = createStabilisationRule(params);
    this.tension = {
      refPn: params.num("fibers.tensionRefPn"),
      lengthScaleUm: params.num("fibers.tensionLengthUm"),
      myosin: params.num("molecular.myosinLevel"),
    };
    this.delay = params.num("migrasomes.stabilisationDelayMin");
    this.decay = params.num("migrasomes.swellingDecayMin");
    this.dMed = params.num("migrasomes.diameterMedianUm");
    this.dSig = params.num("migrasomes.diameterSigmaLog");
    this.dMin = params.num("migrasomes.diameterMinUm");
    this.dMax = params.num("migrasomes.diameterMaxUm");
    if (!(this.dMin < this.dMax)) throw new Error("migrasomes.diameterMinUm must be below migrasomes.diameterMaxUm");
    this.tau = params.num("migrasomes.growthTauMin");
  }

  private tensionOf(w: World, f: number): number {
    if (f < 0) return 0;
    const fc = w.fibers.c;
    return fiberTensionPn(this.tension, fc.lengthUm[f], fc.attached[f] === 1);
  }

  step(w: World, dt: number): void {
    const rng = w.rng("nucleation");
    const S = w.sites.c;
    const v = w.vertices.c;
    const open = w.openSites;
    const ref = this.tension.refPn;
    let closed = false;
    for (let k = 0; k < open.n; k++) {
      const s = open.data[k];
      const vx = S.vertex[s];
      if (v.brokenMin[vx] >= 0 || v.migrasome[vx] >= 0) {
        S.used[s] = 1;
        closed = true;
        continue;
      }
      const t = Math.max(this.tensionOf(w, S.fiber[s]), this.tensionOf(w, S.otherFiber[s]));
      if (t <= 0) {
        S.used[s] = 1; // released fibers are never pulled again
        closed = true;
        continue;
      }
      const rate = this.rate[S.kind[s]] * (t / ref);
      if (rng.uniform() >= 1 - Math.exp(-rate * dt)) continue;
      S.used[s] = 1;
      closed = true;
      this.nucleate(w, s, t, rng);
    }
    if (closed) open.filter((s) => S.used[s] === 0);
  }

  private nucleate(w: World, site: number, tensionPn: number, rng: ReturnType<World["rng"]>): void {
    const S = w.sites.c;
    const W = w.swellings;
    const k = W.push();
    const c = W.c;
    const vx = S.vertex[site];
    const f = S.fiber[site];
    c.x[k] = S.x[site];
    c.y[k] = S.y[site];
    c.site[k] = S.kind[site];
    c.cell[k] = w.fibers.c.cell[f];
    c.fiber[k] = f;
    c.vertex[k] = vx;
    c.bornMin[k] = w.timeMin;
    c.stabilisedMin[k] = -1;
    c.detachedMin[k] = -1;
    c.endMin[k] = -1;
    c.fate[k] = FATE_SWELLING;
    c.recipient[k] = -1;
    c.growthTauMin[k] = this.tau;
    c.diameterUm[k] = this.dMin;
    let d: number;
    let tries = 0;
    do d = this.dMed * Math.exp(this.dSig * rng.normal());
    while ((d < this.dMin || d > this.dMax) && ++tries < 100);
    c.targetDiameterUm[k] = Math.min(this.dMax, Math.max(this.dMin, d));
    if (this.rule.decide({ tensionPn, siteKind: S.kind[site] }, rng)) {
      c.stabiliseAtMin[k] = w.timeMin + rng.exponential(this.delay);
      c.decayAtMin[k] = -1;
    } else {
      c.stabiliseAtMin[k] = -1;
      c.decayAtMin[k] = w.timeMin + rng.exponential(this.decay);
    }
    w.vertices.c.migrasome[vx] = k;
    w.activeSwellings.push(k);
  }
}

export const nucleationModule: ProcessModule = {
  name: "nucleation",
  params: nucleationParams,
  create: (p) => new Nucleation(p),
};
