// CSV cells as RFC 4180 has them, safe to open in a spreadsheet: a cell that a spreadsheet would
// take for a formula (starting with = + - @, or a tab or carriage return that hides one) gets a
// leading apostrophe (OWASP's CSV injection advice); a cell with a comma, quote or line break is
// quoted with its quotes doubled.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = value instanceof Date ? value.toISOString() : typeof value === "string" ? value : JSON.stringify(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
