/**
 * Regenerates the figures in docs/ from simulations: `node --import tsx scripts/docs-figures.ts`.
 */
import { simulate } from "../src/simulate.ts";
import { Collector } from "../src/readouts/collector.ts";
import { writeFileAtomic } from "../src/util/atomic.ts";
import { lineChartSvg } from "../src/util/svg.ts";

function series(set: Record<string, string>, key: string) {
  const res = simulate({ scenario: "pten-transfer", seed: 1, set });
  const c = res.engine.processes.find((p) => p instanceof Collector) as Collector;
  const ts = c.wide(res.engine.world);
  const j = ts.header.indexOf(key);
  return { x: ts.rows.map((r) => r[0] / 60), y: ts.rows.map((r) => r[j]) };
}

const variants: Array<[string, Record<string, string>]> = [
  ["protein + mRNA", {}],
  ["protein only", { "bolus.loads.pten-mrna": "0" }],
  ["mRNA only", { "bolus.loads.pten-protein": "0" }],
];
for (const key of ["recipients.ptenMean", "recipients.pAktMean"]) {
  const s = variants.map(([name, set], k) => ({ name, ...series(set, key), dashed: k === 2 }));
  const what = key.endsWith("ptenMean") ? "PTEN" : "pAKT";
  writeFileAtomic(
    `docs/figures/pten-${what.toLowerCase()}.svg`,
    lineChartSvg(s, { title: `Recipient ${what} after migrasome uptake (pten-transfer, 400 migrasomes)`, xLabel: "time (h)", yLabel: `mean ${what} (relative)` }),
  );
}
const doses = [200, 400, 800].map((n) => ({ name: `${n} migrasomes`, ...series({ "bolus.count": String(n) }, "recipients.pAktMean") }));
writeFileAtomic("docs/figures/pten-dose-pakt.svg", lineChartSvg(doses, { title: "pAKT in recipients by dose", xLabel: "time (h)", yLabel: "mean pAKT (relative)" }));

// mitocytosis: membrane potential and viability over time, with and without migrasomes, by stress
function mitoSeries(perturb: string[], stress: string, key: string) {
  const res = simulate({ scenario: "neutrophil-mitocytosis", seed: 1, perturb, set: { "mito.stressPerMin": stress } });
  const c = res.engine.processes.find((p) => p instanceof Collector) as Collector;
  const ts = c.wide(res.engine.world);
  const j = ts.header.indexOf(key);
  return { x: ts.rows.map((r) => r[0] / 60), y: ts.rows.map((r) => r[j]) };
}
for (const [key, label] of [
  ["mito.membranePotentialMean", "mean membrane potential ψ (relative)"],
  ["mito.viabilityMean", "mean viability"],
] as const) {
  const s = [
    { name: "mild, with migrasomes", ...mitoSeries([], "0.0005", key) },
    { name: "mild, tspan4-ko", ...mitoSeries(["tspan4-ko"], "0.0005", key), dashed: true },
    { name: "strong, with migrasomes", ...mitoSeries([], "0.005", key) },
    { name: "strong, tspan4-ko", ...mitoSeries(["tspan4-ko"], "0.005", key), dashed: true },
  ];
  writeFileAtomic(`docs/figures/mito-${key.endsWith("Mean") && key.includes("viability") ? "viability" : "psi"}.svg`, lineChartSvg(s, { title: `Mitocytosis (neutrophil-mitocytosis): ${label}`, xLabel: "time (h)", yLabel: label, yDomain: [0, 1.05] }));
}

// chemokine relay: the CXCL12 field laid by migrasomes at 12 h
{
  const res = simulate({ scenario: "chemokine-relay", seed: 1 });
  const f = res.engine.world.fields[0];
  const { fieldPng } = await import("../src/readouts/field-images.ts");
  writeFileAtomic("docs/figures/chemokine-relay-cxcl12.png", fieldPng(f.c, f.nx, f.ny, 4));
}
