import type { ParamSpec, Params } from "../core/params.ts";
import type { FieldSpec, Process, ProcessModule, ScenarioRuntime } from "../core/process.ts";
import type { World } from "../core/world.ts";
import { Field } from "./field.ts";

/**
 * Diffusing fields declared by the scenario. Each cell step is split into `fields.substeps`
 * diffusion steps; cell secretion (and uptake) is applied at every substep, then the field
 * diffuses and decays (scheme in field.ts and docs/model.md).
 */
export const fieldParams: ParamSpec[] = [
  { path: "fields.voxelUm", unit: "µm", default: 20, min: 0.1, max: 1e4, description: "edge of a field voxel", source: "modelling assumption (PhysiCell/BioFVM default 20 µm)" },
  { path: "fields.substeps", unit: "1", default: 10, min: 1, max: 10000, integer: true, description: "diffusion steps per cell step", source: "modelling assumption (PhysiCell: 10 diffusion steps per mechanics step)" },
];

export class Fields implements Process {
  readonly name = "fields";
  private substeps: number;
  constructor(
    private params: Params,
    private specs: FieldSpec[],
  ) {
    this.substeps = params.num("fields.substeps");
  }

  init(w: World): void {
    const dx = this.params.num("fields.voxelUm");
    const nx = Math.max(1, Math.ceil(w.widthUm / dx));
    const ny = Math.max(1, Math.ceil(w.heightUm / dx));
    for (const s of this.specs) w.fields.push(new Field(s.name, nx, ny, dx, s.diffusionUm2PerMin, s.decayPerMin));
  }

  private voxel = new Int32Array(0);

  step(w: World, dt: number): void {
    const h = dt / this.substeps;
    const cells = w.cells.c;
    const n = w.cells.n;
    if (this.voxel.length < n) this.voxel = new Int32Array(n);
    const vox = this.voxel;
    for (let f = 0; f < w.fields.length; f++) {
      const field = w.fields[f];
      const spec = this.specs[f];
      const c = field.c;
      // cells do not move during the substeps: locate them once
      if (f === 0) for (let i = 0; i < n; i++) vox[i] = field.index(cells.x[i], cells.y[i]);
      const secrete = (spec.secretionPerCellPerMin * h) / field.voxelAreaUm2;
      const keep = Math.exp(-spec.uptakePerMin * h);
      for (let sub = 0; sub < this.substeps; sub++) {
        if (secrete > 0) for (let i = 0; i < n; i++) c[vox[i]] += secrete;
        if (keep < 1) for (let i = 0; i < n; i++) c[vox[i]] *= keep;
        field.step(h);
      }
    }
  }
}

export const fieldsModule: ProcessModule = {
  name: "fields",
  params: fieldParams,
  create: (p: Params, s: ScenarioRuntime) => (s.fields.length ? new Fields(p, s.fields) : null),
};
