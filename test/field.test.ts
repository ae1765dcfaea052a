import { describe, expect, it } from "vitest";
import { Field } from "../src/fields/field.ts";
import { Rng } from "../src/util/rng.ts";

/** Modified Bessel K0 (Abramowitz & Stegun 9.8.5/9.8.6). */
function besselK0(x: number): number {
  if (x <= 2) {
    const t = (x / 3.75) ** 2;
    const i0 = 1 + t * (3.5156229 + t * (3.0899424 + t * (1.2067492 + t * (0.2659732 + t * (0.0360768 + t * 0.0045813)))));
    const y = (x * x) / 4;
    return -Math.log(x / 2) * i0 + (-0.57721566 + y * (0.4227842 + y * (0.23069756 + y * (0.0348859 + y * (0.00262698 + y * (0.0001075 + y * 0.0000074))))));
  }
  const y = 2 / x;
  return (Math.exp(-x) / Math.sqrt(x)) * (1.25331414 + y * (-0.07832358 + y * (0.02189568 + y * (-0.01062446 + y * (0.00587872 + y * (-0.0025154 + y * 0.00053208))))));
}

describe("diffusion field (LOD implicit, no-flux)", () => {
  it("conserves mass exactly without decay, for any time step", () => {
    const f = new Field("a", 37, 23, 5, 300, 0);
    const rng = new Rng(3);
    for (let k = 0; k < f.c.length; k++) f.c[k] = rng.uniform();
    const m0 = f.total();
    for (let s = 0; s < 50; s++) f.step(s % 2 ? 0.01 : 7); // includes a step far past explicit stability
    expect(Math.abs(f.total() / m0 - 1)).toBeLessThan(1e-12);
    for (let k = 0; k < f.c.length; k++) expect(f.c[k]).toBeGreaterThanOrEqual(0);
  });

  it("decays total mass as exp(−λt)", () => {
    const f = new Field("a", 20, 20, 10, 100, 0.3);
    f.add(100, 100, 5);
    for (let s = 0; s < 100; s++) f.step(0.05);
    expect(f.total()).toBeCloseTo(5 * Math.exp(-0.3 * 5), 10);
  });

  it("spreads a point mass as a Gaussian with variance 2Dt per axis", () => {
    const dx = 2;
    const D = 50;
    const f = new Field("a", 201, 201, dx, D, 0);
    const cx = 100 * dx + dx / 2;
    f.add(cx, cx, 1);
    const t = 20;
    const dt = 0.05;
    for (let s = 0; s < t / dt; s++) f.step(dt);
    let m = 0;
    let vx = 0;
    for (let j = 0; j < 201; j++)
      for (let i = 0; i < 201; i++) {
        const w = f.c[j * 201 + i] * dx * dx;
        m += w;
        vx += w * ((i - 100) * dx) ** 2;
      }
    // backward Euler LOD grows the variance by exactly 2DΔt per step (up to the far borders)
    expect(Math.abs(vx / m / (2 * D * t) - 1)).toBeLessThan(1e-4);
    // shape: centre value against the continuous Gaussian 1/(4πDt)
    const peak = f.c[100 * 201 + 100];
    expect(Math.abs(peak * 4 * Math.PI * D * t - 1)).toBeLessThan(0.03);
  });

  it("reaches the steady state around a point source: total S/λ and profile K0(r/L), L = √(D/λ)", () => {
    const dx = 5;
    const D = 100;
    const lambda = 0.25;
    const S = 2; // amount per min
    const n = 121;
    const f = new Field("a", n, n, dx, D, lambda);
    const c0 = (n - 1) / 2;
    const x0 = c0 * dx + dx / 2;
    const dt = 0.5;
    for (let s = 0; s < 400; s++) {
      f.add(x0, x0, S * dt);
      f.step(dt);
    }
    // steady mass S/λ (implicit decay factor per step: mass M = S·dt·q/(1−q), q = e^{−λdt})
    const q = Math.exp(-lambda * dt);
    expect(f.total()).toBeCloseTo((S * dt * q) / (1 - q), 3);
    const L = Math.sqrt(D / lambda);
    const at = (r: number) => f.c[c0 * n + c0 + Math.round(r / dx)];
    for (const [r1, r2] of [
      [15, 30],
      [20, 45],
    ]) {
      const ratio = at(r1) / at(r2);
      const theory = besselK0(r1 / L) / besselK0(r2 / L);
      expect(Math.abs(ratio / theory - 1)).toBeLessThan(0.05);
    }
  });

  it("gives the gradient of a linear profile", () => {
    const f = new Field("a", 10, 10, 4, 0, 0);
    for (let j = 0; j < 10; j++) for (let i = 0; i < 10; i++) f.c[j * 10 + i] = 3 * i * 4 + j * 4;
    const g = { gx: 0, gy: 0 };
    f.gradient(18, 18, g);
    expect(g.gx).toBeCloseTo(3, 10);
    expect(g.gy).toBeCloseTo(1, 10);
  });
});
