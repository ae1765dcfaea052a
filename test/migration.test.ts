import { describe, expect, it } from "vitest";
import { migrationModule } from "../src/cells/migration.ts";
import { engineWith } from "./helpers.ts";

describe("cell migration: persistent random walk", () => {
  it("MSD follows Fürth's formula 2v²P[t − P(1 − e^(−t/P))]", () => {
    const v = 1;
    const P = 5;
    const eng = engineWith([migrationModule], {
      "cells.count": 2000,
      "cells.speedUmPerMin": v,
      "cells.speedCv": 0,
      "cells.persistenceMin": P,
      "cells.repulsionPerMin": 0,
      "world.widthUm": 1e6,
      "world.heightUm": 1e6,
      "time.dtMin": 0.05,
      "output.trackIntervalMin": 1e5,
    });
    const c = eng.world.cells.c;
    const n = eng.world.cells.n;
    const x0 = Float64Array.from(c.x.subarray(0, n));
    const y0 = Float64Array.from(c.y.subarray(0, n));
    for (const t of [2, 5, 10, 20, 40]) {
      eng.run(t);
      let msd = 0;
      for (let i = 0; i < n; i++) msd += (c.x[i] - x0[i]) ** 2 + (c.y[i] - y0[i]) ** 2;
      msd /= n;
      const theory = 2 * v * v * P * (t - P * (1 - Math.exp(-t / P)));
      // sampling error of the mean over 2000 walkers is a few percent
      expect(Math.abs(msd / theory - 1)).toBeLessThan(0.08);
    }
  });

  it("moves at the set speed and keeps cells inside the walls", () => {
    const eng = engineWith([migrationModule], { "cells.count": 50, "cells.speedCv": 0, "world.widthUm": 200, "world.heightUm": 200 });
    eng.run(300);
    const c = eng.world.cells.c;
    for (let i = 0; i < 50; i++) {
      expect(c.x[i]).toBeGreaterThanOrEqual(0);
      expect(c.x[i]).toBeLessThanOrEqual(200);
      expect(c.y[i]).toBeGreaterThanOrEqual(0);
      expect(c.y[i]).toBeLessThanOrEqual(200);
    }
  });

  it("contact repulsion separates overlapping cells", () => {
    const eng = engineWith([migrationModule], { "cells.count": 2, "cells.speedUmPerMin": 0, "cells.radiusUm": 10, "cells.repulsionPerMin": 2, "world.widthUm": 500, "world.heightUm": 500 });
    const c = eng.world.cells.c;
    c.x[0] = 250;
    c.y[0] = 250;
    c.x[1] = 255;
    c.y[1] = 250;
    eng.run(30);
    expect(Math.hypot(c.x[1] - c.x[0], c.y[1] - c.y[0])).toBeGreaterThan(19);
  });
});
