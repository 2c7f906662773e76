import { expect } from "vitest";
import { AppError } from "../../lib/errors";

/** Awaits `p`, expects it to fail with an AppError of this code and status, and returns the error. */
export async function expectRefusal(p: Promise<unknown>, code: AppError["code"], status: number): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected AppError ${code} ${status}`).toBeInstanceOf(AppError);
  const e = err as AppError;
  expect({ code: e.code, status: e.status, message: e.message }).toMatchObject({ code, status });
  return e;
}
