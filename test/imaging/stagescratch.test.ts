/**
 * The shared stage scratch (src/imaging/stagescratch.ts): a borrower's views are never overwritten or detached
 * during its call, and the line passes that own the memory stand aside while it is borrowed.
 */
import { describe, expect, it } from "vitest";
import { linePasses } from "../../src/imaging/fastlines.ts";
import { stageMemory, stageScratchBorrowed, withStageScratch } from "../../src/imaging/stagescratch.ts";

describe("shared stage scratch", () => {
  it("is the line passes' memory, lent to one borrower at a time", () => {
    const L = linePasses(64);
    expect(L).not.toBeNull();
    expect(L?.memory).toBe(stageMemory());
    expect(stageScratchBorrowed()).toBe(false);
    withStageScratch(1 << 20, (buf) => {
      expect(buf).toBe(stageMemory()?.buffer);
      expect(buf.byteLength).toBeGreaterThanOrEqual(1 << 20);
      expect(stageScratchBorrowed()).toBe(true);
      const view = new Int32Array(buf, 0, 16).fill(7);
      // while borrowed: no line passes (the JavaScript loops run), a nested borrow gets its own zeroed memory
      expect(linePasses(1 << 24)).toBeNull();
      withStageScratch(1 << 22, (inner) => {
        expect(inner).not.toBe(buf);
        expect(new Int32Array(inner, 0, 16).every((v) => v === 0)).toBe(true);
        new Int32Array(inner, 0, 16).fill(9);
      });
      expect(view.length).toBe(16);
      expect(view.every((v) => v === 7)).toBe(true);
    });
    expect(stageScratchBorrowed()).toBe(false);
    expect(linePasses(64)).not.toBeNull();
  });

  it("is returned when the borrower throws", () => {
    expect(() =>
      withStageScratch(64, () => {
        throw new Error("x");
      }),
    ).toThrow("x");
    expect(stageScratchBorrowed()).toBe(false);
  });
});
