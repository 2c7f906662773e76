import { describe, expect, it } from "vitest";
import { AppError } from "../../errors";
import { checkBuildsConfigured } from "./builder";

// Whether a runtime's builds need a registry is the runtime's to say (Runtime.buildInfo:
// Kubernetes yes, local no); this is the refusal when one is needed and none is set.
describe("checkBuildsConfigured", () => {
  it("refuses launches when the runtime's builds need a registry and none is set, saying what an administrator sets", () => {
    let err: unknown;
    try {
      checkBuildsConfigured(true, undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(503);
    expect((err as AppError).message).toMatch(/BERTH_REGISTRY_URL/);
  });

  it("lets builds that need no registry go without one, and those that need one with one", () => {
    expect(() => checkBuildsConfigured(false, undefined)).not.toThrow();
    expect(() => checkBuildsConfigured(true, "https://registry.example.org")).not.toThrow();
  });
});
