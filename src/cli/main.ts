import { Command, CommanderError } from "commander";
import { isUserError } from "../util/errors.ts";
import { VERSION } from "../version.ts";
import { commands } from "./commands/index.ts";

/** Build the `migrasim` command-line program. Each command lives in its own file under commands/. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name("migrasim")
    .description("Migrasim: simulate migrating cells, retraction fibers and migrasomes; measure microscopy images.")
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Run the CLI. User errors print one line and exit 2; unexpected errors exit 1. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander already printed its message (help, version, or a usage error)
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0) {
        process.exitCode = 0;
        return;
      }
      process.exitCode = 2;
      return;
    }
    if (isUserError(e)) {
      process.stderr.write(`migrasim: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`migrasim: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
}
