import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replicateSeed } from "../src/experiment/experiment.ts";
import { writeRun } from "../src/readouts/write-run.ts";
import { simulate } from "../src/simulate.ts";

const FILES = ["summary.json", "migrasomes.csv", "swellings.csv", "fibers.csv", "cells.csv", "snapshot.svg", "diameters.svg"];

describe("reproducibility", () => {
  it("the same seed gives byte-identical outputs; another seed differs", () => {
    const dirs = [1, 1, 2].map((seed) => {
      const d = mkdtempSync(join(tmpdir(), "migrasim-"));
      writeRun(simulate({ seed, hours: 4, cells: 40 }), d);
      return d;
    });
    for (const f of FILES) expect(readFileSync(join(dirs[1], f))).toEqual(readFileSync(join(dirs[0], f)));
    expect(readFileSync(join(dirs[2], "migrasomes.csv"))).not.toEqual(readFileSync(join(dirs[0], "migrasomes.csv")));
    const run = JSON.parse(readFileSync(join(dirs[0], "run.json"), "utf8"));
    expect(run.seed).toBe(1);
    expect(run.params["cells.count"]).toBe(40);
    expect(typeof run.wallSeconds).toBe("number");
  });

  it("checkpoint (serialised to JSON) and resume give the same result as an uninterrupted run", () => {
    const opts = { seed: 7, hours: 8, cells: 40, scenario: "chemotaxis" };
    const full = simulate(opts);
    const half = simulate({ ...opts, stopAtMin: 200 });
    const state = JSON.parse(JSON.stringify(half.engine.checkpoint()));
    const resumed = simulate({ ...opts, resumeFrom: state });
    expect(resumed.summary).toEqual(full.summary);
    const a = full.engine.world;
    const b = resumed.engine.world;
    expect(Array.from(b.cells.c.x.subarray(0, b.cells.n))).toEqual(Array.from(a.cells.c.x.subarray(0, a.cells.n)));
    expect(Array.from(b.fields[0].c)).toEqual(Array.from(a.fields[0].c));
  });

  it("checkpoint and resume are exact with cargo, recipients and mitochondria too", () => {
    for (const scenario of ["pten-transfer", "neutrophil-mitocytosis"]) {
      const opts = { seed: 5, hours: 6, scenario };
      const full = simulate(opts);
      const half = simulate({ ...opts, stopAtMin: 170 });
      const resumed = simulate({ ...opts, resumeFrom: JSON.parse(JSON.stringify(half.engine.checkpoint())) });
      expect(resumed.summary).toEqual(full.summary);
    }
  });

  it("cargo outputs are byte-identical for a seed", () => {
    const dirs = [0, 1].map(() => {
      const d = mkdtempSync(join(tmpdir(), "migrasim-"));
      writeRun(simulate({ seed: 9, hours: 4, scenario: "chemokine-relay" }), d);
      return d;
    });
    for (const f of ["transfers.csv", "timeseries.csv", "fields/cxcl12_120.f32", "fields/cxcl12_120.png", "summary.json"])
      expect(readFileSync(join(dirs[1], f))).toEqual(readFileSync(join(dirs[0], f)));
  });

  it("replicate seeds are independent of the order conditions are run in", () => {
    expect(replicateSeed(1, "tspan4-oe", 2)).toBe(replicateSeed(1, "tspan4-oe", 2));
    expect(replicateSeed(1, "tspan4-oe", 2)).not.toBe(replicateSeed(1, "control", 2));
  });
});
