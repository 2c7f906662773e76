import type { V1Pod } from "@kubernetes/client-node";

// What a pod's status means for a person waiting for their server.
export type PodView =
  | { kind: "ready"; ip: string }
  | { kind: "waiting"; progress: string; problem?: string }
  | { kind: "failed"; reason: string };

const FATAL_WAITING = new Set(["InvalidImageName", "CreateContainerConfigError", "CreateContainerError"]);
const PULL_PROBLEMS = new Set(["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull"]);

export function podView(pod: V1Pod): PodView {
  const st = pod.status ?? {};
  const cond = (type: string) => st.conditions?.find((c) => c.type === type);
  const containers = [...(st.initContainerStatuses ?? []), ...(st.containerStatuses ?? [])];

  for (const c of containers) {
    const t = c.state?.terminated ?? c.lastState?.terminated;
    if (t?.reason === "OOMKilled") return { kind: "failed", reason: `OOMKilled: the server ran out of memory (limit ${limitOf(pod)}). Use a profile with more memory, or use less.` };
  }
  if (st.phase === "Failed" || st.phase === "Succeeded") {
    // The container that failed, not the init container that completed before it.
    const ended = [...(st.containerStatuses ?? []), ...(st.initContainerStatuses ?? [])].map((c) => c.state?.terminated).filter((t) => t !== undefined);
    const t = ended.find((x) => x.exitCode !== 0) ?? ended[0];
    const why = t ? `${t.reason ?? "exited"}${t.exitCode !== undefined ? ` (exit code ${t.exitCode})` : ""}${t.message ? `: ${t.message}` : ""}` : (st.reason ?? st.message ?? "stopped");
    return { kind: "failed", reason: `The server's container stopped: ${why}.` };
  }
  for (const c of containers) {
    const w = c.state?.waiting;
    if (w?.reason && FATAL_WAITING.has(w.reason)) return { kind: "failed", reason: `${w.reason}: ${w.message ?? "the container could not be created"}.` };
  }

  const scheduled = cond("PodScheduled");
  if (!scheduled || scheduled.status !== "True") {
    if (scheduled?.reason === "Unschedulable") {
      return { kind: "waiting", progress: "Waiting for room in the cluster", problem: `unschedulable: ${scheduled.message ?? "no node can run it"}` };
    }
    return { kind: "waiting", progress: "Waiting to be scheduled" };
  }
  for (const c of containers) {
    const w = c.state?.waiting;
    if (w?.reason && PULL_PROBLEMS.has(w.reason)) {
      return { kind: "waiting", progress: `Pulling image ${c.image} (retrying)`, problem: `${w.reason}: ${w.message ?? `cannot pull ${c.image}`}` };
    }
  }
  const init = st.initContainerStatuses?.[0];
  if (init && !init.state?.terminated) return { kind: "waiting", progress: init.state?.running ? "Preparing your home folder" : `Pulling image ${init.image}` };
  const main = st.containerStatuses?.[0];
  if (!main?.state?.running) return { kind: "waiting", progress: main?.state?.waiting?.reason === "ContainerCreating" || !main ? `Starting container (node ${pod.spec?.nodeName ?? "?"})` : `Waiting: ${main.state?.waiting?.reason}` };
  if (cond("Ready")?.status === "True" && st.podIP) return { kind: "ready", ip: st.podIP };
  return { kind: "waiting", progress: "Started; waiting for Jupyter to answer" };
}

function limitOf(pod: V1Pod): string {
  return String(pod.spec?.containers?.[0]?.resources?.limits?.memory ?? "?");
}
