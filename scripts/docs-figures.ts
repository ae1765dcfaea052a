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
