/**
 * Tuning of the migrasome acceptance model on TUNING scenes only (seeds 1…, variant "tuning",
 * with clusters and bundles; scoring seeds start at 1000 and are never used here). Every profiled
 * candidate is recorded with its features [1, ln armContrast, min(d, 1.2), ln significance,
 * ln(1 + ring completeness)] and labelled positive when it lies within the evaluation gate of a
 * true migrasome (diameter within 50 %). `replayF1` replays the detector's suppression rules on
 * the recorded candidates for a weight vector, and `searchWeights` does a coordinate search for the
 * mean F1 over SNR and pixel size. (`fitLogistic` — plain log-loss — is kept for comparison: it
 * fits the candidates but gives a lower F1 than the replay search.)
 *
 * Run: `npx tsx src/imaging/tune.ts` — prints the replay F1 of the current weights and of the best
 * weights found (last measured: 0.865 → 0.867, so DEFAULT_MIGRASOME_PARAMS.weights were kept).
 */
import { analyzePlane } from "./analyze.ts";
import { matchGateUm } from "./evaluate.ts";
import { DEFAULT_MIGRASOME_PARAMS, type MigrasomeParams } from "./migrasomes.ts";
import { renderScene } from "./optics.ts";
import { generateScene, randomOptics } from "./scene.ts";

export interface TuneSample {
  x: number[];
  y: number;
  /** scene group (SNR / pixel size / seed) and index of the matched true migrasome, or −1 */
  group: string;
  truth: number;
  xUm: number;
  yUm: number;
  rUm: number;
  nTrue: number;
}

export function features(c: { armContrast: number; radiusUm: number; score: number; ringZ: number }): number[] {
  return [1, Math.log(Math.max(c.armContrast, 0.05)), Math.min(2 * c.radiusUm, 1.2), Math.log(Math.max(c.score, 1e-3)), Math.log(1 + c.ringZ)];
}

/** Profiled candidates of tuning scenes with labels. */
export function collectSamples(seeds: number[], snrs: number[], pixelSizes: number[], params: Partial<MigrasomeParams> = {}): TuneSample[] {
  const out: TuneSample[] = [];
  for (const px of pixelSizes)
    for (const snr of snrs)
      for (const s of seeds) {
        const scene = generateScene(s, { variant: "tuning", widthUm: 40, heightUm: 40 });
        const img = renderScene(scene, randomOptics(s, snr, "tuning", px), s);
        const truth = scene.objects.filter((o) => o.kind === "migrasome");
        const cands: TuneSample[] = [];
        const onCandidate = (c: { x: number; y: number; radiusUm: number; score: number; armContrast: number; ringZ: number }) => {
          if (!(c.radiusUm >= 0.2 && c.radiusUm <= 1.75)) return;
          const xu = (c.x + 0.5) * px;
          const yu = (c.y + 0.5) * px;
          const ti = truth.findIndex((t) => Math.hypot(t.x - xu, t.y - yu) <= matchGateUm(t.diameterUm) && Math.abs(t.diameterUm - 2 * c.radiusUm) < 0.5 * t.diameterUm);
          cands.push({ x: features(c), y: ti >= 0 ? 1 : 0, group: `${snr}/${px}/${s}`, truth: ti, xUm: xu, yUm: yu, rUm: c.radiusUm, nTrue: truth.length });
        };
        analyzePlane({ width: img.width, height: img.height, data: img.data }, px, {
          params: { migrasome: params },
          onCandidate,
        });
        if (!cands.length) cands.push({ x: [1, 0, 0, 0, 0], y: 0, group: `${snr}/${px}/${s}`, truth: -2, xUm: -99, yUm: -99, rUm: 0, nTrue: truth.length });
        out.push(...cands);
      }
  return out;
}

/** Logistic regression by Newton–Raphson with a small ridge penalty (not on the intercept). */
export function fitLogistic(samples: TuneSample[], iters = 30, ridge = 1e-3): number[] {
  const d = samples[0].x.length;
  const w = new Array(d).fill(0);
  for (let it = 0; it < iters; it++) {
    const g = new Array(d).fill(0);
    const H = Array.from({ length: d }, () => new Array(d).fill(0));
    for (const s of samples) {
      const z = s.x.reduce((a, v, i) => a + v * w[i], 0);
      const p = 1 / (1 + Math.exp(-z));
      for (let i = 0; i < d; i++) {
        g[i] += (p - s.y) * s.x[i];
        for (let j = 0; j < d; j++) H[i][j] += p * (1 - p) * s.x[i] * s.x[j];
      }
    }
    for (let i = 1; i < d; i++) {
      g[i] += ridge * samples.length * w[i];
      H[i][i] += ridge * samples.length;
    }
    // solve H Δ = g (Gaussian elimination)
    const A = H.map((r, i) => [...r, g[i]]);
    for (let c = 0; c < d; c++) {
      let piv = c;
      for (let r = c + 1; r < d; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
      [A[c], A[piv]] = [A[piv], A[c]];
      for (let r = 0; r < d; r++) {
        if (r === c) continue;
        const f = A[r][c] / A[c][c];
        for (let k = c; k <= d; k++) A[r][k] -= f * A[c][k];
      }
    }
    let step = 0;
    for (let i = 0; i < d; i++) {
      const delta = A[i][d] / A[i][i];
      w[i] -= delta;
      step = Math.max(step, Math.abs(delta));
    }
    if (step < 1e-6) break;
  }
  return w;
}

/**
 * F1 of a weight vector replayed on collected candidates: accepted = probability ≥ 0.5; a true
 * migrasome counts once; an accepted false candidate counts unless it lies within half the radius of
 * an accepted true one (it would then be suppressed as a duplicate). Returns the mean F1 over groups
 * of the same SNR and pixel size.
 */
export function replayF1(samples: TuneSample[], w: number[]): number {
  const byKey = new Map<string, { tp: Set<string>; fp: number; nTrue: number; seeds: Set<string> }>();
  const bySeed = new Map<string, TuneSample[]>();
  for (const s of samples) {
    const l = bySeed.get(s.group);
    if (l) l.push(s);
    else bySeed.set(s.group, [s]);
  }
  for (const [g, list] of bySeed) {
    const key = g.split("/").slice(0, 2).join("/");
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { tp: new Set(), fp: 0, nTrue: 0, seeds: new Set() }));
    if (!e.seeds.has(g)) {
      e.seeds.add(g);
      e.nTrue += list[0].nTrue;
    }
    // the detector's suppression rules, in the detector's order
    const acc: TuneSample[] = [];
    for (const s of list) {
      if (s.truth === -2 || s.x.reduce((a, v, i) => a + v * (w[i] ?? 0), 0) < 0) continue;
      let lose = false;
      const clashes = acc.filter((a) => {
        const d = Math.hypot(a.xUm - s.xUm, a.yUm - s.yUm);
        if (d < 0.5 * Math.min(a.rUm, s.rUm) + 0.1 && Math.abs(a.rUm - s.rUm) < 0.35 * Math.max(a.rUm, s.rUm) + 0.1) {
          if (a.x[3] >= s.x[3]) lose = true;
          return true;
        }
        if (d + Math.min(a.rUm, s.rUm) < Math.max(a.rUm, s.rUm) + 0.2) {
          if (a.rUm >= s.rUm) lose = true;
          return true;
        }
        return false;
      });
      if (lose) continue;
      for (const c of clashes) acc.splice(acc.indexOf(c), 1);
      acc.push(s);
    }
    for (const s of acc) {
      const k = `${g}:${s.truth}`;
      if (s.truth >= 0 && !e.tp.has(k)) e.tp.add(k);
      else e.fp++;
    }
  }
  let f = 0;
  for (const e of byKey.values()) {
    const tp = e.tp.size;
    const p = tp + e.fp > 0 ? tp / (tp + e.fp) : 0;
    const r = e.nTrue > 0 ? tp / e.nTrue : 0;
    f += p + r > 0 ? (2 * p * r) / (p + r) : 0;
  }
  return f / byKey.size;
}

/** Coordinate search of the weights that maximise replayF1 (starting from w0). */
export function searchWeights(samples: TuneSample[], w0: number[], rounds = 6): { w: number[]; f1: number } {
  let w = [...w0];
  let best = replayF1(samples, w);
  for (let r = 0; r < rounds; r++) {
    const scale = 0.5 / (r + 1);
    for (let i = 0; i < w.length; i++)
      for (const d of [-1, -0.5, -0.25, 0.25, 0.5, 1]) {
        const t = [...w];
        t[i] += d * scale * Math.max(1, Math.abs(w[i]));
        const f = replayF1(samples, t);
        if (f > best + 1e-9) {
          best = f;
          w = t;
        }
      }
  }
  return { w, f1: best };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() as string) && process.argv[1].includes("tune")) {
  const seeds = Array.from({ length: 8 }, (_, i) => i + 1);
  let weights = [...DEFAULT_MIGRASOME_PARAMS.weights, 0].slice(0, 5);
  for (let round = 0; round < 2; round++) {
    const samples = [
      ...collectSamples(seeds, [2, 4, 7, 10], [0.1], { weights }),
      ...collectSamples(seeds.slice(0, 4), [3, 7], [0.065, 0.16], { weights }),
    ];
    const real = samples.filter((s) => s.truth !== -2);
    const oracle = new Set(real.filter((s) => s.truth >= 0).map((s) => `${s.group}:${s.truth}`)).size;
    const nTrue = [...new Map(samples.map((s) => [s.group, s.nTrue])).values()].reduce((a, b) => a + b, 0);
    const start = replayF1(samples, weights);
    const found = searchWeights(samples, weights);
    weights = found.w;
    process.stdout.write(
      `round ${round}: ${real.length} candidates (${real.filter((s) => s.y).length} positive); recall of the candidates ${(oracle / nTrue).toFixed(3)}; replay F1 ${start.toFixed(3)} → ${found.f1.toFixed(3)}; weights ${JSON.stringify(weights.map((v) => +v.toFixed(3)))}\n`,
    );
  }
}
