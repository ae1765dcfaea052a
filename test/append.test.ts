import { describe, expect, it } from "vitest";
import { appendAll } from "../src/util/append.ts";

describe("appendAll", () => {
  it("appends a million rows, where push(...rows) overflows the call stack", () => {
    const rows = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(() => [0].push(...rows)).toThrow(RangeError);
    const out = appendAll([-1], rows);
    expect(out.length).toBe(1_000_001);
    expect(out[0]).toBe(-1);
    expect(out[1_000_000]).toBe(999_999);
  });
});
