import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config";
import { AppError } from "../../errors";
import { checkBuildsConfigured } from "./builder";

const settings = (env: Record<string, string>) => loadConfig(env as unknown as NodeJS.ProcessEnv);

describe("checkBuildsConfigured", () => {
  it("refuses launches on Kubernetes without a registry, saying what an administrator sets", () => {
    let err: unknown;
    try {
      checkBuildsConfigured(settings({ BERTH_RUNTIME: "kubernetes" }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(503);
    expect((err as AppError).message).toMatch(/BERTH_REGISTRY_URL/);
  });

  it("lets the local runtime build without a registry, and Kubernetes with one", () => {
    expect(() => checkBuildsConfigured(settings({}))).not.toThrow();
    expect(() => checkBuildsConfigured(settings({ BERTH_RUNTIME: "kubernetes", BERTH_REGISTRY_URL: "https://registry.example.org" }))).not.toThrow();
  });
});
