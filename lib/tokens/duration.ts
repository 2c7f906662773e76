import { AppError } from "../errors";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 7 * 86_400 };

/** "30d", "12h", "90m", "3600s", "2w" or a plain number of seconds → seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,9})([smhdw]?)$/i.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNITS[(m[2] || "s").toLowerCase()] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new AppError("invalid_input", `"${text}" is not a duration. Write a number with a unit: 30d (days), 12h, 90m, 3600s or 2w.`);
  }
  return seconds;
}
