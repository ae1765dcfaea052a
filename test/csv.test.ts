import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvLines, joinCsv, parseCsv, toCsv, type CsvCell } from "../src/util/csv.ts";

const cell = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined)) as fc.Arbitrary<CsvCell>;
const rows = fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 6 });

describe("CSV writing in parts", () => {
  it("joinCsv of the parts' csvLines is toCsv of all their rows, byte for byte (empty parts and empty rows included)", () => {
    fc.assert(
      fc.property(fc.array(rows, { maxLength: 5 }), (parts) => {
        const header = ["image", "xUm", "note"];
        expect(joinCsv(header, parts.map(csvLines))).toBe(toCsv(header, parts.flat()));
      }),
    );
  });

  it("keeps quoting, empty cells and 10 significant digits", () => {
    const parts = [csvLines([["x,y", 1 / 3]]), csvLines([]), csvLines([[null, 'say "hi"']]), csvLines([[""]])];
    const text = joinCsv(["a", "b"], parts);
    // (the last row is one empty cell: an empty line)
    expect(text).toBe(["a,b", '"x,y",0.3333333333', ',"say ""hi"""', "", ""].join("\n"));
    expect(parseCsv(text).rows.slice(0, 2)).toEqual([
      ["x,y", "0.3333333333"],
      ["", 'say "hi"'],
    ]);
  });
});
