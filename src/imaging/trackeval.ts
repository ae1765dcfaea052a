/**
 * Tracking read-outs against the truth of a time series (`migrasim render --frames`): detections are matched to
 * the true migrasomes frame by frame (`matchDetections`), and each true migrasome's matches are read along its
 * life: which detected tracks carry it, whether one does for most of it, and whether that track's first and last
 * frames are the migrasome's formation and end.
 */
import { matchDetections, type PointRecord } from "./evaluate.ts";

export interface TrackEvaluation {
  /** true migrasomes (distinct truth ids) and detected tracks (distinct detection track ids) */
  trueTracks: number;
  detectedTracks: number;
  /** true migrasomes matched in at least half of their frames */
  recovered: number;
  recoveredFraction: number;
  /** over recovered ones: detected tracks that carry a true migrasome (1 = never broken up) */
  meanFragments: number;
  /** changes of detected track along a true migrasome's matched frames, summed */
  idSwitches: number;
  /** over detected tracks with a match: the share of their matched points that are their main true migrasome */
  meanPurity: number;
  /**
   * formation: true migrasomes recovered that form within the series (absent from its first frame); the error is
   * the first frame of the detected track that carries them most minus the true first frame
   */
  formationN: number;
  formationExact: number;
  formationWithinOne: number;
  formationMeanAbsErrorFrames: number;
  /** lifetime: recovered true migrasomes that both form and end within the series (last − first + 1 frames) */
  lifetimeN: number;
  lifetimeExact: number;
  lifetimeWithinOne: number;
  lifetimeMeanAbsErrorFrames: number;
}

/** Track read-outs; points without a trackId are ignored. Images are kept apart (ids are per image). */
export function evaluateTracks(det: PointRecord[], truth: PointRecord[]): TrackEvaluation {
  const tid = (p: PointRecord) => `${p.image}\u0000${p.trackId}`;
  const D = det.filter((d) => d.trackId !== undefined);
  const T = truth.filter((t) => t.trackId !== undefined);
  // each image's frame range (of the truth: the series rendered)
  const range = new Map<string, [number, number]>();
  for (const t of T) {
    const f = t.frame ?? 0;
    const r = range.get(t.image);
    if (!r) range.set(t.image, [f, f]);
    else {
      r[0] = Math.min(r[0], f);
      r[1] = Math.max(r[1], f);
    }
  }
  const span = (ps: PointRecord[]) => {
    const m = new Map<string, [number, number]>();
    for (const p of ps) {
      const k = tid(p);
      const f = p.frame ?? 0;
      const r = m.get(k);
      if (!r) m.set(k, [f, f]);
      else {
        r[0] = Math.min(r[0], f);
        r[1] = Math.max(r[1], f);
      }
    }
    return m;
  };
  const trueSpan = span(T);
  const detSpan = span(D);
  const trueFrames = new Map<string, number>();
  for (const t of T) trueFrames.set(tid(t), (trueFrames.get(tid(t)) ?? 0) + 1);
  // matches along each true migrasome, in frame order
  const along = new Map<string, { frame: number; det: string }[]>();
  const byDet = new Map<string, Map<string, number>>();
  for (const { t, d } of matchDetections(D, T)) {
    const kt = tid(t);
    const kd = tid(d);
    const l = along.get(kt);
    if (l) l.push({ frame: t.frame ?? 0, det: kd });
    else along.set(kt, [{ frame: t.frame ?? 0, det: kd }]);
    const m = byDet.get(kd) ?? new Map<string, number>();
    m.set(kt, (m.get(kt) ?? 0) + 1);
    byDet.set(kd, m);
  }
  let recovered = 0;
  let fragments = 0;
  let switches = 0;
  const formErr: number[] = [];
  const lifeErr: number[] = [];
  for (const [kt, n] of trueFrames) {
    const l = (along.get(kt) ?? []).sort((a, b) => a.frame - b.frame);
    for (let i = 1; i < l.length; i++) if (l[i].det !== l[i - 1].det) switches++;
    if (l.length < 0.5 * n) continue;
    recovered++;
    const count = new Map<string, number>();
    for (const m of l) count.set(m.det, (count.get(m.det) ?? 0) + 1);
    fragments += count.size;
    // the detected track that carries it most (ties: the earlier-starting one)
    const main = [...count.entries()].sort((a, b) => b[1] - a[1] || (detSpan.get(a[0]) as [number, number])[0] - (detSpan.get(b[0]) as [number, number])[0])[0][0];
    const [tf, tl] = trueSpan.get(kt) as [number, number];
    const [df, dl] = detSpan.get(main) as [number, number];
    const [f0, f1] = range.get(kt.split("\u0000")[0]) as [number, number];
    if (tf > f0) {
      formErr.push(df - tf);
      if (tl < f1) lifeErr.push(dl - df - (tl - tf));
    }
  }
  let purity = 0;
  for (const m of byDet.values()) {
    let tot = 0;
    let best = 0;
    for (const v of m.values()) {
      tot += v;
      best = Math.max(best, v);
    }
    purity += best / tot;
  }
  const frac = (a: number[], f: (e: number) => boolean) => (a.length ? a.filter(f).length / a.length : NaN);
  const mabs = (a: number[]) => (a.length ? a.reduce((s, e) => s + Math.abs(e), 0) / a.length : NaN);
  return {
    trueTracks: trueFrames.size,
    detectedTracks: detSpan.size,
    recovered,
    recoveredFraction: trueFrames.size ? recovered / trueFrames.size : NaN,
    meanFragments: recovered ? fragments / recovered : NaN,
    idSwitches: switches,
    meanPurity: byDet.size ? purity / byDet.size : NaN,
    formationN: formErr.length,
    formationExact: frac(formErr, (e) => e === 0),
    formationWithinOne: frac(formErr, (e) => Math.abs(e) <= 1),
    formationMeanAbsErrorFrames: mabs(formErr),
    lifetimeN: lifeErr.length,
    lifetimeExact: frac(lifeErr, (e) => e === 0),
    lifetimeWithinOne: frac(lifeErr, (e) => Math.abs(e) <= 1),
    lifetimeMeanAbsErrorFrames: mabs(lifeErr),
  };
}
