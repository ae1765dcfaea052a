import type { Command } from "commander";

/** `migrasim run`, `list`, `params`, `experiment` (issue 2). */
export function registerSimulation(_program: Command): void {}
