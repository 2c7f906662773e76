import { expect } from "vitest";
import { AppError } from "../../lib/errors";

/**
 * Runs `fn`, which must refuse with an AppError (and with `expected`'s code and status when given),
 * and returns the error so a test can read its message.
 */
export function refusal(fn: () => unknown, expected?: { code: string; status: number }): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    if (expected) expect({ code: e.code, status: e.status }).toEqual(expected);
    return e;
  }
  throw new Error("expected a refusal");
}
