import type { ProcessModule } from "./core/process.ts";
import { migrationModule } from "./cells/migration.ts";
import { adhesionsModule } from "./fibers/adhesions.ts";
import { fibersModule } from "./fibers/fibers.ts";
import { breakageModule } from "./fibers/breakage.ts";
import { nucleationModule } from "./migrasomes/nucleation.ts";
import { lifecycleModule } from "./migrasomes/lifecycle.ts";
import { fieldsModule } from "./fields/fields-process.ts";
import { cargoModule } from "./cargo/cargo.ts";
import { responseModule } from "./recipients/response.ts";
import { mitocytosisModule } from "./mitochondria/mitocytosis.ts";
import { collectorModule } from "./readouts/collector.ts";

/**
 * The process registry, in stepping order: cells → fibers → migrasomes → cargo → recipients →
 * fields → read-outs.
 * To add a process, write a module file and add it here.
 */
export const processModules: ProcessModule[] = [
  migrationModule,
  adhesionsModule,
  fibersModule,
  breakageModule,
  nucleationModule,
  lifecycleModule,
  cargoModule,
  mitocytosisModule,
  responseModule,
  fieldsModule,
  collectorModule,
];
