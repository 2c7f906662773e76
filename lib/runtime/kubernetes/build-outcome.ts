import type { V1ContainerStatus, V1Job, V1Pod } from "@kubernetes/client-node";
import { AppError } from "../../errors";
import { BUILD_ANNOTATIONS, BUILDER_CONTAINER, KANIKO_CONTAINER } from "./build-job";

// What a build Job's state means, and what a person is told when it failed.

export type BuildOutcome =
  | { kind: "running" }
  | { kind: "succeeded" }
  /** `reason`: the Job's Failed condition's reason (DeadlineExceeded, BackoffLimitExceeded), or BuilderFailed */
  | { kind: "failed"; reason: string; message?: string };

export function containerStatus(pod: V1Pod | undefined, name: string): V1ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((c) => c.name === name);
}

const condition = (job: V1Job, type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === "True");

/**
 * Finished or not, from the Job's conditions, and from its pod: a builder that exited non-zero
 * has failed the build even while the Job still counts the pod as active.
 */
export function buildOutcome(job: V1Job, pod: V1Pod | undefined): BuildOutcome {
  if (condition(job, "Complete")) return { kind: "succeeded" };
  const failed = condition(job, "Failed");
  if (failed) return { kind: "failed", reason: failed.reason ?? "Failed", message: failed.message };
  const builder = containerStatus(pod, BUILDER_CONTAINER)?.state?.terminated;
  if (builder && builder.exitCode !== 0) return { kind: "failed", reason: "BuilderFailed" };
  return { kind: "running" };
}

/** Active: neither complete nor failed (what counts as a running build). */
export const isActive = (job: V1Job) => !condition(job, "Complete") && !condition(job, "Failed");

/** 3600 → "60 minutes", 90 → "90 seconds". */
export function formatDuration(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) return seconds === 60 ? "1 minute" : `${seconds / 60} minutes`;
  return seconds === 1 ? "1 second" : `${seconds} seconds`;
}

const FIX_REPOSITORY =
  "Fix what the log points at in the repository (its environment.yml, requirements.txt or other configuration files), push a new commit and launch again. If the log points at Berth or its container registry instead, tell an administrator.";

function withTail(tail: string[]): string {
  return tail.length ? ` The last lines of its log:\n${tail.join("\n")}\n` : " ";
}

/** The error for a failed build: why it failed and what to do, with the log's last lines. */
export function buildFailure(job: V1Job, pod: V1Pod | undefined, outcome: Extract<BuildOutcome, { kind: "failed" }>, tail: string[]): AppError {
  const image = job.metadata?.annotations?.[BUILD_ANNOTATIONS.image];
  if (outcome.reason === "DeadlineExceeded") {
    const limit = formatDuration(job.spec?.activeDeadlineSeconds ?? 0);
    return new AppError(
      "timeout",
      `The build took longer than ${limit}, the most a build may take, and was stopped.${withTail(tail)}Make the environment smaller (fewer or lighter packages, no large files) and launch again, or ask an administrator to allow longer builds (BERTH_BUILD_TIMEOUT_SECONDS).`,
      { reason: "build_timeout", image },
    );
  }
  const builder = containerStatus(pod, BUILDER_CONTAINER)?.state?.terminated;
  if (builder && builder.exitCode !== 0) {
    const oom = builder.reason === "OOMKilled" ? " (it ran out of memory)" : "";
    return new AppError("start_failed", `The build failed: repo2docker exited with code ${builder.exitCode}${oom}.${withTail(tail)}${FIX_REPOSITORY}`, {
      reason: "build_failed",
      exitCode: builder.exitCode,
      image,
    });
  }
  const kaniko = containerStatus(pod, KANIKO_CONTAINER)?.state?.terminated;
  if (kaniko && kaniko.exitCode !== 0) {
    return new AppError(
      "start_failed",
      `The build failed: its Kaniko container exited with code ${kaniko.exitCode}${kaniko.reason ? ` (${kaniko.reason})` : ""}.${withTail(tail)}Launch again; if it keeps happening, tell an administrator.`,
      { reason: "build_failed", exitCode: kaniko.exitCode, image },
    );
  }
  const why = [outcome.reason, outcome.message].filter(Boolean).join(": ");
  return new AppError("start_failed", `The build failed (${why}).${withTail(tail)}${FIX_REPOSITORY}`, { reason: "build_failed", image });
}

export function imageMissing(imageName: string): AppError {
  return new AppError(
    "upstream_failed",
    `The build finished, but its image ${imageName} is not in the container registry: the push did not arrive, or the registry lost it. Launch again to build it once more; if it keeps happening, tell an administrator (check the registry and the Secret Berth's builds push with).`,
    { reason: "image_missing", image: imageName },
  );
}
