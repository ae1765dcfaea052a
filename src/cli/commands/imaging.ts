import type { Command } from "commander";

/** `migrasim analyze`, `migrasim render`, `migrasim evaluate` (issue 5). */
export function registerImaging(_program: Command): void {}
