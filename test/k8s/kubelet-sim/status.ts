import type { CoreV1Api, V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from "@kubernetes/client-node";
import { now, statusOf, type PodRun } from "./types";

// Status reporting through pods/status, as a kubelet would.

export function setCondition(status: V1PodStatus, type: string, value: "True" | "False", reason?: string, message?: string) {
  const conditions = (status.conditions ??= []);
  const existing = conditions.find((c) => c.type === type);
  const next: V1PodCondition = { type, status: value, lastProbeTime: undefined, lastTransitionTime: now(), reason, message };
  if (existing) {
    if (existing.status === value) next.lastTransitionTime = existing.lastTransitionTime;
    Object.assign(existing, next);
  } else conditions.push(next);
}

/** Read-modify-write of pods/status, for the pod with this uid only. */
export async function updateStatus(core: CoreV1Api, pod: V1Pod, mutate: (status: V1PodStatus) => void) {
  const ns = pod.metadata!.namespace!;
  const name = pod.metadata!.name!;
  for (let i = 0; ; i++) {
    const current = await core.readNamespacedPodStatus({ name, namespace: ns });
    if (current.metadata?.uid !== pod.metadata!.uid) return;
    const st = (current.status ??= {});
    mutate(st);
    try {
      await core.replaceNamespacedPodStatus({ name, namespace: ns, body: current });
      return;
    } catch (err) {
      if (statusOf(err) !== 409 || i >= 10) throw err;
    }
  }
}

export function containerStatus(c: { name: string; image?: string }, state: V1ContainerStatus["state"], ready = false, uid = ""): V1ContainerStatus {
  return {
    name: c.name,
    image: c.image ?? "",
    imageID: state?.waiting?.reason?.includes("Image") || state?.waiting?.reason === "ErrImagePull" ? "" : `sim://${c.image}`,
    containerID: state?.waiting ? undefined : `sim://${uid}-${c.name}`,
    ready,
    restartCount: 0,
    started: Boolean(state?.running),
    state,
  };
}

/** The pod's containers ended with this code: Succeeded or Failed. */
export async function finishContainers(core: CoreV1Api, pod: V1Pod, r: PodRun, exitCode: number, reason: string) {
  r.state = "ended";
  const containers = pod.spec?.containers ?? [];
  await updateStatus(core, pod, (st) => {
    st.phase = exitCode === 0 ? "Succeeded" : "Failed";
    setCondition(st, "ContainersReady", "False", "ContainersNotReady");
    setCondition(st, "Ready", "False", "ContainersNotReady");
    const startedAt = st.containerStatuses?.[0]?.state?.running?.startedAt ?? now();
    st.containerStatuses = containers.map((c) =>
      containerStatus(c, { terminated: { exitCode, reason, startedAt, finishedAt: now(), containerID: `sim://${r.uid}-${c.name}` } }, false, r.uid),
    );
  });
}

/** What every status report of a bound pod carries: the node and pod addresses, the start time. */
export function podAddresses(st: V1PodStatus, r: PodRun) {
  st.hostIP = "127.0.0.1";
  st.podIP = r.ip;
  st.podIPs = [{ ip: r.ip }];
  st.startTime ??= now();
}
