import { config, type Config } from "../../config";
import { AppError } from "../../errors";
import { shared } from "../../shared";
import { LocalBuilder } from "./local-builder";
import type { Builder } from "./types";

// The builder of the configured runtime. The Kubernetes one is loaded only when used, so the
// local runtime never loads the cluster client.
export async function builder(): Promise<Builder> {
  const existing = shared<{ b?: Builder }>("launch.builder", () => ({}));
  if (existing.b) return existing.b;
  let b: Builder;
  if (config().runtime === "kubernetes") {
    const { kubeBuilder } = await import("../../runtime/kubernetes/kube-builder");
    b = kubeBuilder();
  } else {
    b = new LocalBuilder();
  }
  existing.b = b;
  return b;
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
export function checkBuildsConfigured(c: Pick<Config, "runtime" | "registry"> = config()): void {
  if (c.runtime === "kubernetes" && !c.registry.url) {
    throw new AppError("unavailable", "Launching repositories is not set up here: Berth on Kubernetes needs a container registry for the images it builds. Tell an administrator (BERTH_REGISTRY_URL).");
  }
}
