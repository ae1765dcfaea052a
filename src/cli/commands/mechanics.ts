import type { Command } from "commander";

/** `migrasim mechanics shape|phase|junction` (issue 3). */
export function registerMechanics(_program: Command): void {}
