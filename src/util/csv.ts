/** Minimal, deterministic CSV writing and reading (RFC 4180 quoting). */

export type CsvCell = string | number | boolean | null | undefined;

function formatCell(v: CsvCell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "";
    if (Number.isInteger(v)) return String(v);
    // fixed significant digits keep files byte-stable and compact
    return String(Number(v.toPrecision(10)));
  }
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const out: string[] = [header.map(formatCell).join(",")];
  for (const r of rows) out.push(r.map(formatCell).join(","));
  return `${out.join("\n")}\n`;
}

/** The rows as CSV lines, each ending in "\n" ("" for no rows): `toCsv` without its header. */
export function csvLines(rows: Iterable<readonly CsvCell[]>): string {
  let out = "";
  for (const r of rows) out += `${r.map(formatCell).join(",")}\n`;
  return out;
}

/** `toCsv(header, rows of every part)` from the parts' `csvLines` (the same bytes). */
export function joinCsv(header: readonly string[], parts: readonly string[]): string {
  return toCsv(header, []) + parts.join("");
}

/** Parse CSV text into a header and rows of strings. */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const records: string[][] = [];
  let field = "";
  let row: string[] = [];
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else field += c;
    } else if (c === '"') inQuotes = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      records.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    records.push(row);
  }
  const header = records.shift() ?? [];
  return { header, rows: records.filter((r) => !(r.length === 1 && r[0] === "")) };
}
