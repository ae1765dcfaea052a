/**
 * Modelling assumption (not a measured law): how TSPAN4 level and cholesterol set the domain
 * stiffness. κ_d/κ_l = 1 + a · tspan4 · cholesterolFactor, with tspan4 the TSPAN4 level
 * relative to wild type (1 = wild type, 0 = knockout, > 1 = overexpression) and
 * cholesterolFactor = cholesterol / (cholesterol + K) normalised to 1 at the wild-type level
 * (cholesterol in units of its wild-type level; K = 0.5 by default, so depletion to 0 removes
 * the stiffening and loading saturates). a = 9 reproduces the reference ratio 10 at wild type.
 */
export interface CompositionStiffening {
  /** stiffening amplitude a (default 9: κ_d/κ_l = 10 at wild type) */
  amplitude?: number;
  /** half-saturation of the cholesterol factor, in units of the wild-type level (default 0.5) */
  cholesterolHalfSat?: number;
}

export function kappaRatioFromComposition(tspan4: number, cholesterol: number, o: CompositionStiffening = {}): number {
  const a = o.amplitude ?? 9;
  const K = o.cholesterolHalfSat ?? 0.5;
  const t = Math.max(0, tspan4);
  const c = Math.max(0, cholesterol);
  const factor = (c / (c + K)) * ((1 + K) / 1);
  return 1 + a * t * factor;
}
