import { join } from "node:path";
import type { Command } from "commander";
import { writeFileAtomic, writeJsonAtomic } from "../../util/atomic.ts";
import { toCsv } from "../../util/csv.ts";
import { UserError } from "../../util/errors.ts";
import { createProgress } from "../../util/progress.ts";
import type { ThresholdResult } from "../../mechanics/index.ts";

/** The shape solver and its read-outs, loaded when a mechanics command runs (not for analyze, run or --help). */
const lib = () => import("../../mechanics/index.ts");

/** A number flag: one-line UserError naming the flag and the expected form. */
export function parseNum(flag: string, raw: string | undefined, o: { min?: number; positive?: boolean; integer?: boolean } = {}): number | undefined {
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const form = o.integer ? "an integer" : "a number";
  if (raw.trim() === "" || !Number.isFinite(v)) throw new UserError(`${flag} must be ${form} (got "${raw}")`);
  if (o.integer && !Number.isInteger(v)) throw new UserError(`${flag} must be an integer (got "${raw}")`);
  if (o.positive && !(v > 0)) throw new UserError(`${flag} must be a positive number (got "${raw}")`);
  if (o.min !== undefined && v < o.min) throw new UserError(`${flag} must be >= ${o.min} (got "${raw}")`);
  return v;
}

/** "a,b,c" (a list) or "start:end:count" (linear) or "start:end:count:log" (geometric); all values positive. */
export function parseRange(flag: string, raw: string): number[] {
  const bad = () => new UserError(`${flag} must be a list "a,b,c" or a range "start:end:count" or "start:end:count:log" of positive numbers (got "${raw}")`);
  const s = raw.trim();
  let out: number[];
  if (s.includes(":")) {
    const parts = s.split(":");
    if (parts.length < 3 || parts.length > 4 || (parts.length === 4 && parts[3] !== "log")) throw bad();
    const [a, b, c] = parts.slice(0, 3).map(Number);
    if (![a, b, c].every(Number.isFinite) || !Number.isInteger(c) || c < 1 || c > 1000 || !(a > 0) || !(b > 0)) throw bad();
    const log = parts.length === 4;
    out = Array.from({ length: c }, (_, i) => {
      const t = c === 1 ? 0 : i / (c - 1);
      return Number((log ? a * (b / a) ** t : a + (b - a) * t).toPrecision(10));
    });
  } else {
    out = s.split(",").map((x) => Number(x.trim()));
    if (out.length === 0 || s === "") throw bad();
  }
  if (!out.every((v) => Number.isFinite(v) && v > 0)) throw bad();
  return out;
}

function requireOut(out: string | undefined): string {
  if (!out) throw new UserError("--out DIR is required (the folder to write results to)");
  return out;
}

/** `migrasim mechanics shape|phase|junction` (issue 3). */
export function registerMechanics(program: Command): void {
  const mech = program.command("mechanics").description("membrane mechanics of migrasome formation: shape solver, phase diagram, junctions");

  mech
    .command("shape")
    .description("minimum-energy shape of a tube containing one stiff domain (writes shape.csv, shape.json, shape.svg)")
    .option("--kappa-ratio <R>", "domain stiffness ratio κ_d/κ_l", "10")
    .option("--area <A>", "domain area A_d (dimensionless)", "600")
    .option("--tension <G>", "membrane tension γ (dimensionless)", "1")
    .option("--kappa <K>", "lipid bending rigidity κ_l (dimensionless energy unit)", "2")
    .option("--line-tension <L>", "line tension λ at the domain boundaries", "0")
    .option("--kbar-lipid <K>", "Gaussian modulus of the lipid κ̄_l (default κ_l)")
    .option("--kbar-domain <K>", "Gaussian modulus of the domain κ̄_d (default κ_d)")
    .option("--kappa-kbt <K>", "physical κ_l in k_BT (with --sigma-n-per-m: add physical units)")
    .option("--sigma-n-per-m <S>", "physical tension σ in N/m (with --kappa-kbt)")
    .option("--temperature-k <T>", "temperature for k_BT in K", "310")
    .option("--scan <N>", "number of initial shapes in the global scan", "6")
    .option("--tip", "the domain closes the tube end (bulge at a fiber tip)")
    .option("--out <DIR>", "output folder")
    .action(async (o) => {
      const L = await lib();
      const out = requireOut(o.out);
      const params = {
        kappaLipid: parseNum("--kappa", o.kappa, { positive: true })!,
        kappaRatio: parseNum("--kappa-ratio", o.kappaRatio, { positive: true })!,
        area: parseNum("--area", o.area, { positive: true })!,
        tension: parseNum("--tension", o.tension, { positive: true })!,
        lineTension: parseNum("--line-tension", o.lineTension, { min: 0 })!,
        closedEnd: Boolean(o.tip),
        kbarLipid: parseNum("--kbar-lipid", o.kbarLipid),
        kbarDomain: parseNum("--kbar-domain", o.kbarDomain),
      };
      const scan = parseNum("--scan", o.scan, { integer: true, min: 1 })!;
      const kbt = parseNum("--kappa-kbt", o.kappaKbt, { positive: true });
      const sigma = parseNum("--sigma-n-per-m", o.sigmaNPerM, { positive: true });
      const temperatureK = parseNum("--temperature-k", o.temperatureK, { positive: true })!;
      if ((kbt === undefined) !== (sigma === undefined)) throw new UserError("--kappa-kbt and --sigma-n-per-m must be given together (κ in k_BT, σ in N/m)");
      const sol = L.solveShape(params, { scan });
      const physical = kbt !== undefined && sigma !== undefined ? { kappaKbT: kbt, sigmaNPerM: sigma, temperatureK } : undefined;
      const report = L.shapeReport(sol, physical);
      const m = physical ? report.physical!.scale.metresPerLength * 1e9 : 0;
      const rows = Array.from(sol.profile.x, (x, k) => {
        const row: (string | number)[] = [x, sol.profile.r[k], sol.profile.inDomain[k] ? "domain" : "lipid"];
        if (physical) row.push(x * m, sol.profile.r[k] * m);
        return row;
      });
      writeFileAtomic(join(out, "shape.csv"), toCsv(physical ? ["x", "r", "region", "xNm", "rNm"] : ["x", "r", "region"], rows));
      writeJsonAtomic(join(out, "shape.json"), report);
      const title = `κ_d/κ_l = ${params.kappaRatio}, A_d = ${params.area}, γ = ${params.tension}: max r = ${sol.best.maxRadius.toFixed(2)}${sol.best.swelling ? " (swelling)" : " (tube)"}`;
      writeFileAtomic(join(out, "shape.svg"), L.shapeSvg(sol.profile, sol.params.r0, title));
      process.stdout.write(
        `${sol.best.swelling ? "swelling" : "tube"}: E = ${sol.best.energy.toFixed(4)}, max r = ${sol.best.maxRadius.toFixed(4)}, domain length = ${sol.best.domainLength.toFixed(4)}, branches = ${sol.branches.length}; wrote ${out}\n`,
      );
    });

  mech
    .command("phase")
    .description("phase diagram swelling vs tube over κ_d/κ_l, A_d, γ (phase.csv/svg) and the threshold ratio vs area (threshold.csv/svg)")
    .option("--ratios <list|a:b:n>", "stiffness ratios κ_d/κ_l", "1:10:20")
    .option("--areas <list|a:b:n[:log]>", "domain areas A_d", "40:2400:20:log")
    .option("--tensions <list|a:b:n[:log]>", "tensions γ", "1")
    .option("--kappa <K>", "lipid bending rigidity κ_l", "2")
    .option("--line-tension <L>", "line tension λ", "0")
    .option("--threshold-areas <list|a:b:n[:log]>", "areas for the threshold curve", "40:2400:12:log")
    .option("--no-threshold", "skip the threshold curve")
    .option("--out <DIR>", "output folder")
    .action(async (o) => {
      const L = await lib();
      const out = requireOut(o.out);
      const kappaRatios = parseRange("--ratios", o.ratios);
      const areas = parseRange("--areas", o.areas);
      const tensions = parseRange("--tensions", o.tensions);
      const kappaLipid = parseNum("--kappa", o.kappa, { positive: true })!;
      const lineTension = parseNum("--line-tension", o.lineTension, { min: 0 })!;
      const thAreas = o.threshold ? parseRange("--threshold-areas", o.thresholdAreas) : [];
      const total = kappaRatios.length * areas.length * tensions.length;
      const bar = createProgress("phase diagram", total + thAreas.length * tensions.length);
      const pts = L.phaseDiagram({ kappaRatios, areas, tensions, kappaLipid, lineTension, onProgress: (d) => bar.update(d) });
      const th: ThresholdResult[] = [];
      for (const g of tensions)
        for (const A of thAreas) {
          th.push(L.thresholdRatio(A, g, { kappaLipid, lineTension }));
          bar.update(total + th.length);
        }
      bar.stop();
      writeFileAtomic(
        join(out, "phase.csv"),
        toCsv(
          ["tension", "area", "kappaRatio", "areaOverR0Sq", "maxRadius", "maxRadiusOverR0", "domainLength", "energy", "swelling", "branches"],
          pts.map((p) => [p.tension, p.area, p.kappaRatio, p.areaOverR0Sq, p.maxRadius, p.maxRadiusOverR0, p.domainLength, p.energy, p.swelling, p.branches]),
        ),
      );
      writeFileAtomic(join(out, "phase.svg"), L.phaseSvg(pts, th));
      if (th.length) {
        writeFileAtomic(
          join(out, "threshold.csv"),
          toCsv(
            ["tension", "area", "areaOverR0Sq", "thresholdKappaRatio", "bracketLow", "bracketHigh"],
            th.map((t) => [t.tension, t.area, t.areaOverR0Sq, Number.isFinite(t.kappaRatio) ? t.kappaRatio : "inf", t.bracket[0], Number.isFinite(t.bracket[1]) ? t.bracket[1] : "inf"]),
          ),
        );
        writeFileAtomic(join(out, "threshold.svg"), L.thresholdSvg(th));
      }
      process.stdout.write(`phase diagram: ${pts.filter((p) => p.swelling).length}/${pts.length} points swell; wrote ${out}\n`);
    });

  mech
    .command("junction")
    .description("bulge at a three-way junction vs on an arm under rising tension (junction.csv/json/svg)")
    .option("--kappa-ratio <R>", "domain stiffness ratio κ_d/κ_l", "10")
    .option("--area <A>", "domain area A_d", "600")
    .option("--tensions <list|a:b:n[:log]>", "tensions γ", "0.25:4:5:log")
    .option("--kappa <K>", "lipid bending rigidity κ_l", "2")
    .option("--line-tension <L>", "line tension λ", "0")
    .option("--kbar-lipid <K>", "Gaussian modulus of the lipid κ̄_l (default κ_l)")
    .option("--kbar-domain <K>", "Gaussian modulus of the domain κ̄_d (default κ_d)")
    .option("--out <DIR>", "output folder")
    .action(async (o) => {
      const L = await lib();
      const out = requireOut(o.out);
      const kappaRatio = parseNum("--kappa-ratio", o.kappaRatio, { positive: true })!;
      const area = parseNum("--area", o.area, { positive: true })!;
      const tensions = parseRange("--tensions", o.tensions);
      const kappaLipid = parseNum("--kappa", o.kappa, { positive: true })!;
      const lineTension = parseNum("--line-tension", o.lineTension, { min: 0 })!;
      const kbarLipid = parseNum("--kbar-lipid", o.kbarLipid);
      const kbarDomain = parseNum("--kbar-domain", o.kbarDomain);
      const bar = createProgress("junction", tensions.length);
      const rows = L.junctionComparison({ kappaRatio, area, tensions, kappaLipid, lineTension, kbarLipid, kbarDomain, onProgress: (d) => bar.update(d) });
      bar.stop();
      const cols = Object.keys(rows[0]) as (keyof (typeof rows)[0])[];
      writeFileAtomic(join(out, "junction.csv"), toCsv(cols, rows.map((r) => cols.map((c) => r[c]))));
      writeJsonAtomic(join(out, "junction.json"), {
        params: { kappaLipid, kappaRatio, area, lineTension, kbarLipid: kbarLipid ?? kappaLipid, kbarDomain: kbarDomain ?? kappaLipid * kappaRatio },
        model:
          "E_tip (n=1) and E_arm (n=2) from the axisymmetric solver; E_junction = 2 E_arm - E_tip (additive, non-interacting necks); bare junction E_Y = E'_arm - E'_tip at kappa_d = kappa_l; delta = E_junction - E_arm - E_Y",
        rows,
      });
      writeFileAtomic(join(out, "junction.svg"), L.junctionSvg(rows, `Bulge at a junction vs on an arm (κ_d/κ_l = ${kappaRatio}, A_d = ${area})`));
      process.stdout.write(`${rows.map((r) => `γ=${r.tension}: ${r.preferred} (ΔE = ${r.deltaJunctionMinusArm.toFixed(3)})`).join("; ")}; wrote ${out}\n`);
    });
}
