// Global setup: every test's temporary files go under one directory for the run, removed at the end,
// so that `npm test` leaves nothing behind in the system's temporary directory. Child processes (the CLI
// runs the tests spawn) and the test workers inherit TMPDIR. Set MIGRASIM_KEEP_TEST_TMP=1 to keep it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "migrasim-tests-"));
  for (const key of ["TMPDIR", "TMP", "TEMP"]) process.env[key] = dir;
  return () => {
    if (process.env.MIGRASIM_KEEP_TEST_TMP) {
      console.log(`test files kept in ${dir}`);
      return;
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
