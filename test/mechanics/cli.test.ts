import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { parseCsv } from "../../src/util/csv.ts";
import { junctionComparison } from "../../src/mechanics/index.ts";

async function run(args: string[]): Promise<number> {
  process.exitCode = 0;
  const err = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  const out = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await main(["node", "migrasim", ...args]);
  } finally {
    process.stderr.write = err;
    process.stdout.write = out;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return code;
}

describe("migrasim mechanics CLI", () => {
  it("shape writes csv/json/svg with physical units on request", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mech-"));
    expect(await run(["mechanics", "shape", "--scan", "2", "--kappa-kbt", "20", "--sigma-n-per-m", "1e-5", "--out", dir])).toBe(0);
    const j = JSON.parse(readFileSync(join(dir, "shape.json"), "utf8"));
    expect(j.swelling).toBe(true);
    expect(typeof j.energy.total).toBe("number");
    expect(Object.keys(j.energy.terms)).toEqual(["bendingLipid", "bendingDomain", "tensionLipid", "gaussian", "lineTension", "pullingWork"]);
    expect(j.domain.maxRadius).toBeGreaterThan(2);
    expect(j.branches.length).toBeGreaterThanOrEqual(1);
    expect(j.physical.r0Nm).toBeCloseTo(65.42, 1);
    expect(j.physical.swellingDiameterUm).toBeCloseTo((2 * j.domain.maxRadius * 65.4218) / 1000, 3);
    const csv = parseCsv(readFileSync(join(dir, "shape.csv"), "utf8"));
    expect(csv.header).toEqual(["x", "r", "region", "xNm", "rNm"]);
    expect(new Set(csv.rows.map((r) => r[2]))).toEqual(new Set(["lipid", "domain"]));
    expect(readFileSync(join(dir, "shape.svg"), "utf8")).toContain("<svg");
  });

  it("phase writes the diagram and the threshold curve", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mech-"));
    const code = await run(["mechanics", "phase", "--ratios", "1,3", "--areas", "200,400", "--threshold-areas", "400", "--out", dir]);
    expect(code).toBe(0);
    const csv = parseCsv(readFileSync(join(dir, "phase.csv"), "utf8"));
    expect(csv.rows.length).toBe(4);
    expect(csv.header).toContain("swelling");
    for (const f of ["phase.svg", "threshold.csv", "threshold.svg"]) expect(existsSync(join(dir, f))).toBe(true);
  });

  it("bad flag values exit 2 with a one-line message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mech-"));
    expect(await run(["mechanics", "shape", "--area", "abc", "--out", dir])).toBe(2);
    expect(await run(["mechanics", "shape", "--kappa-ratio", "-1", "--out", dir])).toBe(2);
    expect(await run(["mechanics", "shape", "--kappa-kbt", "20", "--out", dir])).toBe(2);
    expect(await run(["mechanics", "phase", "--ratios", "1:3", "--out", dir])).toBe(2);
    expect(await run(["mechanics", "junction", "--tensions", "0,1", "--out", dir])).toBe(2);
    expect(await run(["mechanics", "shape"])).toBe(2);
  });
});

describe("junction", () => {
  it("compares a bulge at a three-way junction with one on an arm", () => {
    const rows = junctionComparison({ tensions: [0.5, 2], kappaRatio: 10, area: 600, scan: 2, mesh: { nDomain: 80, nLipid: 32 } });
    expect(rows.length).toBe(2);
    for (const r of rows) {
      expect(r.energyJunction).toBeCloseTo(2 * r.energyArm - r.energyTip, 9);
      expect(r.deltaJunctionMinusArm).toBeCloseTo(r.energyArm - r.energyTip - r.energyBareJunction, 9);
      expect(r.preferred).toBe(r.deltaJunctionMinusArm < 0 ? "junction" : "arm");
      expect(r.swellingArm).toBe(true);
    }
    // rising tension at fixed domain area raises A/r0²
    expect(rows[1].areaOverR0Sq).toBeCloseTo(4 * rows[0].areaOverR0Sq, 9);
  });
});
