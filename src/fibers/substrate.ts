import type { ParamSpec, Params } from "../core/params.ts";
import type { SubstrateRegion } from "../core/process.ts";

export const MATRICES = ["fibronectin", "laminin511", "collagen1", "glass"] as const;
export type Matrix = (typeof MATRICES)[number];

/**
 * The substrate map: the matrix coating at each point (uniform, or rectangles over a base coat),
 * and the probability that an adhesion on it holds when the cell rear retracts past it.
 * Integrin–matrix pairing after Wu et al. 2017 (Cell Res): α5β1–fibronectin in NRK cells; integrin α5
 * knock-down impairs migrasome formation on fibronectin only.
 */
export const substrateParams: ParamSpec[] = [
  { path: "substrate.matrix", unit: "-", default: "fibronectin", choices: MATRICES, description: "matrix coating of the dish (base coat under any regions)", source: "Wu et al. 2017 Cell Res (coatings compared)" },
  { path: "substrate.holdFibronectin", unit: "1", default: 0.9, min: 0, max: 1, description: "probability an adhesion on fibronectin holds as the rear retracts (pulls a fiber)", source: "modelling assumption; ranking FN ≫ LN-511, Col I ≫ glass from Wu et al. 2017 Cell Res; value calibrated to the FN/LN/Col/glass targets" },
  { path: "substrate.holdLaminin511", unit: "1", default: 0.35, min: 0, max: 1, description: "hold probability on laminin-511", source: "modelling assumption calibrated to 'many more on FN than LN-511' (Wu et al. 2017 Cell Res)" },
  { path: "substrate.holdCollagen1", unit: "1", default: 0.3, min: 0, max: 1, description: "hold probability on collagen I", source: "modelling assumption calibrated to 'many more on FN than Col I' (Wu et al. 2017 Cell Res)" },
  { path: "substrate.holdGlass", unit: "1", default: 0.04, min: 0, max: 1, description: "hold probability on uncoated glass", source: "modelling assumption calibrated to 'very few on uncoated glass' (< 10% of FN; Wu et al. 2017 Cell Res)" },
  { path: "molecular.itga5Level", unit: "1", default: 1, min: 0, max: 10, description: "integrin α5 level relative to wild type (scales holding on fibronectin only)", source: "Wu et al. 2017 Cell Res (ITGA5 KD impairs formation on FN only)" },
];

export class SubstrateMap {
  private base: Matrix;
  private hold: Record<Matrix, number>;
  constructor(
    params: Params,
    private regions: SubstrateRegion[],
  ) {
    this.base = params.str("substrate.matrix") as Matrix;
    const itga5 = params.num("molecular.itga5Level");
    this.hold = {
      fibronectin: Math.min(1, params.num("substrate.holdFibronectin") * itga5),
      laminin511: params.num("substrate.holdLaminin511"),
      collagen1: params.num("substrate.holdCollagen1"),
      glass: params.num("substrate.holdGlass"),
    };
  }
  matrixAt(xUm: number, yUm: number): Matrix {
    for (let k = this.regions.length - 1; k >= 0; k--) {
      const r = this.regions[k];
      if (xUm >= r.x0Um && xUm < r.x1Um && yUm >= r.y0Um && yUm < r.y1Um) return r.matrix as Matrix;
    }
    return this.base;
  }
  holdProbability(xUm: number, yUm: number): number {
    return this.hold[this.matrixAt(xUm, yUm)];
  }
}
