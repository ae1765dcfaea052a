/** `hypot` (src/imaging/hypot.ts) must give Math.hypot's bits for two arguments. */
import { describe, expect, it } from "vitest";
import { hypot } from "../../src/imaging/hypot.ts";
import { Rng } from "../../src/util/rng.ts";

describe("hypot", () => {
  it("equals Math.hypot on integers, quarter steps, wide magnitudes and special values", () => {
    const rng = new Rng(17);
    const special = [0, -0, 5e-324, -1e-310, 1e300, -1.7e308, NaN, Infinity, -Infinity, 1, -1];
    const draw = () => {
      const k = rng.uniform();
      const r = rng.uniform() - 0.5;
      if (k < 0.2) return Math.round(r * 200);
      if (k < 0.4) return r * 2 ** Math.floor(rng.uniform() * 120 - 60);
      if (k < 0.5) return Math.round(r * 40) / 4;
      if (k < 0.55) return special[Math.floor(rng.uniform() * special.length)];
      return r * 100;
    };
    let bad = 0;
    for (let i = 0; i < 200000; i++) {
      const a = draw();
      const b = draw();
      if (!Object.is(hypot(a, b), Math.hypot(a, b))) bad++;
    }
    for (const a of special) for (const b of special) if (!Object.is(hypot(a, b), Math.hypot(a, b))) bad++;
    expect(bad).toBe(0);
  });
});
