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
  })
  .strict();

export type ScenarioFile = z.infer<typeof scenarioSchema>;

export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(scenarioSchema, { io: "input" });
}
