import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioJsonSchema } from "../src/scenarios/schema.ts";

const BIN = join(import.meta.dirname, "..", "bin", "migrasim.mjs");
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
const tmp = () => mkdtempSync(join(tmpdir(), "migrasim-cli-"));

function expectOneLineError(r: ReturnType<typeof cli>, ...parts: string[]) {
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const p of parts) expect(r.stderr).toContain(p);
}

describe("migrasim CLI", () => {
  it("run writes the output folder and prints the summary", () => {
    const out = tmp();
    const r = cli("run", "--hours", "3", "--cells", "20", "--seed", "4", "--out", out, "--quiet");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("migrasomes per cell");
    for (const f of ["summary.json", "migrasomes.csv", "fibers.csv", "cells.csv", "run.json", "snapshot.svg", "diameters.svg"])
      expect(existsSync(join(out, f))).toBe(true);
    const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    for (const k of ["count", "meanSpeedUmPerMin"]) expect(s.cells).toHaveProperty(k);
    for (const k of ["totalLengthUmPerCell", "retractosomes"]) expect(s.fibers).toHaveProperty(k);
    for (const k of ["total", "perCell", "per100UmFiber", "diameterUm", "sites", "lifetimeMin"]) expect(s.migrasomes).toHaveProperty(k);
    expect(s.swellings).toHaveProperty("decayed");
    expect(readFileSync(join(out, "migrasomes.csv"), "utf8").split("\n")[0]).toBe(
      "id,xUm,yUm,diameterUm,site,cellId,fiberId,bornMin,stabilisedMin,detachedMin,endMin,fate,recipientCellId",
    );
  });

  it("prints plain progress lines when not on a terminal", () => {
    const r = cli("run", "--hours", "1", "--cells", "5", "--out", tmp());
    expect(r.stderr).toContain("100%");
  });

  it("bad flags, perturbations and parameters give one line and exit 2", () => {
    expectOneLineError(cli("run", "--perturb", "tspan9-oe"), "unknown perturbation 'tspan9-oe'", "tspan4-oe");
    expectOneLineError(cli("run", "--set", "cells.speed=2"), "unknown parameter 'cells.speed'");
    expectOneLineError(cli("run", "--set", "cells.speedUmPerMin=-1"), "cells.speedUmPerMin", "out of range");
    expectOneLineError(cli("run", "--set", "substrate=plastic"), "substrate.matrix", "fibronectin|laminin511|collagen1|glass");
    expectOneLineError(cli("run", "--seed", "x"), "--seed");
    expectOneLineError(cli("run", "no-such-scenario"), "no-such-scenario");
    const file = join(tmp(), "a-file");
    writeFileSync(file, "x");
    expectOneLineError(cli("run", "--hours", "1", "--out", join(file, "sub")), "--out", "a-file");
  });

  it("bad scenario files name the file and the key", () => {
    const d = tmp();
    const f1 = join(d, "bad.yaml");
    writeFileSync(f1, "hours: 2\ncells: many\n");
    expectOneLineError(cli("run", f1), f1, "cells");
    const f2 = join(d, "bad2.yaml");
    writeFileSync(f2, "hours: 2\ncolour: red\n");
    expectOneLineError(cli("run", f2), f2, "colour");
    const f3 = join(d, "bad3.json");
    writeFileSync(f3, '{"params": {"migrasomes.diameterMaxUm": 99}}');
    expectOneLineError(cli("run", f3), f3, "migrasomes.diameterMaxUm", "out of range");
    const f4 = join(d, "bad4.yaml");
    writeFileSync(f4, "hours: [1, 2\n");
    expectOneLineError(cli("run", f4), f4, "YAML");
    const f5 = join(d, "bad5.yaml");
    writeFileSync(f5, "perturbations: [tspan4-xx]\n");
    expectOneLineError(cli("run", f5), f5, "tspan4-xx");
  });

  it("a valid scenario file runs", () => {
    const d = tmp();
    const f = join(d, "ok.yaml");
    writeFileSync(f, "name: mine\nhours: 1\ncells: 10\nperturbations: [tspan4-oe]\nparams:\n  cells.speedUmPerMin: 1.5\n");
    const r = cli("run", f, "--out", join(d, "out"), "--quiet");
    expect(r.status).toBe(0);
    const run = JSON.parse(readFileSync(join(d, "out", "run.json"), "utf8"));
    expect(run.params["molecular.tspan4Level"]).toBe(3);
    expect(run.params["cells.speedUmPerMin"]).toBe(1.5);
  });

  it("list, params and --help work", () => {
    expect(cli("list").stdout).toContain("nrk-fibronectin");
    const p = cli("params");
    expect(p.stdout).toContain("cells.speedUmPerMin");
    expect(p.stdout).toContain("source:");
    for (const c of ["run", "experiment", "list", "params"]) expect(cli(c, "--help").status).toBe(0);
  });

  it("experiment prints a figure-like table and writes CSV", () => {
    const out = tmp();
    const r = cli("experiment", "--perturb", "tspan4-ko", "--replicates", "2", "--hours", "4", "--cells", "30", "--out", out, "--quiet", "--workers", "2");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("tspan4-ko");
    const csv = readFileSync(join(out, "experiment.csv"), "utf8").trim().split("\n");
    expect(csv).toHaveLength(3);
    expect(csv[0]).toContain("migrasomesPerCellMean");
    const ko = csv[2].split(",");
    expect(Number(ko[1])).toBe(60); // 2 replicates × 30 cells
    expect(Number(ko[10])).toBeLessThan(0.05); // p vs control
    // the same table with one worker thread: results do not depend on the thread count
    const out1 = tmp();
    const r1 = cli("experiment", "--perturb", "tspan4-ko", "--replicates", "2", "--hours", "4", "--cells", "30", "--out", out1, "--quiet", "--workers", "1");
    expect(r1.status).toBe(0);
    expect(readFileSync(join(out1, "experiment.csv"), "utf8")).toBe(readFileSync(join(out, "experiment.csv"), "utf8"));
  });

  it("experiment takes conditions and per-dish metrics", () => {
    const out = tmp();
    const r = cli("experiment", "neutrophil-mitocytosis", "--condition", "ko:perturb=tspan4-ko", "--metric", "mito.meanMembranePotential", "--replicates", "2", "--hours", "3", "--out", out, "--quiet");
    expect(r.status).toBe(0);
    const csv = readFileSync(join(out, "experiment.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toContain("mito.meanMembranePotential.mean");
    expect(csv[2].startsWith("ko,")).toBe(true);
    expectOneLineError(cli("experiment", "--condition", "bad"), "--condition bad");
    expectOneLineError(cli("experiment", "--perturb", "tspan4-ko", "--metric", "nope.x"), "--metric nope.x");
  });

  it("sweep varies a parameter across workers, identically for any worker count, and plots it", () => {
    const outs = ["1", "2"].map((wk) => {
      const out = tmp();
      const r = cli("sweep", "--vary", "cells.speedUmPerMin=0.3,1.2", "--replicates", "2", "--hours", "6", "--cells", "30", "--workers", wk, "--out", out, "--quiet");
      expect(r.status).toBe(0);
      return out;
    });
    const csv = readFileSync(join(outs[0], "sweep.csv"), "utf8");
    expect(readFileSync(join(outs[1], "sweep.csv"), "utf8")).toBe(csv);
    const rows = csv.trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
    expect(rows).toHaveLength(2);
    expect(rows[1][2]).toBeGreaterThan(rows[0][2]); // faster cells, more migrasomes
    expect(existsSync(join(outs[0], "sweep_migrasomes.perCell.svg"))).toBe(true);
    expectOneLineError(cli("sweep", "--vary", "cells.speedUmPerMin=1:x:3"), "--vary");
    expectOneLineError(cli("sweep", "--vary", "cells.speedUmPerMin=-1,2"), "cells.speedUmPerMin", "out of range");
  });

  it("the published JSON Schema matches the validator", () => {
    const published = JSON.parse(readFileSync(join(import.meta.dirname, "..", "docs", "scenario.schema.json"), "utf8"));
    expect(published).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });
});
