import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeTiff16 } from "../../src/imaging/io-tiff.ts";
import { renderScene } from "../../src/imaging/optics.ts";
import { generateScene, randomOptics } from "../../src/imaging/scene.ts";

const bin = join(import.meta.dirname, "../../bin/migrasim.mjs");
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("migrasim render / analyze / evaluate", () => {
  const dir = mkdtempSync(join(tmpdir(), "migrasim-cli-"));
  const runDir = join(dir, "run");
  // a small run folder in the docs/outputs.md format, placed inside a larger world
  const s = generateScene(1003, { widthUm: 30, heightUm: 30 });
  const off = 200;
  execFileSync("mkdir", ["-p", runDir]);
  writeFileSync(join(runDir, "run.json"), JSON.stringify({ params: { "world.widthUm": 1000, "world.heightUm": 800 } }));
  writeFileSync(
    join(runDir, "migrasomes.csv"),
    `id,xUm,yUm,diameterUm,site,cellId,fiberId,bornMin,stabilisedMin,detachedMin,endMin,fate\n${s.objects
      .filter((o) => o.kind === "migrasome")
      .map((o, i) => `${i + 1},${o.x + off},${o.y + off},${o.diameterUm},${o.site},1,1,0,1,,,attached`)
      .join("\n")}\n99,5,5,1,tip,1,1,0,1,,10,ruptured\n`,
  );
  writeFileSync(
    join(runDir, "fibers.csv"),
    `fiberId,cellId,parentFiberId,vertex,xUm,yUm,bornMin,brokenMin\n${s.fibers.flatMap((f) => f.points.map((p, k) => `${f.id},1,,${k},${p[0] + off},${p[1] + off},0,`)).join("\n")}\n`,
  );
  writeFileSync(join(runDir, "cells.csv"), `cellId,timeMin,xUm,yUm,radiusUm\n${s.cells.map((c) => `${c.id},100,${c.x + off},${c.y + off},${c.rx}`).join("\n")}\n`);

  it("renders a field of view around the cells and analyses it back", () => {
    const r1 = run(["render", runDir, "--snr", "7", "--out", join(dir, "img")]);
    expect(r1.status, r1.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, "img", "render.json"), "utf8"));
    expect(meta.widthPx).toBeLessThan(500); // cropped, not the 1000 µm world
    const bad = join(dir, "img", "zz-broken.tif");
    writeFileSync(bad, readFileSync(join(dir, "img", "image.tif")).subarray(0, 200));
    const r2 = run(["analyze", join(dir, "img"), "--out", join(dir, "out"), "--threads", "2"]);
    expect(r2.stderr).toMatch(/zz-broken\.tif/); // the bad file is reported …
    expect(r2.status).toBe(2);
    for (const f of ["detections.csv", "fibers.csv", "per_cell.csv", "summary.json", "image_overlay.png"]) expect(existsSync(join(dir, "out", f))).toBe(true);
    const head = readFileSync(join(dir, "out", "detections.csv"), "utf8").split("\n")[0];
    for (const c of ["image", "xUm", "yUm", "diameterUm", "site", "score", "cellId"]) expect(head.split(",")).toContain(c);
    const summary = JSON.parse(readFileSync(join(dir, "out", "summary.json"), "utf8"));
    expect(summary.images).toBe(1); // … and the rest is analysed
    // rendered at SNR 7: the estimate (held-out: 0.9–1.5 × the true SNR) and the held-out results expected there
    const q = summary.perImage[0].quality;
    expect(q.snrEstimate).toBeGreaterThan(5);
    expect(q.snrEstimate).toBeLessThan(11);
    expect(q.expected.f1).toBeGreaterThan(0.95);
    expect(summary.imagesWithQualityNote).toBe(q.note === null ? 0 : 1);
    const r3 = run(["evaluate", join(dir, "out", "detections.csv"), join(dir, "img", "truth_migrasomes.csv"), "--json"]);
    expect(r3.status, r3.stderr).toBe(0);
    expect(JSON.parse(r3.stdout).f1).toBeGreaterThan(0.9);
  });
  it("writes the same tables whatever the number of workers", () => {
    const folder = join(dir, "many");
    execFileSync("mkdir", ["-p", folder]);
    for (const seed of [1001, 1002, 1003]) {
      const img = renderScene(generateScene(seed, { widthUm: 24, heightUm: 24 }), randomOptics(seed, 5, "scoring", 0.1), seed);
      writeFileSync(join(folder, `s${seed}.tif`), writeTiff16([img.counts], img.width, img.height, { pixelSizeUm: 0.1 }));
    }
    const outs = ["1", "2"].map((n) => {
      const out = join(dir, `w${n}`);
      const r = run(["analyze", folder, "--out", out, "--workers", n, "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
      return ["detections.csv", "fibers.csv", "per_cell.csv"].map((f) => readFileSync(join(out, f), "utf8"));
    });
    expect(outs[0][0].split("\n").length).toBeGreaterThan(10);
    expect(outs[1]).toEqual(outs[0]);
  });
  it("refuses µm measurements without a pixel size, with a one-line error", () => {
    const png = join(dir, "nopx.png");
    execFileSync(process.execPath, ["--import", "tsx", "-e", `import {encode} from "fast-png"; import {writeFileSync} from "node:fs"; writeFileSync(${JSON.stringify(png)}, encode({width:64,height:64,data:new Uint8Array(4096),channels:1,depth:8}));`], { cwd: join(import.meta.dirname, "../..") });
    const r = run(["analyze", png, "--out", join(dir, "o2"), "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1); // one line for a single file
    expect(r.stderr).toMatch(/--pixel-size/);
    const ok = run(["analyze", png, "--pixel-size", "0.1", "--out", join(dir, "o3"), "--quiet"]);
    expect(ok.status, ok.stderr).toBe(0);
  });
  it("renders off the plain optics with --realism, records it, and refuses unknown names with one line", () => {
    const r = run(["render", runDir, "--snr", "7", "--realism", "airy,emccd", "--out", join(dir, "real")]);
    expect(r.status, r.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, "real", "render.json"), "utf8"));
    expect(meta.optics.realism).toEqual({ psf: "airy", camera: "emccd" });
    const plain = readFileSync(join(dir, "img", "image.tif"));
    expect(readFileSync(join(dir, "real", "image.tif")).equals(plain)).toBe(false);
    const bad = run(["render", runDir, "--realism", "airy,fog", "--out", join(dir, "bad")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/--realism: unknown realism "fog"/);
    expect(existsSync(join(dir, "bad", "image.tif"))).toBe(false);
  });
  it("refuses bad linking gates with one line naming the flag, before analysing anything", () => {
    for (const [flag, v] of [["--max-link-um", "-1"], ["--max-drift-um", "lots"]]) {
      const r = run(["analyze", join(dir, "img", "image.tif"), flag, v, "--out", join(dir, "badlink"), "--quiet"]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(flag);
      expect(existsSync(join(dir, "badlink"))).toBe(false);
    }
  });
  it("reads sites with the rules alone on request, and refuses an unknown reader in one line", () => {
    const rules = run(["analyze", join(dir, "img", "image.tif"), "--site-reader", "rules", "--out", join(dir, "rules"), "--quiet"]);
    expect(rules.status, rules.stderr).toBe(0);
    const learned = run(["analyze", join(dir, "img", "image.tif"), "--out", join(dir, "learned"), "--quiet"]);
    expect(learned.status, learned.stderr).toBe(0);
    const col = (f: string, name: string) => {
      const [head, ...rows] = readFileSync(f, "utf8").trim().split("\n");
      const i = head.split(",").indexOf(name);
      return rows.map((r) => r.split(",")[i]);
    };
    // the same migrasomes, sites read two ways
    expect(col(join(dir, "rules", "detections.csv"), "xUm")).toEqual(col(join(dir, "learned", "detections.csv"), "xUm"));
    const bad = run(["analyze", join(dir, "img", "image.tif"), "--site-reader", "magic", "--out", join(dir, "badreader"), "--quiet"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("--site-reader");
    expect(existsSync(join(dir, "badreader"))).toBe(false);
  });
});
