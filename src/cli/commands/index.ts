import type { Command } from "commander";
import { registerImaging } from "./imaging.ts";
import { registerMechanics } from "./mechanics.ts";
import { registerSimulation } from "./simulation.ts";

/** Every command group registers itself on the program. Add a file, add it here. */
export const commands: Array<(program: Command) => void> = [registerSimulation, registerMechanics, registerImaging];
