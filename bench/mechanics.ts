/**
 * Mechanics benchmarks (npm run bench:mechanics): one shape solve (target < 1 s) and a 20×20
 * phase diagram (target < 60 s), plus the measured convergence order. Prints JSON lines.
 */
import { phaseDiagram, solveShape, thresholdRatio } from "../src/mechanics/index.ts";

function line(o: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

// warm-up (JIT)
solveShape({ kappaLipid: 2, kappaRatio: 10, tension: 1, area: 600 }, { scan: 1 });

{
  const times: number[] = [];
  let sol = solveShape({ kappaLipid: 2, kappaRatio: 10, tension: 1, area: 600 }, { scan: 6 });
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    sol = solveShape({ kappaLipid: 2, kappaRatio: 10, tension: 1, area: 600 }, { scan: 6 });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  line({
    bench: "shape",
    case: "reference kappa_l=2 kappa_d=20 gamma=1 A_d=600, scan 6 starts",
    medianMs: Number(times[1].toFixed(1)),
    targetMs: 1000,
    segments: sol.mesh.n,
    energy: Number(sol.best.energy.toFixed(6)),
    maxRadius: Number(sol.best.maxRadius.toFixed(6)),
    branches: sol.branches.length,
  });
}

{
  const ratios = Array.from({ length: 20 }, (_, i) => 1 + i * 0.5);
  const areas = Array.from({ length: 20 }, (_, i) => Number((40 * 1.24 ** i).toPrecision(6)));
  const t = performance.now();
  const pts = phaseDiagram({ kappaRatios: ratios, areas, tensions: [1] });
  line({
    bench: "phase",
    grid: "20 ratios (1..10.5) x 20 areas (40..2400, log)",
    seconds: Number(((performance.now() - t) / 1000).toFixed(2)),
    targetSeconds: 60,
    swellingPoints: pts.filter((p) => p.swelling).length,
  });
}

{
  const t = performance.now();
  const r = thresholdRatio(600, 1);
  line({ bench: "threshold", area: 600, tension: 1, kappaRatio: Number(r.kappaRatio.toFixed(5)), solves: r.solves, seconds: Number(((performance.now() - t) / 1000).toFixed(2)) });
}

{
  const energies: number[] = [];
  const t = performance.now();
  for (const k of [1, 2, 4, 8, 16]) {
    const sol = solveShape(
      { kappaLipid: 2, kappaRatio: 10, tension: 1, area: 600 },
      { scan: 1, seedRadii: [5.5], mesh: { nDomain: 20 * k, nLipid: 8 * k, hMinLipidR0: 0.96 / k, domainGrading: 3 } },
    );
    energies.push(sol.best.energy);
  }
  const orders = [];
  for (let i = 0; i + 2 < energies.length; i++) orders.push(Number(Math.log2((energies[i] - energies[i + 1]) / (energies[i + 1] - energies[i + 2])).toFixed(3)));
  line({ bench: "convergence", segmentsDomain: [20, 40, 80, 160, 320], energies: energies.map((e) => Number(e.toFixed(8))), orders, seconds: Number(((performance.now() - t) / 1000).toFixed(2)) });
}
