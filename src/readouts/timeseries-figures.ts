import { lineChartSvg } from "../util/svg.ts";

/** SVG plots of the time series: one per topic (cargo species, recipients, mitochondria, migrasomes). */
export function timeseriesFigures(ts: { header: string[]; rows: number[][] }): Array<[string, string]> {
  const hours = ts.rows.map((r) => r[0] / 60);
  const col = (name: string) => ts.rows.map((r) => r[ts.header.indexOf(name)]);
  const groups = new Map<string, string[]>();
  for (const h of ts.header.slice(1)) {
    const topic = h.includes(".") ? h.split(".")[0] : "migrasomes";
    groups.set(topic, [...(groups.get(topic) ?? []), h]);
  }
  const out: Array<[string, string]> = [];
  for (const [topic, keys] of groups) {
    if (topic === "recipients") {
      out.push([
        "timeseries_recipients.svg",
        lineChartSvg(
          keys.map((k) => ({ name: k.split(".")[1], x: hours, y: col(k) })),
          { title: "Recipient cells: mean PTEN and pAKT", xLabel: "time (h)", yLabel: "level (relative units)" },
        ),
      ]);
      continue;
    }
    out.push([
      `timeseries_${topic}.svg`,
      lineChartSvg(
        keys.map((k) => ({ name: k.includes(".") ? k.split(".").slice(1).join(".") : k, x: hours, y: col(k) })),
        { title: topic === "mito" ? "Mitochondria" : topic === "migrasomes" ? "Migrasomes" : `Cargo ${topic}`, xLabel: "time (h)", yLabel: topic === "mito" ? "value" : topic === "migrasomes" ? "count" : "amount" },
      ),
    ]);
  }
  return out;
}
