/**
 * Time-series linking: frame-to-frame assignment (Hungarian, squared distance, gate in µm),
 * then gap closing (track ends joined to later track starts within `maxGapFrames`). Gives each
 * track its formation time (first frame) and lifetime.
 */
import { hungarian } from "./hungarian.ts";

export interface FramePoint {
  frame: number;
  xUm: number;
  yUm: number;
  diameterUm: number;
}

export interface Track {
  id: number;
  /** indices into the input points, in frame order */
  points: number[];
  firstFrame: number;
  lastFrame: number;
  /** present in the first (last) frame: formation (end) not observed */
  censoredStart: boolean;
  censoredEnd: boolean;
}

export interface LinkOptions {
  maxLinkUm?: number;
  maxGapFrames?: number;
  maxGapLinkUm?: number;
}

export function linkTracks(points: FramePoint[], nFrames: number, opts: LinkOptions = {}): Track[] {
  const maxLink = opts.maxLinkUm ?? 1.5;
  const maxGap = opts.maxGapFrames ?? 2;
  const maxGapLink = opts.maxGapLinkUm ?? 2;
  const byFrame: number[][] = Array.from({ length: nFrames }, () => []);
  points.forEach((p, i) => byFrame[p.frame]?.push(i));
  const trackOf = new Int32Array(points.length).fill(-1);
  const tracks: number[][] = [];
  for (const i of byFrame[0] ?? []) {
    trackOf[i] = tracks.length;
    tracks.push([i]);
  }
  for (let f = 1; f < nFrames; f++) {
    const prev = byFrame[f - 1];
    const cur = byFrame[f];
    const cost = prev.map((a) =>
      cur.map((b) => {
        const d = Math.hypot(points[a].xUm - points[b].xUm, points[a].yUm - points[b].yUm);
        return d <= maxLink ? d * d : 1e9;
      }),
    );
    const taken = new Set<number>();
    for (const [i, j] of hungarian(cost)) {
      const t = trackOf[prev[i]];
      trackOf[cur[j]] = t;
      tracks[t].push(cur[j]);
      taken.add(j);
    }
    cur.forEach((b, j) => {
      if (!taken.has(j)) {
        trackOf[b] = tracks.length;
        tracks.push([b]);
      }
    });
  }
  // gap closing: ends at frame f joined to starts at f+2..f+1+maxGap
  if (maxGap > 0) {
    const first = (t: number[]) => points[t[0]].frame;
    const last = (t: number[]) => points[t[t.length - 1]].frame;
    const ends = tracks.map((_, k) => k).filter((k) => last(tracks[k]) < nFrames - 1);
    const starts = tracks.map((_, k) => k).filter((k) => first(tracks[k]) > 0);
    const cost = ends.map((e) =>
      starts.map((s) => {
        const gap = first(tracks[s]) - last(tracks[e]);
        if (gap < 2 || gap > maxGap + 1 || e === s) return 1e9;
        const a = points[tracks[e][tracks[e].length - 1]];
        const b = points[tracks[s][0]];
        const d = Math.hypot(a.xUm - b.xUm, a.yUm - b.yUm);
        return d <= maxGapLink ? d * d + gap * 0.01 : 1e9;
      }),
    );
    const merged = new Set<number>();
    const pairs = hungarian(cost).map(([i, j]) => [ends[i], starts[j]] as [number, number]);
    // chain merges (a track can be both an end and a start)
    const next = new Map<number, number>(pairs);
    const hasPrev = new Set(pairs.map((p) => p[1]));
    for (const k of tracks.keys()) {
      if (hasPrev.has(k) || !next.has(k)) continue;
      let cur = k;
      while (next.has(cur)) {
        const n = next.get(cur) as number;
        tracks[k].push(...tracks[n]);
        merged.add(n);
        cur = n;
      }
    }
    for (let k = tracks.length - 1; k >= 0; k--) if (merged.has(k)) tracks.splice(k, 1);
  }
  tracks.sort((a, b) => points[a[0]].frame - points[b[0]].frame || points[a[0]].yUm - points[b[0]].yUm || points[a[0]].xUm - points[b[0]].xUm);
  return tracks.map((t, id) => {
    const firstFrame = points[t[0]].frame;
    const lastFrame = points[t[t.length - 1]].frame;
    return { id: id + 1, points: t, firstFrame, lastFrame, censoredStart: firstFrame === 0, censoredEnd: lastFrame === nFrames - 1 };
  });
}
