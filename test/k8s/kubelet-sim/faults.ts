import type { CoreV1Api, V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { containerStatus, podAddresses, setCondition, updateStatus } from "./status";
import { now, type PodRun, type SimFault } from "./types";

// Failure modes on demand: `faults` are keyed by pod name, `image:<image>` or `job:<job name>`.

export function faultFor(faults: Map<string, SimFault>, pod: V1Pod): SimFault | undefined {
  const name = pod.metadata!.name!;
  const job = pod.metadata?.labels?.["job-name"];
  const images = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.image);
  return faults.get(name) ?? (job ? faults.get(`job:${job}`) : undefined) ?? images.map((i) => faults.get(`image:${i}`)).find(Boolean);
}

/** Never bound: PodScheduled=False, reason Unschedulable. */
export async function reportUnschedulable(core: CoreV1Api, pod: V1Pod, fault: Extract<SimFault, { kind: "unschedulable" }>) {
  await updateStatus(core, pod, (st) => {
    st.phase = "Pending";
    setCondition(st, "PodScheduled", "False", "Unschedulable", fault.message ?? "0/1 nodes are available: 1 Insufficient memory.");
  });
}

/** Bound; the first container to pull waits in ImagePullBackOff. */
export async function reportImagePullBackOff(core: CoreV1Api, pod: V1Pod, r: PodRun) {
  const init = pod.spec!.initContainers ?? [];
  const containers = pod.spec!.containers ?? [];
  const first = init[0] ?? containers[0];
  await updateStatus(core, pod, (st) => {
    st.phase = "Pending";
    podAddresses(st, r);
    setCondition(st, "Initialized", init.length ? "False" : "True", init.length ? "ContainersNotInitialized" : undefined);
    setCondition(st, "ContainersReady", "False", "ContainersNotReady");
    setCondition(st, "Ready", "False", "ContainersNotReady");
    const pulling = { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${first.image}"` } };
    st.initContainerStatuses = init.map((c) => containerStatus(c, c === first ? pulling : { waiting: { reason: "PodInitializing" } }));
    st.containerStatuses = containers.map((c) => containerStatus(c, c === first ? pulling : { waiting: { reason: "PodInitializing" } }));
  });
}

/** The notebook container is OOMKilled, or exits with the fault's code, right after it starts. */
export async function reportEarlyExit(
  core: CoreV1Api,
  pod: V1Pod,
  r: PodRun,
  fault: Extract<SimFault, { kind: "oomKilled" | "exit" }>,
  startedAt: Date,
  initDone: V1ContainerStatus[],
) {
  const uid = r.uid;
  const containers = pod.spec!.containers ?? [];
  const exitCode = fault.kind === "oomKilled" ? 137 : fault.code;
  const reason = fault.kind === "oomKilled" ? "OOMKilled" : exitCode === 0 ? "Completed" : "Error";
  await updateStatus(core, pod, (st) => {
    st.phase = exitCode === 0 ? "Succeeded" : "Failed";
    podAddresses(st, r);
    setCondition(st, "Initialized", "True");
    setCondition(st, "ContainersReady", "False", "ContainersNotReady");
    setCondition(st, "Ready", "False", "ContainersNotReady");
    st.initContainerStatuses = initDone;
    st.containerStatuses = containers.map((c) => containerStatus(c, { terminated: { exitCode, reason, startedAt, finishedAt: now(), containerID: `sim://${uid}-${c.name}` } }, false, uid));
  });
  r.state = "ended";
}
