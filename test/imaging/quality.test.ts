/**
 * An image's quality read-out (`quality.ts`, `validation.ts`): the SNR estimated from the detected migrasomes against
 * the SNR the renderer was given, the held-out table's lookup, and that the table in the code is the one the docs show.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzePlane } from "../../src/imaging/analyze.ts";
import { analyzeBatch } from "../../src/imaging/batch.ts";
import { writeTiff16 } from "../../src/imaging/io-tiff.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { estimateSnr } from "../../src/imaging/quality.ts";
import { imageQuality, imageSummary } from "../../src/imaging/readouts.ts";
import { generateScene, randomOptics, type Optics, type Scene } from "../../src/imaging/scene.ts";
import { expectedResults, VALIDATION } from "../../src/imaging/validation.ts";

describe("SNR estimate", () => {
  it("reads a known ring's SNR on a flat background (centre known, noise known)", () => {
    const px = 0.1;
    const o: Optics = { pixelSizeUm: px, psfSigmaUm: 0.12, ringThicknessUm: 0.1, sectionHalfUm: 0.4, snr: 6, backgroundPhotons: 60, unevenness: 0, readNoise: 2, offset: 100, label: "tspan4" };
    const objects = [];
    for (let i = 0; i < 16; i++)
      objects.push({ id: i + 1, x: 2.5 + 5 * (i % 4), y: 2.5 + 5 * Math.floor(i / 4), diameterUm: 1.2, brightness: 1, kind: "migrasome" as const, site: "none" as const, cellId: null });
    const scene: Scene = { widthUm: 20, heightUm: 20, cells: [], fibers: [], crossings: [], objects };
    const img = renderScene(scene, o, 7);
    const sigma = Math.sqrt(o.backgroundPhotons + o.readNoise ** 2);
    const sub = Float32Array.from(img.data, (v) => v - o.offset - o.backgroundPhotons + 0.5244 * sigma);
    const snr = estimateSnr(sub, img.width, img.height, px, sigma, objects.map((m) => ({ x: m.x / px - 0.5, y: m.y / px - 0.5, diameterUm: m.diameterUm })));
    // the ring's peak is the brightest pixel of its blurred profile; the median over a ring 0.5 pixel wide lies a
    // little below it
    expect(snr).toBeGreaterThan(0.85 * 6);
    expect(snr).toBeLessThan(1.05 * 6);
    expect(estimateSnr(sub, img.width, img.height, px, sigma, [])).toBeNaN();
  });

  it("follows the rendered SNR on generated scenes (tuning seeds, 0.1 and 0.16 µm pixels)", () => {
    for (const px of [0.1, 0.16]) {
      const est = (snr: number) => {
        const r: number[] = [];
        for (const s of [11, 12]) {
          const scene = generateScene(s, { variant: "scoring", widthUm: 24, heightUm: 24, dense: false });
          const img = renderScene(scene, randomOptics(s, snr, "scoring", px), s);
          r.push(analyzePlane({ width: img.width, height: img.height, data: img.data }, px).snr);
        }
        return r;
      };
      const lo = est(3);
      const hi = est(9);
      for (const v of lo) expect(v / 3, `${px} µm, SNR 3`).toBeGreaterThan(0.7), expect(v / 3, `${px} µm, SNR 3`).toBeLessThan(1.5);
      for (const v of hi) expect(v / 9, `${px} µm, SNR 9`).toBeGreaterThan(0.7), expect(v / 9, `${px} µm, SNR 9`).toBeLessThan(1.4);
      expect(Math.min(...hi)).toBeGreaterThan(2 * Math.max(...lo));
    }
  });
});

describe("expected results from the held-out table", () => {
  it("gives the table's rows at its grid points", () => {
    for (const r of VALIDATION) {
      const e = expectedResults(r.pixelSizeUm, r.snr);
      expect(e).toEqual({ f1: r.f1, siteAccuracy: r.siteAccuracy, fiberLengthRatio: r.fiberLengthRatio, extrapolated: false });
    }
  });

  it("interpolates between rows and clamps outside them", () => {
    const e = expectedResults(0.13, 5)!;
    const corners = VALIDATION.filter((r) => (r.pixelSizeUm === 0.1 || r.pixelSizeUm === 0.16) && (r.snr === 4 || r.snr === 7)).map((r) => r.siteAccuracy);
    expect(e.siteAccuracy).toBeGreaterThan(Math.min(...corners));
    expect(e.siteAccuracy).toBeLessThan(Math.max(...corners));
    expect(e.extrapolated).toBe(false);
    const low = expectedResults(0.1, 1)!;
    expect(low.siteAccuracy).toBe(VALIDATION.find((r) => r.pixelSizeUm === 0.1 && r.snr === 2)!.siteAccuracy);
    expect(low.extrapolated).toBe(true);
    // beyond the coarsest pixel: that pixel size's row
    expect(expectedResults(0.2, 7)!.fiberLengthRatio).toBe(VALIDATION.find((r) => r.pixelSizeUm === 0.16 && r.snr === 7)!.fiberLengthRatio);
    expect(expectedResults(0.1, NaN)).toBeNull();
  });

  it("notes read-outs below the issue's bars, and not above them", () => {
    const r4 = VALIDATION.find((r) => r.pixelSizeUm === 0.16 && r.snr === 4)!;
    expect(r4.siteAccuracy).toBeLessThan(0.85);
    expect(imageQuality(0.16, 4).note).toContain(`sites ${r4.siteAccuracy.toFixed(2)} correct and fiber length ${r4.fiberLengthRatio.toFixed(2)} × the true length`);
    expect(imageQuality(0.065, 7).note).toBeNull();
    expect(imageQuality(0.1, NaN).note).toMatch(/no migrasome detected/);
    // above the table's SNR: flagged as extrapolated, but no note; outside the pixel sizes: a note
    expect(imageQuality(0.1, 25).expected?.extrapolated).toBe(true);
    expect(imageQuality(0.1, 25).note).toBeNull();
    expect(imageQuality(0.05, 8).note).toMatch(/outside the validated 0\.065–0\.16 µm/);
  });

  it("is the table the docs show (docs/imaging.md, Evaluation, sparse rows)", () => {
    const rows = readFileSync(new URL("../../docs/imaging.md", import.meta.url), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("| sparse |"))
      .map((l) => l.split("|").slice(1, -1).map((c) => c.trim().replace(/\*/g, "")))
      .map((c) => ({ pixelSizeUm: Number(c[2]), snr: Number(c[1]), f1: Number(c[6]), siteAccuracy: Number(c[10]), fiberLengthRatio: Number(c[12]) }));
    expect(rows).toHaveLength(12);
    const key = (r: { pixelSizeUm: number; snr: number }) => r.pixelSizeUm * 1000 + r.snr;
    expect([...rows].sort((a, b) => key(a) - key(b))).toEqual([...VALIDATION].sort((a, b) => key(a) - key(b)));
  });

  it("is the table the docs' summary shows (docs/imaging.md, At a glance)", () => {
    const doc = readFileSync(new URL("../../docs/imaging.md", import.meta.url), "utf8");
    const part = doc.slice(doc.indexOf("## At a glance"), doc.indexOf("## Input"));
    const rows = part.split("\n").filter((l) => /^\| 0\.\d+ µm \|/.test(l));
    expect(rows).toHaveLength(3);
    const snrs = [2, 4, 7, 10];
    for (const l of rows) {
      const c = l.split("|").slice(1, -1).map((x) => x.trim());
      const px = Number(c[0].replace(" µm", ""));
      c.slice(1).forEach((cell, i) => {
        const [f1, site, fiber] = cell.split(" / ").map(Number);
        const r = VALIDATION.find((v) => v.pixelSizeUm === px && v.snr === snrs[i]);
        expect(r, `${px} µm, SNR ${snrs[i]}`).toBeDefined();
        expect(Math.abs(f1 - r!.f1)).toBeLessThanOrEqual(0.0051); // F1 shown to two decimals
        expect(site).toBeCloseTo(r!.siteAccuracy, 2);
        expect(fiber).toBeCloseTo(r!.fiberLengthRatio, 2);
      });
    }
  });

  it("reaches the image summary", () => {
    const px = 0.1;
    const scene = generateScene(11, { variant: "scoring", widthUm: 24, heightUm: 24, dense: false });
    const img = renderScene(scene, randomOptics(11, 7, "scoring", px), 11);
    const a = analyzePlane({ width: img.width, height: img.height, data: img.data }, px);
    const q = imageSummary("x", a, "test", 1).quality;
    expect(q.snrEstimate).toBeGreaterThan(4);
    expect(q.expected?.f1).toBeGreaterThan(0.9);
  });

  it("a folder run counts the images with a note: low SNR at 0.16 µm has one, SNR 9 at 0.1 µm none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "migrasim-quality-"));
    try {
      for (const [name, snr, px] of [["low", 3, 0.16], ["high", 9, 0.1]] as const) {
        const img = renderScene(generateScene(5, { widthUm: 24, heightUm: 24 }), randomOptics(5, snr, "scoring", px), 5);
        writeFileSync(join(dir, `${name}.tif`), writeTiff16([img.counts], img.width, img.height, { pixelSizeUm: px }));
      }
      const r = await analyzeBatch([dir], join(dir, "out"), { threads: 1, quiet: true });
      expect(r.withQualityNote).toBe(1);
      const summary = JSON.parse(readFileSync(join(dir, "out", "summary.json"), "utf8"));
      expect(summary.imagesWithQualityNote).toBe(1);
      const by = Object.fromEntries(summary.perImage.map((i: { image: string; quality: unknown }) => [i.image, i.quality]));
      expect(by["low.tif"].note).toMatch(/0\.16 µm pixels: held-out synthetic scenes gave sites/);
      expect(by["high.tif"].note).toBeNull();
      expect(by["low.tif"].snrEstimate).toBeLessThan(by["high.tif"].snrEstimate);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
