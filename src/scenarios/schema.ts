import { z } from "zod";
import { MATRICES } from "../fibers/substrate.ts";

/** A scenario file (YAML or JSON). The JSON Schema in docs/scenario.schema.json is generated from this. */
export const fieldSpecSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a name of letters, digits, _ or -"),
    diffusionUm2PerMin: z.number().min(0),
    decayPerMin: z.number().min(0),
    secretionPerCellPerMin: z.number().min(0).default(0),
    uptakePerMin: z.number().min(0).default(0),
  })
  .strict();

export const substrateRegionSchema = z
  .object({
    x0Um: z.number(),
    y0Um: z.number(),
    x1Um: z.number(),
    y1Um: z.number(),
    matrix: z.enum(MATRICES),
  })
  .strict();

export const CARGO_KINDS = ["protein", "mrna", "membrane", "organelle"] as const;

/** A cargo species carried by migrasomes (issue 4). */
export const cargoSpecSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a name of letters, digits, _ or -"),
    kind: z.enum(CARGO_KINDS),
    productionPerCellPerMin: z.number().min(0).default(0),
    donorDegradationPerMin: z.number().min(0).default(0),
    route: z.enum(["migrasome", "secrete"]).default("migrasome"),
    loadFraction: z.number().min(0).max(1).default(0.05),
    loadProbability: z.number().min(0).max(1).default(1),
    leakPerMin: z.number().min(0).default(0),
    retractosomeFraction: z.number().min(0).max(1).default(0),
    field: z.string().optional(),
    effect: z.enum(["pten", "motility"]).optional(),
  })
  .strict();

/** Purified migrasomes added to the dish at t = 0 (as in uptake experiments). */
export const bolusSchema = z
  .object({
    count: z.number().int().min(0),
    regionUm: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
    diameterUm: z.number().min(0.1).max(10).default(1.5),
    loads: z.record(z.string(), z.number().min(0)),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    seed: z.number().int().min(0).optional(),
    hours: z.number().min(0).max(10000).optional(),
    cells: z.number().int().min(1).optional(),
    substrate: z.enum(MATRICES).optional(),
    perturbations: z.array(z.string()).optional(),
    params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    fields: z.array(fieldSpecSchema).optional(),
    substrateRegions: z.array(substrateRegionSchema).optional(),
    cargo: z.array(cargoSpecSchema).optional(),
    bolus: bolusSchema.optional(),
  })
  .strict();

export type CargoSpec = z.infer<typeof cargoSpecSchema>;
export type BolusSpec = z.infer<typeof bolusSchema>;

export type ScenarioFile = z.infer<typeof scenarioSchema>;
/** A scenario as written (defaults not yet filled in), e.g. an inline scenario object. */
export type ScenarioInput = z.input<typeof scenarioSchema>;

export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(scenarioSchema, { io: "input" });
}
