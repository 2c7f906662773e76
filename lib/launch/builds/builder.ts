import { config } from "../../config";
import { AppError } from "../../errors";
import { runtime } from "../../runtime";
import { shared } from "../../shared";
import type { Builder } from "../../runtime/types";

// The builder of the runtime (lib/runtime: each runtime brings its own). The Kubernetes one is
// loaded only when used, so the local runtime never loads the cluster client.
export async function builder(): Promise<Builder> {
  const existing = shared<{ b?: Builder }>("launch.builder", () => ({}));
  existing.b ??= await runtime().builder();
  return existing.b;
}

/** Tests swap builders (and reset to the configured one with undefined). */
export function setBuilder(b: Builder | undefined): void {
  shared<{ b?: Builder }>("launch.builder", () => ({})).b = b;
}

/** Stops following builds (process shutdown); Jobs in the cluster carry on. */
export function shutdownBuilder(): void {
  const existing = shared<{ b?: Builder }>("launch.builder", () => ({}));
  existing.b?.shutdown?.();
}

/**
 * Builds on Kubernetes push to a registry and are found there again; without one, every launch
 * would build and no server could pull the result. Refused before anything is made.
 */
export function checkBuildsConfigured(needsRegistry: boolean = runtime().buildInfo.needsRegistry, registryUrl: string | undefined = config().registry.url): void {
  if (needsRegistry && !registryUrl) {
    throw new AppError("unavailable", "Launching repositories is not set up here: Berth on Kubernetes needs a container registry for the images it builds. Tell an administrator (BERTH_REGISTRY_URL).");
  }
}
