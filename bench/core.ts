import { migrationModule } from "../src/cells/migration.ts";
import { catalogue } from "../src/catalogue.ts";
import { Engine } from "../src/core/engine.ts";
import { Params } from "../src/core/params.ts";
import type { ProcessModule } from "../src/core/process.ts";
import { fieldsModule } from "../src/fields/fields-process.ts";
import { processModules } from "../src/processes.ts";

/**
 * The `bench-core` workload (issue 2, shared with the PhysiCell comparison): 2000×2000 µm,
 * 100×100 field grid with 2 substrates (D = 1000 µm²/min, decay 0.1 and 0.4 /min, diffusion step
 * 0.01 min = 10 per cell step, secretion applied at each), N cells doing a persistent random walk
 * (1 µm/min, P = 5 min) plus chemotaxis up substrate 1, all secreting substrate 1, soft contact
 * repulsion, 1,200 steps of 0.1 min. Fibers and migrasomes off or on.
 */
export function benchCoreEngine(cells: number, migrasomes: boolean, seed = 1, cargo = false): Engine {
  const params = new Params({
    ...catalogue().defaults(),
    "world.widthUm": 2000,
    "world.heightUm": 2000,
    "fields.voxelUm": 20,
    "fields.substeps": 10,
    "time.dtMin": 0.1,
    "time.hours": 2,
    "cells.count": cells,
    "cells.radiusUm": 10,
    "cells.speedUmPerMin": 1,
    "cells.speedCv": 0,
    "cells.persistenceMin": 5,
    "cells.chemotaxisField": "substrate1",
    "cells.chemotaxisRatePerMin": 0.5,
    "cells.chemotaxisHalfGradient": 1e-5,
  });
  const modules: ProcessModule[] = migrasomes ? processModules : [migrationModule, fieldsModule];
  return new Engine({
    params,
    seed,
    modules,
    scenario: {
      fields: [
        { name: "substrate1", diffusionUm2PerMin: 1000, decayPerMin: 0.1, secretionPerCellPerMin: 1, uptakePerMin: 0 },
        { name: "substrate2", diffusionUm2PerMin: 1000, decayPerMin: 0.4, secretionPerCellPerMin: 0, uptakePerMin: 0 },
      ],
      substrateRegions: [],
      // migrasome extension with cargo: each migrasome carries cargo that leaks into substrate 2
      cargo: cargo
        ? [
            {
              name: "cargo",
              kind: "protein",
              productionPerCellPerMin: 1,
              donorDegradationPerMin: 0,
              route: "migrasome",
              loadFraction: 0.5,
              loadProbability: 1,
              leakPerMin: 0.01,
              retractosomeFraction: 0,
              field: "substrate2",
            },
          ]
        : [],
    },
  });
}
